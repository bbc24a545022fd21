package cfonb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// MaxAmount is the largest magnitude an amount field holds, in minor units:
// fourteen nines.
const MaxAmount = 99_999_999_999_999

// ErrAmountLength, ErrAmountDigit and ErrAmountSign are the ways an amount
// field can be malformed; ParseAmount wraps them in an *AmountError.
// ErrAmountRange is returned by AppendAmount for a value the field cannot
// hold.
var (
	ErrAmountLength = errors.New("amount is not 14 characters")
	ErrAmountDigit  = errors.New("amount has a non-digit in its first 13 characters")
	ErrAmountSign   = errors.New("amount's last character is not a sign character ({, A-I, }, J-R)")
	ErrAmountRange  = errors.New("amount exceeds the field's 14 digits")
)

// AmountError reports a malformed amount field and where in it the problem is.
type AmountError struct {
	// Offset is the 0-based offset within the field of the offending
	// byte: the first non-digit, 13 for a bad sign character; for a
	// field of the wrong length, the first missing byte (a short field's
	// length) or the first extra byte (14).
	Offset int
	Err    error // one of ErrAmountLength, ErrAmountDigit, ErrAmountSign
}

// Error returns the sentinel error's message.
func (e *AmountError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying sentinel error.
func (e *AmountError) Unwrap() error { return e.Err }

// AmountDigits returns the 14 decimal digits of the amount zone b that
// ParseAmount decoded into amount: its 13 digits as they are, then the last
// digit, which the overpunch character carries and amount gives back. So a
// writer copies an amount's digits instead of formatting amount.
func AmountDigits(b []byte, amount int64) (d [14]byte) {
	copy(d[:13], b[:13])
	u := uint64(amount)
	if amount < 0 {
		u = -u
	}
	d[13] = '0' + byte(u%10)
	return d
}

// ParseAmount decodes a 14-character amount: 13 digits and one overpunch
// character carrying the last digit and the sign, as an exact count of minor
// units (negative for a debit). It does not allocate on success.
func ParseAmount(b []byte) (int64, error) {
	if len(b) != 14 {
		return 0, &AmountError{Offset: min(len(b), 14), Err: ErrAmountLength}
	}
	p := (*[14]byte)(b)
	// Digits 1-8 and 6-13 as two overlapping words, checked and converted
	// eight at a time.
	hi := binary.LittleEndian.Uint64(p[0:8])
	lo := binary.LittleEndian.Uint64(p[5:13])
	if !eightDigits(hi) || !eightDigits(lo) {
		for i := 0; i < 13; i++ {
			if c := b[i]; c < '0' || c > '9' {
				return 0, &AmountError{Offset: i, Err: ErrAmountDigit}
			}
		}
	}
	// Digits 9-13: lo with its three bytes shared with hi made '0'.
	v := int64(eightValue(hi))*100_000 + int64(eightValue(lo&^0xFFFFFF|0x303030))
	o := overpunchTable[p[13]]
	if o == 0 {
		return 0, &AmountError{Offset: 13, Err: ErrAmountSign}
	}
	// Without a branch on the sign, which is as random as the amounts.
	neg := -int64(o >> 7) // 0 or -1
	v = v*10 + int64(o&0x0F)
	return (v ^ neg) - neg, nil
}

// overpunchTable holds, for each byte, what overpunch decodes: 0 for a
// byte that is not a sign character, otherwise 0x10 | digit, with 0x80
// for a debit (TestOverpunchTable compares every byte).
var overpunchTable = func() (t [256]uint8) {
	for c := range 256 {
		if d, neg, ok := overpunch(byte(c)); ok {
			t[c] = 0x10 | uint8(d)
			if neg {
				t[c] |= 0x80
			}
		}
	}
	return t
}()

// eightDigits reports whether the eight bytes of w are ASCII digits. For a
// byte c, c-0x30 borrows (sets the high bit) below '0' and c+0x46 sets the
// high bit above '9'; neither carries across bytes for a digit, so the
// lowest non-digit byte is always caught.
func eightDigits(w uint64) bool {
	const ones = 0x0101010101010101
	return ((w-ones*0x30)|(w+ones*0x46))&(ones*0x80) == 0
}

// eightValue converts eight ASCII digits, the first in the lowest byte, to
// their value (the SWAR method of Lemire's parse_eight_digits_unrolled).
func eightValue(w uint64) uint32 {
	w -= 0x3030303030303030
	w = w*10 + w>>8
	w = ((w&0x000000FF000000FF)*(100+1000000<<32) + (w>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
	return uint32(w)
}

// overpunch decodes the last character of an amount.
func overpunch(c byte) (digit int, negative, ok bool) {
	switch {
	case c == '{':
		return 0, false, true
	case c == '}':
		return 0, true, true
	case c >= 'A' && c <= 'I':
		return int(c-'A') + 1, false, true
	case c >= 'J' && c <= 'R':
		return int(c-'J') + 1, true, true
	}
	return 0, false, false
}

// AppendAmount appends the 14-character field for v minor units to dst: 13
// digits and the overpunch character. Zero is written "0000000000000{".
// It returns dst unchanged and an error wrapping ErrAmountRange if |v|
// exceeds MaxAmount.
func AppendAmount(dst []byte, v int64) ([]byte, error) {
	if v > MaxAmount || v < -MaxAmount {
		return dst, fmt.Errorf("cfonb: %d: %w", v, ErrAmountRange)
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	var buf [14]byte
	for i := 13; i >= 0; i-- {
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	last := buf[13] - '0'
	switch {
	case last == 0 && neg:
		buf[13] = '}'
	case last == 0:
		buf[13] = '{'
	case neg:
		buf[13] = 'J' + last - 1
	default:
		buf[13] = 'A' + last - 1
	}
	return append(dst, buf[:]...), nil
}

// FormatDecimal formats v minor units with the given number of decimals as
// an exact decimal string: FormatDecimal(-123456, 2) is "-1234.56",
// FormatDecimal(5, 2) is "0.05". Decimals of 0 or less format an integer.
func FormatDecimal(v int64, decimals int) string {
	return string(AppendDecimal(nil, v, decimals))
}

// AppendDecimal appends FormatDecimal(v, decimals) to dst.
func AppendDecimal(dst []byte, v int64, decimals int) []byte {
	neg := v < 0
	var u uint64
	if neg {
		u = uint64(-(v + 1)) + 1 // no overflow at math.MinInt64
		dst = append(dst, '-')
	} else {
		u = uint64(v)
	}
	var digits [24]byte
	return AppendDecimalDigits(dst, strconv.AppendUint(digits[:0], u, 10), decimals)
}

// AppendDecimalDigits appends digits, the decimal digits of an unsigned
// amount in minor units (no sign, no leading zeros), with the decimal
// point placed decimals digits from the right ("1234", 2: "12.34"; "5",
// 2: "0.05"; none when decimals is 0): the one placing of the point,
// for a caller that formats the digits once for other uses too.
func AppendDecimalDigits(dst, digits []byte, decimals int) []byte {
	switch {
	case decimals <= 0:
		return append(dst, digits...)
	case len(digits) <= decimals:
		dst = append(dst, '0', '.')
		for i := len(digits); i < decimals; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-decimals]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-decimals:]...)
}
