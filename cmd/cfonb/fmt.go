package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/normalize/fmtrun"
	"github.com/cfonb-dev/cfonb/validate"
)

// fmtMode is what fmt does with a formatted file.
type fmtMode = fmtrun.Mode

const (
	fmtStdout = fmtrun.Stdout // write it to standard output
	fmtWrite  = fmtrun.Write  // -w: replace the file
	fmtList   = fmtrun.List   // -l: print the file's name if it would change
	fmtDiff   = fmtrun.Diff   // -d: print a diff
)

// fmtConfig is what every file of a run shares.
type fmtConfig struct {
	mode     fmtMode
	encoding normalize.Encoding
	eol      cfonb.EOL
	validate validate.Options
	stdin    io.Reader
	// stdout is standard output; direct is the same when the formatted
	// file can be written to it as it is made (see spool.Direct), else
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

// run is what package fmtrun needs of cfg.
func (cfg *fmtConfig) run() *fmtrun.Config {
	return &fmtrun.Config{
		Mode: cfg.mode, Encoding: cfg.encoding, EOL: cfg.eol, Validate: cfg.validate,
		Stdin: cfg.stdin, Stdout: cfg.stdout, Direct: cfg.direct, Replace: cfg.replace,
		WalkErrs: cfg.walkErrs,
	}
}

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
		jobs:     fs.Int("jobs", 0, "files formatted in parallel (0, the default: one per CPU)"),
		walk:     addWalkFlags(fs),
	}
	c.RunE = body(func(ctx context.Context, _ []string) int { return runFmt(ctx, e, c, fl) })
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
func runFmt(ctx context.Context, e *env, c *cobra.Command, fl fmtFlags) int {
	fs := c.Flags()
	write, list, diff, encoding, eol, jobs := fl.write, fl.list, fl.diff, fl.encoding, fl.eol, fl.jobs
	cfg := &fmtConfig{stdin: e.stdin, replace: replaceHeld(ctx)}
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
	if *jobs < 0 {
		return usageError(e, "fmt", "--jobs must be at least 1, or 0 for one per CPU")
	}
	if *jobs == 0 {
		*jobs = runtime.NumCPU()
	}
	args := fs.Args() // the paths, as cobra parsed them
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
		cfg.stdout, cfg.direct = e.stdout, spool.Direct(e.stdout)
	}
	return fmtFiles(ctx, e, cfg, paths, *jobs)
}

