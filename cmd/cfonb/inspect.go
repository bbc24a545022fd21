package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/validate"
)

func newInspectCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "inspect FILE...",
		Short: "summarise the accounts and statements of a file",
		Long: `Summarises CFONB120 files for a person: each account (bank, branch, account
number, IBAN, currency) and each statement (dates, opening and closing
balances, number of movements, total debits and credits, whether it
reconciles). Problems are counted, not listed: run cfonb validate for them.

Any input is read in constant memory and time per record: at most
--max-statements statements are listed (1000 by default, 0 for no limit),
the accounts table covers those, and a line says how many more there were.

Exit status: 0 the file has no error, 1 it has errors, 2 a usage or I/O error.`,
		Example:               `  cfonb inspect testdata/valid/multi-crlf.txt`,
		DisableFlagsInUseLine: true,
	}
	format := c.Flags().StringP("format", "f", "text", "output format: text (tables) or json (one JSON object per file, per line)")
	maxStatements := c.Flags().Int("max-statements", validate.DefaultMaxSummaries, "statements listed per file at most (the counts include the rest); 0 for no limit")
	c.RunE = body(func(ctx context.Context, args []string) int {
		return runInspect(ctx, e, c, args, *format, *maxStatements)
	})
	return c
}

func runInspect(ctx context.Context, e *env, c *cobra.Command, args []string, format string, maxStatements int) int {
	fs := c.Flags()
	if format != "text" && format != "json" {
		return usageError(e, "inspect", "--format must be text or json, not %q", format)
	}
	if maxStatements < 0 {
		return usageError(e, "inspect", "--max-statements must be 0 (no limit) or more, not %d", maxStatements)
	}
	if maxStatements == 0 {
		maxStatements = -1
	}
	if fs.NArg() == 0 {
		return usageError(e, "inspect", "no FILE given")
	}
	paths, code := expandFiles(e, "inspect", fs.Args())
	if paths == nil && code != exitOK {
		return code
	}
	var err error
	if code := refuseOutputInput(e, "inspect", "", paths); code != exitOK {
		return code
	}
	status := exitOK
	for i, p := range paths {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "cfonb inspect: interrupted: %d of %s not inspected\n", len(paths)-i, plural.Count(len(paths), "file"))
			return exitUsage
		}
		var rep *validate.Report
		opts := validate.Options{Summary: true, MaxSummaries: maxStatements}
		if p == "-" {
			rep, err = validate.Stream("<stdin>", e.stdin, opts)
		} else {
			rep, err = validate.File(p, opts)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb inspect: %v\n", err)
			status = exitUsage
			continue
		}
		if msg := otherFormat(rep); msg != "" {
			// MT940, CFONB240, a PDF...: say what it is, as validate does.
			fmt.Fprintf(e.stderr, "cfonb inspect: %s: %s\n", validate.SafeName(rep.Path), msg)
			status = exitInvalid
			continue
		}
		if format == "json" {
			if err := writeInspectJSON(e, rep); err != nil {
				fmt.Fprintf(e.stderr, "cfonb inspect: %v\n", err)
				return exitUsage
			}
		} else {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			if err := writeInspect(e, rep); err != nil {
				return outputFailed(e, "inspect", err)
			}
		}
		if rep.Errors > 0 && status == exitOK {
			status = exitInvalid
		}
	}
	return status
}

