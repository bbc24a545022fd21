package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/ctxio"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/validate"
)

// validateFunc validates what r yields, the content of the input called
// name; export reads each input once and feeds the same bytes to it and to
// the exporter.
type validateFunc func(name string, r io.Reader, opts validate.Options) (*validate.Report, error)

// validateForExport is the validation cfonb export runs.
func validateForExport(name string, r io.Reader, opts validate.Options) (*validate.Report, error) {
	return validate.Stream(name, r, opts)
}

func newExportCmd(e *env, check validateFunc) *cobra.Command {
	c := &cobra.Command{
		Use:   "export [--format jsonl|json|csv|xlsx|ofx] [--columns default|fr] [--output FILE] [--force] [--csv-sep C] [--decimal-comma] [--bom] [-q] PATH...",
		Short: "export movements as JSON Lines, JSON, CSV, XLSX or OFX",
		Long: `Exports the movements of CFONB120 files: one JSON object per movement (jsonl,
the default), one JSON document of statements with their movements (json),
one spreadsheet row per movement (csv), an Excel workbook with a sheet of
movements and a sheet of statements (xlsx), or OFX 2 bank statements (ofx).
--columns fr gives csv and xlsx a French accounting layout (Date, Date de
valeur, Libellé, Débit, Crédit, Solde, Référence, Compte, IBAN: one row per
movement with the running balance). Each movement has its account and
IBAN, ISO 8601 dates, its amount as an exact decimal string and in minor
units, its operation codes and label, and every 05 complement, with named
fields for the standard qualifiers (payer, payee, remittance information,
end-to-end reference, mandate, original amount...). Files of any size are
exported in constant memory; xlsx needs more, but bounded: excelize holds
up to 16 MiB of each sheet's XML in memory before it goes to a temporary
file (85 to 125 MiB resident measured for 10 to 44 MiB of input, and 16
to 32 MiB more per 1,048,575 movements).

PATH is a file, a directory (walked recursively, hidden files skipped) or -
for standard input. Each input is read once, and validated as it is
exported: what is exported is what was validated, even from a pipe. A file
with validation errors is not exported, and its errors are printed, unless
--force is given. Encoding errors alone (Latin-1/Windows-1252 or UTF-8 text,
which the export decodes) are a warning: the file is exported. With --output the file is written atomically: it appears
complete or not at all (an existing file is replaced only on success, and
keeps its links, owner and mode). Standard output gets nothing either when
an input is refused. An output that is one of the inputs is refused.

Exit status: 0 exported, 1 a file has validation errors (nothing exported),
2 a usage or I/O error.`,
		Example: `  cfonb export statement.txt > movements.jsonl
  cfonb export --format json --output statements.json statements/
  cfonb export --format csv --csv-sep ';' --decimal-comma --bom -o releve.csv statement.txt
  cfonb export statement.txt | jq 'select(.amount_minor < 0) | .label'
  cfonb export --format xlsx --columns fr -o releve.xlsx statement.txt
  cfonb export --format ofx -o releve.ofx statement.txt`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := exportFlags{
		format:       fs.StringP("format", "f", "jsonl", "output format: jsonl (one object per movement), json (statements with their movements), csv, xlsx (Excel workbook: movements and statements sheets) or ofx (OFX 2 bank statements)"),
		columns:      fs.String("columns", "default", "csv and xlsx columns: default (every field) or fr (Date, Date de valeur, Libellé, Débit, Crédit, Solde, Référence, Compte, IBAN; a csv in this layout defaults to --decimal-comma --bom, so ';')"),
		output:       fs.StringP("output", "o", "", "write to FILE (atomically) instead of standard output"),
		force:        fs.Bool("force", false, "export files that have validation errors (their errors are still printed)"),
		sep:          fs.String("csv-sep", "", "CSV field separator: one character, or \"tab\" (default \",\", or \";\" with --decimal-comma)"),
		decimalComma: fs.Bool("decimal-comma", false, "CSV: write decimal amounts with a decimal comma (-1234,56), as French spreadsheets read them"),
		bom:          fs.Bool("bom", false, "CSV: start with a UTF-8 byte order mark, for Excel"),
		quiet:        fs.BoolP("quiet", "q", false, "print nothing when the export succeeds (with -o, no summary line); errors and warnings are still printed"),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runExport(ctx, e, c, args, check, fl) })
	return c
}

