package validate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Regression tests for issue 16 (hostile input).

func readValid(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	return data
}

// TestCurrencyWithoutMinorUnit: XAU and XXX are ISO 4217 codes (with no
// minor unit, so any number of decimals fits them); they were refused.
func TestCurrencyWithoutMinorUnit(t *testing.T) {
	for _, cur := range []string{"XAU2", "XXX0", "XXX2", "XDR3"} {
		t.Run(cur, func(t *testing.T) {
			data := bytes.ReplaceAll(readValid(t), []byte("EUR2"), []byte(cur))
			rep, err := Stream("f.txt", bytes.NewReader(data), Options{})
			require.NoError(t, err)
			assert.Empty(t, rep.Diagnostics)
		})
	}
	data := bytes.ReplaceAll(readValid(t), []byte("EUR2"), []byte("XYZ2"))
	rep, err := Stream("f.txt", bytes.NewReader(data), Options{})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Diagnostics)
	assert.Equal(t, `f.txt:1:17: error: currency "XYZ" is not an ISO 4217 code [currency]`, rep.Diagnostics[0].String())
}

// TestAmountMultibyteCharacter: an 'é' in an amount was shown as 'Ã' (its
// first byte read as a character).
func TestAmountMultibyteCharacter(t *testing.T) {
	data := readValid(t)
	lines := bytes.Split(data, []byte("\n"))
	// Line 5 is a 04; its amount is at columns 91-104. Two bytes of it
	// become the two bytes of 'é', so the record keeps 120 bytes.
	orig := lines[4]
	require.Equal(t, "04", string(orig[:2]))
	lines[4] = append(append(append([]byte{}, orig[:94]...), "é"...), orig[96:]...)
	rep, err := Stream("f.txt", bytes.NewReader(bytes.Join(lines, []byte("\n"))), Options{})
	require.NoError(t, err)
	var got []string
	for _, d := range rep.Diagnostics {
		got = append(got, d.String())
	}
	assert.Contains(t, got, `f.txt:5:91: error: amount "0000é0123456G" is not 13 digits and a sign character: 'é' at column 95 is not a digit [amount]`)

	// A Latin-1 byte is named as a byte, not as the character of the
	// same code point.
	lines[4] = append(append(append([]byte{}, orig[:94]...), 0xE9, '0'), orig[96:]...)
	rep, err = Stream("f.txt", bytes.NewReader(bytes.Join(lines, []byte("\n"))), Options{})
	require.NoError(t, err)
	got = got[:0]
	for _, d := range rep.Diagnostics {
		got = append(got, d.String())
	}
	assert.Contains(t, got, `f.txt:5:91: error: amount "0000\xe900123456G" is not 13 digits and a sign character: byte 0xE9 at column 95 is not a digit [amount]`)
}

func TestCharAt(t *testing.T) {
	tests := []struct {
		in   string
		i    int
		want string
	}{
		{"a", 0, `'a'`},
		{"é", 0, `'é'`},
		{"€1", 0, `'€'`},
		{"\xe9", 0, "byte 0xE9"},
		{"\xc3", 0, "byte 0xC3"},
		{"\x00", 0, "byte 0x00"},
		{"\u200b", 0, "byte 0xE2"}, // not printable: its bytes are named
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, charAt([]byte(tt.in), tt.i), "%q", tt.in)
	}
}

// TestUncheckedAccounts: beyond MaxAccounts accounts, statements are not
// checked against the previous one of their account (memory stays
// bounded); the report says how many, where it used to say nothing.
func TestUncheckedAccounts(t *testing.T) {
	first := bytes.SplitN(readValid(t), []byte("\n"), 2)[0]
	require.Len(t, first, cfonb.RecordLen)
	const extra = 5
	var b bytes.Buffer
	b.Grow((MaxAccounts + extra + 1) * 2 * (cfonb.RecordLen + 1))
	rec := append([]byte{}, first...)
	statement := func(n int) {
		copy(cfonb.FieldAccount.Of(rec), fmt.Sprintf("%011d", n))
		rec[1] = '1'
		b.Write(rec)
		b.WriteByte('\n')
		rec[1] = '7'
		b.Write(rec)
		b.WriteByte('\n')
	}
	for n := range MaxAccounts + extra {
		statement(n)
	}
	// A second statement of an account the validator remembers is
	// checked (and counts nothing).
	statement(1)
	rep, err := Stream("many.txt", bytes.NewReader(b.Bytes()), Options{})
	require.NoError(t, err)
	assert.Equal(t, extra, rep.Unchecked)
	assert.Zero(t, rep.Errors)
	assert.Equal(t, "many.txt: 131084 records, 65542 statements: 0 errors, 0 warnings (5 statements not checked against the previous statement of their account: more than 65536 accounts)", FileSummary(rep))

	small, err := Stream("small.txt", bytes.NewReader(readValid(t)), Options{})
	require.NoError(t, err)
	assert.Zero(t, small.Unchecked)
}
