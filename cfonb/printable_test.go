package cfonb

import (
	"bytes"
	"testing"
)

// TestPrintableASCIIAgrees compares PrintableASCII with the byte test on
// short lengths and those around one and two records, with every byte
// value at every place of a printable slice. It caught the tail of a length that
// is not a multiple of 8 (nor RecordLen) being always refused.
func TestPrintableASCIIAgrees(t *testing.T) {
	want := func(p []byte) bool {
		for _, c := range p {
			if c < 0x20 || c > 0x7E {
				return false
			}
		}
		return true
	}
	base := bytes.Repeat([]byte("0123456789 ~!AZaz"), 20)
	for n := 0; n <= 2*RecordLen+9; n++ {
		if n > 33 && (n < RecordLen-2 || n > RecordLen+2) && n < 2*RecordLen-1 {
			continue
		}
		p := bytes.Clone(base[:n])
		if got := PrintableASCII(p); !got {
			t.Fatalf("length %d, all printable: got false", n)
		}
		for i := 0; i < n; i++ {
			for c := 0; c < 256; c++ {
				p[i] = byte(c)
				if got, w := PrintableASCII(p), want(p); got != w {
					t.Fatalf("length %d, byte 0x%02X at %d: got %v, want %v", n, c, i, got, w)
				}
			}
			p[i] = base[i]
		}
	}
}
