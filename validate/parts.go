package validate

import (
	"errors"
	"io"
	"sync"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// partResult is what StreamParts found in one part.
type partResult struct {
	v     *Validator
	lines int  // the part's lines
	sub   bool // it ended with a 0x1A
	ok    bool // it may be joined (see StreamParts)
}

// StreamParts validates a file given as consecutive parts, each read from
// its own reader on a goroutine of its own (the first on the calling one),
// reporting it as name: it is Stream on a file that another process
// writes in parts on several cores (cfonb fmt). parts[0] is the file's
// start; each later part must start with the 01 record of a statement,
// at the start of a line, and all are framed by line ends. StreamParts
// reads every part to its end, whatever it finds.
//
// A later part is validated from a fresh state, as validate's split
// engine validates a range of a file (see split.go): its work is joined
// to that of the parts before it only when it gives exactly what Stream
// would find for the whole file (no diagnostic, no statement left open,
// and the checks across statements of an account that the parts both
// hold find nothing where they meet; see accept). Then ok is true and the
// report is Stream's. Otherwise ok is false and the report nil: the file
// must be validated with Stream. A read error also gives ok false (the
// caller, who made the parts, knows it).
func StreamParts(name string, parts []io.Reader, opts Options) (rep *Report, ok bool) {
	if len(parts) == 0 || opts.StopAtMax {
		for _, r := range parts {
			_, _ = io.Copy(io.Discard, r)
		}
		return nil, false
	}
	res := make([]partResult, len(parts))
	var wg sync.WaitGroup
	for i := 1; i < len(parts); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = laterPart(name, parts[i], opts)
			_, _ = io.Copy(io.Discard, parts[i])
		}()
	}
	res[0] = firstPart(name, parts[0], opts)
	_, _ = io.Copy(io.Discard, parts[0])
	wg.Wait()
	v := res[0].v
	base := res[0].lines
	for i := range res {
		last := i == len(res)-1
		if !res[i].ok || res[i].sub && !last {
			return nil, false
		}
		if i == 0 {
			continue
		}
		w := res[i].v
		if !accept(v, w, base) {
			return nil, false
		}
		merge(v, w, base)
		base += res[i].lines
	}
	if res[len(res)-1].sub {
		v.TrailingSUB()
	}
	return v.Finish(), true
}

// firstPart validates the first part of a file, as Stream does, up to
// its end: the validator is not finished.
func firstPart(name string, r io.Reader, opts Options) partResult {
	var head [4096]byte
	n, readErr := readHead(r, head[:])
	if readErr != nil && readErr != io.EOF {
		return partResult{}
	}
	v, _, err := begin(name, head[:n], opts, nil)
	if v == nil || err != nil {
		return partResult{}
	}
	cr := cfonb.NewReader(headThen(head[:n], r, readErr))
	for {
		rec, err := nextRecord(v, cr, 0, nil)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return partResult{}
		}
		if v.record(&rec, cr.Framing, cr.Printable()) {
			return partResult{} // another format
		}
	}
	if cr.Framing != cfonb.FramingLines || cr.InputOffset() <= cfonb.DetectWindow {
		// The framing is detected on the first bytes: the whole file's
		// if the part holds more.
		return partResult{}
	}
	return partResult{v: v, lines: cr.Line(), sub: cr.TrailingSUB(), ok: true}
}

// laterPart validates a later part of a file from a fresh state, as a
// worker of the split engine validates its range (runSeam): it may be
// joined only if it starts with a 01 at the start of a line, finds no
// diagnostic and ends with no statement open.
func laterPart(name string, r io.Reader, opts Options) partResult {
	cr := cfonb.NewReader(r)
	cr.Framing = cfonb.FramingLines
	v := newRange(name, opts)
	first := true
	for {
		rec, err := nextRecord(v, cr, 0, nil)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return partResult{}
		}
		if first && (rec.Column != 0 || cfonb.ParseCode(rec.Data) != cfonb.CodeOldBalance) {
			return partResult{}
		}
		first = false
		v.record(&rec, cr.Framing, cr.Printable())
		if v.rep.Errors+v.rep.Warnings > 0 {
			return partResult{}
		}
	}
	if first || v.open || v.rep.Unchecked > 0 {
		return partResult{}
	}
	return partResult{v: v, lines: cr.Line(), sub: cr.TrailingSUB(), ok: true}
}
