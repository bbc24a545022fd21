package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/validate"
)

// The export package's test files and goldens.
const exportTD = "../../export/testdata/"

// exportResult is what an in-process cfonb export printed and returned.
type exportResult struct {
	stdout, stderr string
	code           int
}

// runExportWith runs cfonb export in-process with the given validation.
func runExportWith(t *testing.T, ctx context.Context, check validateFunc, stdin string, args ...string) exportResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := exportCommand(ctx, e, args, check)
	return exportResult{out.String(), errb.String(), code}
}

// noErrors is a validation that finds nothing.
func noErrors(name string, r io.Reader, _ validate.Options) (*validate.Report, error) {
	if _, err := io.Copy(io.Discard, r); err != nil { // reads all, as a validator does
		return nil, err
	}
	return &validate.Report{Path: name}, nil
}

// twoErrors is a validation that finds two errors and a warning.
func twoErrors(name string, _ io.Reader, _ validate.Options) (*validate.Report, error) {
	return &validate.Report{Path: name, Errors: 2, Warnings: 1, Diagnostics: []validate.Diagnostic{
		{File: name, Line: 3, Column: 91, Severity: validate.SeverityError, Rule: "amount", Message: "amount is blank"},
		{File: name, Line: 4, Column: 1, Severity: validate.SeverityWarning, Rule: "blank-line", Message: "blank line"},
		{File: name, Line: 9, Column: 35, Severity: validate.SeverityError, Rule: "date", Message: "31 February 2026 does not exist"},
	}}, nil
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(exportTD + "golden/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestExportStdout(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"default jsonl", []string{"sepa.txt"}, "sepa.jsonl"},
		{"json", []string{"--format", "json", "sepa.txt"}, "sepa.json"},
		{"csv", []string{"--format=csv", "sepa.txt"}, "sepa.csv"},
		{"french csv", []string{"-f", "csv", "--csv-sep", ";", "--decimal-comma", "--bom", "sepa.txt"}, "sepa.fr.csv"},
		{"damaged, forced", []string{"--force", "damaged.txt"}, "damaged.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := golden(t, tt.golden)
			// Run from the test data folder so that "file" matches the goldens.
			t.Chdir(exportTD)
			r := runExportWith(t, context.Background(), noErrors, "", tt.args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, want, r.stdout)
			assert.Empty(t, r.stderr)
		})
	}
}

func TestExportOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "statements.json")
	require.NoError(t, os.WriteFile(out, []byte("old content"), 0o600))
	t.Chdir(exportTD)
	r := runExportWith(t, context.Background(), noErrors, "", "--format", "json", "--output", out, "complex-test.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "cfonb export: "+out+": 5 movements of 8 statements from 1 file\n", r.stderr)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile("golden/complex-test.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	// -q: the same file, without the summary line.
	r = runExportWith(t, context.Background(), noErrors, "", "-q", "--format", "json", "--output", out, "complex-test.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)
	got, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	fi, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the replaced file's mode is kept")
}

func TestExportStdin(t *testing.T) {
	data, err := os.ReadFile(exportTD + "latin1.txt")
	require.NoError(t, err)
	var seen []string
	check := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		seen = append(seen, name)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, data, b, "the validator reads all of standard input, as the exporter does")
		return noErrors(name, r, opts)
	}
	r := runExportWith(t, context.Background(), check, string(data), "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []string{"<stdin>"}, seen)
	want := strings.ReplaceAll(golden(t, "latin1.jsonl"), `"file":"latin1.txt"`, `"file":"<stdin>"`)
	assert.Equal(t, want, r.stdout)
}

