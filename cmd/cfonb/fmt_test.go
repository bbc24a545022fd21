package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/spool"
)

// The test files are written by cfonb/fmtdata_test.go: NAME.txt is a legacy
// export, NAME.golden the exact canonical bytes expected.
const fmtTD = "../../testdata/fmt/"

// fmtArgs are the flags some test files need.
var fmtArgs = map[string][]string{
	"latin1-forced":          {"--encoding", "latin1"},
	"ebcdic1047-continuous":  {"--encoding", "ebcdic-1047"},
	"eol-lf":                 {"--eol", "lf"},
	"eol-none":               {"--eol", "none"},
	"refused-eol-none-short": {"--eol", "none"},
}

// fmtCodes are the exit statuses that are not 0.
var fmtCodes = map[string]int{"left-as-is": exitInvalid}

type fmtRunResult struct {
	stdout, stderr string
	code           int
}

// fmtRun runs cfonb in-process.
func fmtRun(t *testing.T, stdin string, args ...string) fmtRunResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return fmtRunResult{out.String(), errb.String(), code}
}

// fmtNames lists the test files: those with a golden, and the refused ones.
func fmtNames(t *testing.T) (golden, refused []string) {
	t.Helper()
	ents, err := os.ReadDir(fmtTD)
	require.NoError(t, err)
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".golden")
		if ok {
			golden = append(golden, name)
		}
		if strings.HasPrefix(e.Name(), "refused-") {
			refused = append(refused, strings.TrimSuffix(e.Name(), ".txt"))
		}
	}
	require.NotEmpty(t, golden)
	require.NotEmpty(t, refused)
	return golden, refused
}

// TestFmtGolden formats every test file to standard output and compares
// with its golden byte for byte, then formats the output again: nothing
// may change.
func TestFmtGolden(t *testing.T) {
	golden, _ := fmtNames(t)
	for _, name := range golden {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(fmtTD + name + ".golden")
			require.NoError(t, err)
			args := append(append([]string{"fmt"}, fmtArgs[name]...), fmtTD+name+".txt")
			r := fmtRun(t, "", args...)
			assert.Equal(t, fmtCodes[name], r.code, r.stderr)
			assert.Equal(t, string(want), r.stdout)

			eol := append([]string{"fmt"}, fmtArgs[name]...)
			if !strings.HasPrefix(name, "eol-") {
				eol = []string{"fmt"}
			}
			again := fmtRun(t, r.stdout, eol...)
			assert.Equal(t, fmtCodes[name], again.code, again.stderr)
			assert.Equal(t, r.stdout, again.stdout, "not idempotent")
			if fmtCodes[name] == exitOK {
				assert.Contains(t, again.stderr, "cfonb fmt: 1 file: 0 reformatted, 1 already canonical, 0 failed\n")
			} else {
				// Errors fmt cannot repair: not canonical, not changed.
				assert.Contains(t, again.stderr, "cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 0 failed; 1 file with errors fmt cannot repair\n")
			}
		})
	}
}

// TestFmtRefused: a file whose figures would change is refused, exit 1,
// and nothing is written.
func TestFmtRefused(t *testing.T) {
	_, refused := fmtNames(t)
	for _, name := range refused {
		t.Run(name, func(t *testing.T) {
			args := append(append([]string{"fmt"}, fmtArgs[name]...), fmtTD+name+".txt")
			r := fmtRun(t, "", args...)
			assert.Equal(t, exitInvalid, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, "error: refused, nothing written: ")
			assert.Contains(t, r.stderr, "[fmt-refused]")
			assert.Contains(t, r.stderr, "0 reformatted, 0 already canonical, 1 failed")
		})
	}
}