// writeInspect prints the accounts and statements of one report. It
// returns the first error writing standard output (a full disk, a closed
// pipe): the report is then incomplete.
func writeInspect(e *env, rep *validate.Report) error {
	w := &stickyWriter{w: e.stdout}
	fmt.Fprintf(w, "%s: %s, %s, %s framing\n", rep.Path, plural.Count(rep.Records, "record"), plural.Count(rep.Statements, "statement"), rep.Framing)
	type acctInfo struct {
		iban       cfonb.IBAN
		statements int
	}
	var order []cfonb.Account
	seen := map[cfonb.Account]*acctInfo{}
	for _, s := range rep.Summaries {
		a := seen[s.Account]
		if a == nil {
			a = &acctInfo{iban: s.IBAN}
			seen[s.Account] = a
			order = append(order, s.Account)
		}
		a.statements++
	}
	if rep.SummariesOmitted > 0 {
		fmt.Fprintf(w, "\nAccounts (%d in the first %d statements)\n", len(order), len(rep.Summaries))
	} else {
		fmt.Fprintf(w, "\nAccounts (%d)\n", len(order))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  BANK\tBRANCH\tACCOUNT\tIBAN\tCURRENCY\tSTATEMENTS")
	for _, acct := range order {
		a := seen[acct]
		iban := string(a.iban)
		if iban == "" {
			iban = "(cannot be derived)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n", acct.Bank[:], acct.Branch[:], acct.Number[:], iban, acct.Currency[:], a.statements)
	}
	w.fail(tw.Flush())
	fmt.Fprintf(w, "\nStatements (%d)\n", len(rep.Summaries)+rep.SummariesOmitted)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  LINES\tACCOUNT\tFROM\tTO\tOPENING\tMOVEMENTS\tDEBITS\tCREDITS\tCLOSING\tRECONCILES\t")
	for _, s := range rep.Summaries {
		lines := fmt.Sprintf("%d-%d", s.StartLine, s.EndLine)
		to, closing := s.CloseDate.String(), cfonb.FormatDecimal(s.Closing, s.Decimals)
		if s.EndLine == 0 {
			lines, to, closing = fmt.Sprintf("%d-", s.StartLine), "(open)", "-"
		}
		rec := "yes"
		if !s.Reconciles {
			rec = "NO"
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", lines, s.Account.Number[:], s.Account.Currency[:],
			s.OpenDate, to, cfonb.FormatDecimal(s.Opening, s.Decimals), s.Movements,
			s.Debits.Decimal(s.Decimals), s.Credits.Decimal(s.Decimals), closing, rec)
	}
	w.fail(tw.Flush())
	if rep.SummariesOmitted > 0 {
		fmt.Fprintf(w, "  ... %s not shown (the first %d are; --max-statements 0 shows all)\n", plural.Count(rep.SummariesOmitted, "more statement"), len(rep.Summaries))
	}
	fmt.Fprintf(w, "\n%s\n", validate.FileSummary(rep))
	if rep.Errors+rep.Warnings > 0 {
		fmt.Fprintf(w, "Run cfonb validate %s for the details.\n", rep.Path)
	}
	return w.err
}

// otherFormat returns the validator's message for a file of another
// format ("this file is MT940 (SWIFT), not CFONB120"), or "".
func otherFormat(rep *validate.Report) string {
	for _, d := range rep.Diagnostics {
		if d.Rule == validate.RuleFormat {
			return d.Message
		}
	}
	return ""
}

// inspectJSON is one file of inspect --format json. Its statements have
// the fields of a statement of export --format json and of serve's
// /api/inspect (validate.StatementSummary's JSON).
type inspectJSON struct {
	Path       string                      `json:"path"`
	Records    int                         `json:"records"`
	Statements []validate.StatementSummary `json:"statements"`
	// StatementsOmitted counts the statements past --max-statements.
	StatementsOmitted int `json:"statements_omitted,omitempty"`
	Errors            int `json:"errors"`
	Warnings          int `json:"warnings"`
}

// writeInspectJSON writes one report as a JSON line.
func writeInspectJSON(e *env, rep *validate.Report) error {
	out := inspectJSON{Path: rep.Path, Records: rep.Records, Errors: rep.Errors, Warnings: rep.Warnings,
		Statements: rep.Summaries, StatementsOmitted: rep.SummariesOmitted}
	if out.Statements == nil {
		out.Statements = []validate.StatementSummary{}
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
