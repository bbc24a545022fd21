package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/cfonb-dev/cfonb/validate"
)

const validateUsage = `Usage: cfonb validate [--format text|json|github] [--strict] [--max-errors N] [--jobs N] PATH...

Checks CFONB120 files and reports every problem at its file, line and column,
with a stable rule id. PATH is a file, a directory (walked recursively,
hidden files skipped) or - for standard input. Files are checked in parallel;
the report keeps the order of the paths.

Exit status: 0 no error (warnings allowed), 1 at least one error (or a
warning with --strict), 2 a usage or I/O error.

Examples:
  cfonb validate statement.txt
  cfonb validate --format github bank-samples/
  cfonb validate --format json - < statement.txt
  cfonb validate --rules

Flags:
`

func runValidate(ctx context.Context, e *env, args []string) int {
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "report format: text, json or github (GitHub Actions annotations)")
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too")
	maxErrors := fs.Int("max-errors", validate.DefaultMaxDiagnostics, "diagnostics shown per file at most (the counts include the rest); 0 for no limit")
	jobs := fs.Int("jobs", runtime.NumCPU(), "files checked in parallel")
	rules := fs.Bool("rules", false, "list the rules and their severities, then exit")
	fs.Usage = func() { fmt.Fprint(e.stderr, validateUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, e, args); done {
		return code
	}
	if *rules {
		for _, r := range validate.Rules() {
			fmt.Fprintf(e.stdout, "%-17s %-8s %s\n", r.ID, r.Severity, r.Summary)
		}
		return exitOK
	}
	switch *format {
	case "text", "json", "github":
	default:
		return usageError(e, "validate", "--format must be text, json or github, not %q", *format)
	}
	if fs.NArg() == 0 {
		return usageError(e, "validate", "no PATH given (use - for standard input)")
	}
	if *jobs < 1 {
		return usageError(e, "validate", "--jobs must be at least 1")
	}
	paths, err := expandPaths(fs.Args())
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: %v\n", err)
		return exitUsage
	}
	opts := validate.Options{MaxDiagnostics: *maxErrors}
	if *maxErrors == 0 {
		opts.MaxDiagnostics = -1
	}
	reports, ioErrs := validateAll(ctx, e, paths, opts, *jobs)

	var werr error
	switch *format {
	case "json":
		werr = validate.WriteJSON(e.stdout, reports)
	case "github":
		werr = validate.WriteGitHub(e.stdout, reports)
	default:
		werr = validate.WriteText(e.stdout, reports)
	}
	for _, err := range ioErrs {
		fmt.Fprintf(e.stderr, "cfonb validate: %v\n", err)
	}
	if werr != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: writing the report: %v\n", werr)
		return exitUsage
	}
	if len(ioErrs) > 0 || ctx.Err() != nil {
		return exitUsage
	}
	s := validate.Summarize(reports)
	if s.Errors > 0 || (*strict && s.Warnings > 0) {
		return exitInvalid
	}
	return exitOK
}

// validateAll validates the files with up to jobs workers and returns their
// reports in the order of paths (files that could not be read are left
// out) and the I/O errors, in the same order.
func validateAll(ctx context.Context, e *env, paths []string, opts validate.Options, jobs int) ([]*validate.Report, []error) {
	reports := make([]*validate.Report, len(paths))
	errs := make([]error, len(paths))
	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(paths) > 20 {
		bar = progressbar.NewOptions(len(paths), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("validating"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	var done atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, p := range paths {
		g.Go(func() error {
			if ctx.Err() != nil {
				errs[i] = fmt.Errorf("%s: %w", p, ctx.Err())
				return nil
			}
			if p == "-" {
				o := opts
				if f, ok := e.stdin.(*os.File); !ok || !isRegular(f) {
					o.StopAtMax = true // a pipe may never end
				}
				reports[i], errs[i] = validate.Stream("<stdin>", e.stdin, o)
			} else {
				reports[i], errs[i] = validate.File(p, opts)
			}
			if bar != nil {
				done.Add(1)
				_ = bar.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	var out []*validate.Report
	var ioErrs []error
	for i := range paths {
		if errs[i] != nil {
			ioErrs = append(ioErrs, errs[i])
			continue
		}
		out = append(out, reports[i])
	}
	return out, ioErrs
}

// parseFlags parses args; done is true when the command must return code
// at once (--help, or a usage error).
func parseFlags(fs *pflag.FlagSet, e *env, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK, true
		}
		fmt.Fprintf(e.stderr, "cfonb %s: %v (see cfonb %s --help)\n", fs.Name(), err, fs.Name())
		return exitUsage, true
	}
	return 0, false
}

// usageError prints a usage error and returns exitUsage.
func usageError(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "cfonb %s: %s (see cfonb %s --help)\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}
