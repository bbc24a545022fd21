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
			_, _ = w.Write(data)
			_ = w.Close()
		}
	}()
	got, err := File(fifo, Options{})
	require.NoError(t, err)
	want, err := Stream(fifo, bytes.NewReader(data), Options{StopAtMax: true})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Positive(t, got.Records)
}

// TestCheckerID checks that a Checker tells the device and inode of the
// file it opened, as os.Stat gives them: the same for a hard link and a
// symbolic link to the file, also when the file was not validated (not a
// bank statement, a directory), and none when it opened nothing.
func TestCheckerID(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(good, data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# notes\n"), 0o644))
	require.NoError(t, os.Link(good, filepath.Join(dir, "hard.txt")))
	require.NoError(t, os.Symlink("good.txt", filepath.Join(dir, "link.txt")))
	idOf := func(p string) FileID {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)} //nolint:unconvert // Dev is int32 on darwin
	}
	var c Checker
	defer func() { _ = c.Close() }()
	for _, name := range []string{"good.txt", "hard.txt", "link.txt", "notes.md", "."} {
		p := filepath.Join(dir, name)
		_, err := c.File(p, Options{OnlyBankStatements: true})
		switch name {
		case "notes.md":
			assert.ErrorIs(t, err, ErrNotBankStatement)
		case ".":
			assert.EqualError(t, err, p+": is a directory")
		default:
			assert.NoError(t, err)
		}
		id, ok := c.ID()
		assert.True(t, ok, name)
		assert.Equal(t, idOf(p), id, name)
		assert.NotEqual(t, FileID{}, id, name)
	}
	assert.Equal(t, idOf(good), idOf(filepath.Join(dir, "hard.txt")))
	_, err = c.File(filepath.Join(dir, "missing.txt"), Options{})
	assert.Error(t, err)
	_, ok := c.ID()
	assert.False(t, ok, "nothing opened")
}