// exportFlags are the flags of cfonb export.
type exportFlags struct {
	format, output, sep      *string
	columns                  *string
	force, decimalComma, bom *bool
	quiet                    *bool
}

// exportCommand runs cfonb export with args and the given validation.
func exportCommand(ctx context.Context, e *env, args []string, check validateFunc) int {
	return execute(ctx, e, newRootCmd(e, newExportCmd(e, check)), append([]string{"export"}, args...))
}

func runExport(ctx context.Context, e *env, c *cobra.Command, args []string, check validateFunc, fl exportFlags) int {
	fs := c.Flags()
	format, output, force, sep, decimalComma, bom := fl.format, fl.output, fl.force, fl.sep, fl.decimalComma, fl.bom
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usageError(e, "export", "--format: %v", err)
	}
	cols, err := export.ParseColumns(*fl.columns)
	if err != nil {
		return usageError(e, "export", "--columns: %v", err)
	}
	if cols != export.ColumnsDefault && f != export.CSV && f != export.XLSX {
		return usageError(e, "export", "--columns applies to --format csv and xlsx")
	}
	if cols == export.ColumnsFR && f == export.CSV {
		// What French Excel opens without an import dialog, unless told otherwise.
		if !fs.Changed("decimal-comma") {
			*decimalComma = true
		}
		if !fs.Changed("bom") {
			*bom = true
		}
	}
	if f == export.XLSX && (*output == "" || *output == "-") {
		if file, ok := e.stdout.(*os.File); ok && isTerminal(file) {
			return usageError(e, "export", "--format xlsx writes a binary workbook: give --output FILE.xlsx, or redirect standard output")
		}
	}
	// Background: the output is written on a goroutine of its own, while
	// the next part is formatted (the kernel's copy into a file or a pipe
	// was a quarter of the exporting goroutine's time).
	// Workers: the movements of jsonl and csv are formatted on every
	// usable CPU, while this goroutine reads and frames the records (the
	// formatting was three quarters of its time); one CPU keeps one
	// goroutine.
	opts := export.Options{Format: f, DecimalComma: *decimalComma, BOM: *bom, Columns: cols, Background: true,
		Workers: min(runtime.GOMAXPROCS(0), runtime.NumCPU())}
	if f != export.CSV && (*sep != "" || *decimalComma || *bom) {
		return usageError(e, "export", "--csv-sep, --decimal-comma and --bom apply to --format csv")
	}
	if *sep != "" {
		r, ok := parseSeparator(*sep)
		if !ok {
			return usageError(e, "export", "--csv-sep must be one character other than a quote or a line end, or \"tab\", not %q", *sep)
		}
		opts.Comma = r
	}
	if fs.NArg() == 0 {
		return usageError(e, "export", "no PATH given (use - for standard input)")
	}
	paths, code := expandFiles(e, "export", fs.Args())
	if paths == nil && code != exitOK {
		return code
	}
	if code := checkOutputDir(e, "export", *output); code != exitOK {
		return code
	}
	if code := refuseOutputInput(e, "export", *output, paths); code != exitOK {
		return code
	}

	stdinUses := 0
	for _, p := range paths {
		if p == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return usageError(e, "export", "standard input (-) given more than once")
	}
	run := &exportRun{e: e, paths: paths, opts: opts, check: check, force: *force}
	// A large export shows its progress on a terminal.
	if e.stderrIsTerminal {
		run.progress = byteProgress(e, "exporting", regularSize(paths), progressMinBytes)
	}

	// Each input is read once: what is read is validated and exported in
	// the same pass (see exportRun.input), so what is exported is what was
	// validated, even from a pipe or a file that changes. The export goes
	// where it can be taken back until every input is accepted.
	switch direct := spool.Direct(e.stdout); {
	case *output != "" && *output != "-":
		// A temporary file next to the output, renamed only on success.
		err = writeAtomic(ctx, *output, func(w io.Writer) error {
			if code = run.all(ctx, w); code != exitOK {
				return errRefused
			}
			return nil
		})
		if errors.Is(err, errRefused) {
			return code
		}
	case direct != nil:
		// Standard output is a regular file (or the null device): written
		// as the export goes, truncated back if it is refused.
		start, serr := direct.Seek(0, io.SeekCurrent)
		if code = run.all(ctx, direct); code != exitOK {
			if serr == nil && direct.Truncate(start) == nil {
				_, _ = direct.Seek(start, io.SeekStart)
			}
			return code
		}
	default:
		// A pipe or a terminal cannot take back what it was given: the
		// export is spooled (in memory, then in a temporary file) and
		// copied once every input is accepted.
		buf := &spool.Buffer{}
		defer buf.Close()
		if code = run.all(ctx, buf); code != exitOK {
			return code
		}
		if err = buf.CopyTo(e.stdout); err != nil {
			err = fmt.Errorf("writing to standard output: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
		return exitUsage
	}
	if *output != "" && *output != "-" && !*fl.quiet {
		fmt.Fprintf(e.stderr, "cfonb export: %s: %s of %s from %s\n", *output,
			plural.Count(run.movements, "movement"), plural.Count(run.statements, "statement"), plural.Count(len(paths), "file"))
	}
	return exitOK
}

// errRefused aborts the atomic write of a refused export.
var errRefused = errors.New("refused")

// exportRun is one cfonb export: its inputs, and what it counted.
type exportRun struct {
	e     *env
	paths []string
	opts  export.Options
	check validateFunc
	force bool
	// progress, if not nil, counts the bytes read (see byteProgress).
	progress *progressbar.ProgressBar

	statements, movements int
}

// all validates and exports every input to w, in order, printing the
// errors of the inputs that have some. It returns exitOK when w holds the
// whole export, or the exit status: exitInvalid when an input has errors
// (and not force; the inputs after it are still validated, to list their
// errors too), exitUsage on an I/O error or an interrupt.
func (r *exportRun) all(ctx context.Context, w io.Writer) int {
	e := r.e
	ex, err := export.New(w, r.opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
		return exitUsage
	}
	defer ex.Discard() // a refused or failed export leaves no temporary file
	refused := false
	for _, p := range r.paths {
		rep, exErr, err := r.input(ctx, ex, p, refused)
		if r.progress != nil && (err != nil || exErr != nil || ctx.Err() != nil || rep.Errors > 0) {
			_ = r.progress.Clear() // the messages that follow take its line
		}
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(e.stderr, "cfonb export: interrupted: nothing written")
			return exitUsage
		case err != nil:
			fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
			return exitUsage
		}
		switch {
		case charsetOnly(rep):
			// Text in another character set, which the export decodes:
			// nothing is lost, so it is a warning here.
			fmt.Fprintf(e.stderr, "cfonb export: %s: warning: %s only (Latin-1/Windows-1252 or UTF-8 text, a byte-order mark or an end-of-file mark), exported with the text decoded; cfonb fmt repairs the file\n",
				rep.Path, plural.Count(rep.Errors, "encoding error"))
		case rep.Errors > 0:
			r.printErrors(rep)
			refused = refused || r.refuses(rep)
		}
		if exErr != nil && !refused {
			fmt.Fprintf(e.stderr, "cfonb export: %v\n", exErr)
			return exitUsage
		}
	}
	if refused {
		fmt.Fprintln(e.stderr, "cfonb export: nothing exported: fix the errors, or use --force to export anyway")
		return exitInvalid
	}
	if r.progress != nil {
		_ = r.progress.Finish() // every input is read: the bar ends, cleared, before any message
	}
	if err := ex.Close(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
		return exitUsage
	}
	r.statements, r.movements = ex.Counts()
	return exitOK
}

