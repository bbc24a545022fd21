package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/walk"
	"github.com/cfonb-dev/cfonb/validate"
)

func newValidateCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "validate [-f text|json|github|sarif|junit|gitlab] [--strict] [--max-errors N] [--jobs N] [-q] PATH...",
		Short: "check CFONB120 files and report every problem",
		Long: `Checks CFONB120 files and reports every problem at its file, line and column,
with a stable rule id. PATH is a file, a directory or - for standard input.
Files are checked in parallel; the report keeps the order of the paths, and
several files end with one total line.

Directories are walked recursively, following symbolic links (a loop or a
dangling link is reported); hidden files and folders are passed over, and so
are the files that are not bank statements (a README, a licence: they are
counted in the total line). A file named on the command line is always
checked. --include and --exclude select files by glob when walking.

Formats: text (one line per problem, as a compiler), json, github (GitHub
Actions annotations), sarif (SARIF 2.1.0, for GitHub code scanning), junit
(JUnit XML: one test case per file, for GitLab, Jenkins, Azure) and gitlab
(GitLab Code Quality). File names are escaped in every format.

Exit status: 0 no error (warnings allowed), 1 at least one error (or a
warning with --strict), 2 a usage or I/O error (a file that cannot be read:
the other files are still checked and reported).`,
		Example: `  cfonb validate statement.txt
  cfonb validate --format github bank-samples/
  cfonb validate --format sarif -o cfonb.sarif statements/
  cfonb validate --format json - < statement.txt
  cfonb validate --exclude 'archive' --include '*.txt' statements/
  cfonb validate --rules`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	f := validateFlags{}
	fs.StringVarP(&f.format, "format", "f", "text", "report format: "+strings.Join(validate.Formats, ", "))
	fs.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` (atomically) instead of standard output")
	fs.BoolVar(&f.strict, "strict", false, "fail (exit 1) on warnings too")
	fs.IntVar(&f.maxErrors, "max-errors", validate.DefaultMaxDiagnostics, "diagnostics shown per file at most (the counts include the rest); 0 for no limit")
	fs.IntVar(&f.jobs, "jobs", runtime.NumCPU(), "files checked in parallel")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing about clean files (only problems, and the total when there are some)")
	fs.BoolVar(&f.rules, "rules", false, "list the rules and their severities, then exit")
	f.walk = addWalkFlags(fs)
	c.RunE = body(func(ctx context.Context, args []string) int { return runValidate(ctx, e, args, f) })
	return c
}

// validateFlags are the flags of cfonb validate.
type validateFlags struct {
	format, output string
	strict, quiet  bool
	maxErrors      int
	jobs           int
	rules          bool
	walk           walkFlags
}

func runValidate(ctx context.Context, e *env, args []string, f validateFlags) int {
	if f.rules {
		for _, r := range validate.Rules() {
			fmt.Fprintf(e.stdout, "%-17s %-8s %s\n", r.ID, r.Severity, r.Summary)
		}
		return exitOK
	}
	if !slices.Contains(validate.Formats, f.format) {
		return usageError(e, "validate", "--format must be one of %s, not %q", strings.Join(validate.Formats, ", "), f.format)
	}
	if len(args) == 0 {
		return usageError(e, "validate", "no PATH given (use - for standard input)")
	}
	if f.jobs < 1 {
		return usageError(e, "validate", "--jobs must be at least 1")
	}
	walked, code := walkPaths(e, "validate", args, f.walk)
	if walked == nil {
		return code
	}
	if code := refuseOutputInput(e, "validate", f.output, walked.Files()); code != exitOK {
		return code
	}
	opts := validate.Options{MaxDiagnostics: f.maxErrors}
	if f.maxErrors == 0 {
		opts.MaxDiagnostics = -1
	}
	var res validateResult
	write := func(w io.Writer) error {
		rw, err := validate.NewReportWriter(f.format, w, validate.WriterOptions{Quiet: f.quiet, Strict: f.strict})
		if err != nil {
			return err
		}
		res = validateAll(ctx, e, walked.Entries, opts, f.jobs, rw)
		if res.writeErr != nil {
			return res.writeErr
		}
		return rw.Close(validate.Totals{Files: res.files, Errors: res.errors, Warnings: res.warnings,
			Unreadable: res.ioErrors, Skipped: walked.Skipped})
	}
	var werr error
	if f.output == "" || f.output == "-" {
		werr = write(e.stdout)
	} else {
		werr = atomicfile.Write(f.output, 0, write)
	}
	if werr != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: writing the report: %s\n", validate.SafeText(werr.Error()))
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
	files            int // validated (read to the end, or as far as --max-errors)
	errors, warnings int
	ioErrors         int
	writeErr         error
}

// validateAll validates the files with up to jobs workers and hands each
// report to rw in the order of entries, as soon as the reports before it
// are out: memory holds the reports of the files in flight, not of all
// files. A file that cannot be read (or a path that could not be walked)
// is said on stderr and given to rw in its place; the others go on.
func validateAll(ctx context.Context, e *env, entries []walk.Entry, opts validate.Options, jobs int, rw validate.ReportWriter) validateResult {
	var (
		mu      sync.Mutex
		res     validateResult
		reports = make([]*validate.Report, len(entries))
		errs    = make([]error, len(entries))
		done    = make([]bool, len(entries))
		next    int
	)
	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(entries) > 20 {
		bar = progressbar.NewOptions(len(entries), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("validating"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	finished := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		done[i] = true
		for ; next < len(entries) && done[next]; next++ {
			if err := errs[next]; err != nil {
				res.ioErrors++
				fmt.Fprintf(e.stderr, "cfonb validate: %s\n", validate.SafeText(err.Error()))
				if res.writeErr == nil {
					res.writeErr = rw.WriteError(entries[next].Path, err)
				}
				continue
			}
			r := reports[next]
			reports[next] = nil
			res.files++
			res.errors += r.Errors
			res.warnings += r.Warnings
			if res.writeErr == nil {
				res.writeErr = rw.Write(r)
			}
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, en := range entries {
		p := en.Path
		if en.Err != nil {
			errs[i] = en.Err
			finished(i)
			continue
		}
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
