//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/validate"
)

// Regression tests for issue 16 ("hostile filesystems"), items 1, 2, 3
// and 14, through the commands.

func fileBytes(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func inodeOf(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestFmtWriteAppendedWhileRunning (16.1): records appended while fmt -w
// ran were lost, with exit 0. The file now keeps them, nothing is written,
// and fmt says so and exits 2.
func TestFmtWriteAppendedWhileRunning(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
	p := filepath.Join(dir, "latin1-lf.txt")
	orig := fileBytes(t, p)
	const appended = "0130006    00001EUR2 12345678901  050326                                                  0000000015000{                \n"
	var stderr bytes.Buffer
	e := &env{stdout: io.Discard, stderr: &stderr, stdin: strings.NewReader("")}
	cfg := &fmtConfig{mode: fmtWrite, eol: cfonb.EOLCRLF, replace: func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error) {
		return src.Replace(func(w io.Writer) error {
			if err := write(w); err != nil {
				return err
			}
			// Another program appends a record once fmt has read the file.
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString(appended)
			require.NoError(t, err)
			return f.Close()
		})
	}}
	code := fmtFiles(context.Background(), e, cfg, []string{p}, 1)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, orig+appended, fileBytes(t, p), "the appended record is kept, nothing written")
	assert.Equal(t, "cfonb fmt: "+p+": 605 bytes were read, it now has 726: the file changed while it was being read: nothing written (run the command again once nothing else writes to it)\n"+
		"cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 1 failed\n"+
		"  failed: "+p+": 605 bytes were read, it now has 726: the file changed while it was being read: nothing written (run the command again once nothing else writes to it)\n",
		stderr.String())
	assert.Equal(t, []string{"latin1-lf.txt"}, dirNames(t, dir), "no temporary file left")
}

// TestFmtWriteInterruptedAfterRename (16.14): fmt -w interrupted once its
// last file was written printed "1 reformatted, 0 failed" and exited 2. It
// did all its work: exit 0.
func TestFmtWriteInterruptedAfterRename(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
	p := filepath.Join(dir, "latin1-lf.txt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	e := &env{stdout: io.Discard, stderr: &stderr, stdin: strings.NewReader("")}
	cfg := &fmtConfig{mode: fmtWrite, eol: cfonb.EOLCRLF, replace: func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error) {
		m, err := src.Replace(write)
		cancel() // the interrupt arrives right after the rename
		return m, err
	}}
	code := fmtFiles(ctx, e, cfg, []string{p}, 1)
	assert.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), "cfonb fmt: 1 file: 1 reformatted, 0 already canonical, 0 failed\n")
	assert.Equal(t, fileBytes(t, fmtTD+"latin1-lf.golden"), fileBytes(t, p))

	// An interrupt before a file is done still fails the run (exit 2):
	// the file is counted as not done, in one line.
	dir = copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
	p = filepath.Join(dir, "latin1-lf.txt")
	done, stop := context.WithCancel(context.Background())
	stop()
	stderr.Reset()
	code = fmtFiles(done, e, &fmtConfig{mode: fmtWrite, eol: cfonb.EOLCRLF, replace: (*atomicfile.Source).Replace}, []string{p}, 1)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb fmt: interrupted: 1 of 1 file not done, left as it was; done: 0 reformatted, 0 already canonical, 0 failed\n", stderr.String())
	assert.Equal(t, fileBytes(t, fmtTD+"latin1-lf.txt"), fileBytes(t, p))
}

