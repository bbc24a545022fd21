package export

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
	"golang.org/x/text/encoding/charmap"
)

// appendMovementJSON appends the JSON object of the movement decoded last
// (one line, no line end), of the statement st. It is written by hand, field by field, for speed.
func (f *formatter) appendMovementJSON(b []byte, st *stmtView) []byte {
	v := &f.v
	m := &v.m
	b = append(b, f.lineHead...) // {"file":…,"line":
	b = f.lineNo.append(b, v.line)
	b = append(b, st.acctJSON...) // …,"booking_date":
	b = f.isoBooking.appendJSON(b, m.BookingDate, v.bookingOK)
	b = append(b, `,"value_date":`...)
	b = f.isoValue.appendJSON(b, m.ValueDate, v.valueOK)
	if v.amountOK {
		b = append(b, `,"amount":"`...)
		b = appendAmountFieldJSON(b, v.amountField, m.Amount, v.decimals)
	} else {
		b = append(b, `,"amount":null,"amount_minor":null`...)
	}
	b = append(b, `,"interbank_code":`...)
	b = v.appendString(b, m.InterbankCode)
	b = append(b, `,"interbank_label":`...)
	if label, ok := cfonb.InterbankLabel(m.InterbankCode); ok {
		b = append(b, '"')
		b = append(b, label...) // UTF-8 without characters to escape
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"internal_code":`...)
	b = v.appendString(b, m.InternalCode)
	b = append(b, `,"rejection_code":`...)
	if len(m.RejectCode) > 0 {
		b = v.appendString(b, m.RejectCode)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"label":`...)
	b = v.appendString(b, v.labelText())
	b = append(b, `,"label_04":`...)
	b = v.appendString(b, m.Label)
	b = append(b, `,"entry_number":`...)
	b = v.appendString(b, m.EntryNumber)
	b = append(b, `,"reference":`...)
	b = v.appendString(b, m.Reference)
	// The named fields that are set, in their order.
	for set := v.namedSet; set != 0; set &= set - 1 {
		n := named(bits.TrailingZeros32(set))
		b = append(b, `,"`...)
		b = append(b, namedKeys[n]...)
		b = append(b, `":`...)
		b = v.appendString(b, v.get(v.named[n]))
	}
	b = append(b, `,"complements":[`...)
	for i, c := range v.comps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"qualifier":`...)
		b = v.appendString(b, c.qualifier)
		b = append(b, `,"text":`...)
		b = v.appendString(b, c.text)
		if c.valueDate != 0 {
			b = append(b, `,"value_date":`...)
			b = appendDateJSON(b, c.valueDate, true)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendAccountJSON appends the bank, branch, account, iban and currency
// members, each preceded by sep and with colon after its key.
func appendAccountJSON(b []byte, a *cfonb.Account, iban []byte, sep, colon string) []byte {
	key := func(b []byte, k string) []byte {
		b = append(b, sep...)
		b = append(b, k...)
		return append(b, colon...)
	}
	b = key(b, `"bank"`)
	b = appendJSONString(b, accountZone(a.Bank[:]))
	b = key(b, `"branch"`)
	b = appendJSONString(b, accountZone(a.Branch[:]))
	b = key(b, `"account"`)
	b = appendJSONString(b, accountZone(a.Number[:]))
	b = key(b, `"iban"`)
	if iban != nil {
		b = append(b, '"')
		b = append(b, iban...)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = key(b, `"currency"`)
	return appendJSONString(b, accountZone(a.Currency[:]))
}

// accountZone is cfonb.Zone: the zone's text, as every report shows it.
func accountZone(b []byte) []byte { return cfonb.Zone(b) }

// isoCache remembers the ISO 8601 form of the last date written: the
// dates of consecutive movements are mostly the same.
type isoCache struct {
	d   cfonb.Date
	iso [10]byte
}

// appendJSON is appendDateJSON, through the cache.
func (c *isoCache) appendJSON(b []byte, d cfonb.Date, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	if d != c.d {
		c.d = d
		d.AppendISO(c.iso[:0])
	}
	b = append(b, '"')
	b = append(b, c.iso[:]...)
	return append(b, '"')
}

func appendDateJSON(b []byte, d cfonb.Date, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.AppendISO(b)
	return append(b, '"')
}

func appendBalanceJSON(b []byte, amount int64, decimals int, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = cfonb.AppendDecimal(b, amount, decimals)
	return append(b, '"')
}

func appendLineJSON(b []byte, line int) []byte {
	if line == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(line), 10)
}

// jsonOpenStatement writes a statement's fields known at its 01, up to
// the opening bracket of its movements.
func (e *Exporter) jsonOpenStatement() {
	st := &e.st
	b := e.out
	if e.statements > 1 { // this one is counted already
		b = append(b, ',')
	}
	b = append(b, "\n    {\n      \"file\": "...)
	b = append(b, e.fileJSON...)
	b = append(b, ",\n      \"line\": "...)
	b = appendLineJSON(b, st.line)
	b = appendAccountJSON(b, &st.m.Account, st.iban, ",\n      ", ": ")
	b = append(b, ",\n      \"opening_date\": "...)
	b = appendDateJSON(b, st.opening.date, st.opening.dateOK)
	b = append(b, ",\n      \"opening_balance\": "...)
	b = appendBalanceJSON(b, st.opening.amount, st.m.Decimals, st.opening.amountOK)
	b = append(b, ",\n      \"movements\": ["...)
	e.out = b
}

// jsonCloseStatement writes the end of the open statement: its closing
// fields (closing.dateOK and amountOK false when there is no 07).
func (e *Exporter) jsonCloseStatement(line int, closing *balance) {
	st := &e.st
	b := e.out
	if st.m.Movements > 0 {
		b = append(b, "\n      ]"...)
	} else {
		b = append(b, ']')
	}
	b = append(b, ",\n      \"closing_line\": "...)
	b = appendLineJSON(b, line)
	b = append(b, ",\n      \"closing_date\": "...)
	b = appendDateJSON(b, closing.date, closing.dateOK)
	b = append(b, ",\n      \"closing_balance\": "...)
	b = appendBalanceJSON(b, closing.amount, st.m.Decimals, closing.amountOK)
	b = append(b, ",\n      \"movement_count\": "...)
	b = strconv.AppendInt(b, int64(st.m.Movements), 10)
	b = append(b, ",\n      \"total_debits\": \""...)
	b = appendSum(b, st.m.Debits, st.m.Decimals)
	b = append(b, "\",\n      \"total_credits\": \""...)
	b = appendSum(b, st.m.Credits, st.m.Decimals)
	b = append(b, "\",\n      \"reconciles\": "...)
	b = strconv.AppendBool(b, st.m.Reconciles())
	b = append(b, "\n    }"...)
	e.out = b
}

// appendSum appends an exact sum as a decimal.
func appendSum(b []byte, s cfonb.Sum, decimals int) []byte {
	if v, ok := s.Int64(); ok {
		return cfonb.AppendDecimal(b, v, decimals)
	}
	return append(b, s.Decimal(decimals)...)
}

// appendString appends s, a string of the movement's records or made of
// them, as a JSON string: as it is when the records are plain.
func (v *view) appendString(b, s []byte) []byte {
	if v.plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return appendJSONString(b, s)
}

// appendAmountFieldJSON appends an amount in minor units as the rest of
// the "amount" string and the "amount_minor" member:
// `-12.34","amount_minor":-1234`, what cfonb.AppendDecimal and
// strconv.AppendInt write. field is the amount's zone as cfonb.ParseAmount
// decoded it into amount: its digits are copied (cfonb.AmountDigits)
// instead of formatting amount.
func appendAmountFieldJSON(b, field []byte, amount int64, decimals int) []byte {
	d := cfonb.AmountDigits(field, amount)
	if amount < 0 {
		b = append(b, '-')
	}
	// The first digit that is not '0' (the last one when all are).
	var i int
	if hi := binary.BigEndian.Uint64(d[0:8]) ^ zeros8; hi != 0 {
		i = bits.LeadingZeros64(hi) / 8
	} else if lo := binary.BigEndian.Uint64(d[6:14]) ^ zeros8; lo != 0 {
		i = 6 + bits.LeadingZeros64(lo)/8
	} else {
		i = 13
	}
	s := d[i:]
	b = cfonb.AppendDecimalDigits(b, s, decimals)
	b = append(b, `","amount_minor":`...)
	if amount < 0 {
		b = append(b, '-')
	}
	return append(b, s...)
}

// zeros8 is eight '0' read as a uint64.
const zeros8 = 0x3030303030303030

// lineCounter writes line numbers, which mostly grow by a little from one
// movement to the next: the decimal digits of the last one are kept and
// counted up, instead of formatted each time.
type lineCounter struct {
	n     int
	start int      // digits[start:] are the digits of n
	digit [20]byte // right-aligned
}

// append appends the decimal form of n, which strconv.AppendInt writes.
func (c *lineCounter) append(b []byte, n int) []byte {
	if d := n - c.n; c.n > 0 && d >= 0 && d < 10 {
		c.up(d)
	} else {
		c.set(n)
	}
	return append(b, c.digit[c.start:]...)
}

// set makes n the counter's number.
func (c *lineCounter) set(n int) {
	c.n = n
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	c.start = len(c.digit) - len(s)
	copy(c.digit[c.start:], s)
	if n < 0 {
		c.n = 0 // counted up from a positive number only
	}
}

// up adds d (0-9) to the counter, which holds a positive number.
func (c *lineCounter) up(d int) {
	c.n += d
	i := len(c.digit) - 1
	sum := int(c.digit[i]-'0') + d
	for sum >= 10 {
		c.digit[i] = byte('0' + sum - 10)
		i--
		if i < c.start {
			c.start = i
			c.digit[i] = '0'
		}
		sum = int(c.digit[i]-'0') + 1
	}
	c.digit[i] = byte('0' + sum)
}

// jsonPlain reports whether every byte of s is printable ASCII other than
// '"' and '\\': then every part of s is its own JSON string text
// (appendJSONText returns it unchanged).
func jsonPlain(s []byte) bool {
	var bad uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		bad |= unsafe8(binary.LittleEndian.Uint64(s[i:]))
	}
	for ; i < len(s); i++ {
		if jsonSafe[s[i]] != '1' {
			return false
		}
	}
	return bad == 0
}

