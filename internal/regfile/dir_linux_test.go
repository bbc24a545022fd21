//go:build linux

package regfile

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDir checks that Dir.Open opens what Open opens, and fails as it
// does, naming the whole path: files of two directories in turn, through
// a link to a directory, "..", a directory, a missing file or directory,
// a path without a directory; and that it keeps one directory open.
func TestDir(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/1.txt", "a/2.txt", "b/3.txt"} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(p), 0o644))
	}
	require.NoError(t, os.Symlink("a", filepath.Join(dir, "link")))
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	before := fds()
	var d Dir
	for _, p := range []string{"a/1.txt", "a/2.txt", "b/3.txt", "a/1.txt", "link/2.txt", "b/../a/1.txt",
		"a/..", "a", "a/missing.txt", "missing/1.txt", "a/1.txt/x"} {
		name := filepath.Join(dir, p)
		if p == "b/../a/1.txt" {
			name = dir + "/" + p // not cleaned
		}
		want, werr := Open(name)
		got, err := d.Open(name)
		if werr != nil {
			assert.Equal(t, werr, err, p)
			continue
		}
		require.NoError(t, err, p)
		assert.Equal(t, want.Name(), got.Name())
		assert.Equal(t, want.Mode(), got.Mode(), p)
		assert.Equal(t, want.Size(), got.Size(), p)
		wd, wi, _ := want.ID()
		gd, gi, ok := got.ID()
		assert.True(t, ok)
		assert.Equal(t, [2]uint64{wd, wi}, [2]uint64{gd, gi}, p)
		if want.Mode().IsRegular() {
			data, err := io.ReadAll(got)
			require.NoError(t, err)
			wantData, _ := io.ReadAll(want)
			assert.Equal(t, wantData, data, p)
			assert.Contains(t, []string{"a/1.txt", "a/2.txt", "b/3.txt"}, string(data), p)
		}
		require.NoError(t, want.Close())
		require.NoError(t, got.Close())
		assert.Equal(t, before+1, fds(), "one directory kept open, after %s", p)
	}
	require.NoError(t, d.Close())
	assert.Equal(t, before, fds())
	require.NoError(t, d.Close(), "closing again")

	// A path without a directory is opened from the working directory.
	t.Chdir(filepath.Join(dir, "b"))
	f, err := d.Open("3.txt")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = d.Open("missing.txt")
	assert.EqualError(t, err, "open missing.txt: no such file or directory")
}
