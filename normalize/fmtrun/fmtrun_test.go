package fmtrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
)

// td is the folder of cfonb fmt's test files (written by normalize's
// fmtdata_test.go).
const td = "../../testdata/fmt/"

// TestFilesInOrder: Files reports every file once, in the order of paths
// whatever the number of workers, refuses what must be refused (keeping
// no output for it), and calls progress once per file.
func TestFilesInOrder(t *testing.T) {
	names := []string{"latin1-lf", "refused-account", "canonical", "utf8-lf", "refused-amount", "cp1252-crlf", "utf8-bom-crlf"}
	var paths []string
	for _, n := range names {
		paths = append(paths, td+n+".txt")
	}
	cfg := &Config{Mode: Stdout, EOL: cfonb.EOLCRLF}
	var got []string
	progress := 0
	Files(context.Background(), cfg, paths, 3, func(r *Result) {
		got = append(got, r.Name)
		require.NoError(t, r.Err, r.Name)
		if strings.Contains(r.Name, "refused-") {
			require.NotNil(t, r.Refused, r.Name)
			assert.True(t, r.Failed())
			assert.Nil(t, r.Out, "nothing kept for a refused file")
			return
		}
		require.Nil(t, r.Refused, r.Name)
		require.NotNil(t, r.Out, r.Name)
		var out bytes.Buffer
		require.NoError(t, r.Out.CopyTo(&out))
		want, err := os.ReadFile(strings.TrimSuffix(r.Name, ".txt") + ".golden")
		require.NoError(t, err)
		assert.Equal(t, string(want), out.String(), r.Name)
		assert.Equal(t, 0, r.Validation.Errors, r.Name)
	}, func() { progress++ })
	assert.Equal(t, paths, got)
	assert.Equal(t, len(paths), progress)
}

// TestFileWriteNothingOnRefusal: -w leaves a refused file as it was and
// rewrites a file that needs it; an already canonical file is not touched.
func TestFileWriteNothingOnRefusal(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"refused-amount.txt", "latin1-lf.txt", "canonical.txt"} {
		b, err := os.ReadFile(td + n)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), b, 0o644))
	}
	cfg := &Config{Mode: Write, EOL: cfonb.EOLCRLF, Replace: (*atomicfile.Source).Replace}

	refused := filepath.Join(dir, "refused-amount.txt")
	before, err := os.ReadFile(refused)
	require.NoError(t, err)
	res := File(context.Background(), cfg, refused)
	require.NotNil(t, res.Refused)
	after, err := os.ReadFile(refused)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	res = File(context.Background(), cfg, filepath.Join(dir, "latin1-lf.txt"))
	require.False(t, res.Failed(), "%v %v", res.Err, res.Refused)
	assert.True(t, res.Report.Changed)
	got, err := os.ReadFile(filepath.Join(dir, "latin1-lf.txt"))
	require.NoError(t, err)
	want, err := os.ReadFile(td + "latin1-lf.golden")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	canon := filepath.Join(dir, "canonical.txt")
	fi, err := os.Stat(canon)
	require.NoError(t, err)
	res = File(context.Background(), cfg, canon)
	require.False(t, res.Failed())
	assert.False(t, res.Report.Changed)
	fi2, err := os.Stat(canon)
	require.NoError(t, err)
	assert.True(t, os.SameFile(fi, fi2), "not replaced")
	assert.Equal(t, fi.ModTime(), fi2.ModTime())
}

// TestFileDiff: -d gives a unified diff with its header, for a file that
// changes only.
func TestFileDiff(t *testing.T) {
	cfg := &Config{Mode: Diff, EOL: cfonb.EOLCRLF}
	res := File(context.Background(), cfg, td+"latin1-lf.txt")
	require.False(t, res.Failed())
	require.NotNil(t, res.Out)
	defer res.Out.Close()
	var out bytes.Buffer
	require.NoError(t, res.Out.CopyTo(&out))
	assert.True(t, strings.HasPrefix(out.String(), "diff "+td+"latin1-lf.txt ("), out.String())
	assert.Contains(t, out.String(), "\n--- "+td+"latin1-lf.txt\n+++ "+td+"latin1-lf.txt\n@@ -")
}