// plain is jsonPlain for the record data the reader returned last: when
// the reader found it printable ASCII, only '"' and '\\' remain to look
// for, and none is there when the record comes after the last one read
// (plainRecord).
func (e *Exporter) plain(data []byte) bool {
	if e.plainRecord {
		return true
	}
	if e.printable {
		return !quoteOrBackslash(data)
	}
	return jsonPlain(data)
}

// quoteOrBackslash reports whether s holds a '"' or a '\\'. (Two
// bytes.IndexByte, in vector instructions, take a third of the time of a
// word-at-a-time test on a record.)
func quoteOrBackslash(s []byte) bool {
	return bytes.IndexByte(s, '"') >= 0 || bytes.IndexByte(s, '\\') >= 0
}

// appendJSONString appends s as a JSON string. See appendText for how
// bytes that are not ASCII are read.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendJSONText(dst, s)
	return append(dst, '"')
}

// jsonSafe has a '1' at each byte a JSON string holds as it is (printable
// ASCII other than '"' and '\\'), a '0' elsewhere.
const jsonSafe = "" +
	"0000000000000000000000000000000011011111111111111111111111111111" +
	"1111111111111111111111111111011111111111111111111111111111111111" +
	"0000000000000000000000000000000000000000000000000000000000000000" +
	"0000000000000000000000000000000000000000000000000000000000000000"

