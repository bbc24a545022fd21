package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/internal/walk"
	"github.com/cfonb-dev/cfonb/validate"
)

func newValidateCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "validate [-f text|json|github|sarif|junit|gitlab] [--strict] [--pedantic] [--max-errors N] [--jobs N] [-q] PATH...",
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

A real, valid bank file gives no diagnostic: the conventions of real banks
(text in reserved zones, a blank interbank code, another bank code on a
movement, a final 0x1A) are reported only with --pedantic. The same warning
repeated in a file is shown 10 times, then counted on one line.

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
	fs.StringSliceVar(&f.selectRules, "select", nil, "report only these `RULES` (rule ids or families: file, fields, statements; comma-separated or repeated)")
	fs.StringSliceVar(&f.ignoreRules, "ignore", nil, "do not report these `RULES` (rule ids or families)")
	fs.BoolVar(&f.pedantic, "pedantic", false, "also report the harmless conventions of real bank files (reserved zones, blank interbank codes, other bank codes on movements, a final 0x1A)")
	fs.IntVar(&f.maxErrors, "max-errors", validate.DefaultMaxDiagnostics, "diagnostics shown per file at most (the counts include the rest); 0 for no limit")
	fs.IntVar(&f.jobs, "jobs", 0, "files checked in parallel (0, the default: one per CPU)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing about clean files (only problems, and the total when there are some)")
	fs.BoolVar(&f.rules, "rules", false, "list the rules and their severities, then exit")
	f.walk = addWalkFlags(fs)
	c.RunE = body(func(ctx context.Context, args []string) int { return runValidate(ctx, e, args, f) })
	return c
}

// validateFlags are the flags of cfonb validate.
type validateFlags struct {
	format, output           string
	strict, quiet, pedantic  bool
	selectRules, ignoreRules []string
	maxErrors                int
	jobs                     int
	rules                    bool
	walk                     walkFlags
}

