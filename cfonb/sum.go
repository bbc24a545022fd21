package cfonb

import (
	"math/big"
	"math/bits"
)

// Sum is an exact signed 128-bit accumulator of amounts. Amounts are at most
// 10^14 in magnitude, so a Sum cannot overflow before 10^24 records: for any
// file that exists, a Sum is exact. The zero value is 0.
type Sum struct {
	hi int64
	lo uint64
}

// Add adds v to s.
func (s *Sum) Add(v int64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, uint64(v), 0)
	s.hi = s.hi + v>>63 + int64(carry) // v>>63: the sign extension, 0 or -1
}

// AddSum adds t to s.
func (s *Sum) AddSum(t Sum) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, t.lo, 0)
	s.hi = s.hi + t.hi + int64(carry)
}

// Neg returns -s.
func (s Sum) Neg() Sum {
	lo, borrow := bits.Sub64(0, s.lo, 0)
	return Sum{hi: 0 - s.hi - int64(borrow), lo: lo}
}

// Int64 returns s as an int64 and whether it fits.
func (s Sum) Int64() (int64, bool) {
	v := int64(s.lo)
	return v, (s.hi == 0 && v >= 0) || (s.hi == -1 && v < 0)
}

// Big returns s as a big.Int.
func (s Sum) Big() *big.Int {
	hi := big.NewInt(s.hi)
	hi.Lsh(hi, 64)
	return hi.Add(hi, new(big.Int).SetUint64(s.lo))
}

// Cmp compares s and t: -1, 0 or +1.
func (s Sum) Cmp(t Sum) int {
	switch {
	case s.hi < t.hi:
		return -1
	case s.hi > t.hi:
		return 1
	case s.lo < t.lo:
		return -1
	case s.lo > t.lo:
		return 1
	}
	return 0
}

// Decimal formats s with the given number of decimals, like FormatDecimal.
func (s Sum) Decimal(decimals int) string {
	if v, ok := s.Int64(); ok {
		return FormatDecimal(v, decimals)
	}
	str := s.Big().String()
	neg := str[0] == '-'
	if neg {
		str = str[1:]
	}
	if decimals > 0 {
		for len(str) <= decimals {
			str = "0" + str
		}
		str = str[:len(str)-decimals] + "." + str[len(str)-decimals:]
	}
	if neg {
		str = "-" + str
	}
	return str
}