const hexDigits = "0123456789abcdef"

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// safe8 reports whether the eight bytes of x are all printable ASCII other
// than '"' and '\\' (bytes a JSON string holds as they are). Each term is
// non-zero exactly when one of the bytes is of its kind.
func safe8(x uint64) bool { return unsafe8(x) == 0 }

// unsafe8 is non-zero when one of the eight bytes of x is not printable
// ASCII, or is '"' or '\\'.
func unsafe8(x uint64) uint64 {
	control := (x - lsb*0x20) & ^x & msb // a byte below 0x20
	high := x & msb                      // a byte of 0x80 or more
	q := x ^ (lsb * '"')
	quote := (q - lsb) & ^q & msb // a '"'
	b := x ^ (lsb * '\\')
	backslash := (b - lsb) & ^b & msb // a '\\'
	return control | high | quote | backslash
}

// appendJSONText appends s escaped for a JSON string. Text that is valid
// UTF-8 is kept; otherwise each byte above 0x7F is read as Windows-1252
// (the superset of ISO-8859-1 that French banks' files use).
func appendJSONText(dst, s []byte) []byte {
	start := 0
	checked, latin := false, false
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs care.
		for i+8 <= len(s) && safe8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if jsonSafe[c] == '1' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c >= 0x80 {
			if !checked {
				checked, latin = true, !utf8.Valid(s)
			}
			if latin {
				dst = utf8.AppendRune(dst, charmap.Windows1252.DecodeByte(c))
				i++
			} else {
				_, size := utf8.DecodeRune(s[i:])
				dst = append(dst, s[i:i+size]...)
				i += size
			}
			start = i
			continue
		}
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// appendText appends s as UTF-8 text, read as appendJSONText reads it,
// without escaping.
func appendText(dst, s []byte) []byte {
	for _, c := range s {
		if c >= 0x80 {
			if utf8.Valid(s) {
				return append(dst, s...)
			}
			for _, c := range s {
				if c < 0x80 {
					dst = append(dst, c)
				} else {
					dst = utf8.AppendRune(dst, charmap.Windows1252.DecodeByte(c))
				}
			}
			return dst
		}
	}
	return append(dst, s...)
}
