package validate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/require"
)

// validateBytes validates data with the fast path on or off, on one
// goroutine (see sequential).
func validateBytes(t *testing.T, data []byte, fast bool) *Report {
	t.Helper()
	return sequential(t, "f", data, Options{MaxDiagnostics: -1, Summary: true}, !fast)
}

// TestFastPathAgrees: the fast path never changes a report. Every testdata
// file, and thousands of random mutations of a valid file (one to three
// bytes replaced by printable characters chosen to hit field boundaries),
// give the same report with and without it.
func TestFastPathAgrees(t *testing.T) {
	racedetect.SkipUnderRace(t)
	inputs := testdataFiles(t)
	base, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = " 0123456789AZaz{}JR-./*"
	for i := 0; i < 3000; i++ {
		b := bytes.Clone(base)
		for n := 1 + rng.IntN(3); n > 0; n-- {
			pos := rng.IntN(len(b))
			if b[pos] == '\n' {
				continue
			}
			b[pos] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, b)
	}
	for i, in := range inputs {
		fast, full := validateBytes(t, in, true), validateBytes(t, in, false)
		require.Equal(t, full, fast, "input %d:\n%s", i, in)
	}
}

// TestPrintable checks the word-at-a-time test against the byte-wise
// definition for every byte value at every position of a word.
func TestPrintable(t *testing.T) {
	sizes := []int{119, 120, 121}
	for n := 1; n <= 17; n++ {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := bytes.Repeat([]byte{'A'}, n)
				b[pos] = byte(c)
				col, ok := printable(b)
				want := c >= 0x20 && c <= 0x7E
				require.Equal(t, want, ok, "n=%d pos=%d c=%#x", n, pos, c)
				if !want {
					require.Equal(t, pos+1, col)
				}
			}
		}
	}
	// The first bad byte is found even after another bad byte's carry.
	b := []byte("AAAA\xff\x00AAAAAAAAAA")
	col, ok := printable(b)
	require.False(t, ok)
	require.Equal(t, 5, col)
}

// testdataFiles returns the contents of the .txt files of testdata's
// valid, invalid and samples directories.
func testdataFiles(t *testing.T) [][]byte {
	t.Helper()
	var inputs [][]byte
	for _, dir := range []string{"valid", "invalid", "samples"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*.txt"))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			inputs = append(inputs, b)
		}
	}
	return inputs
}
