package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyTo copies testdata files into dir under new names (from -> to).
func copyTo(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for to, from := range files {
		data, err := os.ReadFile(td + from)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, to)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, to), data, 0o644))
	}
}

// TestValidateSkipsNonBankFiles (issue 12): walking testdata/samples
// passes over its LICENSE and README and says so; named, they are checked.
func TestValidateSkipsNonBankFiles(t *testing.T) {
	r := cliRun(t, "", "validate", "-q", td+"samples")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "README")
	assert.NotContains(t, r.stdout, "LICENSE")
	assert.True(t, strings.HasSuffix(r.stdout, "\n4 files: 0 errors, 2 warnings; skipped 2 files that are not bank statements\n"), r.stdout)

	r = cliRun(t, "", "validate", td+"samples/README.md")
	assert.Equal(t, exitInvalid, r.code, "a file named is always checked")

	r = cliRun(t, "", "validate", "--format", "json", td+"samples")
	var doc struct {
		Files   []struct{ Path string }
		Skipped int
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Len(t, doc.Files, 4)
	assert.Equal(t, 2, doc.Skipped)
}

// TestValidateQuiet: -q prints nothing for clean files, and nothing at all
// for a clean run.
func TestValidateQuiet(t *testing.T) {
	r := cliRun(t, "", "validate", "-q", td+"valid/multi-lf.txt", td+"valid/multi-crlf.txt")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)

	r = cliRun(t, "", "validate", "-q", td+"valid/multi-lf.txt", td+"invalid/balance.txt")
	assert.Equal(t, exitInvalid, r.code)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Contains(t, lines[0], "invalid/balance.txt:4:91: error: new balance")
	assert.Equal(t, td+"invalid/balance.txt: 4 records, 1 statement: 1 error, 0 warnings", lines[1])
	assert.Equal(t, "2 files: 1 error, 0 warnings", lines[2])
}

// TestValidateIncludeExclude: globs select the files reached by walking.
func TestValidateIncludeExclude(t *testing.T) {
	dir := t.TempDir()
	copyTo(t, dir, map[string]string{"a.txt": "valid/multi-lf.txt", "b.cfonb": "valid/multi-lf.txt", "archive/bad.txt": "invalid/balance.txt"})
	r := cliRun(t, "", "validate", "--exclude", "archive", dir)
	assert.Equal(t, exitOK, r.code, r.stdout)
	assert.Contains(t, r.stdout, "2 files: 0 errors, 0 warnings\n")
	r = cliRun(t, "", "validate", "--include", "*.txt", "--exclude", "archive", dir)
	assert.Equal(t, exitOK, r.code)
	assert.Equal(t, dir+"/a.txt: 22 records, 5 statements: 0 errors, 0 warnings\n", r.stdout)
	r = cliRun(t, "", "validate", "--include", "[x", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: --include: bad glob \"[x\": syntax error in pattern (see cfonb validate --help)\n", r.stderr)
}

// TestValidateSymlinks (issue 16.4): a link to a directory is walked,
// linked files inside are checked, a dangling link is an error (exit 2)
// and the other files are still reported.
func TestValidateSymlinks(t *testing.T) {
	dir := t.TempDir()
	copyTo(t, dir, map[string]string{"real/bad.txt": "invalid/balance.txt", "data/good.txt": "valid/multi-lf.txt"})
	require.NoError(t, os.Symlink("../real/bad.txt", filepath.Join(dir, "data", "linked.txt")))
	require.NoError(t, os.Symlink(dir+"/data", filepath.Join(dir, "link")))

	r := cliRun(t, "", "validate", dir+"/link")
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Contains(t, r.stdout, dir+"/link/good.txt: 22 records")
	assert.Contains(t, r.stdout, dir+"/link/linked.txt:4:91: error: new balance")
	assert.Contains(t, r.stdout, "2 files: 1 error, 0 warnings\n")

	require.NoError(t, os.Symlink("nowhere.txt", filepath.Join(dir, "data", "dangling.txt")))
	require.NoError(t, os.Symlink("..", filepath.Join(dir, "data", "loop")))
	r = cliRun(t, "", "validate", dir+"/data")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "cfonb validate: "+dir+"/data/dangling.txt: dangling symbolic link (to nowhere.txt)\n")
	assert.Contains(t, r.stderr, "cfonb validate: "+dir+"/data/loop/data: symbolic link loop: it leads back to a directory being walked\n")
	assert.Contains(t, r.stdout, dir+"/data/good.txt: 22 records")
	assert.Contains(t, r.stdout, dir+"/data/linked.txt:4:91: error")
}

