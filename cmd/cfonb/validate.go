package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

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
	out := newReportOut(e.stdout)
	var emit func(*validate.Report) error
	var closeReport func() error
	switch *format {
	case "json":
		jw := validate.NewJSONWriter(out)
		emit, closeReport = jw.Write, jw.Close
	case "github":
		emit = func(r *validate.Report) error { return validate.WriteGitHub(out, []*validate.Report{r}) }
	default:
		emit = func(r *validate.Report) error { return validate.WriteText(out, []*validate.Report{r}) }
	}
	res := validateAll(ctx, e, paths, opts, *jobs, emit, out)
	werr := res.writeErr
	if closeReport != nil && werr == nil {
		werr = closeReport()
	}
	if werr == nil {
		werr = out.Flush()
	}
	if werr != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: writing the report: %v\n", werr)
		return exitUsage
	}
	if res.ioErrors > 0 || ctx.Err() != nil {
		return exitUsage
	}
	if res.errors > 0 || (*strict && res.warnings > 0) {
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
//
// The workers take the next path from a shared counter: no goroutine nor
// hand-off per file. The reports go through out, which the last worker to
// emit flushes at the end and a timer flushes a moment after it starts
// filling, so that a long run shows its reports as it goes.
func validateAll(ctx context.Context, e *env, paths []string, opts validate.Options, jobs int, emit func(*validate.Report) error, out *reportOut) validateResult {
	var (
		mu       sync.Mutex
		res      validateResult
		reports  = make([]*validate.Report, len(paths))
		errs     = make([]error, len(paths))
		done     = make([]bool, len(paths))
		next     int
		nextPath atomic.Int64
	)
	var bar *progressbar.ProgressBar
	if e.stderrIsTerminal && len(paths) > 20 {
		bar = progressbar.NewOptions(len(paths), progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("validating"), progressbar.OptionClearOnFinish(),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000))
	}
	flushLater := func() {
		mu.Lock()
		defer mu.Unlock()
		if err := out.timedFlush(); err != nil && res.writeErr == nil {
			res.writeErr = err
		}
	}
	finished := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		done[i] = true
		for ; next < len(paths) && done[next]; next++ {
			if err := errs[next]; err != nil {
				res.ioErrors++
				// The reports before it first, for a terminal showing both.
				if ferr := out.Flush(); ferr != nil && res.writeErr == nil {
					res.writeErr = ferr
				}
				fmt.Fprintf(e.stderr, "cfonb validate: %v\n", err)
				continue
			}
			r := reports[next]
			reports[next] = nil
			res.errors += r.Errors
			res.warnings += r.Warnings
			if res.writeErr == nil {
				res.writeErr = emit(r)
				out.flushSoon(flushLater)
			}
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	work := func() {
		for {
			i := int(nextPath.Add(1) - 1)
			if i >= len(paths) {
				return
			}
			p := paths[i]
			switch {
			case ctx.Err() != nil:
				errs[i] = fmt.Errorf("%s: %w", p, ctx.Err())
			case p == "-":
				o := opts
				if f, ok := e.stdin.(*os.File); !ok || !isRegular(f) {
					o.StopAtMax = true // a pipe may never end
				}
				reports[i], errs[i] = validate.Stream("<stdin>", e.stdin, o)
			default:
				reports[i], errs[i] = validate.File(p, opts)
			}
			finished(i)
		}
	}
	var wg sync.WaitGroup
	for range min(jobs, len(paths)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	mu.Lock()
	out.stop()
	mu.Unlock()
	if bar != nil {
		_ = bar.Finish()
	}
	return res
}

// reportOut buffers the report of validate: one write(2) per 64 KiB
// instead of one per file. Its methods are called under validateAll's
// lock, which the timer's flush takes too.
type reportOut struct {
	*bufio.Writer
	timer   *time.Timer
	armed   bool // a flush is pending
	stopped bool // validateAll is done: the timer does nothing more
}

func newReportOut(w io.Writer) *reportOut {
	return &reportOut{Writer: bufio.NewWriterSize(w, 64<<10)}
}

// reportFlushDelay is how long a report may wait in the buffer.
const reportFlushDelay = 200 * time.Millisecond

// flushSoon arranges for flush to run reportFlushDelay after the buffer
// started filling.
func (o *reportOut) flushSoon(flush func()) {
	if o.Buffered() == 0 || o.armed || o.stopped {
		return
	}
	o.armed = true
	if o.timer == nil {
		o.timer = time.AfterFunc(reportFlushDelay, flush)
	} else {
		o.timer.Reset(reportFlushDelay)
	}
}

// timedFlush is the timer's flush.
func (o *reportOut) timedFlush() error {
	o.armed = false
	if o.stopped {
		return nil
	}
	return o.Flush()
}

// stop stops the timer: the caller flushes from then on.
func (o *reportOut) stop() {
	o.stopped = true
	if o.timer != nil {
		o.timer.Stop()
	}
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
