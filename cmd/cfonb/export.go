package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/prefetch"
	"github.com/cfonb-dev/cfonb/validate"
)

// validateFunc validates the file at path, reporting it as name.
type validateFunc func(name, path string) (*validate.Report, error)

// validateForExport is the validation cfonb export runs.
func validateForExport(name, path string) (*validate.Report, error) {
	if name == path {
		return validate.File(path, validate.Options{})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return validate.Stream(name, f, validate.Options{})
}

// exportInput is one file to export: its name in messages and output, and
// where to read it.
type exportInput struct {
	name, path string
}

func newExportCmd(e *env, check validateFunc) *cobra.Command {
	c := &cobra.Command{
		Use:   "export [--format jsonl|json|csv|xlsx|ofx] [--columns default|fr] [--output FILE] [--force] [--csv-sep C] [--decimal-comma] [--bom] PATH...",
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
exported in constant memory.

PATH is a file, a directory (walked recursively, hidden files skipped) or -
for standard input. Every file is validated first: a file with validation
errors is not exported, and its errors are printed, unless --force is given.
Encoding errors alone (Latin-1/Windows-1252 or UTF-8 text, which the export
decodes) are a warning: the file is exported.
With --output the file is written atomically: it appears complete or not at
all (an existing file is replaced only on success).

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
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runExport(ctx, e, c, args, check, fl) })
	return c
}

// exportFlags are the flags of cfonb export.
type exportFlags struct {
	format, output, sep      *string
	columns                  *string
	force, decimalComma, bom *bool
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
	opts := export.Options{Format: f, DecimalComma: *decimalComma, BOM: *bom, Columns: cols}
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
	paths, err := expandPaths(fs.Args())
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
		return exitUsage
	}
	if code := refuseOutputInput(e, "export", *output, paths); code != exitOK {
		return code
	}

	// Standard input is read twice (validated, then exported): keep it in a
	// temporary file, not in memory.
	inputs := make([]exportInput, 0, len(paths))
	for _, p := range paths {
		if p != "-" {
			inputs = append(inputs, exportInput{p, p})
			continue
		}
		tmp, err := spoolStdin(e.stdin)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb export: reading standard input: %v\n", err)
			return exitUsage
		}
		defer os.Remove(tmp)
		inputs = append(inputs, exportInput{"<stdin>", tmp})
	}

	toFile := *output != "" && *output != "-"
	if f == export.XLSX && !toFile {
		if file, ok := e.stdout.(*os.File); ok && isTerminal(file) {
			return usageError(e, "export", "--format xlsx writes a binary workbook: give --output FILE.xlsx, or redirect standard output")
		}
	}
	var stats exportStats
	if !toFile {
		// Standard output cannot take back what it was given: validate
		// every file before writing anything.
		if code := checkInputs(ctx, e, inputs, check, *force, nil); code != exitOK {
			return code
		}
		stats, err = exportAll(ctx, e.stdout, inputs, opts)
	} else {
		// A file is written atomically: export while validating (two cores
		// at work), and drop the file if validation refuses it.
		exportCtx, stopExport := context.WithCancel(ctx)
		defer stopExport()
		checked := make(chan int, 1)
		go func() { checked <- checkInputs(ctx, e, inputs, check, *force, stopExport) }()
		code, waited := exitOK, false
		err = atomicfile.Write(*output, 0, func(w io.Writer) error {
			var err error
			stats, err = exportAll(exportCtx, w, inputs, opts)
			code, waited = <-checked, true
			if code != exitOK {
				return errRefused
			}
			return err
		})
		if !waited {
			code = <-checked // the temporary file could not be made: still report the validation
		}
		if code != exitOK {
			return code
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			fmt.Fprintln(e.stderr, "cfonb export: interrupted: nothing written")
		} else {
			fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
		}
		return exitUsage
	}
	if toFile {
		fmt.Fprintf(e.stderr, "cfonb export: %s: %s of %s from %s\n", *output,
			plural(stats.movements, "movement"), plural(stats.statements, "statement"), plural(len(inputs), "file"))
	}
	return exitOK
}

// errRefused aborts the atomic write of a refused export.
var errRefused = errors.New("refused")

// checkInputs validates the inputs in order and prints the errors of those
// that have some. It returns exitOK when the export may go on: no file has
// errors, or force is set. Otherwise it calls refuse (if not nil) as soon
// as the export is known to be refused, and returns the exit status.
func checkInputs(ctx context.Context, e *env, inputs []exportInput, check validateFunc, force bool, refuse func()) int {
	invalid := false
	for _, in := range inputs {
		if ctx.Err() != nil {
			fmt.Fprintln(e.stderr, "cfonb export: interrupted")
			return exitUsage
		}
		rep, err := check(in.name, in.path)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb export: %v\n", err)
			if refuse != nil {
				refuse()
			}
			return exitUsage
		}
		if rep.Errors == 0 {
			continue
		}
		if rep.Errors == rep.Charset {
			// Text in another character set, which the export decodes:
			// nothing is lost, so it is a warning here.
			fmt.Fprintf(e.stderr, "cfonb export: %s: warning: %s only (Latin-1/Windows-1252 or UTF-8 text, a byte-order mark or an end-of-file mark), exported with the text decoded; cfonb fmt repairs the file\n",
				in.name, plural(rep.Errors, "encoding error"))
			continue
		}
		if !force && refuse != nil {
			refuse()
		}
		invalid = true
		for _, d := range rep.Diagnostics {
			if d.Severity == validate.SeverityError {
				fmt.Fprintln(e.stderr, d.String())
			}
		}
		if n := rep.Errors - countErrors(rep.Diagnostics); n > 0 {
			fmt.Fprintf(e.stderr, "%s: %d more errors not shown (see cfonb validate)\n", in.name, n)
		}
		if force {
			fmt.Fprintf(e.stderr, "cfonb export: %s: %s, exported anyway (--force)\n", in.name, plural(rep.Errors, "validation error"))
		} else {
			fmt.Fprintf(e.stderr, "cfonb export: %s: %s\n", in.name, plural(rep.Errors, "validation error"))
		}
	}
	if invalid && !force {
		fmt.Fprintln(e.stderr, "cfonb export: nothing exported: fix the errors, or use --force to export anyway")
		return exitInvalid
	}
	return exitOK
}

type exportStats struct{ statements, movements int }

// exportAll exports the inputs in order to w.
func exportAll(ctx context.Context, w io.Writer, inputs []exportInput, opts export.Options) (exportStats, error) {
	ex, err := export.New(w, opts)
	if err != nil {
		return exportStats{}, err
	}
	for _, in := range inputs {
		if err := exportOne(ctx, ex, in); err != nil {
			return exportStats{}, err
		}
	}
	if err := ex.Close(); err != nil {
		return exportStats{}, err
	}
	st, mv := ex.Counts()
	return exportStats{st, mv}, nil
}

// exportPrefetchMin is the file size above which a second goroutine reads
// ahead of the export (as validate.File does), so that the kernel's copies
// overlap with the work.
const exportPrefetchMin = 8 << 20

func exportOne(ctx context.Context, ex *export.Exporter, in exportInput) error {
	f, err := os.Open(in.path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > exportPrefetchMin {
		p := prefetch.New(f, 4, 1<<20)
		defer p.Close()
		r = p
	}
	return ex.Export(in.name, ctxReader{ctx, r})
}

// spoolStdin copies r to a temporary file and returns its path.
func spoolStdin(r io.Reader) (string, error) {
	tmp, err := os.CreateTemp("", "cfonb-export-stdin-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
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
