// Package fmtrun runs cfonb fmt on one file: it normalises the file with
// package normalize while validating the output in parallel (through an
// in-memory pipe), and writes nothing unless the whole file passed: it
// spools the output (memory, then a temporary file), formats a large file
// in two passes, truncates a direct output back on refusal, or replaces the
// file atomically. It also writes -d's unified diff as the lines stream by.
// The command (cmd/cfonb/fmt.go) holds only the flags, the wording and the
// exit codes.
package fmtrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/ctxio"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// Mode is what a run does with a formatted file.
type Mode uint8

const (
	Stdout Mode = iota // write it to standard output
	Write              // -w: replace the file
	List               // -l: say whether the file would change
	Diff               // -d: make a diff
)

// Config is what every file of a run shares.
type Config struct {
	Mode     Mode
	Encoding normalize.Encoding
	EOL      cfonb.EOL
	Validate validate.Options
	Stdin    io.Reader
	// Stdout is standard output; Direct is the same when the formatted
	// file can be written to it as it is made (see spool.Direct), else
	// nil.
	Stdout io.Writer
	Direct *os.File
	// Replace rewrites a file that was read through src (src.Replace:
	// atomically, keeping the file's identity, and only if it did not
	// change meanwhile); tests replace it to inject failures.
	Replace func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error)
	// WalkErrs are the paths that walking could not use (a dangling
	// link, an unreadable directory): each fails in its place.
	WalkErrs map[string]error

	// oneCore keeps each file on one core (Files sets it when it
	// formats several files at once); splitMin, if not zero, replaces
	// the size from which a file is cut in two (tests).
	oneCore  bool
	splitMin int64
	// seamFrom, if not zero, is where a 01 is looked for instead of the
	// middle of the file; parted, if not nil, counts the files formatted
	// in two parts (tests).
	seamFrom int64
	parted   *int
}

// Result is the outcome for one file.
type Result struct {
	Name       string // path, or <stdin>
	Report     *normalize.Report
	Validation *validate.Report // validation of the formatted file
	Refused    *normalize.RefusedError
	Err        error             // an I/O error
	Out        *spool.Buffer     // the formatted file (Stdout) or the diff (Diff)
	Head       []byte            // the first bytes read, to name another format
	Method     atomicfile.Method // how -w wrote the file
}

// Failed reports whether the file was refused or could not be read or
// written.
func (r *Result) Failed() bool { return r.Err != nil || r.Refused != nil }

// errUnchanged aborts an atomic write when the file is already canonical.
var errUnchanged = errors.New("unchanged")

// Files formats the files with up to jobs workers. It calls report with
// each file's result in the order of paths (from the calling goroutine),
// then closes the result's Out; it calls progress, if not nil, each time
// a file is done, in any order.
func Files(ctx context.Context, cfg *Config, paths []string, jobs int, report func(*Result), progress func()) {
	type indexed struct {
		i   int
		res *Result
	}
	results := make(chan indexed, jobs)
	if jobs > 1 && len(paths) > 1 {
		// The files take the cores: none is cut in two.
		c := *cfg
		c.oneCore = true
		cfg = &c
	}
	go func() {
		var g errgroup.Group
		g.SetLimit(jobs)
		for i, p := range paths {
			if ctx.Err() != nil {
				results <- indexed{i, &Result{Name: p, Err: fmt.Errorf("%s: %w", p, ctx.Err())}}
				continue
			}
			g.Go(func() error {
				results <- indexed{i, File(ctx, cfg, p)}
				return nil
			})
		}
		_ = g.Wait()
		close(results)
	}()
	pending := map[int]*Result{}
	next := 0
	for r := range results {
		pending[r.i] = r.res
		for pending[next] != nil {
			res := pending[next]
			delete(pending, next)
			next++
			report(res)
			if res.Out != nil {
				res.Out.Close()
			}
		}
		if progress != nil {
			progress()
		}
	}
}