func TestFmtMessages(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"transliterated", []string{"latin1-lf.txt"}, exitOK,
			"latin1-lf.txt: encoding cp1252 (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 5 line ends changed to CRLF\n" +
				"cfonb fmt: 1 file: 1 reformatted, 0 already canonical, 0 failed\n"},
		{"EBCDIC", []string{"ebcdic037-nel.txt"}, exitOK,
			"ebcdic037-nel.txt: encoding ebcdic-037 (detected: EBCDIC digits and spaces make 82% of the first bytes); 12 characters transliterated, 5 line ends changed to CRLF\n" +
				"cfonb fmt: 1 file: 1 reformatted, 0 already canonical, 0 failed\n"},
		{"repairs", []string{"blank-lines-sub.txt"}, exitOK,
			"blank-lines-sub.txt: encoding utf-8 (detected: valid UTF-8 (only ASCII in the first bytes)); 1 end-of-file byte (0x1A) removed, 2 blank lines removed, 1 line's spaces after column 120 removed\n" +
				"cfonb fmt: 1 file: 1 reformatted, 0 already canonical, 0 failed\n"},
		{"refused", []string{"refused-amount.txt"}, exitInvalid,
			"refused-amount.txt:2:97: error: refused, nothing written: the amount (columns 91-104) holds 'É' (U+00C9), which would become 'E': a figure cannot be transliterated safely; fix the file or give the right --encoding [fmt-refused]\n" +
				"cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 1 failed\n" +
				"  failed: refused-amount.txt: the amount (columns 91-104) holds 'É' (U+00C9), which would become 'E': a figure cannot be transliterated safely; fix the file or give the right --encoding\n"},
		{"not repaired", []string{"left-as-is.txt"}, exitInvalid,
			"left-as-is.txt:2:98: note: not repaired (input line 2): line is 97 characters; the amount (columns 91-104) is incomplete: left as it is, not padded\n" +
				"left-as-is.txt:5:121: note: not repaired (input line 5): line is 125 characters, with text after column 120: left as it is\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(fmtTD)
			r := fmtRun(t, "", append([]string{"fmt"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code)
			if tt.name == "not repaired" {
				// Then the validator's diagnostics, whose wording is
				// validate's.
				assert.True(t, strings.HasPrefix(r.stderr, tt.stderr), r.stderr)
				assert.Contains(t, r.stderr, "left-as-is.txt:2:98: error: ")
				assert.Contains(t, r.stderr, "cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 0 failed; 1 file with errors fmt cannot repair\n")
				return
			}
			assert.Equal(t, tt.stderr, r.stderr)
		})
	}
}

// copyFmtFiles copies test files to a temporary folder, with the given
// modes, and returns it.
func copyFmtFiles(t *testing.T, names map[string]os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	for name, mode := range names {
		b, err := os.ReadFile(fmtTD + name)
		require.NoError(t, err)
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, mode))
		require.NoError(t, os.Chmod(p, mode))
	}
	return dir
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestFmtWrite rewrites a folder in place: changed files get their golden
// bytes and keep their mode, canonical files are not touched, refused files
// keep their bytes, and no temporary file is left.
func TestFmtWrite(t *testing.T) {
	files := map[string]os.FileMode{
		"latin1-lf.txt": 0o640, "utf8-bom-crlf.txt": 0o600, "canonical.txt": 0o644,
		"refused-amount.txt": 0o644, "ebcdic037-nel.txt": 0o604,
	}
	dir := copyFmtFiles(t, files)
	canon := filepath.Join(dir, "canonical.txt")
	old := time.Unix(1_000_000_000, 0)
	require.NoError(t, os.Chtimes(canon, old, old))

	r := fmtRun(t, "", "fmt", "-w", "--jobs", "3", dir)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "cfonb fmt: 5 files: 3 reformatted, 1 already canonical, 1 failed\n")

	for name, mode := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		want, err := os.ReadFile(fmtTD + strings.Replace(name, ".txt", ".golden", 1))
		if strings.HasPrefix(name, "refused-") {
			want, err = os.ReadFile(fmtTD + name)
		}
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, mode, fi.Mode().Perm(), name)
	}
	fi, err := os.Stat(canon)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(old), "an unchanged file is not rewritten")
	assert.Equal(t, []string{"canonical.txt", "ebcdic037-nel.txt", "latin1-lf.txt", "refused-amount.txt", "utf8-bom-crlf.txt"}, dirNames(t, dir))

	// A second run changes nothing.
	r = fmtRun(t, "", "fmt", "-w", filepath.Join(dir, "latin1-lf.txt"), canon)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "cfonb fmt: 2 files: 0 reformatted, 2 already canonical, 0 failed\n", r.stderr)
}

