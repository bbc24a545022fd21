package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIBANCacheAgrees repeats a CPY complement after itself, the copy's
// IBAN changed at every position (or not), so that the fast path's cache of
// the last valid IBAN is hit, missed, and asked about a near miss: the
// report is the full checks' every time, and a changed IBAN is warned about.
func TestIBANCacheAgrees(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	cpy := -1
	for i, l := range lines {
		if len(l) > 48 && string(l[:2]) == "05" && string(l[45:48]) == "CPY" {
			cpy = i
			break
		}
	}
	require.GreaterOrEqual(t, cpy, 0, "a CPY complement in multi-lf.txt")
	ibanEnd := 48 + bytes.IndexByte(lines[cpy][48:], ' ')
	for pos := 47; pos <= ibanEnd; pos++ {
		for _, c := range []byte{'0', '7', 'X'} {
			dup := bytes.Clone(lines[cpy])
			if pos > 47 {
				dup[pos] = c
			}
			var in []byte
			for i, l := range lines {
				in = append(in, l...)
				if i == cpy {
					in = append(in, dup...)
					in = append(in, lines[cpy]...) // the cached IBAN again
				}
			}
			fast, full := validateBytes(t, in, true), validateBytes(t, in, false)
			require.Equal(t, full, fast, "byte %d = %q", pos, c)
			if pos == 47 || dup[pos] == lines[cpy][pos] {
				assert.Zero(t, full.Warnings, "byte %d", pos)
			}
		}
	}
	changed := bytes.Clone(lines[cpy])
	changed[50] ^= 1 // a check digit
	var in []byte
	for i, l := range lines {
		in = append(in, l...)
		if i == cpy {
			in = append(in, changed...)
		}
	}
	rep := validateBytes(t, in, true)
	require.Equal(t, 1, rep.Warnings)
	assert.Equal(t, RuleIBAN, rep.Diagnostics[0].Rule)
}

// cpyRecord is the first CPY complement of multi-lf.txt.
func cpyRecord(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(b, err)
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(l) == 120 && string(l[:2]) == "05" && string(l[45:48]) == "CPY" {
			return l
		}
	}
	b.Fatal("no CPY complement")
	return nil
}

// BenchmarkComplementCPY is the fast path's check of a CPY complement
// whose IBAN is the one checked before (the cache hit).
func BenchmarkComplementCPY(b *testing.B) {
	rec := cpyRecord(b)
	var c prechecker
	for b.Loop() {
		if !c.complement(rec).clean {
			b.Fatal("not clean")
		}
	}
}

// BenchmarkComplementCPYUncached checks the IBAN every time, as before
// the cache.
func BenchmarkComplementCPYUncached(b *testing.B) {
	rec := cpyRecord(b)
	for b.Loop() {
		var c prechecker
		if !c.complement(rec).clean {
			b.Fatal("not clean")
		}
	}
}
