package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/plural"
)

func newGenCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "gen [--seed N] [--size SIZE] [--accounts K] [--errors RATE] [--eol crlf|lf|none] [--latin1] [-o FILE]",
		Short: "generate realistic statement files (for benchmarks and tests)",
		Long: `Writes a realistic CFONB120 file: daily statements of several French
accounts (real bank codes, valid RIB keys and IBANs), SEPA direct debits,
transfers, card payments, cheques and fees with their 05 complements, and
balances that reconcile. The same flags always give the same bytes, so a
file can be regenerated instead of stored. It is meant for benchmarks,
demonstrations and tests.

With --errors, that fraction of the records is broken on purpose (an
impossible date, a bad sign character, a letter in a numeric field, a wrong
length, an unknown record code, a non-ASCII byte, a balance that does not
reconcile); --breaks lists them as JSON Lines. With --latin1 the labels keep
their French accents in ISO-8859-1, as some banks send them: input for
"cfonb fmt".

SIZE is a number of bytes with an optional unit: KiB, MiB, GiB, TiB (or K,
M, G, T) are powers of 1024; KB, MB, GB, TB powers of 1000. Writing stops at
the end of the statement that keeps the file at or just under SIZE.`,
		Example: `  cfonb gen --seed 1 --size 10MiB -o statements.txt
  cfonb gen --size 1GiB --eol lf -o /tmp/big.txt
  cfonb gen --size 100KiB --errors 0.01 --breaks breaks.jsonl -o broken.txt
  cfonb gen --size 1MiB --latin1 | cfonb fmt`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := genFlags{
		seed:       fs.Int64("seed", 1, "selects the file: the same seed and flags give the same bytes"),
		sizeFlag:   fs.String("size", "1MiB", "target size, e.g. 4096, 10MiB, 1GiB, 500MB"),
		accounts:   fs.Int("accounts", 0, "accounts with a statement each business day (0: one per 4 MiB, 3 to 1000)"),
		rate:       fs.Float64("errors", 0, "fraction of records broken on purpose, 0 to 1"),
		eolFlag:    fs.String("eol", "crlf", "line end: crlf, lf, or none (continuous 120-byte records)"),
		latin1:     fs.Bool("latin1", false, "write accented labels in ISO-8859-1 (not valid CFONB120: input for cfonb fmt)"),
		startFlag:  fs.String("start", "2021-01-04", "date of the first statements, YYYY-MM-DD (2000 to 2059)"),
		output:     fs.StringP("output", "o", "", "write to FILE (atomically) instead of standard output"),
		breaksPath: fs.String("breaks", "", "write the list of broken records to FILE as JSON Lines"),
		quiet:      fs.BoolP("quiet", "q", false, "print no summary on standard error"),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runGen(ctx, e, c, args, fl) })
	return c
}

// genFlags are the flags of cfonb gen.
type genFlags struct {
	seed                                             *int64
	sizeFlag, eolFlag, startFlag, output, breaksPath *string
	accounts                                         *int
	rate                                             *float64
	latin1, quiet                                    *bool
}

func runGen(ctx context.Context, e *env, c *cobra.Command, args []string, fl genFlags) int {
	fs := c.Flags()
	seed, sizeFlag, accounts, rate, eolFlag, latin1 := fl.seed, fl.sizeFlag, fl.accounts, fl.rate, fl.eolFlag, fl.latin1
	startFlag, output, breaksPath, quiet := fl.startFlag, fl.output, fl.breaksPath, fl.quiet
	if fs.NArg() > 0 {
		return usageError(e, "gen", "unexpected argument %q (the output goes to standard output or -o FILE)", fs.Arg(0))
	}
	size, err := gen.ParseSize(*sizeFlag)
	if err != nil {
		return usageError(e, "gen", "--size: %v", err)
	}
	opts := gen.Options{Seed: *seed, Size: size, Accounts: *accounts, ErrorRate: *rate, Latin1: *latin1}
	if *accounts < 0 || *accounts > gen.MaxAccounts {
		return usageError(e, "gen", "--accounts must be between 0 (automatic) and %d, not %d", gen.MaxAccounts, *accounts)
	}
	if !(*rate >= 0 && *rate <= 1) {
		return usageError(e, "gen", "--errors must be between 0 and 1, not %v", *rate)
	}
	switch *eolFlag {
	case "crlf":
		opts.EOL = cfonb.EOLCRLF
	case "lf":
		opts.EOL = cfonb.EOLLF
	case "none":
		opts.EOL = cfonb.EOLNone
	default:
		return usageError(e, "gen", "--eol must be crlf, lf or none, not %q", *eolFlag)
	}
	if smallest := gen.MinSize(opts.EOL); size < smallest {
		return usageError(e, "gen", "--size %s is less than the smallest file, one statement without movements: %d bytes with --eol %s", *sizeFlag, smallest, *eolFlag)
	}
	start, err := time.Parse(time.DateOnly, *startFlag)
	if err != nil || start.Year() < 2000 || start.Year() > 2059 {
		return usageError(e, "gen", "--start must be a date YYYY-MM-DD from 2000 to 2059, not %q", *startFlag)
	}
	opts.Start = cfonb.NewDate(start.Year(), int(start.Month()), start.Day())

	began := time.Now()
	st, err := writeGenerated(ctx, e.stdout, *output, *breaksPath, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb gen: %v\n", err)
		return exitUsage
	}
	if !*quiet {
		dest := *output
		if dest == "" {
			dest = "standard output"
		}
		elapsed := time.Since(began)
		fmt.Fprintf(e.stderr, "cfonb gen: %d bytes (%s), %s, %s, %s, %d broken, to %s in %.2fs\n",
			st.Bytes, gen.FormatSize(st.Bytes), plural.Count(st.Records, "record"), plural.Count(st.Statements, "statement"),
			plural.Count(st.Accounts, "account"), st.Broken, dest, elapsed.Seconds())
	}
	return exitOK
}

// writeGenerated writes the file to stdout or, atomically, to output, and
// the list of breaks to breaksPath if it is set.
func writeGenerated(ctx context.Context, stdout io.Writer, output, breaksPath string, opts gen.Options) (gen.Stats, error) {
	var st gen.Stats
	write := func(w io.Writer) error {
		var err error
		st, err = gen.Write(ctx, w, opts)
		return err
	}
	if breaksPath != "" {
		inner := write
		write = func(w io.Writer) error {
			return writeAtomic(ctx, breaksPath, func(bw io.Writer) error {
				return writeWithBreaks(bw, func(onBreak func(gen.Break)) error {
					opts.OnBreak = onBreak
					return inner(w)
				})
			})
		}
	}
	var err error
	if output == "" {
		err = write(stdout)
	} else {
		err = writeAtomic(ctx, output, write)
	}
	return st, err
}

// breakJSON is one line of --breaks.
type breakJSON struct {
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Kind   string `json:"kind"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Column int    `json:"column"`
}

// writeWithBreaks runs generate with a callback that writes each break to w
// as a JSON line, and returns the first error of either.
func writeWithBreaks(w io.Writer, generate func(onBreak func(gen.Break)) error) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var encErr error
	err := generate(func(b gen.Break) {
		if encErr == nil {
			encErr = enc.Encode(breakJSON{Line: b.Line, Offset: b.Offset, Kind: b.Kind.String(),
				Code: b.Code.String(), Field: b.Field.String(), Column: b.Column})
		}
	})
	if err == nil && encErr != nil {
		err = fmt.Errorf("--breaks: %w", encErr)
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("--breaks: %w", ferr)
	}
	return err
}
