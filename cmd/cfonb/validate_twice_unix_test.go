//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/walk"
	"github.com/cfonb-dev/cfonb/validate"
)

// TestValidateFileReachedTwice: a file reached twice in a walk (a hard
// link, a link to the file or to its directory) is reported once, at its
// first place, and a file passed over is counted once, whether the
// files are validated while the directory is walked (the walk does not
// stat the regular files it lists: validateAll drops the second from the
// file it opened) or after the whole walk (-o).
func TestValidateFileReachedTwice(t *testing.T) {
	dir := t.TempDir()
	copyTo(t, dir, map[string]string{"d/good.txt": "valid/multi-lf.txt", "d/sub/bad.txt": "invalid/balance.txt",
		"d/README.md": "samples/README.md"})
	d := filepath.Join(dir, "d")
	require.NoError(t, os.Link(d+"/good.txt", d+"/hard.txt"))
	require.NoError(t, os.Link(d+"/README.md", d+"/README2.md"))
	require.NoError(t, os.Symlink("good.txt", d+"/link.txt"))
	require.NoError(t, os.Symlink("sub", d+"/again"))
	want := d + "/again/bad.txt:4:91: error: new balance 125.00 does not reconcile: old balance 100.00 (line 1) + 2 movements 15.00 = 115.00 (difference 10.00) [balance]\n" +
		d + "/again/bad.txt: 4 records, 1 statement: 1 error, 0 warnings\n" +
		d + "/good.txt: 22 records, 5 statements: 0 errors, 0 warnings\n" +
		"2 files: 1 error, 0 warnings; skipped 1 file that is not a bank statement\n"

	r := cliRun(t, "", "validate", d)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Equal(t, want, r.stdout)
	assert.Empty(t, r.stderr)

	out := filepath.Join(dir, "report.txt")
	r = cliRun(t, "", "validate", "-o", out, d)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))

	// Named first, the hard link takes the place of the file.
	r = cliRun(t, "", "validate", d+"/hard.txt", d)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Equal(t, d+"/hard.txt: 22 records, 5 statements: 0 errors, 0 warnings\n"+
		d+"/again/bad.txt:4:91: error: new balance 125.00 does not reconcile: old balance 100.00 (line 1) + 2 movements 15.00 = 115.00 (difference 10.00) [balance]\n"+
		d+"/again/bad.txt: 4 records, 1 statement: 1 error, 0 warnings\n"+
		"2 files: 1 error, 0 warnings; skipped 1 file that is not a bank statement\n", r.stdout)
}

// TestValidateFileGoneAfterListing: a file that the walk listed and that
// is gone when a worker opens it (the walk no longer stats it) is an
// unreadable file named on stderr and in the report, exit 2, and the
// others are reported in their place.
func TestValidateFileGoneAfterListing(t *testing.T) {
	dir := t.TempDir()
	copyTo(t, dir, map[string]string{"a.txt": "valid/multi-lf.txt", "c.txt": "valid/multi-lf.txt"})
	feed := newEntryFeed(false)
	feed.add([]walk.Entry{{Path: dir + "/a.txt"}, {Path: dir + "/b.txt"}, {Path: dir + "/c.txt"}})
	feed.close()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	ro := newReportOut(&out)
	rw, err := validate.NewReportWriter("json", ro, validate.WriterOptions{})
	require.NoError(t, err)
	res := validateAll(t.Context(), e, feed, validate.Options{}, 2, rw, ro)
	require.NoError(t, rw.Close(validate.Totals{Files: res.files, Unreadable: res.ioErrors}))
	require.NoError(t, ro.Flush())
	assert.Equal(t, 2, res.files)
	assert.Equal(t, 1, res.ioErrors)
	assert.Equal(t, "cfonb validate: open "+dir+"/b.txt: no such file or directory\n", errb.String())
	assert.Contains(t, out.String(), `{"path":"`+dir+`/b.txt","error":"open `+dir+`/b.txt: no such file or directory"},{"path":"`+dir+`/c.txt"`)
}
