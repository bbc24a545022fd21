package cfonb

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOverpunch checks the whole table of cfonb120.md: the last character
// carries the last digit and the sign.
func TestOverpunch(t *testing.T) {
	tests := []struct {
		c    byte
		want int64
	}{
		{'{', 0}, {'A', 1}, {'B', 2}, {'C', 3}, {'D', 4}, {'E', 5}, {'F', 6}, {'G', 7}, {'H', 8}, {'I', 9},
		{'}', 0}, {'J', -1}, {'K', -2}, {'L', -3}, {'M', -4}, {'N', -5}, {'O', -6}, {'P', -7}, {'Q', -8}, {'R', -9},
	}
	require.Len(t, tests, 20)
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			v, err := ParseAmount([]byte("0000000000000" + string(tt.c)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)

			v, err = ParseAmount([]byte("0000000012345" + string(tt.c)))
			require.NoError(t, err)
			want := int64(123450) + tt.want
			if tt.want < 0 || tt.c == '}' {
				want = -(123450 - tt.want)
			}
			assert.Equal(t, want, v)
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in       string
		want     int64
		decimals int
		decimal  string
	}{
		{"0000000012345F", 123456, 2, "1234.56"},
		{"0000000012345O", -123456, 2, "-1234.56"},
		{"0000000000227R", -2279, 2, "-22.79"},
		{"0000000166956E", 1669565, 2, "16695.65"},
		{"0000000000000{", 0, 2, "0.00"},
		{"0000000000000}", 0, 2, "0.00"}, // a negative zero is zero
		{"0000000000001}", -10, 2, "-0.10"},
		{"0000000000000E", 5, 2, "0.05"},
		{"0000000000000N", -5, 2, "-0.05"},
		{"0000000012345F", 123456, 0, "123456"},
		{"0000000012345F", 123456, 3, "123.456"},
		{"9999999999999I", MaxAmount, 2, "999999999999.99"},
		{"9999999999999R", -MaxAmount, 2, "-999999999999.99"},
		{"9999999999999I", 99999999999999, 0, "99999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseAmount([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
			assert.Equal(t, tt.decimal, FormatDecimal(v, tt.decimals))
		})
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		err    error
	}{
		{"", 0, ErrAmountLength},
		{"0000000012345", 13, ErrAmountLength},
		{"000000001234", 12, ErrAmountLength},
		{"0000000012345F0", 14, ErrAmountLength},
		{"0000000012345F                ", 14, ErrAmountLength},
		{"0000000012345\xc3\xa9", 14, ErrAmountLength}, // é in UTF-8: 15 bytes
		{"000000001234\xc3\xa9", 12, ErrAmountDigit},   // 14 bytes
		{" 000000012345F", 0, ErrAmountDigit},
		{"-000000012345F", 0, ErrAmountDigit},
		{"+000000012345F", 0, ErrAmountDigit},
		{"0000000012 45F", 10, ErrAmountDigit},
		{"000000001234 F", 12, ErrAmountDigit},
		{"00000000,2345F", 8, ErrAmountDigit},
		{"0000000\xe912345F", 7, ErrAmountDigit}, // é in Latin-1
		{"              ", 0, ErrAmountDigit},
		{"0000000012345 ", 13, ErrAmountSign},
		{"00000000123456", 13, ErrAmountSign}, // a plain digit carries no sign
		{"0000000012345S", 13, ErrAmountSign},
		{"0000000012345Z", 13, ErrAmountSign},
		{"0000000012345@", 13, ErrAmountSign},
		{"0000000012345[", 13, ErrAmountSign},
		{"0000000012345|", 13, ErrAmountSign},
		{"0000000012345f", 13, ErrAmountSign}, // lower case
		{"0000000012345-", 13, ErrAmountSign},
		{"0000000012345\x00", 13, ErrAmountSign},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseAmount([]byte(tt.in))
			assert.Zero(t, v)
			var ae *AmountError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.offset, ae.Offset)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.err.Error(), err.Error())
		})
	}
}

func TestAppendAmount(t *testing.T) {
	tests := []struct {
		v    int64
		want string
	}{
		{0, "0000000000000{"},
		{1, "0000000000000A"},
		{-1, "0000000000000J"},
		{10, "0000000000001{"},
		{-10, "0000000000001}"},
		{123456, "0000000012345F"},
		{-123456, "0000000012345O"},
		{-2279, "0000000000227R"},
		{MaxAmount, "9999999999999I"},
		{-MaxAmount, "9999999999999R"},
		{MaxAmount - 9, "9999999999999{"},
		{-(MaxAmount - 9), "9999999999999}"},
	}
	for _, tt := range tests {
		got, err := AppendAmount([]byte("x"), tt.v)
		require.NoError(t, err)
		assert.Equal(t, "x"+tt.want, string(got), "%d", tt.v)
	}
	for _, v := range []int64{MaxAmount + 1, -MaxAmount - 1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		got, err := AppendAmount([]byte("x"), v)
		assert.ErrorIs(t, err, ErrAmountRange, "%d", v)
		assert.Equal(t, "x", string(got), "dst unchanged")
	}
}

// TestAmountRoundTrip: ParseAmount(AppendAmount(v)) == v over random values
// of every magnitude.
func TestAmountRoundTrip(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 0, 14)
	for i := range 200000 {
		// Random magnitude, so that small values are as common as big ones.
		v := rng.Int64N(MaxAmount+1) / int64(math.Pow10(rng.IntN(15)))
		if i%2 == 1 {
			v = -v
		}
		b, err := AppendAmount(buf[:0], v)
		require.NoError(t, err)
		require.Len(t, b, 14)
		got, err := ParseAmount(b)
		require.NoError(t, err)
		require.Equal(t, v, got, "%q", b)
	}
}

