package validate

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of ../testdata/golden")

// TestGolden validates every file of ../testdata/valid and
// ../testdata/invalid (and the *.txt of ../testdata/samples) and compares the text report with its golden file
// ../testdata/golden/<dir>/<name>.diag.
func TestGolden(t *testing.T) {
	for _, dir := range []string{"valid", "invalid", "samples"} {
		pattern := "*"
		if dir == "samples" {
			pattern = "*.txt"
		}
		files, err := filepath.Glob(filepath.Join("..", "testdata", dir, pattern))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, path := range files {
			name := filepath.Base(path)
			t.Run(dir+"/"+name, func(t *testing.T) {
				rep, err := File(path, Options{})
				require.NoError(t, err)
				// Report paths relative to testdata so goldens do not depend
				// on the working directory.
				rel := dir + "/" + name
				rep.Path = rel
				for i := range rep.Diagnostics {
					rep.Diagnostics[i].File = rel
				}
				var buf bytes.Buffer
				require.NoError(t, WriteText(&buf, []*Report{rep}))
				golden := filepath.Join("..", "testdata", "golden", dir, name+".diag")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "run go test ./validate -update to create it")
				assert.Equal(t, string(want), buf.String())
				if dir == "samples" {
					assert.Zero(t, rep.Errors, "the samples are valid (with warnings)")
				}
				if dir == "valid" {
					assert.Zero(t, rep.Errors, "a valid file has no error")
					assert.Zero(t, rep.Warnings, "a valid file has no warning")
				}
			})
		}
	}
}

// TestInvalidFilesCoverEveryRule checks that the golden corpus exercises
// every rule at least once.
func TestInvalidFilesCoverEveryRule(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "invalid", "*.diag"))
	require.NoError(t, err)
	var all strings.Builder
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		require.NoError(t, err)
		all.Write(b)
	}
	for _, r := range Rules() {
		assert.Contains(t, all.String(), "["+r.ID+"]", "no golden file exercises rule %s", r.ID)
	}
}

// TestLineEndsGiveIdenticalResults: the same statements with CRLF, LF, no
// separator and no final line end give the same report.
func TestLineEndsGiveIdenticalResults(t *testing.T) {
	var first *Report
	for _, name := range []string{"multi-crlf.txt", "multi-lf.txt", "multi-none.txt", "multi-nofinal.txt"} {
		rep, err := File(filepath.Join("..", "testdata", "valid", name), Options{Summary: true})
		require.NoError(t, err)
		rep.Path, rep.Framing = "", 0
		if first == nil {
			first = rep
			assert.Equal(t, 22, rep.Records)
			assert.Equal(t, 5, rep.Statements)
			require.Len(t, rep.Summaries, 5)
			continue
		}
		assert.Equal(t, first, rep, name)
	}
}