// TestFmtWriteKeepsIdentity (16.3): a symbolic link became a regular file
// (its target unformatted), hard links were split, and the owner, group
// and setgid bit were lost.
func TestFmtWriteKeepsIdentity(t *testing.T) {
	golden := fileBytes(t, fmtTD+"latin1-lf.golden")
	t.Run("symlink", func(t *testing.T) {
		dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
		link := filepath.Join(dir, "link.txt")
		require.NoError(t, os.Symlink("latin1-lf.txt", link))
		r := fmtRun(t, "", "fmt", "-w", link)
		assert.Equal(t, exitOK, r.code, r.stderr)
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		assert.Equal(t, os.ModeSymlink, fi.Mode().Type(), "still a link")
		assert.Equal(t, golden, fileBytes(t, filepath.Join(dir, "latin1-lf.txt")), "the target is formatted")
		assert.Equal(t, []string{"latin1-lf.txt", "link.txt"}, dirNames(t, dir))
	})
	t.Run("hard links", func(t *testing.T) {
		dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
		p := filepath.Join(dir, "latin1-lf.txt")
		other := filepath.Join(dir, "other.txt")
		require.NoError(t, os.Link(p, other))
		ino := inodeOf(t, p)
		r := fmtRun(t, "", "fmt", "-w", p)
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, p+": encoding cp1252 (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 5 line ends changed to CRLF (rewritten in place, to keep its hard links or its owner)\n"+
			"cfonb fmt: 1 file: 1 reformatted, 0 already canonical, 0 failed\n", r.stderr)
		assert.Equal(t, golden, fileBytes(t, other), "every link sees the formatted file")
		assert.Equal(t, ino, inodeOf(t, p))
		assert.Equal(t, ino, inodeOf(t, other))
		assert.Equal(t, []string{"latin1-lf.txt", "other.txt"}, dirNames(t, dir))
	})
	t.Run("owner group setgid", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the file to another user; CI runs as root")
		}
		dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o640})
		p := filepath.Join(dir, "latin1-lf.txt")
		require.NoError(t, os.Chown(p, 4321, 8765))
		require.NoError(t, os.Chmod(p, 0o640|os.ModeSetgid))
		r := fmtRun(t, "", "fmt", "-w", p)
		assert.Equal(t, exitOK, r.code, r.stderr)
		fi, err := os.Stat(p)
		require.NoError(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		assert.Equal(t, [2]uint32{4321, 8765}, [2]uint32{st.Uid, st.Gid}, "owner and group kept")
		assert.Equal(t, 0o640|os.ModeSetgid, fi.Mode(), "mode and setgid kept")
		assert.Equal(t, golden, fileBytes(t, p))
	})
}

// TestOutputIsAnInput (16.2): "cfonb export -o s.txt s.txt" replaced the
// statement with its JSON, exit 0. Every command that writes refuses an
// output that is one of its inputs, whatever path names it.
func TestOutputIsAnInput(t *testing.T) {
	stmt := fileBytes(t, "../../testdata/valid/multi-crlf.txt")
	dir := t.TempDir()
	s := filepath.Join(dir, "s.txt")
	require.NoError(t, os.WriteFile(s, []byte(stmt), 0o644))
	hard := filepath.Join(dir, "hard.txt")
	require.NoError(t, os.Link(s, hard))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink("s.txt", link))

	for _, tt := range []struct {
		name string
		args []string
		msg  string
	}{
		{"same path", []string{"export", "-o", s, s}, "cfonb export: output " + s + " is the same file as the input " + s},
		{"hard link", []string{"export", "--format", "csv", "-o", hard, s}, "cfonb export: output " + hard + " is the same file as the input " + s},
		{"symbolic link", []string{"export", "-o", link, s}, "cfonb export: output " + link + " is the same file as the input " + s},
		{"in a folder", []string{"export", "-o", s, dir}, "cfonb export: output " + s + " is the same file as the input " + hard},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := fmtRun(t, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Equal(t, tt.msg+": writing it would destroy what is read; write to another file\n", r.stderr)
			assert.Equal(t, stmt, fileBytes(t, s), "the statement is intact")
		})
	}

	// Standard output redirected to an input (cfonb fmt s.txt >> s.txt
	// would read its own output forever; export or validate would read
	// it back).
	for _, cmd := range [][]string{{"export", s}, {"fmt", s}, {"validate", dir}, {"inspect", s}, {"export", "-"}} {
		t.Run("stdout "+strings.Join(cmd, " "), func(t *testing.T) {
			out, err := os.OpenFile(s, os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			defer func() { _ = out.Close() }()
			in, err := os.Open(s)
			require.NoError(t, err)
			defer func() { _ = in.Close() }()
			var stderr bytes.Buffer
			e := &env{stdin: in, stdout: out, stderr: &stderr, getenv: func(string) string { return "" }}
			code := run(context.Background(), e, cmd)
			assert.Equal(t, exitUsage, code, stderr.String())
			assert.Contains(t, stderr.String(), "standard output is the same file as the input ")
			assert.Equal(t, stmt, fileBytes(t, s), "the statement is intact")
		})
	}

	// Another output is fine.
	r := fmtRun(t, "", "export", "-o", filepath.Join(dir, "out.jsonl"), s)
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// TestFmtDevice (16.14): fmt /dev/zero exited 1 ("not a CFONB120 file")
// where validate refuses a device with 2.
func TestFmtDevice(t *testing.T) {
	r := fmtRun(t, "", "fmt", "/dev/zero")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb fmt: /dev/zero: is a device, not a file\n"+
		"cfonb fmt: 1 file: 0 reformatted, 0 already canonical, 1 failed\n"+
		"  failed: /dev/zero: is a device, not a file\n", r.stderr)
	v := fmtRun(t, "", "validate", "/dev/zero")
	assert.Equal(t, exitUsage, v.code)
}