func runValidate(ctx context.Context, e *env, args []string, f validateFlags) int {
	if f.rules {
		w := &stickyWriter{w: e.stdout}
		for _, r := range validate.Rules() {
			fmt.Fprintf(w, "%-17s %-8s %s\n", r.ID, r.Severity, r.Summary)
		}
		if w.err != nil {
			return outputFailed(e, "validate", w.err)
		}
		return exitOK
	}
	if !slices.Contains(validate.Formats, f.format) {
		return usageError(e, "validate", "--format must be one of %s, not %q", strings.Join(validate.Formats, ", "), f.format)
	}
	if len(args) == 0 {
		return usageError(e, "validate", "no PATH given (use - for standard input)")
	}
	if f.jobs < 0 {
		return usageError(e, "validate", "--jobs must be at least 1, or 0 for one per CPU")
	}
	if f.maxErrors < 0 {
		return usageError(e, "validate", "--max-errors must be 0 (no limit) or more, not %d", f.maxErrors)
	}
	if f.jobs == 0 {
		f.jobs = runtime.NumCPU()
	}
	// The files reached by walking are sniffed by validate.File from its
	// own read (OnlyBankStatements), not opened a second time by the walk.
	wf := f.walk
	wf.lateSniff = true
	// Nor are they statted by the walk: validateAll passes over a file
	// reached twice from what the open file says (walk.Options.LateStat).
	wf.lateStat = true
	// --sniff: the files named are passed over like those found in
	// directories when they are not bank statements (pre-commit).
	sniffNamed := f.walk.sniff != nil && *f.walk.sniff
	feed := newEntryFeed(sniffNamed)
	var walkSkipped func() int
	if (f.output != "" && f.output != "-") || stdoutIsRegular(e) || e.stderrIsTerminal {
		// Every path is needed before starting: to check that the report
		// does not overwrite an input, or to show the count on the
		// progress bar.
		walked, code := walkPaths(e, "validate", args, wf)
		if walked == nil {
			return code
		}
		feed.add(walked.Entries)
		feed.close()
		if code := refuseOutputInput(e, "validate", f.output, feed.files()); code != exitOK {
			return code
		}
		skipped := walked.Skipped
		walkSkipped = func() int { return skipped }
	} else {
		// The files are validated while the directories are walked.
		if err := walk.Check(args, wf.options()); err != nil {
			return usageError(e, "validate", "%v", err)
		}
		walkSkipped = feed.walk(args, wf.options())
	}
	opts := validate.Options{MaxDiagnostics: f.maxErrors, Pedantic: f.pedantic, Select: f.selectRules, Ignore: f.ignoreRules}
	for flag, names := range map[string][]string{"--select": f.selectRules, "--ignore": f.ignoreRules} {
		if _, err := validate.ExpandRules(names); err != nil {
			return usageError(e, "validate", "%s: %v", flag, err)
		}
	}
	if f.maxErrors == 0 {
		opts.MaxDiagnostics = -1
	}
	var res validateResult
	write := func(w io.Writer) error {
		out := newReportOut(w)
		rw, err := validate.NewReportWriter(f.format, out, validate.WriterOptions{Quiet: f.quiet, Strict: f.strict})
		if err != nil {
			return err
		}
		res = validateAll(ctx, e, feed, opts, f.jobs, rw, out)
		if res.writeErr != nil {
			return res.writeErr
		}
		err = rw.Close(validate.Totals{Files: res.files, Errors: res.errors, Warnings: res.warnings,
			Unreadable: res.ioErrors + res.interrupted, Skipped: walkSkipped() + res.skipped})
		if ferr := out.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	var werr error
	if f.output == "" || f.output == "-" {
		werr = write(e.stdout)
	} else {
		werr = writeAtomic(ctx, f.output, write)
	}
	if werr != nil {
		fmt.Fprintf(e.stderr, "cfonb validate: writing the report: %s\n", validate.SafeText(werr.Error()))
		return exitUsage
	}
	if res.interrupted > 0 {
		fmt.Fprintf(e.stderr, "cfonb validate: interrupted: %s not validated; %d validated before\n",
			plural.Count(res.interrupted, "file"), res.files)
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
	interrupted      int // not validated: the run was interrupted first
	skipped          int // files reached by walking that are not bank statements
	writeErr         error
}

// reportWindow is how many entries validateAll may have taken and not
// reported yet.
const reportWindow = 256

// entryFeed hands out the entries to validate, in their order: a list
// walked before the work starts, or the entries of a walk that goes on at
// the same time (feed.walk).
//
// Memory holds the entries found and not yet handed out, not all of them.
type entryFeed struct {
	mu      sync.Mutex
	more    sync.Cond    // on mu: entries were added, or the feed closed
	room    sync.Cond    // on mu: the queue has room again
	queue   []walk.Entry // found, not handed out
	limit   int          // the walk waits while the queue holds this many (0: no limit)
	taken   int          // entries handed out
	closed  bool         // no more entries will come
	unnamed bool         // --sniff: treat the paths named as found by walking
}

// newEntryFeed returns an empty feed.
func newEntryFeed(unnamed bool) *entryFeed {
	f := &entryFeed{unnamed: unnamed}
	f.more.L = &f.mu
	f.room.L = &f.mu
	return f
}

// feedQueueMax is how many entries a walk running with the work may have
// found ahead of the workers: it waits for them beyond. 512 (8 batches)
// keeps it well ahead; 4,096 held 1 MiB more for the collector to mark,
// for no gain.
const feedQueueMax = 512

// feedBatch is how many entries the walk gathers before handing them out.
const feedBatch = 64

// add appends entries to the feed, waiting for room if it has a limit.
func (f *entryFeed) add(entries []walk.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.limit > 0 && len(f.queue) >= f.limit {
		f.room.Wait()
	}
	for _, en := range entries {
		if f.unnamed {
			en.Named = false
		}
		f.queue = append(f.queue, en)
	}
	f.more.Broadcast()
}

// close says that no more entries will come.
func (f *entryFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	f.more.Broadcast()
}

// take returns the next entry and its index, waiting for the walk to find
// it; false when every entry has been handed out.
func (f *entryFeed) take() (int, walk.Entry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.queue) == 0 && !f.closed {
		f.more.Wait()
	}
	if len(f.queue) == 0 {
		return 0, walk.Entry{}, false
	}
	en := f.queue[0]
	f.queue[0] = walk.Entry{}
	f.queue = f.queue[1:]
	f.taken++
	if f.limit > 0 && len(f.queue) == f.limit-1 {
		f.room.Signal() // the one walk
	}
	return f.taken - 1, en, true
}

// count returns the number of entries, and whether the feed is closed
// (the count is final).
func (f *entryFeed) count() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.taken + len(f.queue), f.closed
}

// files returns the paths of the entries not handed out yet without an
// error.
func (f *entryFeed) files() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := walk.Result{Entries: f.queue}
	return r.Files()
}

// walk walks args on a goroutine of its own, adding the entries it finds
// to the feed in batches, and closes the feed at the end. The options must
// have been checked (walk.Check). The returned function waits for the walk
// to end and returns how many files it passed over.
func (f *entryFeed) walk(args []string, opts walk.Options) (skipped func() int) {
	f.mu.Lock()
	f.limit = feedQueueMax
	f.mu.Unlock()
	done := make(chan int, 1)
	go func() {
		batch := make([]walk.Entry, 0, feedBatch)
		n, _ := walk.Walk(args, opts, func(en walk.Entry) {
			if batch = append(batch, en); len(batch) == feedBatch {
				f.add(batch)
				batch = batch[:0]
			}
		})
		f.add(batch)
		f.close()
		done <- n
	}()
	return sync.OnceValue(func() int { return <-done })
}