// File formats one file as cfg says. It writes nothing (and keeps nothing
// in Out) unless the whole file was formatted and validated.
func File(ctx context.Context, cfg *Config, path string) *Result {
	res := &Result{Name: path}
	if err := cfg.WalkErrs[path]; err != nil {
		res.Err = err
		return res
	}
	var in io.Reader
	var file *os.File          // a regular file that can be read twice
	var size int64             // its size
	var src *atomicfile.Source // the file -w rewrites
	switch {
	case path == "-":
		res.Name = "<stdin>"
		in = cfg.Stdin
	case cfg.Mode == Write:
		var err error
		if src, err = atomicfile.Open(path); err != nil {
			res.Err = err
			return res
		}
		defer func() { _ = src.Close() }()
		in = src
	default:
		f, err := os.Open(path)
		if err != nil {
			res.Err = err
			return res
		}
		defer func() { _ = f.Close() }()
		fi, err := f.Stat()
		if err != nil {
			res.Err = err
			return res
		}
		switch mode := fi.Mode(); {
		case mode.IsDir():
			res.Err = fmt.Errorf("%s: is a directory", path)
			return res
		case mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
			// /dev/zero would never end: refused as cfonb validate
			// refuses it (an I/O error, exit status 2).
			res.Err = fmt.Errorf("%s: is a device, not a file", path)
			return res
		}
		in = f
		if fi.Mode().IsRegular() {
			file, size = f, fi.Size()
		}
	}
	head := &headRecorder{r: ctxio.NewReader(ctx, in)}
	in = head
	defer func() { res.Head = head.head }()

	var err error
	switch cfg.Mode {
	case Write:
		res.Method, err = cfg.Replace(src, func(w io.Writer) error {
			var err error
			res.Report, res.Validation, err = normalizeValidate(res.Name, w, in, cfg, nil)
			if err == nil && !res.Report.Changed {
				return errUnchanged
			}
			return err
		})
		if errors.Is(err, errUnchanged) {
			err = nil
		}
		if errors.Is(err, atomicfile.ErrChanged) {
			// Records appended while fmt ran would be lost: nothing
			// was written, and the error names the file.
			res.Err = err
			return res
		}
	case Stdout:
		if cfg.Direct != nil {
			res.Report, res.Validation, err = normalizeDirect(ctx, res.Name, cfg.Direct, in, file, size, cfg)
			break
		}
		if file != nil && size > spool.Memory {
			res.Report, res.Validation, err = twoPasses(ctx, res.Name, file, size, in, cfg)
			break
		}
		res.Out = &spool.Buffer{}
		res.Report, res.Validation, err = normalizeValidate(res.Name, res.Out, in, cfg, nil)
	case List:
		res.Report, res.Validation, err = discardPass(ctx, res.Name, file, size, in, cfg)
	case Diff:
		res.Out = &spool.Buffer{}
		d := newDiffer(res.Out)
		res.Report, res.Validation, err = normalizeValidate(res.Name, io.Discard, in, cfg, d.line)
		if err == nil {
			err = d.finish()
		}
		if err == nil && res.Report.Changed {
			res.Out.Header = d.header(res.Name, res.Report, cfg.EOL)
		}
	}
	var refused *normalize.RefusedError
	switch {
	case errors.As(err, &refused):
		res.Refused = refused
	case err != nil:
		res.Err = fmt.Errorf("%s: %w", path, err)
	}
	if res.Failed() && res.Out != nil {
		res.Out.Close()
		res.Out = nil
	}
	return res
}

// normalizeValidate formats src to dst and, in parallel, validates what it
// writes: the output is read back through a pipe by validate.Stream.
func normalizeValidate(name string, dst io.Writer, src io.Reader, cfg *Config, onLine func(*normalize.LineEvent)) (*normalize.Report, *validate.Report, error) {
	n := normalize.New()
	n.Encoding, n.EOL, n.OnLine = cfg.Encoding, cfg.EOL, onLine
	pipe := spool.NewPipe()
	// Each output buffer, once written to dst, goes to the validator as
	// it is (no copy into the pipe).
	n.Handoff = pipe.Give
	var vrep *validate.Report
	var verr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		vrep, verr = validate.Stream(name, pipe, cfg.Validate)
		// The validator may stop early (another format): keep draining so
		// that the formatter never blocks.
		_, _ = io.Copy(io.Discard, pipe)
	}()
	rep, err := n.Normalize(dst, src)
	pipe.CloseWithError(err)
	<-done
	if err != nil {
		return rep, nil, err
	}
	if verr != nil {
		return rep, nil, fmt.Errorf("validating the formatted file: %w", verr)
	}
	return rep, vrep, nil
}

// twoPasses formats a large regular file to a pipe or a terminal without
// holding the output: a first pass checks and validates it, writing
// nothing; only if it passes does a second pass write it. The two passes
// must agree (the file must not change in between). The first pass reads
// in, which reads f from its start through the recorder of its first bytes
// (Result.Head: a refusal names the format those bytes show).
func twoPasses(ctx context.Context, name string, f *os.File, size int64, in io.Reader, cfg *Config) (*normalize.Report, *validate.Report, error) {
	rep, vrep, err := discardPass(ctx, name, f, size, in, cfg)
	if err != nil {
		return rep, vrep, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rep, vrep, err
	}
	n := normalize.New()
	n.Encoding, n.EOL = rep.Encoding, cfg.EOL
	rep2, err := n.Normalize(cfg.Stdout, ctxio.NewReader(ctx, f))
	var refused *normalize.RefusedError
	switch {
	case errors.As(err, &refused) || err == nil && (rep2.Records != rep.Records || rep2.Repairs != rep.Repairs):
		return rep, vrep, errors.New("the file changed while it was being formatted: the output is incomplete")
	case err != nil:
		return rep, vrep, err
	}
	return rep, vrep, nil
}