// TestLongFileName (16.14): a file name of 240 bytes failed on the
// temporary file's name (over the 255-byte limit).
func TestLongFileName(t *testing.T) {
	dir := copyFmtFiles(t, map[string]os.FileMode{"latin1-lf.txt": 0o644})
	long := filepath.Join(dir, strings.Repeat("r", 236)+".txt")
	require.NoError(t, os.Rename(filepath.Join(dir, "latin1-lf.txt"), long))
	r := fmtRun(t, "", "fmt", "-w", long)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, fileBytes(t, fmtTD+"latin1-lf.golden"), fileBytes(t, long))
	out := filepath.Join(dir, strings.Repeat("j", 234)+".jsonl")
	r = fmtRun(t, "", "export", "-o", out, "../../testdata/valid/multi-crlf.txt")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, dirNames(t, dir), 2)
}

// TestGenTinySize (16.14): gen --size 1 wrote 244 bytes.
func TestGenTinySize(t *testing.T) {
	r := fmtRun(t, "", "gen", "--size", "1")
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "cfonb gen: --size 1 is less than the smallest file, one statement without movements: 244 bytes with --eol crlf (see cfonb gen --help)\n", r.stderr)
	r = fmtRun(t, "", "gen", "--size", "240", "--eol", "none", "--quiet")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, r.stdout, 240)
}

// fifoWith makes a named pipe in a temporary folder and writes each of
// contents to it in turn, one writer per content (each waits for a reader
// to open the pipe). The writers still waiting at the end of the test are
// released.
func fifoWith(t *testing.T, contents ...[]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for _, c := range contents {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			_, _ = f.Write(c)
			_ = f.Close()
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		// A writer blocked in open is released by a reader.
		for {
			select {
			case <-finished:
				return
			default:
			}
			if r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
				_, _ = io.Copy(io.Discard, r)
				_ = r.Close()
			}
		}
	})
	return p
}

// TestExportFromAPipe (16.5): "cat file | cfonb export /dev/stdin" printed
// nothing and exited 0 (the validation read the pipe, the export found it
// empty). A named pipe given as PATH is read once, validated and exported.
func TestExportFromAPipe(t *testing.T) {
	sepa, err := os.ReadFile(exportTD + "sepa.txt")
	require.NoError(t, err)
	p := fifoWith(t, sepa)
	r := runExportWith(t, context.Background(), validateForExport, "", p)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, strings.ReplaceAll(golden(t, "sepa.jsonl"), `"file":"sepa.txt"`, `"file":"`+p+`"`), r.stdout)

	// Standard input, as a pipe.
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	go func() { _, _ = pw.Write(sepa); _ = pw.Close() }()
	var out, errb bytes.Buffer
	e := &env{stdin: pr, stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	require.Equal(t, exitOK, exportCommand(context.Background(), e, []string{"-"}, validateForExport), errb.String())
	_ = pr.Close()
	assert.Equal(t, strings.ReplaceAll(golden(t, "sepa.jsonl"), `"file":"sepa.txt"`, `"file":"<stdin>"`), out.String())
}

