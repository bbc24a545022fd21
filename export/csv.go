package export

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// csvColumns are the columns before the named fields; "complements" comes
// after them.
var csvColumns = []string{
	"file", "line", "bank", "branch", "account", "iban", "currency",
	"booking_date", "value_date", "amount", "amount_minor",
	"interbank_code", "interbank_label", "internal_code", "rejection_code",
	"label", "label_04", "entry_number", "reference",
}

// CSVHeader returns the header row of the CSV format, in column order.
func CSVHeader() []string {
	h := append([]string(nil), csvColumns...)
	for n := named(0); n < numNamed; n++ {
		h = append(h, namedKeys[n])
	}
	return append(h, "complements")
}

// csvSink builds the CSV rows: each row's fields one after the other in
// buf, then the row, quoted, at the end of the exporter's output.
type csvSink struct {
	opts  Options
	comma []byte // opts.Comma in UTF-8
	buf   []byte // the row's fields, one after the other
	ends  []int  // end of each field in buf
}

func newCSVSink(opts Options) *csvSink {
	return &csvSink{opts: opts, comma: utf8.AppendRune(nil, opts.Comma)}
}

// header appends the optional BOM and the header row to b.
func (s *csvSink) header(b []byte) []byte {
	if s.opts.BOM {
		b = append(b, "\uFEFF"...)
	}
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	for _, h := range CSVHeader() {
		s.buf = append(s.buf, h...)
		s.end()
	}
	return s.appendRow(b)
}

// appendRow appends the fields in buf to b as one CSV row and a CRLF,
// each field written as encoding/csv writes it with UseCRLF (RFC 4180):
// quoted when it needs it, its quotes doubled, a line end inside it
// written CRLF (a CR alone is dropped).
func (s *csvSink) appendRow(b []byte) []byte {
	// Most rows hold no quote, line end or separator at all: then only how
	// a field begins can call for quotes.
	plain := !s.hasSpecial(s.buf)
	start := 0
	for i, end := range s.ends {
		if i > 0 {
			b = append(b, s.comma...)
		}
		f := s.buf[start:end]
		start = end
		if (plain || !s.hasSpecial(f)) && !quotedStart(f) {
			b = append(b, f...)
			continue
		}
		b = appendQuoted(b, f)
	}
	return append(b, '\r', '\n')
}

// hasSpecial reports whether f holds a quote, a CR, a LF or the separator:
// a field with one is quoted.
func (s *csvSink) hasSpecial(f []byte) bool {
	return bytes.IndexByte(f, '"') >= 0 || bytes.IndexByte(f, '\r') >= 0 ||
		bytes.IndexByte(f, '\n') >= 0 || bytes.Contains(f, s.comma)
}

// quotedStart reports whether encoding/csv quotes a field for how it
// begins: with a space (unicode.IsSpace), or when it is `\.`.
func quotedStart(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	r, _ := utf8.DecodeRune(f)
	return unicode.IsSpace(r) || string(f) == `\.`
}

// appendQuoted appends f to b in quotes, its quotes doubled, a LF written
// CRLF and a CR dropped.
func appendQuoted(b, f []byte) []byte {
	b = append(b, '"')
	for {
		i := bytes.IndexAny(f, "\"\r\n")
		if i < 0 {
			b = append(b, f...)
			return append(b, '"')
		}
		b = append(b, f[:i]...)
		switch f[i] {
		case '"':
			b = append(b, '"', '"')
		case '\n':
			b = append(b, '\r', '\n')
		}
		f = f[i+1:]
	}
}

// end ends the current field.
func (s *csvSink) end() { s.ends = append(s.ends, len(s.buf)) }

// text adds a text field.
func (s *csvSink) text(b []byte) {
	s.buf = appendText(s.buf, b)
	s.end()
}

// decimal adds a decimal field, with a decimal comma if asked.
func (s *csvSink) decimal(b []byte) {
	start := len(s.buf)
	s.buf = append(s.buf, b...)
	if s.opts.DecimalComma {
		for i := start; i < len(s.buf); i++ {
			if s.buf[i] == '.' {
				s.buf[i] = ','
			}
		}
	}
	s.end()
}

// row appends to b the row of the movement v of the statement st, read
// from the file called file.
func (s *csvSink) row(b []byte, file string, v *view, st *stmtView) []byte {
	m := &v.m
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	s.buf = append(s.buf, file...)
	s.end()
	s.buf = strconv.AppendInt(s.buf, int64(v.line), 10)
	s.end()
	a := st.account
	s.text(accountZone(a.Bank[:]))
	s.text(accountZone(a.Branch[:]))
	s.text(accountZone(a.Number[:]))
	s.text(st.iban)
	s.text(accountZone(a.Currency[:]))
	if v.bookingOK {
		s.buf = m.BookingDate.AppendISO(s.buf)
	}
	s.end()
	if v.valueOK {
		s.buf = m.ValueDate.AppendISO(s.buf)
	}
	s.end()
	if v.amountOK {
		var d [32]byte
		s.decimal(cfonb.AppendDecimal(d[:0], m.Amount, v.decimals))
		s.buf = strconv.AppendInt(s.buf, m.Amount, 10)
	} else {
		s.end()
	}
	s.end()
	s.text(m.InterbankCode)
	label, _ := cfonb.InterbankLabel(m.InterbankCode)
	s.buf = append(s.buf, label...)
	s.end()
	s.text(m.InternalCode)
	s.text(m.RejectCode)
	s.text(v.labelText())
	s.text(m.Label)
	s.text(m.EntryNumber)
	s.text(m.Reference)
	for n := named(0); n < numNamed; n++ {
		var val []byte
		if v.named[n].set {
			val = v.get(v.named[n])
		}
		if n.isDecimal() {
			s.decimal(val)
		} else {
			s.text(val)
		}
	}
	// complements: "QUALIFIER:text", separated by " | ".
	for i, c := range v.comps {
		if i > 0 {
			s.buf = append(s.buf, " | "...)
		}
		s.buf = appendCompHead(s.buf, &c)
		s.buf = append(s.buf, ':')
		s.buf = appendText(s.buf, c.text)
	}
	s.end()
	return s.appendRow(b)
}

// appendCompHead appends what comes before the ':' of a complement in the
// complements column of a CSV or XLSX row: its qualifier, or the value
// date (ISO 8601) it holds in place of one.
func appendCompHead(b []byte, c *comp) []byte {
	if c.valueDate != 0 {
		return c.valueDate.AppendISO(b)
	}
	return appendText(b, c.qualifier)
}
