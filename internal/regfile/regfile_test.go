package regfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenReadClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	data := []byte(strings.Repeat("0123456789", 1000))
	require.NoError(t, os.WriteFile(path, data, 0o640))

	f, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, path, f.Name())
	assert.Equal(t, int64(len(data)), f.Size())
	assert.True(t, f.Mode().IsRegular())
	want, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, want.Mode(), f.Mode(), "the same mode as os.Stat")

	got, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	n, err := f.Read(make([]byte, 10))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
	require.NoError(t, f.Close())
	assert.ErrorIs(t, f.Close(), fs.ErrClosed)
	_, err = f.Read(make([]byte, 1))
	assert.ErrorIs(t, err, fs.ErrClosed)
}

func TestReadAtMost(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(path, []byte("hello"), 0o644))
	tests := []struct {
		size int
		want string
	}{{0, ""}, {3, "hel"}, {5, "hello"}, {100, "hello"}}
	for _, tt := range tests {
		f, err := Open(path)
		require.NoError(t, err)
		p := make([]byte, tt.size)
		n, err := f.ReadAtMost(p)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(p[:n]))
		require.NoError(t, f.Close())
	}
}

// TestErrorsLikeOS checks that the errors read as those of os.Open.
func TestErrorsLikeOS(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.txt")
	_, err := Open(missing)
	_, osErr := os.Open(missing)
	require.Error(t, err)
	assert.Equal(t, osErr.Error(), err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)
	var pe *fs.PathError
	assert.True(t, errors.As(err, &pe))

	f, err := Open(dir)
	require.NoError(t, err, "a directory opens, as with os.Open")
	assert.True(t, f.Mode().IsDir())
	_, err = f.Read(make([]byte, 10))
	if runtime.GOOS != "windows" {
		assert.ErrorIs(t, err, syscall.EISDIR)
		assert.Equal(t, "read "+dir+": is a directory", err.Error())
	}
	require.NoError(t, f.Close())
}

func TestReadHead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(path, []byte("hello world"), 0o644))
	p := make([]byte, 5)
	n, err := ReadHead(path, p)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(p[:n]))
	p = make([]byte, 64)
	n, err = ReadHead(path, p)
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(p[:n]))

	_, err = ReadHead(filepath.Join(dir, "missing"), p)
	_, osErr := os.Open(filepath.Join(dir, "missing"))
	assert.Equal(t, osErr.Error(), err.Error())
	_, err = ReadHead(dir, p)
	assert.Error(t, err, "a directory cannot be read")
}