// TestExportValidatesWhatItExports (16.5): the validation and the export
// read the input separately, so a pipe or a changing file exported content
// that was never validated (79 movements from a file with 54 errors, exit
// 0). A named pipe that gives a damaged file is refused, whatever comes
// after; with --force, what is exported is all that was read.
func TestExportValidatesWhatItExports(t *testing.T) {
	sepa, err := os.ReadFile(exportTD + "sepa.txt")
	require.NoError(t, err)
	damaged, err := os.ReadFile(exportTD + "damaged.txt")
	require.NoError(t, err)

	both := append(append([]byte{}, damaged...), sepa...)
	p := fifoWith(t, both)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := runExportWith(t, context.Background(), validateForExport, "", "-o", out, p)
	assert.Equal(t, exitInvalid, r.code)
	assert.Regexp(t, "(?m)^cfonb export: "+regexp.QuoteMeta(p)+": [0-9]+ validation errors\ncfonb export: nothing exported", r.stderr)
	assert.NoFileExists(t, out)

	p = fifoWith(t, both)
	r = runExportWith(t, context.Background(), validateForExport, "", "--force", "-o", out, p)
	require.Equal(t, exitOK, r.code, r.stderr)
	var want bytes.Buffer
	ex, err := export.New(&want, export.Options{})
	require.NoError(t, err)
	require.NoError(t, ex.Export(p, bytes.NewReader(both)))
	require.NoError(t, ex.Close())
	assert.Equal(t, want.String(), fileBytes(t, out))
}

// TestExportFileChangingWhileRead (16.5): a regular file rewritten while it
// is exported. Whatever it holds when, the validator is given exactly the
// bytes the exporter read: the export equals the export of what was
// validated.
func TestExportFileChangingWhileRead(t *testing.T) {
	sepa, err := os.ReadFile(exportTD + "sepa.txt")
	require.NoError(t, err)
	damaged, err := os.ReadFile(exportTD + "damaged.txt")
	require.NoError(t, err)
	dir := t.TempDir()
	in := filepath.Join(dir, "s.txt")
	require.NoError(t, os.WriteFile(in, sepa, 0o644))

	var seen []byte
	check := func(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
		head := make([]byte, 200)
		n, err := io.ReadFull(r, head)
		require.NoError(t, err)
		// Another program rewrites the file, in place, once the first
		// bytes were read.
		f, err := os.OpenFile(in, os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.Write(bytes.Repeat(damaged, 1+len(sepa)/len(damaged))[:len(sepa)])
		require.NoError(t, err)
		require.NoError(t, f.Close())
		rest, err := io.ReadAll(r)
		require.NoError(t, err)
		seen = append(head[:n:n], rest...)
		return validate.Stream(name, bytes.NewReader(seen), opts)
	}
	out := filepath.Join(dir, "out.jsonl")
	r := runExportWith(t, context.Background(), check, "", "--force", "-o", out, in)
	require.Equal(t, exitOK, r.code, r.stderr)
	var want bytes.Buffer
	ex, err := export.New(&want, export.Options{})
	require.NoError(t, err)
	require.NoError(t, ex.Export(in, bytes.NewReader(seen)))
	require.NoError(t, ex.Close())
	assert.Equal(t, want.String(), fileBytes(t, out), "the export is of the bytes validated")
}

// TestExportStdoutFileRefused: standard output redirected to a file gets
// the export as it is made; a refused export takes it back.
func TestExportStdoutFileRefused(t *testing.T) {
	dir := t.TempDir()
	outPath := filepath.Join(dir, "out.jsonl")
	out, err := os.Create(outPath)
	require.NoError(t, err)
	defer func() { _ = out.Close() }()
	_, err = out.WriteString("previous\n")
	require.NoError(t, err)
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: &errb, getenv: func(string) string { return "" }}
	code := exportCommand(context.Background(), e, []string{exportTD + "sepa.txt", exportTD + "damaged.txt"}, validateForExport)
	assert.Equal(t, exitInvalid, code)
	assert.Equal(t, "previous\n", fileBytes(t, outPath), "nothing written")

	code = exportCommand(context.Background(), e, []string{exportTD + "sepa.txt"}, validateForExport)
	assert.Equal(t, exitOK, code, errb.String())
	assert.Equal(t, "previous\n"+strings.ReplaceAll(golden(t, "sepa.jsonl"), `"file":"sepa.txt"`, `"file":"`+exportTD+`sepa.txt"`), fileBytes(t, outPath))
}

