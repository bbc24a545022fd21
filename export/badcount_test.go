package export

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// badCountReader returns more bytes than it was asked for (a broken
// io.Reader, as cfonb.Reader guards against).
type badCountReader struct{ data []byte }

func (b *badCountReader) Read(p []byte) (int, error) {
	n := copy(p, b.data)
	b.data = b.data[n:]
	return len(p) + 1, nil
}

// negCountReader returns a negative count.
type negCountReader struct{}

func (negCountReader) Read(p []byte) (int, error) { return -1, nil }

// TestBadCountReader: an io.Reader that returns an invalid count
// gives an error (cfonb.Reader's "the underlying reader returned an
// invalid count"), never a panic: quoteWatch.Read, between r and
// cfonb.Reader, passes such a count on without slicing p[:n] with it (it
// panicked when it came in).
func TestBadCountReader(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		r    io.Reader
	}{
		{"n > len(p)", &badCountReader{data: bytes.Clone(data)}},
		{"n < 0", negCountReader{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e, err := New(&out, Options{Format: JSONL})
			require.NoError(t, err)
			var exportErr error
			require.NotPanics(t, func() { exportErr = e.Export("bad.txt", tt.r) })
			require.ErrorContains(t, exportErr, "invalid count")
		})
	}
}