func TestExportRefusesInvalid(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.csv")
	r := runExportWith(t, context.Background(), twoErrors, "", "--format", "csv", "-o", out, exportTD+"sepa.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	p := exportTD + "sepa.txt"
	assert.Equal(t, p+":3:91: error: amount is blank [amount]\n"+
		p+":9:35: error: 31 February 2026 does not exist [date]\n"+
		"cfonb export: "+p+": 2 validation errors\n"+
		"cfonb export: nothing exported: fix the errors, or use --force to export anyway\n", r.stderr)
	assert.NoFileExists(t, out)

	// To standard output: nothing written either.
	r = runExportWith(t, context.Background(), twoErrors, "", exportTD+"sepa.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "nothing exported")
}

func TestExportForce(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := runExportWith(t, context.Background(), twoErrors, "", "--force", "-o", out, exportTD+"sepa.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	p := exportTD + "sepa.txt"
	assert.Contains(t, r.stderr, p+":3:91: error: amount is blank [amount]\n")
	assert.NotContains(t, r.stderr, "blank line", "warnings are not printed")
	assert.Contains(t, r.stderr, "cfonb export: "+p+": 2 validation errors, exported anyway (--force)\n")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 10, bytes.Count(got, []byte("\n")))
}

func TestExportOmittedDiagnostics(t *testing.T) {
	check := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		rep, _ := twoErrors(name, r, opts)
		rep.Errors = 1500
		return rep, nil
	}
	r := runExportWith(t, context.Background(), check, "", exportTD+"sepa.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, exportTD+"sepa.txt: 1498 more errors not shown (see cfonb validate)\n")
}

// TestExportRealValidation runs the real validator: the damaged file has
// errors, the valid ones none.
func TestExportRealValidation(t *testing.T) {
	damaged, err := os.Open(exportTD + "damaged.txt")
	require.NoError(t, err)
	defer func() { _ = damaged.Close() }()
	rep, err := validateForExport(exportTD+"damaged.txt", damaged, validate.Options{})
	require.NoError(t, err)
	if rep.Errors == 0 {
		t.Skip("the validator reports no error on damaged.txt yet")
	}
	r := runExportWith(t, context.Background(), validateForExport, "", exportTD+"damaged.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, exportTD+"damaged.txt:")
	assert.Contains(t, r.stderr, ": error: ")

	r = runExportWith(t, context.Background(), validateForExport, "", exportTD+"sepa.txt", exportTD+"complex-test.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 15, strings.Count(r.stdout, "\n"))

	r = runExportWith(t, context.Background(), validateForExport, "", "--force", exportTD+"damaged.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, strings.ReplaceAll(golden(t, "damaged.jsonl"), `"file":"damaged.txt"`,
		`"file":"`+exportTD+`damaged.txt"`), r.stdout)
}

func TestExportMultipleFilesJSON(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.txt", "a.txt", ".hidden.txt"} {
		data, err := os.ReadFile(exportTD + "latin1.txt")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	r := runExportWith(t, context.Background(), noErrors, "", "--format", "json", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		Statements []struct {
			File string `json:"file"`
		} `json:"statements"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Len(t, doc.Statements, 2)
	assert.Equal(t, filepath.Join(dir, "a.txt"), doc.Statements[0].File)
	assert.Equal(t, filepath.Join(dir, "b.txt"), doc.Statements[1].File)
}

func TestExportUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no path", nil, "no PATH given"},
		{"bad format", []string{"--format", "xml", "x"}, `--format: unknown format "xml"`},
		{"bom with json", []string{"--format", "json", "--bom", "x"}, "apply to --format csv"},
		{"separator with jsonl", []string{"--csv-sep", ";", "x"}, "apply to --format csv"},
		{"long separator", []string{"--format", "csv", "--csv-sep", ";;", "x"}, `--csv-sep must be one character`},
		{"quote separator", []string{"--format", "csv", "--csv-sep", `"`, "x"}, `--csv-sep must be one character`},
		{"unknown flag", []string{"--nope", "x"}, "unknown flag: --nope"},
		{"missing file", []string{exportTD + "no-such-file.txt"}, "no-such-file.txt: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runExportWith(t, context.Background(), noErrors, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.msg)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestExportHelp(t *testing.T) {
	r := runExportWith(t, context.Background(), noErrors, "", "--help")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	assert.Contains(t, r.stdout, "Usage: cfonb export")
	assert.Contains(t, r.stdout, "Examples:")
	assert.Contains(t, r.stdout, "--decimal-comma")
}

func TestExportSeparators(t *testing.T) {
	t.Chdir(exportTD)
	for sep, want := range map[string]string{"tab": "\t", `\t`: "\t", "|": "|", "§": "§"} {
		r := runExportWith(t, context.Background(), noErrors, "", "--format", "csv", "--csv-sep", sep, "latin1.txt")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.True(t, strings.HasPrefix(r.stdout, "file"+want+"line"+want+"bank"), sep)
	}
	// --decimal-comma alone switches the separator to ';'.
	r := runExportWith(t, context.Background(), noErrors, "", "--format", "csv", "--decimal-comma", "latin1.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, ";-4,50;-450;")
}

func TestExportInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := runExportWith(t, ctx, noErrors, "", "-o", out, exportTD+"sepa.txt")
	assert.Equal(t, exitUsage, r.code)
	assert.NoFileExists(t, out)
	assert.Contains(t, r.stderr, "interrupted")
}

// TestExportNoHalfFile checks that a refused export leaves an existing
// --output as it was and no temporary file behind, whether the export ran
// ahead of the validation or not.
func TestExportNoHalfFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	require.NoError(t, os.WriteFile(out, []byte("previous\n"), 0o644))
	check := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		if strings.HasSuffix(name, "complex-test.txt") {
			return twoErrors(name, r, opts) // the second file is refused
		}
		return noErrors(name, r, opts)
	}
	r := runExportWith(t, context.Background(), check, "", "-o", out, exportTD+"sepa.txt", exportTD+"complex-test.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, "nothing exported")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "previous\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

// TestExportValidationIOError checks that a file the validation cannot read
// stops the export, to a file or not.
func TestExportValidationIOError(t *testing.T) {
	check := func(name string, _ io.Reader, _ validate.Options) (*validate.Report, error) {
		return nil, errors.New(name + ": input/output error")
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	for _, args := range [][]string{{exportTD + "sepa.txt"}, {"-o", out, exportTD + "sepa.txt"}} {
		r := runExportWith(t, context.Background(), check, "", args...)
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, "cfonb export: "+exportTD+"sepa.txt: input/output error\n", r.stderr)
		assert.Empty(t, r.stdout)
	}
	assert.NoFileExists(t, out)
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("broken pipe") }

func TestExportWriteError(t *testing.T) {
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
	code := exportCommand(context.Background(), e, []string{exportTD + "sepa.txt"}, noErrors)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errb.String(), "broken pipe")
}

func TestParseSeparator(t *testing.T) {
	tests := []struct {
		in string
		r  rune
		ok bool
	}{
		{",", ',', true}, {";", ';', true}, {"tab", '\t', true}, {`\t`, '\t', true}, {"é", 'é', true},
		{"", 0, false}, {";;", 0, false}, {`"`, 0, false}, {"\n", 0, false}, {"\r", 0, false}, {"\xff", 0, false},
	}
	for _, tt := range tests {
		r, ok := parseSeparator(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.r, r, "%q", tt.in)
	}
}

func TestExportOutputInMissingFolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "no-such-folder", "out.jsonl")
	r := runExportWith(t, context.Background(), twoErrors, "", "--force", "-o", out, exportTD+"sepa.txt")
	assert.Equal(t, exitUsage, r.code)
	// Said before any work, naming the directory (not the temporary file).
	assert.Equal(t, "cfonb export: cannot write "+out+": the directory "+filepath.Dir(out)+" does not exist (create it first)\n", r.stderr)
	assert.NoFileExists(t, out)
}

// TestExportLatin1WithoutForce: a file whose only errors are Latin-1 text,
// which export decodes, is exported with a warning; a file with a real
// error besides is still refused without --force.
func TestExportLatin1WithoutForce(t *testing.T) {
	for _, p := range []string{"../../testdata/invalid/encoding-latin1.txt", exportTD + "latin1.txt"} {
		rep, err := validate.File(p, validate.Options{})
		require.NoError(t, err)
		require.NotZero(t, rep.Errors, "%s has encoding errors", p)
		require.Equal(t, rep.Errors, rep.Charset, "%s has only encoding errors", p)

		r := runExportWith(t, context.Background(), validateForExport, "", "--format", "csv", p)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "cfonb export: "+p+": warning: "+plural.Count(rep.Errors, "encoding error")+" only (Latin-1/Windows-1252 or UTF-8 text, a byte-order mark or an end-of-file mark), exported with the text decoded; cfonb fmt repairs the file\n", r.stderr)
		assert.NotContains(t, r.stdout, "\uFFFD")
	}
	r := runExportWith(t, context.Background(), validateForExport, "", "--format", "csv", "../../testdata/invalid/encoding-latin1.txt")
	assert.Contains(t, r.stdout, "VIR RECU CAFé")

	// The golden of latin1.txt is what is exported.
	r = runExportWith(t, context.Background(), validateForExport, "", exportTD+"latin1.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, strings.ReplaceAll(golden(t, "latin1.jsonl"), `"file":"latin1.txt"`, `"file":"`+exportTD+`latin1.txt"`), r.stdout)

	// A NUL byte is not text: refused, as every real error.
	for _, p := range []string{"../../testdata/invalid/encoding-nul.txt", exportTD + "damaged.txt"} {
		r = runExportWith(t, context.Background(), validateForExport, "", p)
		assert.Equal(t, exitInvalid, r.code, p)
		assert.Empty(t, r.stdout, p)
		assert.Contains(t, r.stderr, "nothing exported: fix the errors, or use --force", p)
	}
	// Latin-1 text and a real error: refused too.
	dir := t.TempDir()
	data, err := os.ReadFile(exportTD + "latin1.txt")
	require.NoError(t, err)
	mixed := filepath.Join(dir, "mixed.txt")
	require.NoError(t, os.WriteFile(mixed, append(data, data[:30]...), 0o644)) // a short record at the end
	r = runExportWith(t, context.Background(), validateForExport, "", mixed)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
}

func TestExportNewFormats(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args  []string
		magic string
	}{
		{[]string{"--format", "xlsx"}, "PK\x03\x04"},
		{[]string{"--format", "xlsx", "--columns", "fr"}, "PK\x03\x04"},
		{[]string{"--format", "ofx"}, `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`},
	} {
		out := filepath.Join(dir, "out")
		args := append(append([]string{}, tt.args...), "-o", out, exportTD+"sepa.txt")
		r := runExportWith(t, context.Background(), noErrors, "", args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(got), tt.magic), "%v", tt.args)
	}
	// --columns fr with csv: ';', decimal comma and BOM, unless told otherwise.
	r := runExportWith(t, context.Background(), noErrors, "", "--format", "csv", "--columns", "fr", exportTD+"sepa.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, strings.ReplaceAll(golden(t, "sepa.columns-fr.csv"), "sepa.txt", exportTD+"sepa.txt"), r.stdout)
	r = runExportWith(t, context.Background(), noErrors, "", "--format", "csv", "--columns", "fr", "--bom=false", "--decimal-comma=false", exportTD+"sepa.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "Date,Date de valeur,Libellé,Débit,Crédit,Solde,Référence,Compte,IBAN\r\n"), r.stdout[:80])

	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--columns", "fr", "x"}, "--columns applies to --format csv and xlsx"},
		{[]string{"--format", "csv", "--columns", "de", "x"}, `--columns: unknown columns "de"`},
		{[]string{"--format", "ofx", "--bom", "x"}, "apply to --format csv"},
	} {
		r := runExportWith(t, context.Background(), noErrors, "", tt.args...)
		assert.Equal(t, exitUsage, r.code, tt.args)
		assert.Contains(t, r.stderr, tt.msg)
	}
}

// TestExportProgress: on a terminal, a large export shows how many bytes
// it has read, and clears the bar at the end; a small one, or one whose
// standard error is not a terminal, shows none.
func TestExportProgress(t *testing.T) {
	var errb strings.Builder
	e := &env{stderr: &errb}
	assert.Nil(t, byteProgress(e, "exporting", 1<<30, progressMinBytes), "not a terminal")
	e.stderrIsTerminal = true
	assert.Nil(t, byteProgress(e, "exporting", progressMinBytes-1, progressMinBytes), "small")
	bar := byteProgress(e, "exporting", 3<<20, 1)
	require.NotNil(t, bar)
	n, err := io.Copy(io.Discard, &progressReader{r: bytes.NewReader(make([]byte, 3<<20)), bar: bar})
	require.NoError(t, err)
	assert.Equal(t, int64(3<<20), n)
	require.NoError(t, bar.Finish())
	assert.Contains(t, errb.String(), "exporting")
	assert.Contains(t, errb.String(), "/3.1 MB")
	assert.True(t, strings.HasSuffix(errb.String(), "\r"), "cleared: %q", errb.String())

	// The sizes counted: regular files only.
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(f, make([]byte, 1000), 0o600))
	assert.Equal(t, int64(2000), regularSize([]string{f, "-", dir, f, filepath.Join(dir, "missing")}))
}

