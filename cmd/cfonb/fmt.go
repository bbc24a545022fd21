package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// fmtMode is what fmt does with a formatted file.
type fmtMode uint8

const (
	fmtStdout fmtMode = iota // write it to standard output
	fmtWrite                 // -w: replace the file
	fmtList                  // -l: print the file's name if it would change
	fmtDiff                  // -d: print a diff
)

// fmtConfig is what every file of a run shares.
type fmtConfig struct {
	mode     fmtMode
	encoding normalize.Encoding
	eol      cfonb.EOL
	validate validate.Options
	stdin    io.Reader
	// stdout is standard output; direct is the same when the formatted
	// file can be written to it as it is made (see fmtDirectStdout), else
	// nil.
	stdout io.Writer
	direct *os.File
	// replace rewrites a file that was read through src (src.Replace:
	// atomically, keeping the file's identity, and only if it did not
	// change meanwhile); tests replace it to inject failures.
	replace func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error)
	// listWritten prints the name of each file rewritten (-l -w); check
	// makes a file that would change fail the run (--check).
	listWritten, check bool
	// quiet leaves out the notes on what was repaired and the summary of
	// a run that failed nowhere (-q).
	quiet bool
	// walkErrs are the paths that walking could not use (a dangling
	// link, an unreadable directory): each fails in its place.
	walkErrs map[string]error
}

// fmtResult is the outcome for one file.
type fmtResult struct {
	name    string // path, or <stdin>
	rep     *normalize.Report
	vrep    *validate.Report // validation of the formatted file
	refused *normalize.RefusedError
	err     error             // an I/O error
	out     *fmtSpool         // the formatted file (fmtStdout) or the diff (fmtDiff)
	head    []byte            // the first bytes read, to name another format
	method  atomicfile.Method // how -w wrote the file
}

func (r *fmtResult) failed() bool { return r.err != nil || r.refused != nil }

// errFmtUnchanged aborts an atomic write when the file is already canonical.
var errFmtUnchanged = errors.New("unchanged")

func newFmtCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "fmt [-w | -l | -d] [--encoding ENC] [--eol crlf|lf|none] [--jobs N] [PATH...]",
		Short: "normalise legacy exports into canonical CFONB120",
		Long: `Normalises legacy exports into canonical CFONB120, like gofmt for Go:
printable ASCII records of exactly 120 characters, each followed by CRLF.
It decodes Latin-1, Windows-1252, UTF-8 and EBCDIC and transliterates the
text zones one character for one character (É→E, ç→c, ß→s, €→E), so no
field moves; it removes a byte-order mark, a DOS end-of-file byte (0x1A),
blank lines and spaces after column 120, pads lines whose trailing spaces
an editor stripped, and writes one kind of line end.

It never changes a figure: every record written is compared with the line
it comes from, and the record code, bank, branch, account, currency,
decimals, dates and amounts must be identical; only text and reserved
zones may differ, by transliteration. If not, the file is refused and
nothing is written. What cannot be repaired without guessing (a short line
whose missing part holds data, a balance that does not reconcile) stays as
it is and is reported as "cfonb validate" would (line numbers are those of
the formatted file).

Without -w, -l, -d or --check, the formatted file goes to standard output
(one PATH, or standard input when there is none). -l lists the files that
would change; with -w, the files it rewrote (as gofmt -l -w). --check lists
the files that would change and exits 1 if there is any, as ruff format
--check, black --check and prettier --check do: for CI and pre-commit; with
-d it shows their diff too. Directories are walked recursively (symbolic
links followed); files that are not bank statements are passed over and
counted. Notes on what was repaired, diagnostics and a summary go to
standard error.

Exit status: 0 every file is canonical (or was made so), 1 a file was
refused or still has errors after repair, or with --check a file would
change, 2 a usage or I/O error. -d and -l alone exit 0 when files only need
reformatting, as gofmt -d and gofmt -l do: add --check to fail on them.`,
		Example: `  cfonb fmt export.txt > canonical.txt
  cfonb fmt -l exports/             # which files would change
  cfonb fmt --check exports/        # the same, exit 1 if any (CI)
  cfonb fmt -d --encoding latin1 lcl.txt
  cfonb fmt -w exports/             # rewrite in place, atomically`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := fmtFlags{
		write:    fs.BoolP("write", "w", false, "rewrite the files in place (atomically, keeping their links, owner and mode; nothing written if a file changes meanwhile)"),
		list:     fs.BoolP("list", "l", false, "list the files that would change (with -w: that were rewritten)"),
		check:    fs.Bool("check", false, "list the files that would change and exit 1 if there is any; write nothing"),
		quiet:    fs.BoolP("quiet", "q", false, "print no notes on repairs and no summary unless something failed"),
		diff:     fs.BoolP("diff", "d", false, "show the changes as a unified diff"),
		encoding: fs.String("encoding", "auto", "input encoding: auto, utf-8, latin1, cp1252, ebcdic-037, ebcdic-1047 or ascii"),
		eol:      fs.String("eol", "crlf", "line end to write: crlf, lf or none (continuous 120-byte records)"),
		jobs:     fs.Int("jobs", runtime.NumCPU(), "files formatted in parallel"),
		walk:     addWalkFlags(fs),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runFmt(ctx, e, c, args, fl) })
	return c
}

