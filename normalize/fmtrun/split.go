package fmtrun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/ctxio"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// Formatting a large regular file on two cores. The formatter was the
// busier of the two goroutines of normalizeValidate (57% of fmt's CPU
// against 36% for the validator of its output), so one core waited for
// the other. Instead, the file is cut in two at a line that starts a
// statement (a 01), near its middle, and each half is formatted and its
// output validated on a core of its own (normalize.NormalizeParts,
// validate.StreamParts: four goroutines, two of them working at a time).
// The second half starts from a fresh state; both packages join it to
// the first only when that gives exactly what one goroutine gives (the
// same bytes, report and validation report, proved by their tests and
// TestSplitAgrees here); otherwise the file is formatted again on one
// goroutine, from its start, as before.
//
// The output stays in order: the first half's goes where the output goes;
// the second half's is written at the offset it will have, guessed from
// the line ends (a file of records of 120 characters whose line end is
// not changed keeps its offsets), with WriteAt; a wrong guess is found
// when the first half ends, and the file is then formatted again. So the
// output can be split only into a regular file that ends where the
// output starts (nothing after it to overwrite) and is not in append mode
// (where a write at an offset appends; os.File's WriteAt refuses it, but
// the work of the second part would be lost), or where it is thrown away: the null
// device, the first pass of twoPasses, -l.

// splitMin is the size from which a file is cut in two.
const splitMin = 8 << 20

// seamWindow is how far after the middle of the file a 01 is looked for.
const seamWindow = 1 << 20

// splitCores is how many cores fmt may use for one file.
func splitCores() int { return min(runtime.GOMAXPROCS(0), runtime.NumCPU()) }

// canSplit reports whether a regular file of size bytes may be cut in
// two, as cfg says.
func canSplit(cfg *Config, size int64) bool {
	minSize := int64(splitMin)
	if cfg.splitMin > 0 {
		minSize = cfg.splitMin
	}
	return !cfg.oneCore && size >= minSize && splitCores() > 1 &&
		!cfg.Encoding.IsEBCDIC() && (cfg.EOL == cfonb.EOLCRLF || cfg.EOL == cfonb.EOLLF)
}

// findSeam returns the offset of the first line that starts with 01 after
// from in the file f of size bytes (within seamWindow and a chunk), and
// whether the line before it ends with CR LF; at is 0 if there is none.
// The byte before from is read too, to tell a CR LF at from.
func findSeam(f io.ReaderAt, size, from int64) (at int64, crlf bool) {
	if from <= 0 || from >= size {
		return 0, false
	}
	// Read in chunks that overlap by 3 bytes (a CR, LF, 0 and 1).
	var buf [64 << 10]byte
	for off := from - 1; off < min(size, from+seamWindow); off += int64(len(buf)) - 3 {
		n, _ := f.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		b := buf[:n]
		if i := bytes.Index(b[1:], []byte("\n01")); i >= 0 {
			i++ // the LF's index in b
			return off + int64(i) + 1, b[i-1] == '\r'
		}
		if n < len(buf) {
			break
		}
	}
	return 0, false
}

// countWriter counts what it writes to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// parted is the outcome of normalizeParts.
type parted struct {
	rep  *normalize.Report
	vrep *validate.Report
	err  error
	// ok: the file was formatted (or refused) in two parts; otherwise it
	// must be formatted on one goroutine, and what was written discarded.
	ok bool
	// first and second are the bytes written by each part; the second
	// part's were written at guess, after the output's start.
	first, second, guess int64
}

