package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Splitting a large regular file between cores. The file is cut into
// ranges, one per core. The first range is validated by the calling
// goroutine, the owner, with the one Validator whose report is returned;
// each other range by a worker of its own, from the first 01 record that
// starts a line at or after the cut (found with the framing the whole
// file was detected with, cfonb.DetectFraming), in place: each reads its
// own bytes with ReadAt into its own buffer, and nothing is copied between
// goroutines.
//
// A worker does not know the state its range starts in (the statements
// and accounts before it, the diagnostics already kept). It validates its
// range from a fresh state, in segments that hold no diagnostic: at a
// diagnostic, the segment ends before the statement that had it (the
// worker goes back to its state before that statement's 01, see mark),
// and the next one starts at the next 01 that starts a line. When the
// owner reaches a segment's first record, it takes the segment's work
// instead of doing it again only if that gives exactly what the owner
// itself would have found (accept):
//   - the worker found no diagnostic and left no statement open, the
//     owner has no statement open and has seen a record: the 01 opens a
//     statement in the same way, and so on record by record;
//   - the accounts of both stay below MaxAccounts, so that no cap applies;
//   - for each account the worker met that the owner already knows, the
//     cross-statement checks of the worker's first statement of that
//     account, made again against the owner's last statement of it, find
//     nothing, and the account's next statement (if any) would be judged
//     the same with the owner's statement order as with none.
// The owner then adds the segment's counts, summaries and accounts (their
// lines shifted by the lines before the worker's range) and goes on from
// where the segment ended; otherwise it validates the records itself. A
// file with problems everywhere is validated as on one goroutine, with
// the same report in every case (TestSplitAgrees forces cuts at every
// record and between them). The statements with a problem are validated
// by the owner; the others between them by the workers. The owner does
// not wait for a worker that the machine's load left behind: on reaching
// its range, it asks it to stop at its next 01 (splitResult.stop), takes
// the segments done so far and goes on itself.

// splitMin is the size from which File splits a regular file between
// cores.
const splitMin = 8 << 20

// splitCores is how many cores File may use for one file: GOMAXPROCS, or
// fewer when the process may run on fewer CPUs (runtime.NumCPU honours
// the CPU affinity, as set by taskset), and at most maxSplit.
func splitCores() int { return min(runtime.GOMAXPROCS(0), runtime.NumCPU(), maxSplit) }

// maxSplit bounds the ranges of a file, and so the memory of their
// readers (256 KiB each) on a machine of many cores.
const maxSplit = 8

// splitBufSize is the record reader's buffer for a file of size bytes,
// the same for every goroutine as for one: the framing of a line (see
// cfonb.Reader's splittable lines) depends on it.
func splitBufSize(size int64) int { return int(min(size+4, 256<<10)) }

// specAccount is what a worker remembers of an account, for the owner's
// checks (see accept).
type specAccount struct {
	n int // statements of the account opened in the range (1, 2: more)
	// The first statement: the arguments of its openOrder and
	// closeOrder, and the statement as it was closed.
	openLine   int
	openDate   cfonb.Date
	openAmount int64
	closed     bool
	st         statement
	closeLine  int
	closeDate  cfonb.Date
	closeAmt   int64
	closeOK    bool
	dir        int8 // the direction the owner records for the account after it (accept)
	// The second statement: whether it was compared with the first
	// (hasPrev) and its decision deferred to its 07.
	gClosed, gHasPrev, gDeferred bool
}

// spec is a worker's record of the accounts it met.
type spec struct {
	accounts map[cfonb.Account]*specAccount
}

// opened is called by openOrder in a worker.
func (s *spec) opened(v *Validator, line int, date cfonb.Date, amount int64) {
	a := s.accounts[v.st.m.Account]
	switch {
	case a == nil:
		s.accounts[v.st.m.Account] = &specAccount{n: 1, openLine: line, openDate: date, openAmount: amount}
	case a.n == 1:
		a.n = 2
	}
}

