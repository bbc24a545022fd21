package validate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// head01 is a 120-byte 01 record.
func head01() []byte {
	return []byte(fmt.Sprintf("%-120.120s", "0130002    00443EUR2 00012345678  020126                                                  0000000125000{  EUR0012345678"))
}

// TestSameHeadAgrees checks the word comparison of sameHead against its
// definition, for a change of every byte of the first 40 columns (inside
// and outside the compared ones) and for random changes.
func TestSameHeadAgrees(t *testing.T) {
	var v Validator
	base := head01()
	copy(v.st.data[:], base)
	rec := make([]byte, 120)
	for i := range 40 {
		for _, c := range []byte{'0', '4', ' ', 'X', 0x80, 0xFF, base[i]} {
			copy(rec, base)
			rec[0], rec[1] = '0', '4'
			rec[i] = c
			if got, want := v.sameHead(rec), v.sameHeadSlow(rec); got != want {
				t.Fatalf("byte %d = %q: sameHead %v, definition %v", i, c, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		copy(rec, base)
		for range r.IntN(3) {
			rec[r.IntN(40)] = byte(r.IntN(256))
		}
		if got, want := v.sameHead(rec), v.sameHeadSlow(rec); got != want {
			t.Fatalf("%q: sameHead %v, definition %v", rec[:40], got, want)
		}
	}
}

func BenchmarkSameHead(b *testing.B) {
	var v Validator
	base := head01()
	copy(v.st.data[:], base)
	rec := append([]byte(nil), base[:120]...)
	rec[1] = '4'
	n := 0
	for b.Loop() {
		if v.sameHead(rec) {
			n++
		}
	}
	_ = n
}

func BenchmarkSameHeadSlow(b *testing.B) {
	var v Validator
	base := head01()
	copy(v.st.data[:], base)
	rec := append([]byte(nil), base[:120]...)
	rec[1] = '4'
	n := 0
	for b.Loop() {
		if v.sameHeadSlow(rec) {
			n++
		}
	}
	_ = n
}