// charsetOnly reports whether a report's errors are all text in another
// character set (validate.Report.Charset), which the export decodes: such
// a file is exported, with a warning, without --force.
func charsetOnly(rep *validate.Report) bool {
	return rep.Errors > 0 && rep.Errors == rep.Charset
}

// printErrors prints the errors of a report and what becomes of its file.
func (r *exportRun) printErrors(rep *validate.Report) {
	e := r.e
	for _, d := range rep.Diagnostics {
		if d.Severity == validate.SeverityError {
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	if n := rep.Errors - countErrors(rep.Diagnostics); n > 0 {
		fmt.Fprintf(e.stderr, "%s: %s not shown (see cfonb validate)\n", rep.Path, plural.Count(n, "more error"))
	}
	if r.force {
		fmt.Fprintf(e.stderr, "cfonb export: %s: %s, exported anyway (--force)\n", rep.Path, plural.Count(rep.Errors, "validation error"))
	} else {
		fmt.Fprintf(e.stderr, "cfonb export: %s: %s\n", rep.Path, plural.Count(rep.Errors, "validation error"))
	}
}

// input reads the input at path once: the exporter ex reads it (unless
// validateOnly), and every byte it reads also goes, through a pipe, to the
// validator on another goroutine; what the exporter leaves unread is read
// for the validator alone. So the validation is of exactly the bytes
// exported, whatever the input is (a pipe, /dev/stdin, a file being
// written). A regular file is read up to its size when opened. It returns
// the validation report, the exporter's error, and an I/O error of the
// input or the validation.
func (r *exportRun) input(ctx context.Context, ex *export.Exporter, path string, validateOnly bool) (rep *validate.Report, exErr, err error) {
	name := path
	var src io.Reader
	vopts := validate.Options{}
	if path == "-" {
		// Read to its first end of file only (one Ctrl-D at a terminal).
		name, src = "<stdin>", &stickyEOF{r: r.e.stdin}
		if f, ok := r.e.stdin.(*os.File); !ok || !isRegular(f) {
			vopts.StopAtMax = true
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer func() { _ = f.Close() }()
		fi, err := f.Stat()
		if err != nil {
			return nil, nil, err
		}
		switch mode := fi.Mode(); {
		case mode.IsDir():
			return nil, nil, fmt.Errorf("%s: is a directory", path)
		case mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
			return nil, nil, fmt.Errorf("%s: is a device, not a file", path)
		case !mode.IsRegular():
			// A FIFO (/dev/stdin of a pipe): read as it comes, and
			// stop at the diagnostics cap.
			src, vopts.StopAtMax = f, true
		default:
			// No read-ahead goroutine: the exporter and the validator
			// already keep both cores busy (one cost 5 MiB of memory
			// and saved no time on 256 MiB).
			src = io.LimitReader(f, fi.Size())
		}
	}
	if r.progress != nil {
		src = &progressReader{r: src, bar: r.progress}
	}
	src = ctxio.NewReader(ctx, src)
	if validateOnly {
		rep, err = r.check(name, src, vopts)
		return rep, nil, err
	}

	// The validator reads the input, and every byte it reads goes on,
	// through a pipe, to the exporter on this goroutine: the reading
	// and the copy are on the validator's side, which has less to do
	// than the exporter. If the validator refuses the file (and not
	// --force), the exporter is stopped and its output will be dropped.
	exCtx, stopExport := context.WithCancel(ctx)
	defer stopExport()
	pipe := spool.NewPipe()
	read := &countingReader{r: src}                      // what was read: all of it goes to the exporter
	seen := &countingReader{r: io.TeeReader(read, pipe)} // what the validator read
	var readErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep, err = r.check(name, seen, vopts)
		if err != nil || r.refuses(rep) {
			stopExport()
			pipe.CloseWithError(errRefused)
			return
		}
		// The validator may stop before the end (the cap, with
		// --force): the exporter still gets the rest.
		_, readErr = io.Copy(pipe, read)
		pipe.CloseWithError(readErr)
	}()
	exErr = ex.Export(name, ctxio.NewReader(exCtx, pipe))
	// The exporter may stop before the end (an error, or stopped): what
	// the validator reads still goes through the pipe.
	_, _ = io.Copy(io.Discard, pipe)
	<-done
	if err == nil && readErr != nil {
		err = fmt.Errorf("%s: %w", name, readErr)
	}
	switch {
	case err != nil || ctx.Err() != nil:
	case r.refuses(rep):
		exErr = nil // the exporter was stopped: the file is refused
	case seen.n < read.n && rep.Errors == 0:
		// The validator stops early only on errors: never export bytes
		// it did not see.
		err = fmt.Errorf("%s: the validation stopped after %d of %d bytes without saying why: nothing exported", name, seen.n, read.n)
	}
	return rep, exErr, err
}

// refuses reports whether a validation report stops the export: errors
// other than text in another character set, without --force.
func (r *exportRun) refuses(rep *validate.Report) bool {
	return rep.Errors > 0 && !charsetOnly(rep) && !r.force
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// parseSeparator reads the --csv-sep value: one character, or "tab" or
// `\t` for a tab.
func parseSeparator(s string) (rune, bool) {
	switch s {
	case "tab", "TAB", `\t`:
		return '\t', true
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		return 0, false
	}
	return r, true
}

// countErrors counts the errors among diagnostics.
func countErrors(ds []validate.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == validate.SeverityError {
			n++
		}
	}
	return n
}