// closed is called by closeOrder in a worker, before it decides.
func (s *spec) closed(v *Validator, line int, date cfonb.Date, amount int64, ok bool) {
	a := s.accounts[v.st.m.Account]
	switch {
	case a == nil:
	case a.n == 1 && !a.closed:
		a.closed = true
		a.st = v.st
		a.closeLine, a.closeDate, a.closeAmt, a.closeOK = line, date, amount, ok
	case a.n == 2 && !a.gClosed:
		// openOrder decided these when the statement opened.
		a.gClosed = true
		a.gHasPrev, a.gDeferred = v.st.hasPrev, v.st.deferred
	}
}

// splitResult is what a worker found: the segments of its range that it
// validated without a diagnostic, in order.
type splitResult struct {
	segs      []*segment
	cancelled atomic.Bool
	// stop asks the worker to end at its next statement: the owner has
	// reached the range, and goes on from there itself rather than wait.
	stop atomic.Bool
	done chan struct{}
}

// segment is a run of statements a worker validated from a fresh state,
// from a 01 that starts a line.
type segment struct {
	v      *Validator // lines relative to the worker's reader
	at     int64      // offset of the first record
	line01 int        // its relative line
	// Where the segment ends: at the first record of seam end (a 01 that
	// starts a line, of relative line endLine), or at the end of the
	// file (end == len(seams)), or, end < 0, at the 01 at endAt (of
	// relative line endLine) whose statement had a diagnostic: the owner
	// validates that one itself.
	end     int
	endAt   int64
	endLine int
	sub     bool // at the end of the file: a trailing 0x1A
}

// maxSegments bounds the segments of a worker: a file with problems all
// over is left to the owner.
const maxSegments = 64

// mark is the state of a worker's validator before a 01 that starts a
// line, to go back to when its statement has a diagnostic.
type mark struct {
	at                   int64
	line                 int
	records, statements  int
	summaries, sumOmit   int
	last                 int
	prev                 cfonb.Code
	acct                 cfonb.Account
	entry                closed
	known                bool
	spec                 specAccount
	specKnown, unchecked bool
	// specFinal: the worker's record of the account can no longer change
	// (its first two statements are closed): spec was not copied.
	specFinal bool
}

// take records the state of v before the 01 data at offset at, line line.
func (m *mark) take(v *Validator, at int64, line int, data []byte) {
	// Field by field: m.spec, hundreds of bytes, is written only when
	// restore needs it.
	m.at, m.line, m.records, m.statements = at, line, v.rep.Records, v.rep.Statements
	m.summaries, m.sumOmit, m.last, m.prev = len(v.rep.Summaries), v.rep.SummariesOmitted, v.last, v.prev
	m.acct, m.unchecked = cfonb.AccountOf(data), v.rep.Unchecked > 0
	m.entry, m.known = v.accounts[m.acct]
	m.specKnown, m.specFinal = false, false
	if a := v.spec.accounts[m.acct]; a != nil {
		m.specKnown = true
		// opened and closed change nothing more once the account's
		// second statement is closed: most statements of a file.
		if m.specFinal = a.n == 2 && a.gClosed; !m.specFinal {
			m.spec = *a
		}
	}
}

// restore brings v back to the state of m. Only the account of m's 01
// can have changed since (its statement opened, and closed at most), and
// before m, v had found nothing.
func (m *mark) restore(v *Validator) {
	v.rep.Records, v.rep.Statements = m.records, m.statements
	v.rep.Summaries, v.rep.SummariesOmitted = v.rep.Summaries[:m.summaries], m.sumOmit
	v.rep.Errors, v.rep.Warnings, v.rep.Omitted, v.rep.Charset = 0, 0, 0, 0
	v.rep.Diagnostics = v.rep.Diagnostics[:0]
	v.perRule = nil
	v.split = false
	v.last, v.prev, v.open = m.last, m.prev, false
	if m.known {
		v.accounts[m.acct] = m.entry
	} else {
		delete(v.accounts, m.acct)
	}
	if m.specKnown {
		if !m.specFinal {
			*v.spec.accounts[m.acct] = m.spec
		}
	} else {
		delete(v.spec.accounts, m.acct)
	}
}

