//go:build unix

package atomicfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for issue 16, items 1-3 and 14 ("fmt -w" lost records
// appended while it ran, and changed a file's identity).

// rewrite reads a Source to the end and replaces it with the upper-cased
// content, calling between (if not nil) after the read.
func rewrite(t *testing.T, path string, between func()) (Method, error) {
	t.Helper()
	src, err := Open(path)
	require.NoError(t, err)
	defer func() { _ = src.Close() }()
	b, err := io.ReadAll(src)
	require.NoError(t, err)
	if between != nil {
		between()
	}
	return src.Replace(func(w io.Writer) error {
		_, err := w.Write([]byte(strings.ToUpper(string(b))))
		return err
	})
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Ino
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestReplaceAppendedWhileRead: records appended between the read and the
// rename were lost. Now nothing is written and the appended bytes stay.
func TestReplaceAppendedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("old\n"), 0o644))
	_, err := rewrite(t, p, func() {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString("appended\n")
		require.NoError(t, err)
		require.NoError(t, f.Close())
	})
	require.ErrorIs(t, err, ErrChanged)
	assert.Contains(t, err.Error(), "f.txt: 4 bytes were read, it now has 13: the file changed while it was being read: nothing written")
	assert.Equal(t, "old\nappended\n", readString(t, p))
	assertNoTemp(t, dir)
}

// TestReplaceRewrittenSameSize: a rewrite of the same size whose
// modification time is set back is still seen (change time, checksum).
func TestReplaceRewrittenSameSize(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o644))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	_, err = rewrite(t, p, func() {
		require.NoError(t, os.WriteFile(p, []byte("xyz\n"), 0o644))
		require.NoError(t, os.Chtimes(p, fi.ModTime(), fi.ModTime()))
	})
	require.ErrorIs(t, err, ErrChanged)
	assert.Equal(t, "xyz\n", readString(t, p))
	assertNoTemp(t, dir)
}

// TestReplaceFileReplacedWhileRead: another file renamed over the path
// while it was read is not overwritten.
func TestReplaceFileReplacedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o644))
	_, err := rewrite(t, p, func() {
		other := filepath.Join(dir, "other")
		require.NoError(t, os.WriteFile(other, []byte("abc\n"), 0o644))
		require.NoError(t, os.Rename(other, p))
	})
	require.ErrorIs(t, err, ErrChanged)
	assert.Contains(t, err.Error(), "another file took its place")
	assert.Equal(t, "abc\n", readString(t, p))
}

// TestReplaceNotReadToTheEnd: what the caller did not read would be lost.
func TestReplaceNotReadToTheEnd(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abcdef"), 0o644))
	src, err := Open(p)
	require.NoError(t, err)
	defer func() { _ = src.Close() }()
	_, err = src.Read(make([]byte, 2))
	require.NoError(t, err)
	_, err = src.Replace(func(w io.Writer) error { _, err := w.Write([]byte("AB")); return err })
	require.ErrorIs(t, err, ErrChanged)
	assert.Contains(t, err.Error(), "it was not read to the end (2 of 6 bytes)")
	assert.Equal(t, "abcdef", readString(t, p))
}

// TestReplaceUnchanged: the ordinary case, with a file of one link that
// belongs to the caller: renamed, mode kept.
func TestReplaceUnchanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o640))
	require.NoError(t, os.Chmod(p, 0o640))
	m, err := rewrite(t, p, nil)
	require.NoError(t, err)
	assert.Equal(t, Renamed, m)
	assert.Equal(t, "ABC\n", readString(t, p))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode())
	assertNoTemp(t, dir)
}