// fmtFlags are the flags of cfonb fmt.
type fmtFlags struct {
	write, list, diff *bool
	check, quiet      *bool
	encoding, eol     *string
	jobs              *int
	walk              walkFlags
}

// runFmt is "cfonb fmt": it normalises legacy exports into canonical
// CFONB120 (see its help and normalize.Normalizer).
func runFmt(ctx context.Context, e *env, c *cobra.Command, args []string, fl fmtFlags) int {
	fs := c.Flags()
	write, list, diff, encoding, eol, jobs := fl.write, fl.list, fl.diff, fl.encoding, fl.eol, fl.jobs
	cfg := &fmtConfig{stdin: e.stdin, replace: (*atomicfile.Source).Replace}
	switch {
	case *write && *diff:
		return usageError(e, "fmt", "-w and -d exclude each other")
	case *list && *diff:
		return usageError(e, "fmt", "-l and -d exclude each other")
	case *write && *fl.check:
		return usageError(e, "fmt", "--check never writes: give --check or -w, not both")
	case *write:
		cfg.mode = fmtWrite
		cfg.listWritten = *list
	case *diff:
		cfg.mode = fmtDiff
	case *list || *fl.check:
		cfg.mode = fmtList
	}
	cfg.check, cfg.quiet = *fl.check, *fl.quiet
	enc, err := normalize.ParseEncoding(*encoding)
	if err != nil {
		return usageError(e, "fmt", "--encoding: %v", err)
	}
	cfg.encoding = enc
	switch strings.ToLower(*eol) {
	case "crlf":
		cfg.eol = cfonb.EOLCRLF
	case "lf":
		cfg.eol = cfonb.EOLLF
	case "none":
		cfg.eol = cfonb.EOLNone
	default:
		return usageError(e, "fmt", "--eol must be crlf, lf or none, not %q", *eol)
	}
	if *jobs < 1 {
		return usageError(e, "fmt", "--jobs must be at least 1")
	}
	args = fs.Args()
	if len(args) == 0 {
		if e.stdinIsTerminal || cfg.mode == fmtWrite {
			return usageError(e, "fmt", "no PATH given")
		}
		args = []string{"-"}
	}
	walked, code := walkPaths(e, "fmt", args, fl.walk)
	if walked == nil {
		return code
	}
	paths := make([]string, 0, len(walked.Entries))
	for _, en := range walked.Entries {
		paths = append(paths, en.Path)
		if en.Err != nil {
			// Reported in its place; the other files are formatted.
			if cfg.walkErrs == nil {
				cfg.walkErrs = map[string]error{}
			}
			cfg.walkErrs[en.Path] = en.Err
		}
	}
	if note := skippedNote(walked); note != "" {
		if !cfg.quiet {
			fmt.Fprintf(e.stderr, "cfonb fmt: %s\n", note)
		}
	}
	stdinUses := 0
	for _, p := range paths {
		if p == "-" {
			stdinUses++
		}
	}
	switch {
	case cfg.mode == fmtWrite && stdinUses > 0:
		return usageError(e, "fmt", "-w cannot rewrite standard input")
	case stdinUses > 1:
		return usageError(e, "fmt", "standard input (-) given more than once")
	case cfg.mode == fmtStdout && len(paths) != 1:
		return usageError(e, "fmt", "without -w, -l or -d, fmt formats one file to standard output (got %d); use -w to rewrite files in place", len(paths))
	}
	if cfg.mode != fmtWrite {
		if code := refuseOutputInput(e, "fmt", "", paths); code != exitOK {
			return code
		}
	}
	if cfg.mode == fmtStdout {
		cfg.stdout, cfg.direct = e.stdout, fmtDirectStdout(e.stdout)
	}
	return fmtFiles(ctx, e, cfg, paths, *jobs)
}

