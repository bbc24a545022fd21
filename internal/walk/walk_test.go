package walk

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree creates files (content "x") and symbolic links ("name -> target")
// under a temporary directory and returns it.
func tree(t *testing.T, specs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range specs {
		if name, target, ok := strings.Cut(s, " -> "); ok {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
			require.NoError(t, os.Symlink(target, filepath.Join(dir, name)))
			continue
		}
		p := filepath.Join(dir, s)
		if strings.HasSuffix(s, "/") {
			require.NoError(t, os.MkdirAll(p, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	return dir
}

// rel lists the entries relative to dir: "path" or "path: error".
func rel(dir string, r *Result) []string {
	var out []string
	for _, e := range r.Entries {
		s := strings.TrimPrefix(e.Path, dir+"/")
		if e.Err != nil {
			s += ": " + strings.ReplaceAll(e.Err.Error(), dir+"/", "")
		}
		out = append(out, s)
	}
	return out
}

func TestExpand(t *testing.T) {
	dir := tree(t, "a/2.txt", "a/1.txt", "a/.hidden", ".git/config", "a/sub/3.txt", "b.txt")
	r, err := Expand([]string{dir + "/a", dir + "/b.txt", "-"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1.txt", "a/2.txt", "a/sub/3.txt", "b.txt", "-"}, rel(dir, r))
	assert.Equal(t, []string{dir + "/a/1.txt", dir + "/a/2.txt", dir + "/a/sub/3.txt", dir + "/b.txt", "-"}, r.Files())
	assert.True(t, r.Entries[3].Named)
	assert.False(t, r.Entries[0].Named)
}

// TestSymlinks (issue 16.4): a link to a directory given as an argument is
// walked; links to files and directories inside a walked directory are
// followed; a loop and a dangling link are errors in their place, and the
// walk goes on.
func TestSymlinks(t *testing.T) {
	dir := tree(t,
		"real/1.txt",
		"data/f.txt",
		"data/file-link.txt -> ../real/1.txt",
		"data/dir-link -> ../real",
		"data/loop -> ..",
		"data/self -> self",
		"data/dangling.txt -> nowhere.txt",
		"data/z.txt",
		"top -> data",
	)
	r, err := Expand([]string{dir + "/top"}, Options{})
	require.NoError(t, err)
	// loop -> .. is the temporary directory, above the walked one: walking
	// it finds data (the walked directory: a loop), real/1.txt (already
	// taken through dir-link) and top (a link to data: a loop).
	// file-link.txt is the file already taken as dir-link/1.txt.
	assert.Equal(t, []string{
		"top/dangling.txt: top/dangling.txt: dangling symbolic link (to nowhere.txt)",
		"top/dir-link/1.txt",
		"top/f.txt",
		"top/loop/data: top/loop/data: symbolic link loop: it leads back to a directory being walked",
		"top/loop/top: top/loop/top: symbolic link loop: it leads back to a directory being walked",
		"top/self: top/self: symbolic link loop",
		"top/z.txt",
	}, rel(dir, r))
	for _, e := range r.Entries {
		if strings.Contains(e.Path, "dangling") {
			assert.ErrorIs(t, e.Err, ErrDangling)
		}
		if strings.HasSuffix(e.Path, "data") || strings.HasSuffix(e.Path, "top") || strings.HasSuffix(e.Path, "self") {
			assert.ErrorIs(t, e.Err, ErrLoop)
		}
	}
}

// TestNamedPaths: a named path that does not exist, or a dangling link, is
// an entry with its error; the others are kept.
func TestNamedPaths(t *testing.T) {
	dir := tree(t, "good.txt", "bad -> missing")
	r, err := Expand([]string{dir + "/good.txt", dir + "/missing.txt", dir + "/bad"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"good.txt", "missing.txt: missing.txt: no such file or directory", "bad: bad: dangling symbolic link (to missing)"}, rel(dir, r))
	assert.Len(t, r.Errs(), 2)
}

// TestStdinTwice (issue 16.6): "- -" would split standard input between
// two readers.
func TestStdinTwice(t *testing.T) {
	_, err := Expand([]string{"-", "-"}, Options{})
	assert.ErrorIs(t, err, ErrStdinTwice)
}

// TestUnreadableDirectory (issue 16.4): one directory that cannot be read
// is reported and the walk goes on.
func TestUnreadableDirectory(t *testing.T) {
	dir := tree(t, "a/1.txt", "b/2.txt", "c/3.txt")
	failB := func(p string) ([]fs.DirEntry, error) {
		if filepath.Base(p) == "b" {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return os.ReadDir(p)
	}
	r, err := expand([]string{dir}, Options{}, failB)
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1.txt", "b: b: permission denied", "c/3.txt"}, rel(dir, r))

	if os.Geteuid() == 0 {
		t.Log("running as root: the chmod 000 case is covered by the injected failure above")
		return
	}
	require.NoError(t, os.Chmod(filepath.Join(dir, "b"), 0))
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "b"), 0o755) })
	r, err = Expand([]string{dir}, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a/1.txt", "b: b: permission denied", "c/3.txt"}, rel(dir, r))
}

func TestSniffAndGlobs(t *testing.T) {
	dir := tree(t, "README.md", "LICENSE", "s1.txt", "2024/s2.txt", "2024/notes.txt", "archive/old.txt")
	bank := func(p string) (bool, error) {
		b := filepath.Base(p)
		return strings.HasPrefix(b, "s") || b == "old.txt", nil
	}
	tests := []struct {
		name             string
		args             []string
		include, exclude []string
		want             []string
		skipped          int
	}{
		{"sniffed", []string{dir}, nil, nil, []string{"2024/s2.txt", "archive/old.txt", "s1.txt"}, 3},
		{"named files always taken", []string{dir + "/README.md", dir + "/2024"}, nil, nil, []string{"README.md", "2024/s2.txt"}, 1},
		{"exclude a directory", []string{dir}, nil, []string{"archive"}, []string{"2024/s2.txt", "s1.txt"}, 3},
		{"exclude a path glob", []string{dir}, nil, []string{"2024/*"}, []string{"archive/old.txt", "s1.txt"}, 2},
		{"include", []string{dir}, []string{"s*.txt"}, nil, []string{"2024/s2.txt", "s1.txt"}, 0},
		{"include a path glob", []string{dir}, []string{"2024/*.txt"}, nil, []string{"2024/s2.txt"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Expand(tt.args, Options{Sniff: bank, Include: tt.include, Exclude: tt.exclude})
			require.NoError(t, err)
			assert.Equal(t, tt.want, rel(dir, r))
			assert.Equal(t, tt.skipped, r.Skipped)
		})
	}
	_, err := Expand([]string{dir}, Options{Exclude: []string{"[a-"}})
	assert.EqualError(t, err, `--exclude: bad glob "[a-": syntax error in pattern`)
}

// TestSniffError: a file that cannot be sniffed is kept, so that the
// command reports the error when it reads it.
func TestSniffError(t *testing.T) {
	dir := tree(t, "a.txt")
	r, err := Expand([]string{dir}, Options{Sniff: func(string) (bool, error) { return false, errors.New("boom") }})
	require.NoError(t, err)
	assert.Equal(t, []string{"a.txt"}, rel(dir, r))
}

// TestSniffNamed: with SniffNamed, the files named are sniffed too.
func TestSniffNamed(t *testing.T) {
	dir := tree(t, "README.md", "s1.txt")
	bank := func(p string) (bool, error) { return filepath.Base(p) == "s1.txt", nil }
	r, err := Expand([]string{dir + "/README.md", dir + "/s1.txt"}, Options{Sniff: bank, SniffNamed: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"s1.txt"}, rel(dir, r))
	assert.Equal(t, 1, r.Skipped)
}

// TestWalkEmitsWhatExpandLists: Walk hands out the entries of Expand, in
// its order, with the same count of files passed over; on a usage error it
// emits nothing.
func TestWalkEmitsWhatExpandLists(t *testing.T) {
	dir := tree(t, "a/2.txt", "a/1.txt", "a/.hidden", "a/sub/3.txt", "a/skip.md", "b.txt",
		"a/loop -> ..", "a/dangling -> missing", "a/again -> sub")
	opts := Options{Sniff: func(p string) (bool, error) { return !strings.HasSuffix(p, ".md"), nil }}
	args := []string{dir + "/a", dir + "/b.txt", dir + "/a/1.txt", "-", dir + "/missing"}
	want, err := Expand(args, opts)
	require.NoError(t, err)
	var got []Entry
	skipped, err := Walk(args, opts, func(e Entry) { got = append(got, e) })
	require.NoError(t, err)
	assert.Equal(t, want.Entries, got)
	assert.Equal(t, want.Skipped, skipped)
	assert.Equal(t, 1, skipped)
	assert.Len(t, got, 8, "%v", rel(dir, want))

	for _, bad := range [][]string{{"-", dir, "-"}} {
		n := 0
		_, err := Walk(bad, opts, func(Entry) { n++ })
		assert.ErrorIs(t, err, ErrStdinTwice)
		assert.Zero(t, n)
	}
	n := 0
	_, err = Walk([]string{dir}, Options{Include: []string{"["}}, func(Entry) { n++ })
	assert.ErrorContains(t, err, "--include")
	assert.Zero(t, n)
}