// seam is where a worker starts: its reader, positioned on its first record.
type seam struct {
	at    int64 // offset of the first record (a 01 starting a line)
	cr    *cfonb.Reader
	first cfonb.Record
	res   *splitResult
}

// splitFile validates the size bytes of ra. cuts, if not nil, are the
// offsets to cut at (tests); otherwise the file is cut in cores equal
// parts. sem limits the workers running at once.
//
// taken, if not nil, counts the segments whose work the owner took; wait
// makes the owner wait for each worker to end instead of asking it to stop
// (tests).
func splitFile(name string, ra io.ReaderAt, size int64, opts Options, cores int, cuts []int64, taken *int, wait bool) (*Report, error) {
	var head [cfonb.DetectWindow]byte
	n, err := ra.ReadAt(head[:min(size, int64(len(head)))], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	framing := cfonb.DetectFraming(head[:n], int64(n) == size && n < cfonb.DetectWindow)
	if framing != cfonb.FramingLines && framing != cfonb.FramingContinuous {
		return stream(name, io.NewSectionReader(ra, 0, size), opts, splitBufSize(size))
	}
	if cuts == nil {
		for k := 1; k < cores; k++ {
			cuts = append(cuts, size*int64(k)/int64(cores))
		}
	}
	bufSize := splitBufSize(size)
	newReader := func(at int64) *cfonb.Reader {
		cr := cfonb.NewReaderSize(io.NewSectionReader(ra, at, size-at), bufSize)
		cr.Framing = framing
		return cr
	}
	// Find each worker's first record: a 01 that starts a line.
	var seams []*seam
	for _, cut := range cuts {
		if cut <= 0 || cut >= size || (len(seams) > 0 && cut <= seams[len(seams)-1].at) {
			continue
		}
		s := findSeam(ra, size, cut, framing, newReader)
		if s != nil && (len(seams) == 0 || s.at > seams[len(seams)-1].at) {
			seams = append(seams, s)
		}
	}
	if len(seams) == 0 {
		return stream(name, io.NewSectionReader(ra, 0, size), opts, bufSize)
	}
	ends := make([]int64, len(seams))
	for i, s := range seams {
		ends[i] = s.at
	}
	sem := make(chan struct{}, max(1, cores-1))
	var wg sync.WaitGroup
	for i, s := range seams {
		s.res = &splitResult{done: make(chan struct{})}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(s.res.done)
			sem <- struct{}{}
			defer func() { <-sem }()
			if !s.res.cancelled.Load() && !s.res.stop.Load() {
				runSeam(name, opts, s, ends, i)
			}
		}()
	}
	defer func() {
		for _, s := range seams {
			s.res.cancelled.Store(true)
		}
		wg.Wait()
	}()
	return owner(name, head[:n], opts, seams, newReader, taken, wait)
}

// findSeam returns the seam of the first 01 record that starts a line at
// or after cut, or nil.
func findSeam(ra io.ReaderAt, size, cut int64, framing cfonb.Framing, newReader func(int64) *cfonb.Reader) *seam {
	at := cut
	if framing == cfonb.FramingLines {
		// The byte after the first LF from cut-1 on starts a line.
		var buf [4096]byte
		for {
			n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-(at-1))], at-1)
			if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
				at += int64(i)
				break
			}
			if err != nil || n == 0 {
				return nil
			}
			at += int64(n)
		}
	} else {
		at = (cut + cfonb.RecordLen - 1) / cfonb.RecordLen * cfonb.RecordLen
	}
	if at >= size {
		return nil
	}
	cr := newReader(at)
	for range 1 << 12 {
		rec, err := cr.Read()
		if err != nil {
			return nil
		}
		if rec.Column == 0 && cfonb.ParseCode(rec.Data) == cfonb.CodeOldBalance {
			return &seam{at: at + rec.Offset, cr: cr, first: rec}
		}
	}
	return nil
}

