package cfonb

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigDecimal formats an exact big.Int of minor units like FormatDecimal.
func bigDecimal(v *big.Int, decimals int) string {
	if decimals <= 0 {
		return v.String()
	}
	return new(big.Rat).SetFrac(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)).FloatString(decimals)
}

func TestSumLimits(t *testing.T) {
	const n = 1_000_000
	tests := []struct {
		name string
		v    func(i int) int64
	}{
		{"+MaxAmount", func(int) int64 { return MaxAmount }},
		{"-MaxAmount", func(int) int64 { return -MaxAmount }},
		{"alternating, ending high", func(i int) int64 {
			if i%3 == 2 {
				return -MaxAmount
			}
			return MaxAmount
		}},
		{"MinInt64", func(int) int64 { return math.MinInt64 }},
		{"MaxInt64", func(int) int64 { return math.MaxInt64 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Sum
			want := new(big.Int)
			for i := range n {
				v := tt.v(i)
				s.Add(v)
				want.Add(want, big.NewInt(v))
			}
			require.Equal(t, want.String(), s.Big().String())
			_, fits := s.Int64()
			assert.Equal(t, want.IsInt64(), fits)
			for d := range 4 {
				assert.Equal(t, bigDecimal(want, d), s.Decimal(d))
			}
			// And back to zero.
			neg := s.Neg()
			require.Equal(t, new(big.Int).Neg(want).String(), neg.Big().String())
			s.AddSum(neg)
			assert.Equal(t, Sum{}, s)
		})
	}
}

func TestSumRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var s, t2 Sum
	want := new(big.Int)
	for i := range 1_000_000 {
		var v int64
		switch i % 4 {
		case 0:
			v = rng.Int64N(2*MaxAmount+1) - MaxAmount
		case 1:
			v = int64(rng.Uint64()) // any int64
		case 2:
			v = rng.Int64N(2001) - 1000
		default:
			v = -MaxAmount
		}
		s.Add(v)
		if i%2 == 0 {
			t2.Add(v)
		} else {
			var one Sum
			one.Add(v)
			t2.AddSum(one)
		}
		want.Add(want, big.NewInt(v))
		if i%100_000 == 0 {
			require.Equal(t, want.String(), s.Big().String(), "after %d additions", i+1)
		}
	}
	require.Equal(t, want.String(), s.Big().String())
	require.Equal(t, s, t2, "Add and AddSum agree")
	assert.Equal(t, bigDecimal(want, 2), s.Decimal(2))
}

func TestSumInt64(t *testing.T) {
	tests := []struct {
		adds []int64
		want int64
		fits bool
	}{
		{nil, 0, true},
		{[]int64{-5}, -5, true},
		{[]int64{math.MaxInt64}, math.MaxInt64, true},
		{[]int64{math.MinInt64}, math.MinInt64, true},
		{[]int64{math.MaxInt64, 1}, math.MinInt64, false},
		{[]int64{math.MinInt64, -1}, math.MaxInt64, false},
		{[]int64{math.MaxInt64, 1, -1}, math.MaxInt64, true},
		{[]int64{math.MinInt64, math.MinInt64}, 0, false},
	}
	for _, tt := range tests {
		var s Sum
		for _, v := range tt.adds {
			s.Add(v)
		}
		got, fits := s.Int64()
		assert.Equal(t, tt.fits, fits, "%v", tt.adds)
		if fits {
			assert.Equal(t, tt.want, got, "%v", tt.adds)
		}
	}
}

func sumOf(vs ...int64) Sum {
	var s Sum
	for _, v := range vs {
		s.Add(v)
	}
	return s
}

func TestSumCmpNeg(t *testing.T) {
	ordered := []Sum{
		sumOf(math.MinInt64, math.MinInt64, math.MinInt64),
		sumOf(math.MinInt64, math.MinInt64),
		sumOf(math.MinInt64, -1),
		sumOf(math.MinInt64),
		sumOf(-MaxAmount),
		sumOf(-1),
		{},
		sumOf(1),
		sumOf(MaxAmount),
		sumOf(math.MaxInt64),
		sumOf(math.MaxInt64, 1),
		sumOf(math.MaxInt64, math.MaxInt64, 2),
		sumOf(math.MaxInt64, math.MaxInt64, math.MaxInt64),
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Cmp(b), "%d vs %d", i, j)
			assert.Equal(t, a.Big().Cmp(b.Big()), a.Cmp(b))
		}
		assert.Equal(t, new(big.Int).Neg(a.Big()).String(), a.Neg().Big().String())
		assert.Equal(t, a, a.Neg().Neg())
	}
	assert.Equal(t, Sum{}, Sum{}.Neg())
}

func TestSumDecimal(t *testing.T) {
	tests := []struct {
		s        Sum
		decimals int
		want     string
	}{
		{Sum{}, 2, "0.00"},
		{Sum{}, 0, "0"},
		{sumOf(-5), 2, "-0.05"},
		{sumOf(5), 3, "0.005"},
		{sumOf(123456, -1), 2, "1234.55"},
		{sumOf(math.MaxInt64, 1), 2, "92233720368547758.08"},
		{sumOf(math.MinInt64, -1), 2, "-92233720368547758.09"},
		{sumOf(math.MinInt64, math.MinInt64), 0, "-18446744073709551616"},
		{sumOf(math.MinInt64, math.MinInt64), 2, "-184467440737095516.16"},
		{sumOf(math.MaxInt64, math.MaxInt64, 2), 25, "0.0000018446744073709551616"},
		{sumOf(math.MinInt64, math.MinInt64), 25, "-0.0000018446744073709551616"},
		{sumOf(math.MaxInt64, math.MaxInt64, 2), -1, "18446744073709551616"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.Decimal(tt.decimals))
		assert.Equal(t, bigDecimal(tt.s.Big(), tt.decimals), tt.s.Decimal(tt.decimals))
	}
}

func TestSumAllocs(t *testing.T) {
	var s Sum
	allocs := testing.AllocsPerRun(1000, func() {
		s.Add(MaxAmount)
		s.AddSum(sumOf(-1))
		_ = s.Cmp(Sum{})
	})
	assert.Zero(t, allocs)
}