// fmtFailingWriter fails after n bytes.
type fmtFailingWriter struct {
	w io.Writer
	n int
}

func (f *fmtFailingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		f.n = 0
		return n, errors.New("disk full")
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// TestFmtWriteFailureMidBatch: a write that fails half-way through one file
// leaves that file as it was (and no temporary file), and every other file
// of the batch is rewritten.
func TestFmtWriteFailureMidBatch(t *testing.T) {
	files := map[string]os.FileMode{"latin1-lf.txt": 0o644, "utf8-lf.txt": 0o644, "cp1252-crlf.txt": 0o644}
	dir := copyFmtFiles(t, files)
	victim := filepath.Join(dir, "utf8-lf.txt")
	before, err := os.ReadFile(victim)
	require.NoError(t, err)

	var stderr, stdout bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, stdin: strings.NewReader("")}
	cfg := &fmtConfig{mode: fmtWrite, eol: cfonb.EOLCRLF, replace: func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error) {
		return src.Replace(func(w io.Writer) error {
			if src.Target() == victim {
				w = &fmtFailingWriter{w: w, n: 300}
			}
			return write(w)
		})
	}}
	paths, err := expandPaths([]string{dir})
	require.NoError(t, err)
	code := fmtFiles(context.Background(), e, cfg, paths, 2)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), "utf8-lf.txt: cfonb: writing: disk full")
	assert.Contains(t, stderr.String(), "cfonb fmt: 3 files: 2 reformatted, 0 already canonical, 1 failed\n")

	after, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the failed file is left as it was")
	for _, name := range []string{"latin1-lf.txt", "cp1252-crlf.txt"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		want, err := os.ReadFile(fmtTD + strings.Replace(name, ".txt", ".golden", 1))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	assert.Equal(t, []string{"cp1252-crlf.txt", "latin1-lf.txt", "utf8-lf.txt"}, dirNames(t, dir), "no temporary file left")
}

func TestFmtList(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{
		"canonical.txt": 0o644, "latin1-lf.txt": 0o644, "stripped-lf.txt": 0o644, "refused-utf16.txt": 0o644, "left-as-is.txt": 0o644,
	})
	r := fmtRun(t, "", "fmt", "-l", dir)
	assert.Equal(t, exitInvalid, r.code)
	assert.Equal(t, filepath.Join(dir, "latin1-lf.txt")+"\n"+filepath.Join(dir, "stripped-lf.txt")+"\n", r.stdout)
	// refused-utf16.txt does not look like a bank statement: walking the
	// directory passes over it, and says so.
	assert.Contains(t, r.stderr, "cfonb fmt: skipped 1 file that is not a bank statement (name a file to check it anyway)\n")
	assert.Contains(t, r.stderr, "cfonb fmt: 4 files: 2 to reformat, 1 already canonical, 0 failed; 1 file with errors fmt cannot repair\n")
	r = fmtRun(t, "", "fmt", "-l", filepath.Join(dir, "refused-utf16.txt"))
	assert.Equal(t, exitInvalid, r.code, "a file named is always checked")
	// Nothing was written.
	got, err := os.ReadFile(filepath.Join(dir, "latin1-lf.txt"))
	require.NoError(t, err)
	want, err := os.ReadFile(fmtTD + "latin1-lf.txt")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestFmtDiff(t *testing.T) {
	canon := func(n int) string {
		b, err := os.ReadFile(fmtTD + "canonical.golden")
		require.NoError(t, err)
		return strings.Split(string(b), "\r\n")[n]
	}
	legacy := func(n int) string {
		b, err := os.ReadFile(fmtTD + "utf8-lf.txt")
		require.NoError(t, err)
		return strings.Split(string(b), "\n")[n]
	}
	in := canon(0) + "\r\n\r\n" + legacy(1) + "\r\n" + canon(2) + "\r\n" + canon(3) + "\r\n" + canon(4) + "\n"
	r := fmtRun(t, in, "fmt", "-d", "-")
	assert.Equal(t, exitOK, r.code, r.stderr)
	want := "diff <stdin> (utf-8) <stdin> (formatted)\n" +
		"line ends changed to CRLF on 1 line not shown below\n" +
		"--- <stdin>\n+++ <stdin>\n" +
		"@@ -1,6 +1,5 @@\n" +
		" " + canon(0) + "\n" +
		"-\n" +
		"-" + legacy(1) + "\n" +
		"+" + canon(1) + "\n" +
		" " + canon(2) + "\n" +
		" " + canon(3) + "\n" +
		" " + canon(4) + "\n"
	assert.Equal(t, want, r.stdout)

	// A canonical file has no diff.
	r = fmtRun(t, "", "fmt", "-d", fmtTD+"canonical.txt")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)

	// EBCDIC whose only change is the encoding: no hunk.
	r = fmtRun(t, "", "fmt", "-d", fmtTD+"ebcdic037-roundtrip.txt")
	assert.Equal(t, exitOK, r.code, r.stderr)
	name := fmtTD + "ebcdic037-roundtrip.txt"
	assert.Equal(t, "diff "+name+" (ebcdic-037) "+name+" (formatted)\n"+
		"encoding ebcdic-037 converted to ASCII (the lines below are shown decoded)\n"+
		"--- "+name+"\n+++ "+name+"\n", r.stdout)
}