// fmtFiles formats the files with up to jobs workers and reports on them
// in the order of paths.
func fmtFiles(ctx context.Context, e *env, cfg *fmtConfig, paths []string, jobs int) int {
	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(paths) > 4 {
		bar = progressbar.NewOptions(len(paths), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("formatting"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	var sum fmtSummary
	var msgs bytes.Buffer
	report := func(res *fmtrun.Result) {
		msgs.Reset()
		if res.Err != nil && ctx.Err() != nil && errors.Is(res.Err, ctx.Err()) {
			// Stopped by the interrupt: counted, and said once in
			// the summary rather than once per file.
			sum.interrupted++
			return
		}
		fmtReportFile(&msgs, e.stdout, cfg, res, &sum)
		if bar != nil && msgs.Len() > 0 {
			_ = bar.Clear()
		}
		_, _ = e.stderr.Write(msgs.Bytes())
	}
	var progress func()
	if bar != nil {
		progress = func() { _ = bar.Add(1) }
	}
	fmtrun.Files(ctx, cfg.run(), paths, jobs, report, progress)
	if bar != nil {
		_ = bar.Finish()
	}
	if !cfg.quiet || sum.refused+sum.ioErrors+sum.invalid+sum.interrupted > 0 || cfg.check && sum.changed > 0 {
		sum.write(e.stderr, cfg.mode, len(paths))
	}
	switch {
	case sum.ioErrors > 0 || sum.interrupted > 0:
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
	// interrupted counts the files an interrupt stopped (left as they
	// were).
	interrupted int
	failures    []string
}

func (s *fmtSummary) write(w io.Writer, mode fmtMode, files int) {
	changed := "reformatted"
	if mode == fmtList || mode == fmtDiff {
		changed = "to reformat"
	}
	if s.interrupted > 0 {
		left := "left as they were"
		if s.interrupted == 1 {
			left = "left as it was"
		}
		fmt.Fprintf(w, "cfonb fmt: interrupted: %d of %s not done, %s; done: %d %s, %d already canonical, %d failed",
			s.interrupted, plural.Count(files, "file"), left, s.changed, changed, s.unchanged, s.refused+s.ioErrors)
	} else {
		fmt.Fprintf(w, "cfonb fmt: %s: %d %s, %d already canonical, %d failed",
			plural.Count(files, "file"), s.changed, changed, s.unchanged, s.refused+s.ioErrors)
	}
	if s.invalid > 0 {
		fmt.Fprintf(w, "; %s with errors fmt cannot repair", plural.Count(s.invalid, "file"))
	}
	fmt.Fprintln(w)
	for _, f := range s.failures {
		fmt.Fprintf(w, "  failed: %s\n", validate.SafeText(f))
	}
}

// fmtReportFile writes a file's output (to stdout) and messages (to msgs) and
// counts it.
func fmtReportFile(msgs *bytes.Buffer, stdout io.Writer, cfg *fmtConfig, res *fmtrun.Result, sum *fmtSummary) {
	// The name as it can be printed (issue 16.12: a name cannot inject a
	// line or an escape sequence).
	name := validate.SafeName(res.Name)
	switch {
	case res.Err != nil:
		sum.ioErrors++
		sum.failures = append(sum.failures, res.Err.Error())
		fmt.Fprintf(msgs, "cfonb fmt: %s\n", validate.SafeText(res.Err.Error()))
		return
	case res.Refused != nil:
		if format := validate.DetectFormat(res.Head); format != "" {
			// MT940, CFONB240, a PDF...: name it, as validate does.
			res.Refused.Reason = "this file is " + format + ", not CFONB120"
			res.Refused.Line, res.Refused.Column = 0, 0
		}
		sum.refused++
		where := name
		if res.Refused.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", name, res.Refused.Line, max(res.Refused.Column, 1))
		}
		msg := fmt.Sprintf("%s: error: refused, nothing written: %s [fmt-refused]", where, res.Refused.Reason)
		sum.failures = append(sum.failures, fmt.Sprintf("%s: %s", name, res.Refused.Reason))
		fmt.Fprintln(msgs, msg)
		return
	}
	rep := res.Report
	if rep.Changed {
		sum.changed++
		how := ""
		if cfg.mode == fmtWrite && res.Method == atomicfile.InPlace {
			how = " (rewritten in place, to keep its hard links or its owner)"
		}
		if !cfg.quiet {
			fmt.Fprintf(msgs, "%s: %s%s\n", name, rep.Describe(cfg.eol), how)
		}
	} else if v := res.Validation; v == nil || v.Errors == 0 {
		// Canonical only without errors: an unchanged file with
		// errors (an empty file, which validate refuses, or one
		// that fmt cannot repair) is counted once, with errors.
		sum.unchanged++
	}
	// A failed write to standard output (a full disk, a closed pipe) is an
	// I/O error of this file, as a failed read is.
	outFailed := func(err error) {
		sum.ioErrors++
		sum.failures = append(sum.failures, fmt.Sprintf("%s: writing to standard output: %v", name, err))
		fmt.Fprintf(msgs, "cfonb fmt: %s: writing to standard output: %v\n", name, err)
	}
	switch cfg.mode {
	case fmtStdout:
		if res.Out != nil {
			if err := res.Out.CopyTo(stdout); err != nil {
				outFailed(err)
			}
		}
	case fmtList:
		if rep.Changed {
			if _, err := fmt.Fprintln(stdout, name); err != nil {
				outFailed(err)
			}
		}
	case fmtWrite:
		if rep.Changed && cfg.listWritten {
			if _, err := fmt.Fprintln(stdout, name); err != nil {
				outFailed(err)
			}
		}
	case fmtDiff:
		if rep.Changed && res.Out != nil {
			if err := res.Out.CopyTo(stdout); err != nil {
				outFailed(err)
			}
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(msgs, "%s:%d:%d: note: not repaired (input line %d): %s\n", name, p.OutLine, p.Column, p.Line, p.Message)
	}
	if n := rep.ProblemCount - len(rep.Problems); n > 0 {
		fmt.Fprintf(msgs, "%s: note: %d more lines not repaired\n", name, n)
	}
	if v := res.Validation; v != nil {
		for _, d := range v.Diagnostics {
			d.File = res.Name
			fmt.Fprintln(msgs, d.String())
		}
		if v.Omitted > 0 {
			fmt.Fprintf(msgs, "%s: %s not shown\n", name, plural.Count(v.Omitted, "more diagnostic"))
		}
		if v.Errors > 0 {
			sum.invalid++
		}
	}
}
