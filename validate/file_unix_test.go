//go:build unix

package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFileFIFO checks that a named pipe is read to its end like a stream,
// stopping at the diagnostics cap.
func TestFileFIFO(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.Write(data)
			w.Close()
		}
	}()
	got, err := File(fifo, Options{})
	require.NoError(t, err)
	want, err := Stream(fifo, bytes.NewReader(data), Options{StopAtMax: true})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Positive(t, got.Records)
}