// TestReplaceThroughSymlink: a symbolic link stayed a link, its target was
// left unformatted and the link became a regular file.
func TestReplaceThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "data")
	require.NoError(t, os.Mkdir(sub, 0o755))
	target := filepath.Join(sub, "real.txt")
	require.NoError(t, os.WriteFile(target, []byte("abc\n"), 0o644))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink(filepath.Join("data", "real.txt"), link))
	_, err := rewrite(t, link, nil)
	require.NoError(t, err)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode().Type(), "the link is still a link")
	assert.Equal(t, "ABC\n", readString(t, target))
	assertNoTemp(t, dir)
	assertNoTemp(t, sub)

	// Write follows links too (cfonb export -o link).
	require.NoError(t, WriteFile(link, []byte("new\n"), 0))
	fi, err = os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode().Type())
	assert.Equal(t, "new\n", readString(t, target))

	// A dangling link is refused, not replaced by a file.
	dangling := filepath.Join(dir, "dangling.txt")
	require.NoError(t, os.Symlink("nowhere.txt", dangling))
	err = WriteFile(dangling, []byte("x"), 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a symbolic link that leads nowhere")
	_, err = os.Stat(filepath.Join(dir, "nowhere.txt"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestReplaceHardLinks: hard links were split into two files. The file is
// rewritten in place: every name sees the new content, one inode.
func TestReplaceHardLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	other := filepath.Join(dir, "g.txt")
	require.NoError(t, os.WriteFile(p, []byte("a longer old content\n"), 0o644))
	require.NoError(t, os.Link(p, other))
	ino := inode(t, p)
	m, err := rewrite(t, p, nil)
	require.NoError(t, err)
	assert.Equal(t, InPlace, m)
	assert.Equal(t, "A LONGER OLD CONTENT\n", readString(t, other))
	assert.Equal(t, ino, inode(t, p))
	assert.Equal(t, ino, inode(t, other))
	assertNoTemp(t, dir)

	// A shorter content is truncated to its length.
	require.NoError(t, WriteFile(other, []byte("short\n"), 0))
	assert.Equal(t, "short\n", readString(t, p))
	assert.Equal(t, ino, inode(t, p))
}

// TestReplaceKeepsSetgid: the setgid bit was dropped.
func TestReplaceKeepsSetgid(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o644))
	require.NoError(t, os.Chmod(p, 0o2750|os.ModeSetgid))
	before, err := os.Stat(p)
	require.NoError(t, err)
	require.NotZero(t, before.Mode()&os.ModeSetgid, "the file system keeps setgid")
	m, err := rewrite(t, p, nil)
	require.NoError(t, err)
	assert.Equal(t, Renamed, m)
	after, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, before.Mode(), after.Mode())
}

// TestReplaceKeepsOwner: as root, a 0640 file of another user became
// root:root, which its owner could no longer read.
func TestReplaceKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (to give the file to another user); CI runs as root")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o640))
	require.NoError(t, os.Chown(p, 1234, 5678))
	require.NoError(t, os.Chmod(p, 0o640|os.ModeSetgid))
	m, err := rewrite(t, p, nil)
	require.NoError(t, err)
	assert.Equal(t, Renamed, m)
	fi, err := os.Stat(p)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, uint32(1234), st.Uid)
	assert.Equal(t, uint32(5678), st.Gid)
	assert.Equal(t, 0o640|os.ModeSetgid, fi.Mode(), "chown clears setgid: the mode is set after it")
	assert.Equal(t, "ABC\n", readString(t, p))
}

// TestReplaceLongName: a name of 240 bytes failed on the temporary name.
func TestReplaceLongName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("é", 60) + strings.Repeat("x", 116) + ".txt" // 240 bytes
	require.Len(t, name, 240)
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o644))
	_, err := rewrite(t, p, nil)
	require.NoError(t, err)
	assert.Equal(t, "ABC\n", readString(t, p))
	require.NoError(t, WriteFile(filepath.Join(dir, strings.Repeat("y", 250)), []byte("x"), 0))
	assertNoTemp(t, dir)
}

func TestTempPattern(t *testing.T) {
	assert.Equal(t, ".a.txt.tmp-*", tempPattern("a.txt"))
	long := tempPattern(strings.Repeat("é", 100))
	assert.LessOrEqual(t, len(long), 64+len("..tmp-*"))
	assert.True(t, strings.HasPrefix(long, ".éé"))
	assert.NotContains(t, long, "\xc3.", "cut on a character boundary")
}

// TestReplaceFailedWriteLeavesFile: a write that fails leaves the file and
// its links as they were.
func TestReplaceFailedWriteLeavesFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o644))
	require.NoError(t, os.Link(p, filepath.Join(dir, "g.txt")))
	src, err := Open(p)
	require.NoError(t, err)
	defer func() { _ = src.Close() }()
	_, err = io.ReadAll(src)
	require.NoError(t, err)
	boom := errors.New("boom")
	_, err = src.Replace(func(w io.Writer) error { _, _ = w.Write([]byte("AB")); return boom })
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "abc\n", readString(t, p))
	assert.Equal(t, "abc\n", readString(t, filepath.Join(dir, "g.txt")))
	assertNoTemp(t, dir)
}

