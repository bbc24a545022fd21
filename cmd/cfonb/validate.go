package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cfonb-dev/cfonb/validate"
)

func newValidateCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "validate [--format text|json|github] [--strict] [--max-errors N] [--jobs N] PATH...",
		Short: "check CFONB120 files and report every problem",
		Long: `Checks CFONB120 files and reports every problem at its file, line and column,
with a stable rule id. PATH is a file, a directory (walked recursively,
hidden files skipped) or - for standard input. Files are checked in parallel;
the report keeps the order of the paths.

Exit status: 0 no error (warnings allowed), 1 at least one error (or a
warning with --strict), 2 a usage or I/O error.`,
		Example: `  cfonb validate statement.txt
  cfonb validate --format github bank-samples/
  cfonb validate --format json - < statement.txt
  cfonb validate --rules`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	format := fs.StringP("format", "f", "text", "report format: text, json or github (GitHub Actions annotations)")
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too")
	maxErrors := fs.Int("max-errors", validate.DefaultMaxDiagnostics, "diagnostics shown per file at most (the counts include the rest); 0 for no limit")
	jobs := fs.Int("jobs", runtime.NumCPU(), "files checked in parallel")
	rules := fs.Bool("rules", false, "list the rules and their severities, then exit")
	c.RunE = body(func(ctx context.Context, args []string) int {
		return runValidate(ctx, e, c, args, validateFlags{*format, *strict, *maxErrors, *jobs, *rules})
	})
	return c
}

// validateFlags are the flags of cfonb validate.
type validateFlags struct {
	format    string
	strict    bool
	maxErrors int
	jobs      int
	rules     bool
}

func runValidate(ctx context.Context, e *env, c *cobra.Command, args []string, f validateFlags) int {
	if f.rules {
		for _, r := range validate.Rules() {
			fmt.Fprintf(e.stdout, "%-17s %-8s %s\n", r.ID, r.Severity, r.Summary)
		}
		return exitOK
	}
	switch f.format {
	case "text", "json", "github":
	default:
		return usageError(e, "validate", "--format must be text, json or github, not %q", f.format)
	}
	if len(args) == 0 {
		return usageError(e, "validate", "no PATH given (use - for standard input)")
	}
	if f.jobs < 1 {
		return usageError(e, "validate", "--jobs must be at least 1")
	}
	paths, err := expandPaths(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: %v\n", err)
		return exitUsage
	}
	if code := refuseOutputInput(e, "validate", "", paths); code != exitOK {
		return code
	}
	opts := validate.Options{MaxDiagnostics: f.maxErrors}
	if f.maxErrors == 0 {
		opts.MaxDiagnostics = -1
	}
	var emit func(*validate.Report) error
	var closeReport func() error
	switch f.format {
	case "json":
		jw := validate.NewJSONWriter(e.stdout)
		emit, closeReport = jw.Write, jw.Close
	case "github":
		emit = func(r *validate.Report) error { return validate.WriteGitHub(e.stdout, []*validate.Report{r}) }
	default:
		emit = func(r *validate.Report) error { return validate.WriteText(e.stdout, []*validate.Report{r}) }
	}
	res := validateAll(ctx, e, paths, opts, f.jobs, emit)
	werr := res.writeErr
	if closeReport != nil && werr == nil {
		werr = closeReport()
	}
	if werr != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: writing the report: %v\n", werr)
		return exitUsage
	}
	if res.ioErrors > 0 || ctx.Err() != nil {
		return exitUsage
	}
	if res.errors > 0 || (f.strict && res.warnings > 0) {
		return exitInvalid
	}
	return exitOK
}

// validateResult is what validateAll found.
type validateResult struct {
	errors, warnings int
	ioErrors         int
	writeErr         error
}

// validateAll validates the files with up to jobs workers and hands each
// report to emit in the order of paths, as soon as the reports before it
// are out: memory holds the reports of the files in flight, not of all
// files. A file that cannot be read is reported on stderr, in its place.
func validateAll(ctx context.Context, e *env, paths []string, opts validate.Options, jobs int, emit func(*validate.Report) error) validateResult {
	var (
		mu      sync.Mutex
		res     validateResult
		reports = make([]*validate.Report, len(paths))
		errs    = make([]error, len(paths))
		done    = make([]bool, len(paths))
		next    int
	)
	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(paths) > 20 {
		bar = progressbar.NewOptions(len(paths), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("validating"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	finished := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		done[i] = true
		for ; next < len(paths) && done[next]; next++ {
			if err := errs[next]; err != nil {
				res.ioErrors++
				fmt.Fprintf(e.stderr, "cfonb validate: %v\n", err)
				continue
			}
			r := reports[next]
			reports[next] = nil
			res.errors += r.Errors
			res.warnings += r.Warnings
			if res.writeErr == nil {
				res.writeErr = emit(r)
			}
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, p := range paths {
		g.Go(func() error {
			defer finished(i)
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
			return nil
		})
	}
	_ = g.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	return res
}