// fmtFiles formats the files with up to jobs workers and reports on them
// in the order of paths.
func fmtFiles(ctx context.Context, e *env, cfg *fmtConfig, paths []string, jobs int) int {
	type indexed struct {
		i   int
		res *fmtResult
	}
	results := make(chan indexed, jobs)
	go func() {
		var g errgroup.Group
		g.SetLimit(jobs)
		for i, p := range paths {
			if ctx.Err() != nil {
				results <- indexed{i, &fmtResult{name: p, err: fmt.Errorf("%s: %w", p, ctx.Err())}}
				continue
			}
			g.Go(func() error {
				results <- indexed{i, fmtFile(ctx, cfg, p)}
				return nil
			})
		}
		_ = g.Wait()
		close(results)
	}()

	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(paths) > 4 {
		bar = progressbar.NewOptions(len(paths), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("formatting"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	var sum fmtSummary
	pending := map[int]*fmtResult{}
	next := 0
	var msgs bytes.Buffer
	for r := range results {
		pending[r.i] = r.res
		for pending[next] != nil {
			res := pending[next]
			delete(pending, next)
			next++
			msgs.Reset()
			fmtReportFile(&msgs, e.stdout, cfg, res, &sum)
			if bar != nil && msgs.Len() > 0 {
				_ = bar.Clear()
			}
			_, _ = e.stderr.Write(msgs.Bytes())
			if res.out != nil {
				res.out.close()
			}
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if !cfg.quiet || sum.refused+sum.ioErrors+sum.invalid > 0 || cfg.check && sum.changed > 0 {
		sum.write(e.stderr, cfg.mode, len(paths))
	}
	switch {
	case sum.ioErrors > 0:
		// An interrupt counts here only if it stopped a file: a run
		// interrupted after its last file was written did all its work.
		return exitUsage
	case sum.refused > 0 || sum.invalid > 0:
		return exitInvalid
	case cfg.check && sum.changed > 0:
		return exitInvalid
	}
	return exitOK
}

// fmtSummary counts the outcomes of a run.
type fmtSummary struct {
	changed, unchanged, refused, ioErrors, invalid int
	failures                                       []string
}

func (s *fmtSummary) write(w io.Writer, mode fmtMode, files int) {
	changed := "reformatted"
	if mode == fmtList || mode == fmtDiff {
		changed = "to reformat"
	}
	fmt.Fprintf(w, "cfonb fmt: %s: %d %s, %d already canonical, %d failed",
		plural(files, "file"), s.changed, changed, s.unchanged, s.refused+s.ioErrors)
	if s.invalid > 0 {
		fmt.Fprintf(w, "; %s with errors after repair", plural(s.invalid, "file"))
	}
	fmt.Fprintln(w)
	for _, f := range s.failures {
		fmt.Fprintf(w, "  failed: %s\n", validate.SafeText(f))
	}
}

// fmtReportFile writes a file's output (to stdout) and messages (to msgs) and
// counts it.
func fmtReportFile(msgs *bytes.Buffer, stdout io.Writer, cfg *fmtConfig, res *fmtResult, sum *fmtSummary) {
	// The name as it can be printed (issue 16.12: a name cannot inject a
	// line or an escape sequence).
	name := validate.SafeName(res.name)
	switch {
	case res.err != nil:
		sum.ioErrors++
		sum.failures = append(sum.failures, res.err.Error())
		fmt.Fprintf(msgs, "cfonb fmt: %s\n", validate.SafeText(res.err.Error()))
		return
	case res.refused != nil:
		if format := validate.DetectFormat(res.head); format != "" {
			// MT940, CFONB240, a PDF...: name it, as validate does.
			res.refused.Reason = "this file is " + format + ", not CFONB120"
			res.refused.Line, res.refused.Column = 0, 0
		}
		sum.refused++
		where := name
		if res.refused.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", name, res.refused.Line, max(res.refused.Column, 1))
		}
		msg := fmt.Sprintf("%s: error: refused, nothing written: %s [fmt-refused]", where, res.refused.Reason)
		sum.failures = append(sum.failures, fmt.Sprintf("%s: %s", name, res.refused.Reason))
		fmt.Fprintln(msgs, msg)
		return
	}
	rep := res.rep
	if rep.Changed {
		sum.changed++
		how := ""
		if cfg.mode == fmtWrite && res.method == atomicfile.InPlace {
			how = " (rewritten in place, to keep its hard links or its owner)"
		}
		if !cfg.quiet {
			fmt.Fprintf(msgs, "%s: %s%s\n", name, fmtDescribeRepairs(rep, cfg.eol), how)
		}
	} else {
		sum.unchanged++
	}
	switch cfg.mode {
	case fmtStdout:
		if res.out != nil {
			if err := res.out.writeTo(stdout); err != nil {
				sum.ioErrors++
				sum.failures = append(sum.failures, fmt.Sprintf("%s: writing to standard output: %v", name, err))
				fmt.Fprintf(msgs, "cfonb fmt: %s: writing to standard output: %v\n", name, err)
			}
		}
	case fmtList:
		if rep.Changed {
			fmt.Fprintln(stdout, name)
		}
	case fmtWrite:
		if rep.Changed && cfg.listWritten {
			fmt.Fprintln(stdout, name)
		}
	case fmtDiff:
		if rep.Changed && res.out != nil {
			_ = res.out.writeTo(stdout)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(msgs, "%s:%d:%d: note: not repaired (input line %d): %s\n", name, p.OutLine, p.Column, p.Line, p.Message)
	}
	if n := rep.ProblemCount - len(rep.Problems); n > 0 {
		fmt.Fprintf(msgs, "%s: note: %d more lines not repaired\n", name, n)
	}
	if v := res.vrep; v != nil {
		for _, d := range v.Diagnostics {
			d.File = res.name
			fmt.Fprintln(msgs, d.String())
		}
		if v.Omitted > 0 {
			fmt.Fprintf(msgs, "%s: %d more diagnostics not shown\n", name, v.Omitted)
		}
		if v.Errors > 0 {
			sum.invalid++
		}
	}
}

// fmtDescribeRepairs says what was repaired, e.g. "encoding cp1252
// (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 3 lines
// padded to 120, 5 line ends changed to CRLF".
func fmtDescribeRepairs(rep *normalize.Report, eol cfonb.EOL) string {
	var b strings.Builder
	b.WriteString("encoding " + rep.Encoding.String())
	if rep.Detected != "" {
		b.WriteString(" (detected: " + rep.Detected + ")")
	}
	if rep.Framing == cfonb.FramingContinuous {
		b.WriteString("; records without line ends")
	}
	var parts []string
	add := func(r normalize.Repair, one, many string) {
		switch n := rep.Repairs[r]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	eolName := eol.String()
	add(normalize.RepairTranslit, "character transliterated", "characters transliterated")
	add(normalize.RepairSpace, "control or space character made a space", "control or space characters made spaces")
	add(normalize.RepairReplaced, "character with no ASCII equivalent made '?'", "characters with no ASCII equivalent made '?'")
	add(normalize.RepairInvalidUTF8, "line not in UTF-8 read as Windows-1252", "lines not in UTF-8 read as Windows-1252")
	add(normalize.RepairZeroWidth, "combining mark removed", "combining marks removed")
	add(normalize.RepairBOM, "byte-order mark removed", "byte-order marks removed")
	add(normalize.RepairEOF, "end-of-file byte (0x1A) removed", "end-of-file bytes (0x1A) removed")
	add(normalize.RepairBlankLine, "blank line removed", "blank lines removed")
	add(normalize.RepairPadded, "line padded to 120", "lines padded to 120")
	add(normalize.RepairTrimmed, "line's spaces after column 120 removed", "lines' spaces after column 120 removed")
	add(normalize.RepairLineEnd, "line end changed to "+eolName, "line ends changed to "+eolName)
	if len(parts) == 0 {
		parts = append(parts, "re-encoded as ASCII")
	}
	return b.String() + "; " + strings.Join(parts, ", ")
}

// fmtFile formats one file as cfg says.
func fmtFile(ctx context.Context, cfg *fmtConfig, path string) *fmtResult {
	res := &fmtResult{name: path}
	if err := cfg.walkErrs[path]; err != nil {
		res.err = err
		return res
	}
	var in io.Reader
	var file *os.File          // a regular file that can be read twice
	var size int64             // its size
	var src *atomicfile.Source // the file -w rewrites
	switch {
	case path == "-":
		res.name = "<stdin>"
		in = cfg.stdin
	case cfg.mode == fmtWrite:
		var err error
		if src, err = atomicfile.Open(path); err != nil {
			res.err = err
			return res
		}
		defer src.Close()
		in = src
	default:
		f, err := os.Open(path)
		if err != nil {
			res.err = err
			return res
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			res.err = err
			return res
		}
		switch mode := fi.Mode(); {
		case mode.IsDir():
			res.err = fmt.Errorf("%s: is a directory", path)
			return res
		case mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
			// /dev/zero would never end: refused as cfonb validate
			// refuses it (an I/O error, exit status 2).
			res.err = fmt.Errorf("%s: is a device, not a file", path)
			return res
		}
		in = f
		if fi.Mode().IsRegular() {
			file, size = f, fi.Size()
		}
	}
	head := &headRecorder{r: ctxReader{ctx, in}}
	in = head
	defer func() { res.head = head.head }()

	var err error
	switch cfg.mode {
	case fmtWrite:
		res.method, err = cfg.replace(src, func(w io.Writer) error {
			var err error
			res.rep, res.vrep, err = fmtNormalizeValidate(res.name, w, in, cfg, nil)
			if err == nil && !res.rep.Changed {
				return errFmtUnchanged
			}
			return err
		})
		if errors.Is(err, errFmtUnchanged) {
			err = nil
		}
		if errors.Is(err, atomicfile.ErrChanged) {
			// Records appended while fmt ran would be lost: nothing
			// was written, and the error names the file.
			res.err = err
			return res
		}
	case fmtStdout:
		if cfg.direct != nil {
			res.rep, res.vrep, err = fmtNormalizeDirect(res.name, cfg.direct, in, cfg)
			break
		}
		if file != nil && size > fmtSpoolMemory {
			res.rep, res.vrep, err = fmtTwoPasses(ctx, res.name, file, cfg)
			break
		}
		res.out = &fmtSpool{}
		res.rep, res.vrep, err = fmtNormalizeValidate(res.name, res.out, in, cfg, nil)
	case fmtList:
		res.rep, res.vrep, err = fmtNormalizeValidate(res.name, io.Discard, in, cfg, nil)
	case fmtDiff:
		res.out = &fmtSpool{}
		d := newFmtDiffer(res.out)
		res.rep, res.vrep, err = fmtNormalizeValidate(res.name, io.Discard, in, cfg, d.line)
		if err == nil {
			err = d.finish()
		}
		if err == nil && res.rep.Changed {
			res.out.header = d.header(res.name, res.rep, cfg.eol)
		}
	}
	var refused *normalize.RefusedError
	switch {
	case errors.As(err, &refused):
		res.refused = refused
	case err != nil:
		res.err = fmt.Errorf("%s: %w", path, err)
	}
	if res.failed() && res.out != nil {
		res.out.close()
		res.out = nil
	}
	return res
}

// fmtNormalizeValidate formats src to dst and, in parallel, validates what it
// writes: the output is read back through a pipe by validate.Stream.
func fmtNormalizeValidate(name string, dst io.Writer, src io.Reader, cfg *fmtConfig, onLine func(*normalize.LineEvent)) (*normalize.Report, *validate.Report, error) {
	n := normalize.New()
	n.Encoding, n.EOL, n.OnLine = cfg.encoding, cfg.eol, onLine
	pipe := newFmtPipe()
	var vrep *validate.Report
	var verr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		vrep, verr = validate.Stream(name, pipe, cfg.validate)
		// The validator may stop early (another format): keep draining so
		// that the formatter never blocks.
		_, _ = io.Copy(io.Discard, pipe)
	}()
	rep, err := n.Normalize(io.MultiWriter(dst, pipe), src)
	pipe.CloseWithError(err)
	<-done
	if err != nil {
		return rep, nil, err
	}
	if verr != nil {
		return rep, nil, fmt.Errorf("validating the formatted file: %w", verr)
	}
	return rep, vrep, nil
}

// fmtPipeChunks and fmtPipeChunkSize bound what a fmtPipe holds: 1 MiB.
const (
	fmtPipeChunks    = 4
	fmtPipeChunkSize = 256 << 10
)

// fmtPipe is an in-memory pipe, like io.Pipe, whose writer does not wait
// for the reader: Write copies into one of a few chunks and returns, so
// the formatter and the validator reading its output (itself two
// goroutines) keep both cores busy instead of taking turns. It has one
// writer and one reader, which reads to the end (or the writer would wait
// for a free chunk forever).
type fmtPipe struct {
	full  chan []byte // chunks written, in order; closed by CloseWithError
	free  chan []byte // chunks read, to reuse
	made  int         // chunks allocated (writer side)
	err   error       // the writer's error, set before full is closed
	cur   []byte      // the unread part of the chunk being read
	chunk []byte      // the chunk being read, to give back
}

// newFmtPipe returns an empty fmtPipe; its chunks are allocated as needed.
func newFmtPipe() *fmtPipe {
	return &fmtPipe{full: make(chan []byte, fmtPipeChunks), free: make(chan []byte, fmtPipeChunks)}
}

// Write copies b into the pipe; it waits only when every chunk is full.
func (p *fmtPipe) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		want := min(len(b), fmtPipeChunkSize)
		var c []byte
		select {
		case c = <-p.free:
		default:
			if p.made < fmtPipeChunks {
				p.made++
			} else {
				c = <-p.free
			}
		}
		if cap(c) < want {
			// Small files get small chunks; a chunk grows to the
			// writes it carries, up to fmtPipeChunkSize.
			c = make([]byte, 0, max(want, min(2*cap(c), fmtPipeChunkSize)))
		}
		c = append(c[:0], b[:want]...)
		b = b[want:]
		p.full <- c
	}
	return n, nil
}

// CloseWithError ends the pipe: the reader gets err once it has read
// everything written, or io.EOF if err is nil.
func (p *fmtPipe) CloseWithError(err error) {
	p.err = err
	close(p.full)
}

// Read reads what was written, in order.
func (p *fmtPipe) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.chunk != nil {
			p.free <- p.chunk
			p.chunk = nil
		}
		c, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.chunk = c, c
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// fmtTwoPasses formats a large regular file to a pipe or a terminal without
// holding the output: a first pass checks and validates it, writing
// nothing; only if it passes does a second pass write it. The two passes
// must agree (the file must not change in between).
func fmtTwoPasses(ctx context.Context, name string, f *os.File, cfg *fmtConfig) (*normalize.Report, *validate.Report, error) {
	rep, vrep, err := fmtNormalizeValidate(name, io.Discard, ctxReader{ctx, f}, cfg, nil)
	if err != nil {
		return rep, vrep, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rep, vrep, err
	}
	n := normalize.New()
	n.Encoding, n.EOL = rep.Encoding, cfg.eol
	rep2, err := n.Normalize(cfg.stdout, ctxReader{ctx, f})
	var refused *normalize.RefusedError
	switch {
	case errors.As(err, &refused) || err == nil && (rep2.Records != rep.Records || rep2.Repairs != rep.Repairs):
		return rep, vrep, errors.New("the file changed while it was being formatted: the output is incomplete")
	case err != nil:
		return rep, vrep, err
	}
	return rep, vrep, nil
}

// fmtNormalizeDirect formats src straight into f (a regular file or the null
// device, see fmtDirectStdout); if the file is refused, f is truncated back to
// where it was, so that nothing is written.
func fmtNormalizeDirect(name string, f *os.File, src io.Reader, cfg *fmtConfig) (*normalize.Report, *validate.Report, error) {
	start, serr := f.Seek(0, io.SeekCurrent)
	rep, vrep, err := fmtNormalizeValidate(name, f, src, cfg, nil)
	if err != nil && serr == nil {
		if terr := f.Truncate(start); terr == nil {
			_, _ = f.Seek(start, io.SeekStart)
		}
	}
	return rep, vrep, err
}

// fmtDirectStdout returns standard output as a file that fmt may write to as
// it formats, when that can be undone: a regular file (truncated back on
// refusal) or the null device. A terminal or a pipe gets the output only
// once the whole file is known to be safe (it is spooled), so it returns
// nil for them.
func fmtDirectStdout(w io.Writer) *os.File {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	if fi.Mode().IsRegular() {
		if _, err := f.Seek(0, io.SeekCurrent); err == nil {
			return f
		}
		return nil
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return f
	}
	return nil
}

// fmtSpoolMemory is how much of a fmtSpool is kept in memory before it
// moves to a temporary file.
const fmtSpoolMemory = 4 << 20

// fmtSpool holds output until it is known to be good: in memory up to
// fmtSpoolMemory, then in a temporary file, so that memory stays bounded.
type fmtSpool struct {
	header string // written before the body (a diff's header)
	mem    bytes.Buffer
	f      *os.File
}

// Write spools p, moving what is held to a temporary file once it
// outgrows fmtSpoolMemory.
func (s *fmtSpool) Write(p []byte) (int, error) {
	if s.f == nil && s.mem.Len()+len(p) <= fmtSpoolMemory {
		return s.mem.Write(p)
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "cfonb-fmt-*")
		if err != nil {
			return 0, fmt.Errorf("spooling the output: %w", err)
		}
		_ = os.Remove(f.Name()) // unlinked: it goes away when closed
		s.f = f
		if _, err := s.mem.WriteTo(f); err != nil {
			return 0, fmt.Errorf("spooling the output: %w", err)
		}
		s.mem = bytes.Buffer{}
	}
	n, err := s.f.Write(p)
	if err != nil {
		err = fmt.Errorf("spooling the output: %w", err)
	}
	return n, err
}

// writeTo copies the header and what was spooled to w.
func (s *fmtSpool) writeTo(w io.Writer) error {
	if _, err := io.WriteString(w, s.header); err != nil {
		return err
	}
	if s.f == nil {
		_, err := w.Write(s.mem.Bytes())
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *fmtSpool) close() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
	s.mem = bytes.Buffer{}
}

// The diff of -d. fmt never reorders or inserts lines: each input line is
// kept, changed or removed, and the Normalizer says which (LineEvent). So
// the edit script is known exactly and no longest-common-subsequence search
// (nor a diff library) is needed: this writes a unified diff as the lines
// stream by, in memory bounded by the hunk size.

// fmtDiffContext is the number of unchanged lines shown around a change.
const fmtDiffContext = 3

// fmtMaxHunkLines bounds a hunk: a longer run of changes is split into
// adjacent hunks.
const fmtMaxHunkLines = 4096

type fmtDiffLine struct {
	op           byte // ' ', '-' or '+'
	text         string
	oldNo, newNo int // line numbers (the next line's, for '+' and '-')
}

// fmtDiffer builds a unified diff from LineEvents.
type fmtDiffer struct {
	w          io.Writer
	before     []fmtDiffLine // up to fmtDiffContext unchanged lines before a change
	hunk       []fmtDiffLine // the open hunk, nil if none
	dels, adds []fmtDiffLine // the current run of changes
	trailing   int           // unchanged lines at the end of the hunk
	oldNo      int           // last old and new line numbers seen
	newNo      int
	eolOnly    int // lines whose only change is the line end
	err        error
}

func newFmtDiffer(w io.Writer) *fmtDiffer { return &fmtDiffer{w: w} }

// line takes one event of the Normalizer.
func (d *fmtDiffer) line(ev *normalize.LineEvent) {
	d.oldNo = ev.Line
	switch {
	case ev.Out == nil:
		d.change(fmtDiffLine{op: '-', text: ev.InText(), oldNo: ev.Line, newNo: d.newNo + 1})
	case ev.ContentChanged:
		d.newNo = ev.OutLine
		d.change(fmtDiffLine{op: '-', text: ev.InText(), oldNo: ev.Line, newNo: ev.OutLine})
		d.change(fmtDiffLine{op: '+', text: string(ev.Out), oldNo: ev.Line, newNo: ev.OutLine})
	default:
		d.newNo = ev.OutLine
		if ev.EOLChanged {
			d.eolOnly++
		}
		d.equal(fmtDiffLine{op: ' ', text: string(ev.Out), oldNo: ev.Line, newNo: ev.OutLine})
	}
}

func (d *fmtDiffer) change(l fmtDiffLine) {
	if d.hunk == nil {
		d.hunk = append([]fmtDiffLine{}, d.before...)
		d.before = d.before[:0]
	}
	if l.op == '-' {
		d.dels = append(d.dels, l)
	} else {
		d.adds = append(d.adds, l)
	}
	d.trailing = 0
}

// endRun moves the current run of changes into the hunk, removals first.
func (d *fmtDiffer) endRun() {
	d.hunk = append(d.hunk, d.dels...)
	d.hunk = append(d.hunk, d.adds...)
	d.dels, d.adds = d.dels[:0], d.adds[:0]
	if len(d.hunk) >= fmtMaxHunkLines {
		d.flush(0)
	}
}

func (d *fmtDiffer) equal(l fmtDiffLine) {
	if len(d.dels)+len(d.adds) > 0 {
		d.endRun()
	}
	if d.hunk == nil {
		d.before = append(d.before, l)
		if len(d.before) > fmtDiffContext {
			d.before = append(d.before[:0], d.before[1:]...)
		}
		return
	}
	d.hunk = append(d.hunk, l)
	d.trailing++
	if d.trailing > 2*fmtDiffContext {
		// The next change is too far to share this hunk.
		tail := d.hunk[len(d.hunk)-fmtDiffContext:]
		d.before = append(d.before[:0], tail...)
		d.flush(d.trailing - fmtDiffContext)
	}
}

// flush writes the open hunk without its last drop lines.
func (d *fmtDiffer) flush(drop int) {
	h := d.hunk[:len(d.hunk)-drop]
	d.hunk, d.trailing = nil, 0
	if len(h) == 0 || d.err != nil {
		return
	}
	oldStart, newStart := h[0].oldNo, h[0].newNo
	var oldCount, newCount int
	for _, l := range h {
		if l.op != '+' {
			oldCount++
		}
		if l.op != '-' {
			newCount++
		}
	}
	if oldCount == 0 {
		oldStart--
	}
	if newCount == 0 {
		newStart--
	}
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", oldStart, oldCount, newStart, newCount)
	for _, l := range h {
		b.WriteByte(l.op)
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	_, d.err = io.WriteString(d.w, b.String())
}

// finish writes the last hunk.
func (d *fmtDiffer) finish() error {
	if len(d.dels)+len(d.adds) > 0 {
		d.endRun()
	}
	if d.hunk != nil {
		d.flush(max(0, d.trailing-fmtDiffContext))
	}
	return d.err
}

// header is the diff's header: a note on line ends changed without other
// change (they do not show in the hunks), then the file names.
func (d *fmtDiffer) header(name string, rep *normalize.Report, eol cfonb.EOL) string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff %s (%s) %s (formatted)\n", name, rep.Encoding, name)
	if rep.Encoding.IsEBCDIC() {
		fmt.Fprintf(&b, "encoding %s converted to ASCII (the lines below are shown decoded)\n", rep.Encoding)
	}
	if d.eolOnly > 0 {
		fmt.Fprintf(&b, "line ends changed to %s on %s not shown below\n", eol, plural(d.eolOnly, "line"))
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", name, name)
	return b.String()
}

// headRecorder keeps a copy of the first 4 KiB read through it.
type headRecorder struct {
	r    io.Reader
	head []byte
}

func (h *headRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := 4096 - len(h.head); room > 0 && n > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}