// TestFmtCancel: an interrupted run writes nothing and exits 2.
func TestFmtCancel(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644, "utf8-lf.txt": 0o644})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := run(ctx, e, []string{"fmt", "-w", dir})
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb fmt: interrupted: 2 of 2 files not done, left as they were; done: 0 reformatted, 0 already canonical, 0 failed\n", errb.String())
	for _, name := range []string{"latin1-lf.txt", "utf8-lf.txt"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		want, err := os.ReadFile(fmtTD + name)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
}

// TestFmtInterruptedOneLine: a Ctrl-C during fmt -w of many files printed
// "context canceled" twice for each file not done (its line and its
// "failed:" line of the summary: about 650 lines for 400 files). The files
// stopped by the interrupt are now counted in one summary line; those
// already rewritten stay rewritten, the others are left as they were, and
// the run exits 2 (found by a review).
func TestFmtInterruptedOneLine(t *testing.T) {
	src, err := os.ReadFile(fmtTD + "latin1-lf.txt")
	require.NoError(t, err)
	want, err := os.ReadFile(fmtTD + "latin1-lf.golden")
	require.NoError(t, err)
	dir := t.TempDir()
	var paths []string
	for i := range 20 {
		p := filepath.Join(dir, "f"+strconv.Itoa(100+i)+".txt")
		require.NoError(t, os.WriteFile(p, src, 0o644))
		paths = append(paths, p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	replaced := 0
	var stderr, stdout bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, stdin: strings.NewReader("")}
	cfg := &fmtConfig{mode: fmtWrite, eol: cfonb.EOLCRLF, replace: func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error) {
		m, err := src.Replace(write)
		if replaced++; replaced == 3 {
			cancel() // Ctrl-C after the third file was rewritten
		}
		return m, err
	}}
	code := fmtFiles(ctx, e, cfg, paths, 1)
	assert.Equal(t, exitUsage, code)
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	require.Len(t, lines, 4, stderr.String())
	for i, l := range lines[:3] {
		assert.True(t, strings.HasPrefix(l, paths[i]+": "), l)
	}
	assert.Equal(t, "cfonb fmt: interrupted: 17 of 20 files not done, left as they were; done: 3 reformatted, 0 already canonical, 0 failed", lines[3])
	assert.NotContains(t, stderr.String(), "context canceled")
	for i, p := range paths {
		got, err := os.ReadFile(p)
		require.NoError(t, err)
		if i < 3 {
			assert.Equal(t, string(want), string(got), "rewritten: %s", p)
		} else {
			assert.Equal(t, string(src), string(got), "left as it was: %s", p)
		}
	}
}