// runSeam validates the range of seam i from a fresh state, until its
// reader lands on the first record of a later seam or the file ends. At a
// diagnostic, the segment so far ends before the statement that had it,
// and a new one starts at the next 01 that starts a line.
func runSeam(name string, opts Options, s *seam, ends []int64, i int) {
	res := s.res
	base := s.at - s.first.Offset // the reader's start
	cr := s.cr
	next := i + 1
	rec := s.first
	var (
		seg  *segment
		v    *Validator
		last mark      // before the last 01 fed to v
		idle Validator // no statement open: the fast path takes nothing
	)
	for {
		at := base + rec.Offset
		if rec.Column == 0 && cfonb.ParseCode(rec.Data) == cfonb.CodeOldBalance {
			if res.stop.Load() && (v == nil || !v.open) {
				// The owner is here: hand over at this 01.
				if v != nil && at > seg.at && v.rep.Unchecked == 0 {
					seg.end, seg.endAt, seg.endLine = -1, at, rec.Line
					res.segs = append(res.segs, seg)
				}
				return
			}
			if v == nil {
				if len(res.segs) == maxSegments {
					return
				}
				v = newRange(name, opts)
				seg = &segment{v: v, at: at, line01: rec.Line}
			}
			if !v.open {
				last.take(v, at, rec.Line, rec.Data)
			}
		}
		if v != nil {
			v.record(&rec, cr.Framing, cr.Printable())
			if v.rep.Errors+v.rep.Warnings > 0 {
				// Back to before the statement's 01. A 01 other than
				// that one (one that found a statement open, or one
				// within a line) may have opened another account's
				// statement: then the segment is dropped.
				other01 := cfonb.ParseCode(rec.Data) == cfonb.CodeOldBalance && at != last.at
				if last.at > seg.at && !last.unchecked && !other01 {
					last.restore(v)
					seg.end, seg.endAt, seg.endLine = -1, last.at, last.line
					res.segs = append(res.segs, seg)
				}
				v, seg = nil, nil
			}
		}
		if res.cancelled.Load() {
			return
		}
		// The records the fast path takes (04 and 05: no seam is there,
		// and they find nothing) need none of the work below. Without a
		// validator (after a diagnostic, until the next 01), idle's fast
		// path takes none.
		fast := v
		if fast == nil {
			fast = &idle
		}
		var err error
		rec, err = nextRecord(fast, cr, 0, &res.cancelled)
		if errors.Is(err, io.EOF) {
			if v != nil && !v.open && v.rep.Unchecked == 0 {
				seg.end, seg.endLine, seg.sub = len(ends), cr.Line(), cr.TrailingSUB()
				res.segs = append(res.segs, seg)
			}
			return
		}
		if err != nil {
			return // cancelled, or an error the owner meets again and reports
		}
		at = base + rec.Offset
		for next < len(ends) && ends[next] < at {
			next++ // passed over without landing on it
		}
		if next < len(ends) && ends[next] == at && rec.Column == 0 {
			if v != nil && !v.open && v.rep.Unchecked == 0 {
				seg.end, seg.endLine = next, rec.Line
				res.segs = append(res.segs, seg)
			}
			return
		}
	}
}