func TestOpenRefusesNonRegular(t *testing.T) {
	_, err := Open(t.TempDir())
	assert.ErrorContains(t, err, "is a directory")
	_, err = Open(os.DevNull)
	assert.ErrorContains(t, err, "not a regular file")
}

func TestInputNamed(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(a, []byte("a"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("b"), 0o644))
	hard := filepath.Join(dir, "hard.txt")
	require.NoError(t, os.Link(a, hard))
	soft := filepath.Join(dir, "soft.txt")
	require.NoError(t, os.Symlink("a.txt", soft))
	null, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	tests := []struct {
		name   string
		out    os.FileInfo
		inputs []string
		want   string
	}{
		{"same path", StatOutput(a), []string{b, a}, a},
		{"hard link", StatOutput(hard), []string{"-", a}, a},
		{"symbolic link", StatOutput(soft), []string{a}, a},
		{"input through a link", StatOutput(a), []string{soft}, soft},
		{"another file", StatOutput(b), []string{a}, ""},
		{"new output", StatOutput(filepath.Join(dir, "new.txt")), []string{a}, ""},
		{"null device", null, []string{os.DevNull}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, InputNamed(tt.out, tt.inputs))
		})
	}
}

// TestInPlaceVerifiesCopies: the in-place rewrite of a hard-linked file
// starts only from a temporary copy that reads back as what was written,
// and checks the file once rewritten.
func TestInPlaceVerifiesCopies(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(target, []byte("old content\n"), 0o644))
	tmp, err := os.CreateTemp(dir, "tmp")
	require.NoError(t, err)
	defer func() { _ = tmp.Close() }()
	good := &crcWriter{w: tmp}
	_, err = good.Write([]byte("new\n"))
	require.NoError(t, err)

	// A temporary copy that does not hold what was written (a failing
	// disk) is refused before the file is touched.
	bad := &crcWriter{w: io.Discard}
	_, _ = bad.Write([]byte("neW\n"))
	err = copyInPlace(target, tmp, bad)
	require.ErrorIs(t, err, errCopyMismatch)
	assert.Contains(t, err.Error(), "temporary file")
	assert.Equal(t, "old content\n", readString(t, target))

	require.NoError(t, copyInPlace(target, tmp, good))
	assert.Equal(t, "new\n", readString(t, target))
}

// TestReplaceOwnerNotRestorable: not running as root, a file of another
// owner that the caller may write is rewritten in place, so that it keeps
// its owner (a rename would give it to the caller). The rewrite runs in a
// child process as the user nobody (65534); it needs root to start it.
func TestReplaceOwnerNotRestorable(t *testing.T) {
	if os.Getenv("ATOMICFILE_CHILD") != "" {
		m, err := rewrite(t, os.Getenv("ATOMICFILE_CHILD"), nil)
		require.NoError(t, err)
		require.Equal(t, InPlace, m)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (to run the rewrite as another user); CI runs as root")
	}
	dir := t.TempDir()
	// The child must reach the file: open the folders on the way.
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		require.NoError(t, os.Chmod(d, 0o777))
	}
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(p, []byte("abc\n"), 0o666))
	require.NoError(t, os.Chmod(p, 0o666))
	require.NoError(t, os.Chown(p, 1234, 5678))
	ino := inode(t, p)

	// The test binary, where the child can run it.
	bin := filepath.Join(dir, "atomicfile.test")
	self, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, self, 0o755))
	cmd := exec.Command(bin, "-test.run=^TestReplaceOwnerNotRestorable$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ATOMICFILE_CHILD="+p)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "--- PASS: TestReplaceOwnerNotRestorable", "the child ran the rewrite")

	assert.Equal(t, "ABC\n", readString(t, p))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, [2]uint32{1234, 5678}, [2]uint32{st.Uid, st.Gid}, "owner and group kept")
	assert.Equal(t, ino, st.Ino, "rewritten in place")
	assert.Equal(t, os.FileMode(0o666), fi.Mode())
	assertNoTemp(t, dir)
}