// TestStdoutKeepsWhatItHeld: standard output opened for appending (>>)
// or read-write over a longer file (1<>) is not written as the export or
// fmt goes (truncating it back on refusal would empty it: a >> file's
// offset is 0 until the first write), so a refused input leaves every
// byte it held; an accepted one is appended, or written over the start,
// as the shell asked. Both files were emptied by a refusal before.
func TestStdoutKeepsWhatItHeld(t *testing.T) {
	const held = "precious line 1\nprecious line 2, longer than what is written over it\n"
	sepa := strings.ReplaceAll(golden(t, "sepa.jsonl"), `"file":"sepa.txt"`, `"file":"`+exportTD+`sepa.txt"`)
	canonical := fileBytes(t, td+"valid/multi-crlf.txt")
	for _, cmd := range []struct {
		name       string
		good, bad  []string
		goodOutput string
	}{
		{"export", []string{"export", exportTD + "sepa.txt"}, []string{"export", exportTD + "sepa.txt", exportTD + "damaged.txt"}, sepa},
		{"fmt", []string{"fmt", td + "valid/multi-crlf.txt"}, []string{"fmt", td + "invalid/format-mt940.txt"}, canonical},
	} {
		for _, open := range []struct {
			name string
			flag int
			want func(out string) string // the file after the good run
		}{
			{"append", os.O_APPEND | os.O_WRONLY, func(out string) string { return held + out }},
			{"read-write", os.O_RDWR, func(out string) string {
				if len(out) >= len(held) {
					return out
				}
				return out + held[len(out):]
			}},
		} {
			t.Run(cmd.name+" "+open.name, func(t *testing.T) {
				outPath := filepath.Join(t.TempDir(), "out")
				require.NoError(t, os.WriteFile(outPath, []byte(held), 0o600))
				out, err := os.OpenFile(outPath, open.flag, 0)
				require.NoError(t, err)
				defer func() { _ = out.Close() }()
				var errb bytes.Buffer
				e := &env{stdin: strings.NewReader(""), stdout: out, stderr: &errb, getenv: func(string) string { return "" }}
				assert.Equal(t, exitInvalid, run(context.Background(), e, cmd.bad))
				assert.Equal(t, held, fileBytes(t, outPath), "a refusal keeps every byte")

				assert.Equal(t, exitOK, run(context.Background(), e, cmd.good), errb.String())
				assert.Equal(t, open.want(cmd.goodOutput), fileBytes(t, outPath))
			})
		}
	}
}

// TestExportNeverExportsUnseenBytes: a validation that stops reading
// without an error (it never should) cannot let the export go on with
// bytes it did not see.
func TestExportNeverExportsUnseenBytes(t *testing.T) {
	lazy := func(name string, r io.Reader, _ validate.Options) (*validate.Report, error) {
		_, err := io.ReadFull(r, make([]byte, 10))
		return &validate.Report{Path: name}, err
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := runExportWith(t, context.Background(), lazy, "", "-o", out, exportTD+"sepa.txt")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb export: "+exportTD+"sepa.txt: the validation stopped after 10 of 5002 bytes without saying why: nothing exported\n", r.stderr)
	assert.NoFileExists(t, out)
}