// normalizeParts formats the regular file f of size bytes in two parts,
// validating each part's output as it goes (see the top of this file).
// in reads f from its start (it is where the first part reads from); the
// first part's output goes to first, the second's to second(off), off
// being where the second part's output will start: the output's bytes
// before it (a guess, that the caller checks against parted.first, see
// placeSecond), or discarded if second is nil.
func normalizeParts(ctx context.Context, name string, f *os.File, size int64, in io.Reader, cfg *Config, first io.Writer, second func(off int64) io.Writer) parted {
	from := size / 2
	if cfg.seamFrom > 0 {
		from = cfg.seamFrom
	}
	seam, crlf := findSeam(f, size, from)
	if seam == 0 {
		return parted{}
	}
	// Where the second part's output starts if every line before the
	// seam is a record of 120 characters (after a UTF-8 byte-order mark,
	// which goes).
	skip := int64(0)
	var bom [3]byte
	if _, err := f.ReadAt(bom[:], 0); err == nil && string(bom[:]) == cfonb.UTF8BOM {
		skip = 3
	}
	inStride := int64(cfonb.RecordLen + 1)
	if crlf {
		inStride++
	}
	outStride := int64(cfonb.RecordLen + 1)
	if cfg.EOL == cfonb.EOLCRLF {
		outStride++
	}
	guess := seam - skip
	if guess%inStride == 0 {
		guess = guess / inStride * outStride
	}
	dst1 := io.Discard
	if second != nil {
		dst1 = second(guess)
	}
	c0, c1 := &countWriter{w: first}, &countWriter{w: dst1}
	pipes := []*spool.Pipe{spool.NewPipe(), spool.NewPipe()}
	n := normalize.New()
	n.Encoding, n.EOL = cfg.Encoding, cfg.EOL
	parts := []normalize.Part{
		{Src: io.LimitReader(in, seam), Dst: c0, Handoff: pipes[0].Give},
		{Src: ctxio.NewReader(ctx, io.NewSectionReader(f, seam, math.MaxInt64-seam)), Dst: c1, Handoff: pipes[1].Give},
	}
	var (
		vrep *validate.Report
		vok  bool
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		vrep, vok = validate.StreamParts(name, []io.Reader{pipes[0], pipes[1]}, cfg.Validate)
	}()
	rep, ok, err := n.NormalizeParts(parts)
	for _, p := range pipes {
		p.CloseWithError(err)
	}
	<-done
	res := parted{first: c0.n, second: c1.n, guess: guess}
	switch {
	case !ok:
	case err != nil:
		// A refusal (or read error) in the first part: the file's.
		res.rep, res.err, res.ok = rep, err, true
	case vok && (second == nil || c0.n <= guess):
		// (A first part longer than the guess wrote over the start of
		// the second's output.)
		res.rep, res.vrep, res.ok = rep, vrep, true
	}
	if res.ok && cfg.parted != nil {
		*cfg.parted++
	}
	return res
}

// placeSecond moves the second part's output, written at p.guess after
// start in f, to where it belongs, right after the first part's (which is
// not longer than the guess, see normalizeParts), and cuts f after it:
// when the first part's output came out shorter than guessed (a blank
// line removed, a line end that was not CR LF), the move costs a copy of
// the second part's output, less than formatting it again.
func placeSecond(f *os.File, start int64, p parted) error {
	if p.first == p.guess {
		return nil
	}
	from, to := start+p.guess, start+p.first
	buf := make([]byte, 256<<10)
	for off := int64(0); off < p.second; off += int64(len(buf)) {
		// Front to back: the bytes written (to < from) were read first.
		b := buf[:min(int64(len(buf)), p.second-off)]
		if _, err := f.ReadAt(b, from+off); err != nil {
			return fmt.Errorf("moving the second half of the output: %w", err)
		}
		if _, err := f.WriteAt(b, to+off); err != nil {
			return fmt.Errorf("moving the second half of the output: %w", err)
		}
	}
	return f.Truncate(to + p.second)
}

// splitOutput says whether f, standard output written from offset start
// on, can take a file formatted in two parts, and where the second part's
// output goes: nil for the null device (thrown away), else a writer at an
// offset after start. It can when it may be written as the file is made
// (spool.Direct: the null device, or a regular file that ends at start and
// is not in append mode); movable says whether it can also be read, as
// placeSecond needs (the shell opens > for writing only).
func splitOutput(f *os.File, start int64) (second func(off int64) io.Writer, movable, ok bool) {
	if spool.Direct(f) == nil {
		return nil, false, false
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, false, false
	}
	if !fi.Mode().IsRegular() {
		return nil, false, true // the null device
	}
	_, readable := spool.FileFlags(f)
	return func(off int64) io.Writer { return io.NewOffsetWriter(f, start+off) }, readable, true
}