// TestValidateStdinTwice (issue 16.6): "validate - -" is refused.
func TestValidateStdinTwice(t *testing.T) {
	r := cliRun(t, "", "validate", "-", "-")
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "cfonb validate: standard input (-) given more than once (see cfonb validate --help)\n", r.stderr)
}

// TestValidateJSONWithMissingFile (issue 12): the good file is reported,
// and the missing one is flagged in the JSON; exit 2.
func TestValidateJSONWithMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.txt")
	r := cliRun(t, "", "validate", "--format", "json", td+"valid/multi-lf.txt", missing)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: "+missing+": no such file or directory\n", r.stderr)
	var doc struct {
		Files []struct {
			Path    string
			Records int
			Error   string
		}
		Errors, Unreadable int
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	require.Len(t, doc.Files, 2)
	assert.Equal(t, td+"valid/multi-lf.txt", doc.Files[0].Path)
	assert.Equal(t, 22, doc.Files[0].Records)
	assert.Equal(t, missing, doc.Files[1].Path)
	assert.Equal(t, missing+": no such file or directory", doc.Files[1].Error)
	assert.Equal(t, 1, doc.Unreadable)
}

// TestValidateHostileFileName (issue 16.12): a file name holding a line
// end and a workflow command cannot inject one, in any format, on stdout
// or stderr.
func TestValidateHostileFileName(t *testing.T) {
	dir := t.TempDir()
	name := "x\n::stop-commands::k\n\x1b[2J.txt"
	copyTo(t, dir, map[string]string{name: "invalid/balance.txt", "ok.txt": "valid/multi-lf.txt"})
	require.NoError(t, os.Symlink("gone", filepath.Join(dir, "y\n::error::z")))
	for _, format := range []string{"text", "github", "json", "sarif", "junit", "gitlab"} {
		t.Run(format, func(t *testing.T) {
			r := cliRun(t, "", "validate", "--format", format, dir)
			assert.Equal(t, exitUsage, r.code)
			for _, out := range []string{r.stdout, r.stderr} {
				for _, line := range strings.Split(out, "\n") {
					assert.False(t, strings.HasPrefix(line, "::stop-commands") || strings.HasPrefix(line, "::error::z"), "injected: %q", line)
					assert.NotContains(t, line, "\x1b", "raw escape: %q", line)
				}
			}
			switch format {
			case "json", "sarif", "gitlab":
				assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)
			case "junit":
				assert.NoError(t, xml.Unmarshal([]byte(r.stdout), new(struct{})), r.stdout)
			}
		})
	}
}

// TestValidateOutputFile: -o writes the report to a file.
func TestValidateOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.sarif")
	r := cliRun(t, "", "validate", "-f", "sarif", "-o", out, td+"invalid/balance.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"ruleId": "balance"`)
}

// TestValidateSniffNamed: with --sniff (pre-commit names every changed
// file), named files that are not bank statements are passed over too.
func TestValidateSniffNamed(t *testing.T) {
	r := cliRun(t, "", "validate", "--sniff", td+"samples/README.md", td+"valid/multi-lf.txt")
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.True(t, strings.HasSuffix(r.stdout, "1 file: 0 errors, 0 warnings; skipped 1 file that is not a bank statement\n"), r.stdout)
	r = cliRun(t, "", "fmt", "--check", "--sniff", td+"samples/README.md")
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
}

// TestValidateInterruptedOneLine: an interrupted cfonb validate DIR printed
// "cfonb validate: PATH: context canceled" for each file not validated. It
// now says it once, with the count, and exits 2; the JSON report still
// lists each file not validated, as not read (found by a review).
func TestValidateInterruptedOneLine(t *testing.T) {
	src, err := os.ReadFile(fmtTD + "canonical.txt")
	require.NoError(t, err)
	dir := t.TempDir()
	for i := range 20 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(100+i)+".txt"), src, 0o644))
	}
	for _, format := range []string{"text", "json"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		code := run(ctx, e, []string{"validate", "-f", format, dir})
		assert.Equal(t, exitUsage, code, format)
		assert.Equal(t, "cfonb validate: interrupted: 20 files not validated; 0 validated before\n", errb.String(), format)
		if format == "json" {
			assert.Equal(t, 20, strings.Count(out.String(), "context canceled"), out.String())
		}
	}
}

// TestInspectInterruptedSaysSo: an interrupted cfonb inspect exited 2
// without a word. It now says how many files it did not inspect (found
// while checking the commands for review's "context canceled" flood).
func TestInspectInterruptedSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(ctx, e, []string{"inspect", fmtTD + "canonical.txt", fmtTD + "latin1-lf.txt"})
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb inspect: interrupted: 2 of 2 files not inspected\n", errb.String())
	assert.Empty(t, out.String())
}
