package cfonb

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInterbankLabel(t *testing.T) {
	tests := []struct {
		code  string
		label string
		ok    bool
	}{
		{"01", "Chèques payés", true},
		{"05", "Virements reçus", true},
		{"06", "Virements émis", true},
		{"62", "Commissions et frais divers, dont intérêts compensatoires", true},
		{"99", "Annulations et régularisations", true},
		{"B1", "Prélèvements SEPA domiciliés", true},
		{"B3", "Prélèvements SEPA rejetés/impayés reçus (par le créancier)", true},
		{"C2", "Virement SEPA instantané reçu", true},
		{"16", "", false}, // only in an older table: left out
		{"00", "", false},
		{"b1", "", false},
		{"  ", "", false},
		{"Z9", "", false},
		{"B", "", false},
		{"B12", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		label, ok := InterbankLabel([]byte(tt.code))
		assert.Equal(t, tt.ok, ok, "%q", tt.code)
		assert.Equal(t, tt.label, label, "%q", tt.code)
	}
}

func TestInterbankLabelCount(t *testing.T) {
	// The silarhi table has 105 codes: count them all, so that a code lost
	// or added by an edit shows.
	n := 0
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := 0; i < len(chars); i++ {
		for j := 0; j < len(chars); j++ {
			if label, ok := InterbankLabel([]byte{chars[i], chars[j]}); ok {
				n++
				assert.NotEmpty(t, label)
			}
		}
	}
	assert.Equal(t, 105, n)
}

func TestKnownQualifier(t *testing.T) {
	for _, q := range []string{"LIB", "LCC", "LC2", "LCS", "RCN", "REF", "NPY", "IPY", "NBE", "IBE",
		"NPO", "IPO", "NBU", "IBU", "RUM", "CBE", "CPY", "MMO", "FEE", "PDO"} {
		assert.True(t, KnownQualifier([]byte(q)), q)
	}
	for _, q := range []string{"", "   ", "lib", "XYZ", "LI", "LIBX", "LC3"} {
		assert.False(t, KnownQualifier([]byte(q)), q)
	}
}

func TestOpcodesAllocs(t *testing.T) {
	code, q, unknown := []byte("B1"), []byte("NPY"), []byte("Z9")
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := InterbankLabel(code); !ok {
			t.Fatal("B1")
		}
		if _, ok := InterbankLabel(unknown); ok {
			t.Fatal("Z9")
		}
		if !KnownQualifier(q) {
			t.Fatal("NPY")
		}
	})
	assert.Zero(t, allocs)
}

// TestInterbankLabelTable checks the table against the list it is built
// from, for every two-byte input (and other lengths).
func TestInterbankLabelTable(t *testing.T) {
	for c0 := range 256 {
		for c1 := range 256 {
			code := []byte{byte(c0), byte(c1)}
			wantLabel, wantOK := interbankLabelSwitch(code)
			label, ok := InterbankLabel(code)
			if label != wantLabel || ok != wantOK {
				t.Fatalf("%q: got %q %v, want %q %v", code, label, ok, wantLabel, wantOK)
			}
		}
	}
	for _, code := range []string{"", "0", "055", "05 "} {
		_, ok := InterbankLabel([]byte(code))
		assert.False(t, ok, "%q", code)
	}
}

func BenchmarkInterbankLabel(b *testing.B) {
	codes := [][]byte{[]byte("05"), []byte("B1"), []byte("62"), []byte("ZZ"), []byte("01"), []byte("C5"), []byte("18"), []byte("91")}
	n := 0
	for b.Loop() {
		for _, c := range codes {
			if _, ok := InterbankLabel(c); ok {
				n++
			}
		}
	}
	_ = n
}

func BenchmarkInterbankLabelSwitch(b *testing.B) {
	codes := [][]byte{[]byte("05"), []byte("B1"), []byte("62"), []byte("ZZ"), []byte("01"), []byte("C5"), []byte("18"), []byte("91")}
	n := 0
	for b.Loop() {
		for _, c := range codes {
			if _, ok := interbankLabelSwitch(c); ok {
				n++
			}
		}
	}
	_ = n
}