// TestExportBothCores: on a file of several batches, cfonb export (which
// formats on every usable CPU) writes what the library writes on one
// goroutine, in JSON Lines and CSV; a file refused or interrupted after
// the workers started leaves nothing written and no goroutine behind.
func TestExportBothCores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.txt")
	in := generated(t, gen.Options{Seed: 11, Size: 1 << 20, EOL: cfonb.EOLCRLF})
	require.NoError(t, os.WriteFile(path, in, 0o600))
	for _, f := range []export.Format{export.JSONL, export.CSV} {
		var want bytes.Buffer
		ex, err := export.New(&want, export.Options{Format: f})
		require.NoError(t, err)
		require.NoError(t, ex.Export(path, bytes.NewReader(in)))
		require.NoError(t, ex.Close())
		r := runExportWith(t, context.Background(), validateForExport, "", "--format", f.String(), path)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.True(t, r.stdout == want.String(), "%v: the outputs differ (%d and %d bytes)", f, len(r.stdout), want.Len())
	}

	base := runtime.NumGoroutine()
	// The validation finds errors once it has read the whole file.
	errorsAtEnd := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return nil, err
		}
		return twoErrors(name, nil, opts)
	}
	r := runExportWith(t, context.Background(), errorsAtEnd, "", path)
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	// Interrupted half way.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	half := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		if _, err := io.CopyN(io.Discard, r, int64(len(in)/2)); err != nil {
			return nil, err
		}
		cancel()
		return noErrors(name, r, opts)
	}
	r = runExportWith(t, ctx, half, "", path)
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "interrupted")
	for i := 0; i < 200 && runtime.NumGoroutine() > base; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), base, "goroutines left behind")
}