// TestFmtDiffer checks hunks: context, merging and splitting.
func TestFmtDiffer(t *testing.T) {
	b, err := os.ReadFile(fmtTD + "canonical.golden")
	require.NoError(t, err)
	canon := strings.Split(string(b), "\r\n")
	// lines returns a valid statement of n+4 lines (01, 04, n 05, 04, 07)
	// whose given lines have their trailing spaces stripped.
	lines := func(n int, changed ...int) string {
		all := []string{canon[0], canon[1]}
		for i := range n {
			tag := strings.Repeat("x", i%50+1)
			all = append(all, canon[2][:48]+tag+canon[2][48+len(tag):])
		}
		all = append(all, canon[3], canon[4])
		for _, c := range changed {
			all[c-1] = strings.TrimRight(all[c-1], " ")
		}
		return strings.Join(all, "\r\n") + "\r\n"
	}
	hunkHeaders := func(out string) []string {
		var h []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "@@") {
				h = append(h, l)
			}
		}
		return h
	}
	tests := []struct {
		name    string
		in      string
		headers []string
	}{
		{"one change", lines(20, 12), []string{"@@ -9,7 +9,7 @@"}},
		{"first line", lines(20, 1), []string{"@@ -1,4 +1,4 @@"}},
		{"last line", lines(20, 24), []string{"@@ -21,4 +21,4 @@"}},
		{"changes 5 lines apart merge", lines(30, 10, 16), []string{"@@ -7,13 +7,13 @@"}},
		{"changes 6 lines apart merge", lines(30, 10, 17), []string{"@@ -7,14 +7,14 @@"}},
		{"changes 7 lines apart split", lines(30, 10, 18), []string{"@@ -7,7 +7,7 @@", "@@ -15,7 +15,7 @@"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fmtRun(t, tt.in, "fmt", "-d")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, tt.headers, hunkHeaders(r.stdout))
		})
	}
}

func TestFmtStdin(t *testing.T) {
	in, err := os.ReadFile(fmtTD + "latin1-lf.txt")
	require.NoError(t, err)
	want, err := os.ReadFile(fmtTD + "latin1-lf.golden")
	require.NoError(t, err)
	r := fmtRun(t, string(in), "fmt")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, string(want), r.stdout)
	assert.Contains(t, r.stderr, "<stdin>: encoding cp1252")
}

// TestFmtDirectStdout: when standard output is a regular file, fmt writes
// into it as it goes, and truncates it back if the file is refused.
func TestFmtDirectStdout(t *testing.T) {
	out, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	require.NoError(t, err)
	defer func() { _ = out.Close() }()
	_, err = out.WriteString("HEADER\n")
	require.NoError(t, err)
	var stderr bytes.Buffer
	e := &env{stdout: out, stderr: &stderr, stdin: strings.NewReader("")}
	code := run(context.Background(), e, []string{"fmt", fmtTD + "refused-account.txt"})
	assert.Equal(t, exitInvalid, code)
	code = run(context.Background(), e, []string{"fmt", fmtTD + "latin1-lf.txt"})
	assert.Equal(t, exitOK, code, stderr.String())
	got, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	want, err := os.ReadFile(fmtTD + "latin1-lf.golden")
	require.NoError(t, err)
	assert.Equal(t, "HEADER\n"+string(want), string(got))
	assert.Equal(t, out, spool.Direct(out))
	assert.Nil(t, spool.Direct(&bytes.Buffer{}))
}

// TestFmtHelp: help goes to standard output.
func TestFmtHelp(t *testing.T) {
	r := fmtRun(t, "", "fmt", "--help")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "Usage: cfonb fmt"), r.stdout)
	assert.Contains(t, r.stdout, "only text and reserved\nzones may differ, by transliteration.")
}

