//go:build unix

package regfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModes(t *testing.T) {
	f, err := Open(os.DevNull)
	require.NoError(t, err)
	want, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	assert.Equal(t, want.Mode(), f.Mode())
	assert.NotZero(t, f.Mode()&fs.ModeCharDevice)
	require.NoError(t, f.Close())

	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, _ = w.Write([]byte("through a pipe"))
			_ = w.Close()
		}
	}()
	f, err = Open(fifo)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeNamedPipe, f.Mode().Type())
	got, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "through a pipe", string(got))
	require.NoError(t, f.Close())
}
