package validate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
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

// TestNextRecordCancel: nextRecord, the one loop of the fast path, returns
// the records the fast path does not take; with its cancel flag set, it
// stops with errCancelled after pollRecords records taken in a row (a
// split worker no longer wanted), and not before.
func TestNextRecordCancel(t *testing.T) {
	lines := strings.SplitAfter(string(readValid(t)), "\n")
	var close07 string
	for _, l := range lines {
		if strings.HasPrefix(l, "07") {
			close07 = l
			break
		}
	}
	require.True(t, strings.HasPrefix(lines[1], "04"))
	movements := 3 * pollRecords
	data := []byte(lines[0] + strings.Repeat(lines[1], movements) + close07)
	for _, tt := range []struct {
		name     string
		cancel   *atomic.Bool
		wantErr  error
		wantLine int // cr.Line() after the second call
	}{
		{"no flag", nil, nil, movements + 2},
		{"not set", new(atomic.Bool), nil, movements + 2},
		{"set", func() *atomic.Bool { var b atomic.Bool; b.Store(true); return &b }(), errCancelled, 1 + pollRecords},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := New("f", Options{})
			cr := cfonb.NewReader(bytes.NewReader(data))
			rec, err := nextRecord(v, cr, 0, tt.cancel)
			require.NoError(t, err)
			require.Equal(t, cfonb.CodeOldBalance, rec.Code())
			v.record(&rec, cr.Framing, true)
			// A 04 comes back where the reader's buffer ends (it framed
			// it otherwise than by its stride).
			for {
				rec, err = nextRecord(v, cr, 0, tt.cancel)
				if err != nil || rec.Code() != cfonb.CodeMovement {
					break
				}
				v.record(&rec, cr.Framing, true)
			}
			require.ErrorIs(t, err, tt.wantErr)
			if err == nil {
				assert.Equal(t, cfonb.CodeNewBalance, rec.Code())
				assert.Equal(t, movements+2, rec.Line)
			}
			assert.Equal(t, tt.wantLine, cr.Line())
		})
	}
}