// discardPass formats and validates src, which reads file (of size
// bytes) from its start when file is not nil, writing nothing: on two
// cores when the file is large (see split.go).
func discardPass(ctx context.Context, name string, file *os.File, size int64, src io.Reader, cfg *Config) (*normalize.Report, *validate.Report, error) {
	if file != nil && canSplit(cfg, size) {
		p := normalizeParts(ctx, name, file, size, src, cfg, io.Discard, nil)
		if p.ok {
			return p.rep, p.vrep, p.err
		}
		// Again on one goroutine, from the start.
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
	}
	return normalizeValidate(name, io.Discard, src, cfg, nil)
}

// normalizeDirect formats src straight into f (a regular file or the null
// device, see spool.Direct); if the file is refused, f is truncated back to
// where it was, so that nothing is written. A large input file (file, of
// size bytes, that src reads from its start) is formatted on two cores
// when f allows it (see split.go).
func normalizeDirect(ctx context.Context, name string, f *os.File, src io.Reader, file *os.File, size int64, cfg *Config) (*normalize.Report, *validate.Report, error) {
	start, serr := f.Seek(0, io.SeekCurrent)
	if file != nil && serr == nil && canSplit(cfg, size) {
		if rep, vrep, done, err := splitDirect(ctx, name, f, start, src, file, size, cfg); done {
			return rep, vrep, err
		}
	}
	rep, vrep, err := normalizeValidate(name, f, src, cfg, nil)
	if err != nil && serr == nil {
		if terr := f.Truncate(start); terr == nil {
			_, _ = f.Seek(start, io.SeekStart)
		}
	}
	return rep, vrep, err
}

// splitDirect formats file (of size bytes, that src reads from its start)
// in two parts into f, written from offset start on, when f allows it
// (see split.go). done false: the file is to be formatted on one
// goroutine, from its start (file rewound, f truncated back to start).
func splitDirect(ctx context.Context, name string, f *os.File, start int64, src io.Reader, file *os.File, size int64, cfg *Config) (rep *normalize.Report, vrep *validate.Report, done bool, err error) {
	second, movable, ok := splitOutput(f, start)
	if !ok {
		return nil, nil, false, nil // nothing read nor written
	}
	p := normalizeParts(ctx, name, file, size, src, cfg, f, second)
	var refused *normalize.RefusedError
	switch {
	case !p.ok:
	case p.err != nil && (second == nil || errors.As(p.err, &refused)):
		// A refusal (or, into the null device, a read error): the
		// file's, and nothing written.
		_ = f.Truncate(start)
		_, _ = f.Seek(start, io.SeekStart)
		return p.rep, nil, true, p.err
	case p.err != nil:
		// A write error of the first part may come from the second
		// part's output (written at an offset, it may take more room
		// than one goroutine's): one goroutine says whether the file
		// fits.
	case second == nil:
		return p.rep, p.vrep, true, nil
	case p.first != p.guess && !movable:
		// The second part's output is not where it goes.
	default:
		// The second part wrote with WriteAt: moved to where it goes.
		// The move may need room that one goroutine does not: then
		// formatted again.
		if placeSecond(f, start, p) == nil {
			if _, err := f.Seek(start+p.first+p.second, io.SeekStart); err == nil {
				return p.rep, p.vrep, true, nil
			}
		}
	}
	// Again on one goroutine, from the start: the output is truncated
	// back (it may hold the second part).
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, nil, true, err
	}
	if err := f.Truncate(start); err != nil && second != nil {
		return nil, nil, true, err
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, nil, true, err
	}
	return nil, nil, false, nil
}

// The diff of -d. fmt never reorders or inserts lines: each input line is
// kept, changed or removed, and the Normalizer says which (LineEvent). So
// the edit script is known exactly and no longest-common-subsequence search
// (nor a diff library) is needed: this writes a unified diff as the lines
// stream by, in memory bounded by the hunk size.

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// maxHunkLines bounds a hunk: a longer run of changes is split into
// adjacent hunks.
const maxHunkLines = 4096

type diffLine struct {
	op           byte // ' ', '-' or '+'
	text         string
	oldNo, newNo int // line numbers (the next line's, for '+' and '-')
}

