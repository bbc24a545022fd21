//go:build unix

package walk

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLateStat: with Options.LateStat, the regular files of a directory
// are listed without a stat, so a file reached twice (a hard link, a file
// reached through a link to it or to its directory) is listed twice, for
// the caller to drop; links are still statted (a dangling one is an
// error), FIFOs are still
// passed over and counted, globs and hidden files as without it. Without
// duplicates, the entries are those of a walk without LateStat.
func TestLateStat(t *testing.T) {
	dir := tree(t, "a/1.txt", "a/2.md", "a/.hidden", "a/sub/3.txt",
		"a/again -> sub", "a/dangling -> missing", "a/link-1.txt -> 1.txt")
	require.NoError(t, os.Link(filepath.Join(dir, "a/1.txt"), filepath.Join(dir, "a/hard.txt")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "a/fifo"), 0o644))
	walkAll := func(opts Options) ([]string, int) {
		var got []Entry
		skipped, err := Walk([]string{dir + "/a"}, opts, func(e Entry) { got = append(got, e) })
		require.NoError(t, err)
		return rel(dir, &Result{Entries: got}), skipped
	}

	got, skipped := walkAll(Options{LateStat: true, Exclude: []string{"*.md"}})
	assert.Equal(t, []string{
		"a/1.txt",
		"a/again/3.txt",
		"a/dangling: a/dangling: dangling symbolic link (to missing)",
		"a/hard.txt",   // the same file as 1.txt: the caller drops it
		"a/link-1.txt", // 1.txt again, which the walk did not stat: the caller drops it
		"a/sub/3.txt",  // reached before as again/3.txt: the caller drops it
	}, got)
	assert.Equal(t, 1, skipped, "the FIFO")

	got, skipped = walkAll(Options{Exclude: []string{"*.md"}})
	assert.Equal(t, []string{
		"a/1.txt",
		"a/again/3.txt",
		"a/dangling: a/dangling: dangling symbolic link (to missing)",
	}, got)
	assert.Equal(t, 1, skipped)

	// The files that a sniff passes over are counted as without it.
	got, skipped = walkAll(Options{LateStat: true, Include: []string{"*.md", "1.txt"},
		Sniff: func(p string) (bool, error) { return !strings.HasSuffix(p, ".md"), nil }})
	assert.Equal(t, []string{"a/1.txt", "a/dangling: a/dangling: dangling symbolic link (to missing)"}, got)
	assert.Equal(t, 1, skipped, "2.md (the FIFO is not included)")

	// Without a file reached twice, the same entries as without LateStat.
	dir2 := tree(t, "a/2.txt", "a/1.txt", "a/sub/3.txt", "b.txt", "a/dangling -> missing")
	args := []string{dir2 + "/a", dir2 + "/b.txt", "-"}
	want, err := Expand(args, Options{})
	require.NoError(t, err)
	late, err := Expand(args, Options{LateStat: true})
	require.NoError(t, err)
	assert.Equal(t, want, late)
}
