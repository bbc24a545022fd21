//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