// differ builds a unified diff from LineEvents.
type differ struct {
	w          io.Writer
	before     []diffLine // up to diffContext unchanged lines before a change
	hunk       []diffLine // the open hunk, nil if none
	dels, adds []diffLine // the current run of changes
	trailing   int        // unchanged lines at the end of the hunk
	oldNo      int        // last old and new line numbers seen
	newNo      int
	eolOnly    int // lines whose only change is the line end
	err        error
}

func newDiffer(w io.Writer) *differ { return &differ{w: w} }

// line takes one event of the Normalizer.
func (d *differ) line(ev *normalize.LineEvent) {
	d.oldNo = ev.Line
	switch {
	case ev.Out == nil:
		d.change(diffLine{op: '-', text: ev.InText(), oldNo: ev.Line, newNo: d.newNo + 1})
	case ev.ContentChanged:
		d.newNo = ev.OutLine
		d.change(diffLine{op: '-', text: ev.InText(), oldNo: ev.Line, newNo: ev.OutLine})
		d.change(diffLine{op: '+', text: string(ev.Out), oldNo: ev.Line, newNo: ev.OutLine})
	default:
		d.newNo = ev.OutLine
		if ev.EOLChanged {
			d.eolOnly++
		}
		d.equal(diffLine{op: ' ', text: string(ev.Out), oldNo: ev.Line, newNo: ev.OutLine})
	}
}

func (d *differ) change(l diffLine) {
	if d.hunk == nil {
		d.hunk = append([]diffLine{}, d.before...)
		d.before = d.before[:0]
	}
	if l.op == '-' {
		d.dels = append(d.dels, l)
	} else {
		d.adds = append(d.adds, l)
	}
	d.trailing = 0
}

// endRun moves the current run of changes into the hunk, removals first.
func (d *differ) endRun() {
	d.hunk = append(d.hunk, d.dels...)
	d.hunk = append(d.hunk, d.adds...)
	d.dels, d.adds = d.dels[:0], d.adds[:0]
	if len(d.hunk) >= maxHunkLines {
		d.flush(0)
	}
}

func (d *differ) equal(l diffLine) {
	if len(d.dels)+len(d.adds) > 0 {
		d.endRun()
	}
	if d.hunk == nil {
		d.before = append(d.before, l)
		if len(d.before) > diffContext {
			d.before = append(d.before[:0], d.before[1:]...)
		}
		return
	}
	d.hunk = append(d.hunk, l)
	d.trailing++
	if d.trailing > 2*diffContext {
		// The next change is too far to share this hunk.
		tail := d.hunk[len(d.hunk)-diffContext:]
		d.before = append(d.before[:0], tail...)
		d.flush(d.trailing - diffContext)
	}
}

// flush writes the open hunk without its last drop lines.
func (d *differ) flush(drop int) {
	h := d.hunk[:len(d.hunk)-drop]
	d.hunk, d.trailing = nil, 0
	if len(h) == 0 || d.err != nil {
		return
	}
	oldStart, newStart := h[0].oldNo, h[0].newNo
	var oldCount, newCount int
	for _, l := range h {
		if l.op != '+' {
			oldCount++
		}
		if l.op != '-' {
			newCount++
		}
	}
	if oldCount == 0 {
		oldStart--
	}
	if newCount == 0 {
		newStart--
	}
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", oldStart, oldCount, newStart, newCount)
	for _, l := range h {
		b.WriteByte(l.op)
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	_, d.err = io.WriteString(d.w, b.String())
}

// finish writes the last hunk.
func (d *differ) finish() error {
	if len(d.dels)+len(d.adds) > 0 {
		d.endRun()
	}
	if d.hunk != nil {
		d.flush(max(0, d.trailing-diffContext))
	}
	return d.err
}

// header is the diff's header: a note on line ends changed without other
// change (they do not show in the hunks), then the file names.
func (d *differ) header(name string, rep *normalize.Report, eol cfonb.EOL) string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff %s (%s) %s (formatted)\n", name, rep.Encoding, name)
	if rep.Encoding.IsEBCDIC() {
		fmt.Fprintf(&b, "encoding %s converted to ASCII (the lines below are shown decoded)\n", rep.Encoding)
	}
	if d.eolOnly > 0 {
		fmt.Fprintf(&b, "line ends changed to %s on %s not shown below\n", eol, plural.Count(d.eolOnly, "line"))
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", name, name)
	return b.String()
}

// headRecorder keeps a copy of the first 4 KiB read through it.
type headRecorder struct {
	r    io.Reader
	head []byte
}

func (h *headRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := 4096 - len(h.head); room > 0 && n > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}