func TestFormatDecimal(t *testing.T) {
	tests := []struct {
		v        int64
		decimals int
		want     string
	}{
		{123456, 2, "1234.56"},
		{-123456, 2, "-1234.56"},
		{5, 2, "0.05"},
		{-5, 2, "-0.05"},
		{50, 2, "0.50"},
		{99, 2, "0.99"},
		{100, 2, "1.00"},
		{-100, 2, "-1.00"},
		{0, 2, "0.00"},
		{0, 0, "0"},
		{0, 3, "0.000"},
		{7, 0, "7"},
		{-7, 0, "-7"},
		{123456, 0, "123456"},
		{12, 1, "1.2"},
		{-12, 1, "-1.2"},
		{1, 1, "0.1"},
		{-1, 1, "-0.1"},
		{5, 3, "0.005"},
		{-1, 3, "-0.001"},
		{1000, 3, "1.000"},
		{-123456, 3, "-123.456"},
		{123, -1, "123"},
		{MaxAmount, 2, "999999999999.99"},
		{-MaxAmount, 3, "-99999999999.999"},
		{math.MaxInt64, 2, "92233720368547758.07"},
		{math.MinInt64, 2, "-92233720368547758.08"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{1, 20, "0.00000000000000000001"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatDecimal(tt.v, tt.decimals), "FormatDecimal(%d, %d)", tt.v, tt.decimals)
		assert.Equal(t, "€"+tt.want, string(AppendDecimal([]byte("€"), tt.v, tt.decimals)))
	}
}

// TestFormatDecimalOracle compares FormatDecimal with math/big's exact
// rational formatting.
func TestFormatDecimalOracle(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 20000 {
		v := rng.Int64() >> rng.IntN(64)
		if i%2 == 0 {
			v = -v
		}
		d := rng.IntN(5)
		want := new(big.Rat).SetFrac(big.NewInt(v), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)).FloatString(d)
		require.Equal(t, want, FormatDecimal(v, d), "%d, %d", v, d)
	}
}

func TestAmountAllocs(t *testing.T) {
	field := []byte("0000000012345O")
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(1000, func() {
		v, err := ParseAmount(field)
		if err != nil || v != -123456 {
			t.Fatal(v, err)
		}
		buf, _ = AppendAmount(buf[:0], v)
		buf = AppendDecimal(buf[:0], v, 2)
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "-1234.56", string(buf))
}

func TestAmountErrorUnwrap(t *testing.T) {
	_, err := ParseAmount([]byte("x"))
	assert.True(t, errors.Is(err, ErrAmountLength))
	assert.False(t, errors.Is(err, ErrAmountDigit))
}

// FuzzParseAmount: a field that parses is written back identically (but
// for the negative zero "}", written "{"), and a parse error never panics.
func FuzzParseAmount(f *testing.F) {
	f.Add("0000000012345F")
	f.Add("0000000000000}")
	f.Add("9999999999999R")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAmount([]byte(s))
		if err != nil {
			var ae *AmountError
			if !errors.As(err, &ae) || ae.Offset < 0 || ae.Offset > 14 {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		b, err := AppendAmount(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		want := s
		if v == 0 {
			want = "0000000000000{"
		}
		if string(b) != want {
			t.Fatalf("%q -> %d -> %q", s, v, b)
		}
	})
}

// TestParseAmountMatchesDigitLoop compares the word-at-a-time ParseAmount
// with the plain definition on random and edge inputs.
func TestParseAmountMatchesDigitLoop(t *testing.T) {
	racedetect.SkipUnderRace(t)
	ref := func(b []byte) (int64, int) {
		var v int64
		for i := 0; i < 13; i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, i
			}
			v = v*10 + int64(b[i]-'0')
		}
		return v, -1
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "0123456789/:{}AJRI \x00\xff"
	for i := 0; i < 200000; i++ {
		b := []byte("0000000000000{")
		for j := 0; j < 13; j++ {
			if rng.IntN(20) == 0 {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[j] = byte('0' + rng.IntN(10))
			}
		}
		want, bad := ref(b)
		got, err := ParseAmount(b)
		if bad >= 0 {
			var ae *AmountError
			if !errors.As(err, &ae) || ae.Offset != bad {
				t.Fatalf("%q: got %v, want a digit error at %d", b, err, bad)
			}
			continue
		}
		if err != nil || got != want*10 {
			t.Fatalf("%q: got %d, %v; want %d", b, got, err, want*10)
		}
	}
}

// TestAmountDigits: the digits of a decoded amount zone are those of the
// amount's magnitude on 14 digits, for every overpunch character and
// random digits, zero and the largest amount included.
func TestAmountDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	zones := []string{"0000000000000{", "0000000000000}", "9999999999999I", "9999999999999R", "0000000000001A"}
	for _, last := range "{ABCDEFGHI}JKLMNOPQR" {
		for range 20 {
			z := make([]byte, 0, 14)
			for range 13 {
				z = append(z, byte('0'+rng.IntN(10)))
			}
			zones = append(zones, string(append(z, byte(last))))
		}
	}
	for _, z := range zones {
		amount, err := ParseAmount([]byte(z))
		require.NoError(t, err, z)
		mag := new(big.Int).Abs(big.NewInt(amount)).String()
		want := strings.Repeat("0", 14-len(mag)) + mag
		d := AmountDigits([]byte(z), amount)
		assert.Equal(t, want, string(d[:]), z)
	}
}
