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
				if name != "warnings.txt" && name != "encoding-sub.txt" && name != "bank-conventions.txt" && name != "blank-line.txt" && name != "framing-mixed.txt" {
					return
				}
				// What Options.Pedantic adds.
				rep, err = File(path, Options{Pedantic: true})
				require.NoError(t, err)
				rep.Path = rel
				for i := range rep.Diagnostics {
					rep.Diagnostics[i].File = rel
				}
				buf.Reset()
				require.NoError(t, WriteText(&buf, []*Report{rep}))
				golden = filepath.Join("..", "testdata", "golden", dir, name+".pedantic.diag")
				if *update {
					require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
				}
				want, err = os.ReadFile(golden)
				require.NoError(t, err, "run go test ./validate -update to create it")
				assert.Equal(t, string(want), buf.String(), "pedantic")
			})
		}
	}
}

// TestInvalidFilesCoverEveryRule checks that the golden corpus exercises
// every rule at least once.
func TestInvalidFilesCoverEveryRule(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "invalid", "*.diag"))
	require.NoError(t, err)
	// What only Options.Pedantic reports can be met in valid files.
	pedantic, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "valid", "*.pedantic.diag"))
	require.NoError(t, err)
	goldens = append(goldens, pedantic...)
	var all strings.Builder
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		require.NoError(t, err)
		all.Write(b)
	}
	for _, r := range Rules() {
		if r.ID == RuleTooMany {
			continue // only a pipe gets it: TestStopAtMax
		}
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

// TestStopAtMax: an input that may never end (here, garbage through a pipe)
// stops at the cap with a too-many diagnostic that is always shown.
func TestStopAtMax(t *testing.T) {
	garbage := bytes.Repeat([]byte("99"+strings.Repeat("x", 118)+"\n"), 500)
	rep, err := Stream("pipe", bytes.NewReader(garbage), Options{MaxDiagnostics: 10, StopAtMax: true})
	require.NoError(t, err)
	assert.True(t, rep.Truncated)
	require.Len(t, rep.Diagnostics, 11)
	last := rep.Diagnostics[10]
	assert.Equal(t, Diagnostic{File: "pipe", Line: 10, Column: 1, Severity: SeverityError, Rule: RuleTooMany,
		Message: "too many problems: stopped reading after line 10 (this input may never end; raise --max-errors to see more)"}, last)
	assert.Equal(t, 10, rep.Records)
}

// TestCharsetErrors checks Report.Charset: the encoding errors that are
// only text in another character set (what cfonb export decodes) and
// those that are not.
func TestCharsetErrors(t *testing.T) {
	tests := []struct {
		file            string
		errors, charset int
	}{
		{"encoding-latin1.txt", 1, 1},
		{"encoding-utf8.txt", 1, 1},
		{"encoding-bom.txt", 1, 1},
		{"encoding-nul.txt", 1, 0},
		{"record-length.txt", 0, 0}, // errors counted below
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := File(filepath.Join("..", "testdata", "invalid", tt.file), Options{})
			require.NoError(t, err)
			if tt.errors > 0 {
				assert.Equal(t, tt.errors, rep.Errors)
			} else {
				assert.NotZero(t, rep.Errors)
			}
			assert.Equal(t, tt.charset, rep.Charset)
		})
	}
	// A Latin-1 byte and a control byte on one line: not only text.
	line := []byte("0430006    00001EUR2 12345678901050203262603020 VIR RECU CAF\xe9\x01                          0000000000250{            ")
	assert.False(t, onlyCharset(line))
	assert.True(t, onlyCharset(line[:bytes.IndexByte(line, 1)]))
	assert.False(t, onlyCharset([]byte("x\x81y"))) // undefined in Windows-1252
	assert.True(t, onlyCharset([]byte("x\xc3\x81y")))
}