func TestFmtUsage(t *testing.T) {
	f := fmtTD + "canonical.txt"
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"-w -d", []string{"-w", "-d", f}, exitUsage, "-w and -d exclude each other"},
		{"-l -d", []string{"-l", "-d", f}, exitUsage, "-l and -d exclude each other"},
		{"--check -w", []string{"--check", "-w", f}, exitUsage, "--check never writes: give --check or -w, not both"},
		{"bad encoding", []string{"--encoding", "klingon", f}, exitUsage, `unknown encoding "klingon"`},
		{"bad eol", []string{"--eol", "cr", f}, exitUsage, `--eol must be crlf, lf or none, not "cr"`},
		{"jobs", []string{"--jobs", "-1", f}, exitUsage, "--jobs must be at least 1, or 0 for one per CPU"},
		{"two files to stdout", []string{f, fmtTD + "latin1-lf.txt"}, exitUsage, "formats one file to standard output (got 2)"},
		{"-w on stdin", []string{"-w", "-"}, exitUsage, "-w cannot rewrite standard input"},
		{"-w without a path", []string{"-w"}, exitUsage, "no PATH given"},
		{"missing file", []string{fmtTD + "nope.txt"}, exitUsage, "nope.txt: no such file or directory"},
		{"unknown flag", []string{"--nope", f}, exitUsage, "unknown flag: --nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fmtRun(t, "", append([]string{"fmt"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code)
			assert.Contains(t, r.stderr, tt.msg)
			assert.Empty(t, r.stdout)
		})
	}
}

// TestFmtProgress: with a terminal and many files, a progress bar is drawn
// on standard error and the messages and summary still come out whole.
func TestFmtProgress(t *testing.T) {
	files := map[string]os.FileMode{}
	golden, _ := fmtNames(t)
	for _, n := range golden[:6] {
		files[n+".txt"] = 0o644
	}
	dir := copyFmtFiles(t, files)
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, stderrIsTerminal: true}
	code := run(context.Background(), e, []string{"fmt", "-l", dir})
	assert.Contains(t, []int{exitOK, exitInvalid}, code)
	assert.Contains(t, errb.String(), "formatting")
	assert.Contains(t, errb.String(), "cfonb fmt: 6 files: ")
}

// TestFmtLargeToPipe: a file larger than what is spooled in memory goes to
// a pipe (here a buffer) in two passes, and gives the same bytes as a small
// one.
func TestFmtLargeToPipe(t *testing.T) {
	in, err := os.ReadFile(fmtTD + "latin1-lf.txt")
	require.NoError(t, err)
	want, err := os.ReadFile(fmtTD + "latin1-lf.golden")
	require.NoError(t, err)
	n := spool.Memory/len(in) + 10
	path := filepath.Join(t.TempDir(), "big.txt")
	require.NoError(t, os.WriteFile(path, bytes.Repeat(in, n), 0o644))

	r := fmtRun(t, "", "fmt", path)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, r.stdout == strings.Repeat(string(want), n), "output differs")
	assert.Contains(t, r.stderr, "cfonb fmt: 1 file: 1 reformatted")

	// The same through standard input (spooled).
	r = fmtRun(t, string(bytes.Repeat(in, n)), "fmt", "-")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, r.stdout == strings.Repeat(string(want), n), "output differs")
}

// TestFmtCheck (issue 12): --check lists the files that would change and
// exits 1 if there is any, writing nothing; with -d it shows their diff;
// on canonical files it exits 0. -d and -l alone exit 0, as gofmt's do.
func TestFmtCheck(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"canonical.txt": 0o644, "latin1-lf.txt": 0o644})
	before, err := os.ReadFile(filepath.Join(dir, "latin1-lf.txt"))
	require.NoError(t, err)

	r := fmtRun(t, "", "fmt", "--check", dir)
	assert.Equal(t, exitInvalid, r.code)
	assert.Equal(t, filepath.Join(dir, "latin1-lf.txt")+"\n", r.stdout)
	assert.Contains(t, r.stderr, "cfonb fmt: 2 files: 1 to reformat, 1 already canonical, 0 failed\n")

	r = fmtRun(t, "", "fmt", "--check", "-d", dir)
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stdout, "+++ ")

	r = fmtRun(t, "", "fmt", "-d", dir)
	assert.Equal(t, exitOK, r.code, "-d alone: changes are not failures")
	r = fmtRun(t, "", "fmt", "-l", dir)
	assert.Equal(t, exitOK, r.code, "-l alone: changes are not failures")

	after, err := os.ReadFile(filepath.Join(dir, "latin1-lf.txt"))
	require.NoError(t, err)
	assert.Equal(t, before, after, "--check writes nothing")

	r = fmtRun(t, "", "fmt", "--check", filepath.Join(dir, "canonical.txt"))
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)
}