// stdoutIsRegular reports whether standard output is a regular file (which
// may be one of the inputs).
func stdoutIsRegular(e *env) bool {
	f, ok := e.stdout.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// validateAll validates the entries of feed with up to jobs workers and
// hands each report to rw in the order of the entries, as soon as the
// reports before it are out: memory holds the reports of the files in
// flight (at most reportWindow), not of all files (nor their paths). A file that cannot be read (or a path that
// could not be walked) is said on stderr and given to rw in its place; the
// others go on.
//
// The workers take the next entry from the feed: no goroutine nor hand-off
// per file. rw writes into out, which a timer flushes a moment after it
// starts filling, so that a long run shows its reports as it goes; the
// caller flushes it at the end.
func validateAll(ctx context.Context, e *env, feed *entryFeed, opts validate.Options, jobs int, rw validate.ReportWriter, out *reportOut) validateResult {
	// result is the outcome of one entry.
	type result struct {
		path   string
		report *validate.Report
		err    error
		id     validate.FileID
		hasID  bool
	}
	var (
		mu      sync.Mutex
		res     validateResult
		pending = map[int]result{} // the entries done, not reported yet
		next    int                // the next entry to report
		// seen holds the files reported: a file reached a second time
		// (through a link, or a hard link of another name) is passed
		// over, as the walk does for the files it stats itself.
		seen = map[validate.FileID]struct{}{}
		// window holds a token for each entry taken and not reported: a
		// worker waits before going more than reportWindow entries past
		// one that takes long (a large file, or a worker the system left
		// waiting), instead of keeping every report after it.
		window = make(chan struct{}, reportWindow)
	)
	var bar *progressbar.ProgressBar
	if n, final := feed.count(); e.stderrIsTerminal && final && n > 20 {
		bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(e.stderr),
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
	finished := func(i int, rs result) {
		mu.Lock()
		defer mu.Unlock()
		pending[i] = rs
		for ; ; next++ {
			rs, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			<-window
			if rs.hasID {
				if _, dup := seen[rs.id]; dup {
					continue
				}
				seen[rs.id] = struct{}{}
			}
			if errors.Is(rs.err, validate.ErrNotBankStatement) {
				res.skipped++
				continue
			}
			if err := rs.err; err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				// Not started before the interrupt: counted, and said
				// once at the end rather than once per file. The
				// report still lists it as not read.
				res.interrupted++
				if res.writeErr == nil {
					res.writeErr = rw.WriteError(rs.path, err)
				}
				continue
			}
			if err := rs.err; err != nil {
				res.ioErrors++
				// The reports before it first, for a terminal showing both.
				if ferr := out.Flush(); ferr != nil && res.writeErr == nil {
					res.writeErr = ferr
				}
				fmt.Fprintf(e.stderr, "cfonb validate: %s\n", validate.SafeText(err.Error()))
				if res.writeErr == nil {
					res.writeErr = rw.WriteError(rs.path, err)
				}
				continue
			}
			res.files++
			res.errors += rs.report.Errors
			res.warnings += rs.report.Warnings
			if res.writeErr == nil {
				res.writeErr = rw.Write(rs.report)
			}
		}
		out.flushSoon(flushLater)
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	work := func() {
		var c validate.Checker // its buffer goes from one file to the next
		defer func() { _ = c.Close() }()
		for {
			window <- struct{}{}
			i, en, ok := feed.take()
			if !ok {
				<-window
				return
			}
			rs := result{path: en.Path}
			var r *validate.Report
			var err error
			switch p := en.Path; {
			case en.Err != nil:
				err = en.Err
			case ctx.Err() != nil:
				err = fmt.Errorf("%s: %w", p, ctx.Err())
			case p == "-":
				o := opts
				if f, ok := e.stdin.(*os.File); !ok || !isRegular(f) {
					o.StopAtMax = true // a pipe may never end
				}
				r, err = validate.Stream("<stdin>", e.stdin, o)
			default:
				o := opts
				// A file reached by walking is passed over if it is not a
				// bank statement; a file named is checked whatever it holds
				// (with --sniff, the feed counts none as named).
				o.OnlyBankStatements = !en.Named
				r, err = c.File(p, o)
				rs.id, rs.hasID = c.ID()
			}
			rs.report, rs.err = r, err
			finished(i, rs)
		}
	}
	var wg sync.WaitGroup
	for range jobs - 1 {
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