// owner validates the file with the calling goroutine, taking the work of
// the workers it can (see accept).
func owner(name string, head []byte, opts Options, seams []*seam, newReader func(int64) *cfonb.Reader, taken *int, wait bool) (*Report, error) {
	v, rep, err := begin(name, head, opts, nil)
	if v == nil {
		return rep, err
	}
	cr := newReader(0)
	var start int64        // cr's start
	lineBase := 0          // lines before cr's start
	k := 0                 // the next seam
	var pending []*segment // the segments of the last worker, not yet met
	for {
		// A record the fast path takes is a 04 or 05: no seam nor
		// segment starts there (they start at a 01).
		rec, err := nextRecord(v, cr, lineBase, nil)
		if errors.Is(err, io.EOF) {
			if cr.TrailingSUB() {
				v.TrailingSUB()
			}
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, lineBase+cr.Line()+1, err)
		}
		at := start + rec.Offset
		rec.Line += lineBase
		for k < len(seams) && seams[k].at < at {
			seams[k].res.cancelled.Store(true)
			k++
		}
		if k < len(seams) && seams[k].at == at && rec.Column == 0 {
			// Take what the worker has done so far: it stops at its next
			// statement (a machine whose other core is busy must not
			// make this goroutine wait).
			if !wait {
				seams[k].res.stop.Store(true)
			}
			<-seams[k].res.done
			pending = seams[k].res.segs
			k++
		}
		for len(pending) > 0 && pending[0].at < at {
			pending = pending[1:]
		}
		if len(pending) > 0 && pending[0].at == at && rec.Column == 0 {
			seg := pending[0]
			pending = pending[1:]
			base := rec.Line - seg.line01 // lines before the worker's reader
			if accept(v, seg.v, base) {
				merge(v, seg.v, base)
				if taken != nil {
					*taken++
				}
				switch {
				case seg.end == len(seams):
					if seg.sub {
						v.TrailingSUB()
					}
					return v.Finish(), nil
				case seg.end >= 0:
					for ; k < seg.end; k++ {
						seams[k].res.cancelled.Store(true)
					}
					start = seams[k].at
				default:
					start = seg.endAt
				}
				lineBase = base + seg.endLine - 1
				cr = newReader(start)
				continue
			}
		}
		if v.record(&rec, cr.Framing, cr.Printable()) {
			break
		}
	}
	return v.Finish(), nil
}

// accept reports whether the work of w, a worker's validator whose lines
// are base less than the file's, is what v would find going on from its
// state (see the comment at the top of this file).
func accept(v, w *Validator, base int) bool {
	if !v.seen || v.open || v.stopped || len(v.accounts)+len(w.spec.accounts) >= MaxAccounts {
		return false
	}
	for acct, a := range w.spec.accounts {
		prev, known := v.accounts[acct]
		if !known {
			continue
		}
		if !a.closed {
			return false
		}
		// The first statement's cross-statement checks, against v's
		// last statement of the account.
		s := &Validator{opts: v.opts, off: v.off, accounts: map[cfonb.Account]closed{acct: prev}}
		s.st = a.st
		s.st.prev, s.st.hasPrev, s.st.deferred, s.st.dir = closed{}, false, false, 0
		s.st.line += base
		s.openOrder(a.openLine+base, a.openDate, a.openAmount)
		s.closeOrder(a.closeLine+base, a.closeDate, a.closeAmt, a.closeOK)
		if s.rep.Errors+s.rep.Warnings > 0 {
			return false
		}
		a.dir = 0 // the direction v would record for the account
		if e, ok := s.accounts[acct]; ok {
			a.dir = e.dir
		}
		// The worker recorded direction 0 for the account (it knew no
		// statement before): the next statement is judged alike only
		// if its decision does not depend on it.
		if a.n > 1 && a.gHasPrev {
			if dir := a.dir; (a.gDeferred && dir > 0) || (!a.gDeferred && dir < 0) {
				return false
			}
		}
	}
	return true
}

// merge adds the work of w (see accept) to v.
func merge(v, w *Validator, base int) {
	v.rep.Records += w.rep.Records
	v.rep.Statements += w.rep.Statements
	v.rep.Charset += w.rep.Charset
	for _, s := range w.rep.Summaries {
		if v.opts.MaxSummaries >= 0 && len(v.rep.Summaries) >= v.opts.MaxSummaries {
			v.rep.SummariesOmitted++
			continue
		}
		s.StartLine += base
		if s.EndLine != 0 {
			s.EndLine += base
		}
		v.rep.Summaries = append(v.rep.Summaries, s)
	}
	v.rep.SummariesOmitted += w.rep.SummariesOmitted
	for acct, a := range w.spec.accounts {
		e, ok := w.accounts[acct]
		if !ok {
			delete(v.accounts, acct)
			continue
		}
		e.line += base
		e.openLine += base
		if a.n == 1 {
			e.dir = a.dir // 0 when v did not know the account either
		}
		v.accounts[acct] = e
	}
	v.last = w.last + base
	v.prev = w.prev
	v.open = false
}