// TestFmtListWrite (issue 12): -l -w together rewrite the files and list
// those rewritten, as gofmt -l -w does.
func TestFmtListWrite(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"canonical.txt": 0o644, "latin1-lf.txt": 0o644})
	r := fmtRun(t, "", "fmt", "-l", "-w", dir)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, filepath.Join(dir, "latin1-lf.txt")+"\n", r.stdout)
	r = fmtRun(t, "", "fmt", "--check", dir)
	assert.Equal(t, exitOK, r.code, "now canonical")
	assert.Empty(t, r.stdout)
}

// TestFmtHostileFileName (issue 16.12): fmt prints a hostile file name
// escaped, on standard output (-l) and standard error.
func TestFmtHostileFileName(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(fmtTD + "latin1-lf.txt")
	require.NoError(t, err)
	name := "x\n::stop-commands::k\n\x1b[2J.txt"
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	r := fmtRun(t, "", "fmt", "--check", dir)
	assert.Equal(t, exitInvalid, r.code)
	assert.Equal(t, `"`+dir+`/x\n::stop-commands::k\n\x1b[2J.txt"`+"\n", r.stdout)
	for _, out := range []string{r.stdout, r.stderr} {
		for _, line := range strings.Split(out, "\n") {
			assert.False(t, strings.HasPrefix(line, "::"), "injected: %q", line)
			assert.NotContains(t, line, "\x1b")
		}
	}
}

// TestFmtQuiet: -q prints nothing when nothing failed, and the summary
// when something did.
func TestFmtQuiet(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"canonical.txt": 0o644, "latin1-lf.txt": 0o644})
	r := fmtRun(t, "", "fmt", "-q", "-w", dir)
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)
	r = fmtRun(t, "", "fmt", "-q", "--check", fmtTD+"latin1-lf.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, "cfonb fmt: 1 file: 1 to reformat, 0 already canonical, 0 failed\n")
}

// TestFmtEmptyFileSummary: an empty file (which validate refuses: "file
// holds no record") was counted as "1 already canonical" and as "1 file
// with errors after repair" at once. A file with errors is now counted
// once, with errors, and never as canonical (found by a review).
func TestFmtEmptyFileSummary(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "empty.txt")
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	for _, tt := range []struct {
		args    []string
		summary string
	}{
		{[]string{"fmt", "-w", p}, "cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 0 failed; 1 file with errors fmt cannot repair\n"},
		{[]string{"fmt", "-l", p}, "cfonb fmt: 1 file: 0 to reformat, 0 already canonical, 0 failed; 1 file with errors fmt cannot repair\n"},
		{[]string{"fmt", "--check", p}, "cfonb fmt: 1 file: 0 to reformat, 0 already canonical, 0 failed; 1 file with errors fmt cannot repair\n"},
	} {
		r := fmtRun(t, "", tt.args...)
		assert.Equal(t, exitInvalid, r.code, tt.args)
		assert.Equal(t, p+":1:1: error: file holds no record [empty]\n"+tt.summary, r.stderr, tt.args)
		assert.Empty(t, r.stdout, tt.args)
	}
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Empty(t, got)
	// A canonical file beside it is still counted as canonical.
	r := fmtRun(t, "", "fmt", "-l", p, fmtTD+"canonical.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, "cfonb fmt: 2 files: 0 to reformat, 1 already canonical, 0 failed; 1 file with errors fmt cannot repair\n")
}
