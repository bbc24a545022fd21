package cfonb

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseDateBytes is ParseDate as first written, byte by byte: the
// definition TestParseDateAgrees compares the word-at-a-time one with.
func parseDateBytes(b []byte) (Date, error) {
	if len(b) != 6 {
		return 0, ErrDateDigits
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrDateDigits
		}
	}
	d := int(b[0]-'0')*10 + int(b[1]-'0')
	m := int(b[2]-'0')*10 + int(b[3]-'0')
	y := century(int(b[4]-'0')*10 + int(b[5]-'0')) // the pivot: TestParseDate checks it
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, &DateError{Day: d, Month: m, Year: y}
	}
	return NewDate(y, m, d), nil
}

// TestParseDateAgrees: ParseDate gives what the byte-wise definition gives
// for every day 00-32 of every month 00-13 of every year, random
// six digits, and every byte at every position of a few
// dates, and for every length up to 8.
func TestParseDateAgrees(t *testing.T) {
	check := func(b []byte) {
		d, err := ParseDate(b)
		wd, werr := parseDateBytes(b)
		if d != wd || (err == nil) != (werr == nil) || errors.Is(err, ErrDateDigits) != errors.Is(werr, ErrDateDigits) {
			t.Fatalf("%q: got %v, %v; want %v, %v", b, d, err, wd, werr)
		}
		var de, wde *DateError
		if errors.As(werr, &wde) {
			require.True(t, errors.As(err, &de), "%q", b)
			require.Equal(t, *wde, *de, "%q", b)
		}
	}
	b := make([]byte, 6)
	digits := func(n int) {
		for i, v := 5, n; i >= 0; i, v = i-1, v/10 {
			b[i] = byte('0' + v%10)
		}
		check(b)
	}
	for d := range 33 { // every day 00-32 of every month 00-13 of every year
		for m := range 14 {
			for y := range 100 {
				digits(d*10000 + m*100 + y)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 1))
	for range 100_000 {
		digits(rng.IntN(1_000_000))
	}
	for _, base := range []string{"010126", "290224", "311299", "000000", "999999", "310461"} {
		for pos := range 6 {
			for c := range 256 {
				b := []byte(base)
				b[pos] = byte(c)
				check(b)
			}
		}
	}
	for n := range 9 {
		check([]byte("01012600")[:n])
	}
}

// ibanMod97Bytes is ibanMod97 as first written, the remainder taken at
// each character: the definition TestIBANMod97Agrees compares with.
func ibanMod97Bytes(s []byte) int {
	r := 0
	add := func(c byte) {
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	for _, c := range s[4:] {
		add(c)
	}
	for _, c := range s[:4] {
		add(c)
	}
	return r
}

// TestIBANMod97Agrees: ibanMod97 equals its definition on random strings
// of digits and upper-case letters (and any bytes, and runs of digits) of
// 4 to 40 characters,
// the largest ones ("Z" and "9" repeated) included.
func TestIBANMod97Agrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 7))
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := range 200_000 {
		b := make([]byte, 4+rng.IntN(37))
		for j := range b {
			switch {
			case i%10 == 0:
				b[j] = byte(rng.IntN(256))
			case i%10 == 1:
				b[j] = "Z9"[rng.IntN(2)]
			case i%10 < 6: // runs of digits, taken eight at a time
				b[j] = alnum[rng.IntN(10)]
				if rng.IntN(12) == 0 {
					b[j] = alnum[rng.IntN(len(alnum))]
				}
			default:
				b[j] = alnum[rng.IntN(len(alnum))]
			}
		}
		if got, want := ibanMod97(b), ibanMod97Bytes(b); got != want {
			t.Fatalf("%q: %d, want %d", b, got, want)
		}
	}
	for n := 4; n <= 40; n++ {
		for _, c := range []byte{'Z', '9', 0xFF} {
			b := make([]byte, n)
			for j := range b {
				b[j] = c
			}
			require.Equal(t, ibanMod97Bytes(b), ibanMod97(b), "%q", b)
		}
	}
}

// TestOverpunchTable: ParseAmount decodes every last byte as overpunch
// says, with every last digit and sign, and a nonzero amount before it.
func TestOverpunchTable(t *testing.T) {
	for c := range 256 {
		b := []byte("1234567890123?")
		b[13] = byte(c)
		v, err := ParseAmount(b)
		d, neg, ok := overpunch(byte(c))
		if !ok {
			var ae *AmountError
			require.ErrorAs(t, err, &ae, "%q", b)
			require.Equal(t, 13, ae.Offset)
			require.ErrorIs(t, err, ErrAmountSign)
			continue
		}
		require.NoError(t, err, "%q", b)
		want := int64(12345678901230 + d)
		if neg {
			want = -want
		}
		require.Equal(t, want, v, "%q", b)
	}
}

// printableBytes is PrintableASCII's definition, byte by byte.
func printableBytes(data []byte) bool {
	for _, c := range data {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}

// TestPrintableASCIIWords: PrintableASCII (and printableRecord, at 120
// bytes) equals its definition for every byte at every position of every
// length up to 130, for every pair of the bytes around the bounds at any
// two positions of 16 bytes (a bad byte's carry or borrow into the next),
// and for random data.
func TestPrintableASCIIWords(t *testing.T) {
	check := func(b []byte) {
		if got, want := PrintableASCII(b), printableBytes(b); got != want {
			t.Fatalf("% X: %v, want %v", b, got, want)
		}
	}
	for n := 0; n <= 130; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(0x20 + i%0x5F)
		}
		check(b)
		for pos := range n {
			for c := range 256 {
				old := b[pos]
				b[pos] = byte(c)
				check(b)
				b[pos] = old
			}
		}
	}
	bounds := []byte{0x00, 0x01, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xDF, 0xE0, 0xFE, 0xFF}
	for i := range 16 {
		for j := range 16 {
			for _, x := range bounds {
				for _, y := range bounds {
					b := []byte("ABCDEFGHIJKLMNOP")
					b[i], b[j] = x, y
					check(b)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for range 20_000 {
		b := make([]byte, RecordLen)
		for i := range b {
			b[i] = byte(0x20 + rng.IntN(0x5F))
		}
		for k := rng.IntN(3); k > 0; k-- {
			b[rng.IntN(len(b))] = bounds[rng.IntN(len(bounds))]
		}
		check(b)
	}
}

// TestKnownQualifierTable: KnownQualifier answers as the list
// (knownQualifiers, read three bytes at a time) does for every three
// bytes, and for other lengths.
func TestKnownQualifierTable(t *testing.T) {
	q := make([]byte, 3)
	n := 0
	for k := range 1 << 24 {
		q[0], q[1], q[2] = byte(k>>16), byte(k>>8), byte(k)
		got, want := KnownQualifier(q), inQualifierList(string(q))
		if got != want {
			t.Fatalf("%q: %v, want %v", q, got, want)
		}
		if got {
			n++
		}
	}
	require.Equal(t, 20, n)
	for _, s := range []string{"", "L", "LI", "LIBX", "LIB "} {
		require.False(t, KnownQualifier([]byte(s)), "%q", s)
	}
}

// inQualifierList reports whether q is one of the three-byte words of
// knownQualifiers.
func inQualifierList(q string) bool {
	for l := knownQualifiers; l != ""; l = l[3:] {
		if l[:3] == q {
			return true
		}
	}
	return false
}

// TestBalanceOfAgrees: balanceOf gives ParseBalance's balance and
// balanceOK's verdict for every byte of a 01 and a 07 replaced by bytes
// that break a field, and for the records cut short.
func TestBalanceOfAgrees(t *testing.T) {
	for _, base := range []string{rec01, rec07} {
		check := func(data []byte) {
			b, ok := balanceOf(data)
			want, _ := ParseBalance(data)
			require.Equal(t, want, b, "%q", data)
			require.Equal(t, balanceOK(data), ok, "%q", data)
		}
		for pos := range len(base) {
			for _, c := range []byte(" 0A9{}J\x00") {
				data := []byte(base)
				data[pos] = c
				check(data)
			}
		}
		for n := range len(base) {
			check([]byte(base[:n]))
		}
	}
}
