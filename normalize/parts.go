package normalize

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Part is one part of a file for [Normalizer.NormalizeParts]: where it is
// read from, where its output goes, and (if not nil) the Handoff of its
// output buffers, as Normalizer.Handoff.
type Part struct {
	Src     io.Reader
	Dst     io.Writer
	Handoff func(out []byte) []byte
}

// errPartStopped ends a later part early: the first part failed.
var errPartStopped = errors.New("cfonb: normalize: part stopped")

// NormalizeParts is Normalize on a file given as consecutive parts, each
// normalised on a goroutine of its own (the first on the calling one),
// so that a large file is formatted on several cores. parts[0] reads the
// file from its start; each later part reads it from the start of a line
// (the byte before it is a line end) to the start of the next part, the
// last one to the file's end. Each part's output goes to its own Dst:
// the file's output is their concatenation, in order.
//
// A part other than the first starts from a fresh state: it cannot know
// what the lines before it hold. The parts are joined only when that
// gives exactly what Normalize gives for the whole file:
//   - the first part holds more than the first reads, which decide the
//     encoding and the framing (see DetectEncoding: its source must give
//     the bytes Normalize's would, in reads of the same sizes up to the
//     part's end);
//   - the file is framed by line ends, and each part but the last ends
//     with a line end of the file's encoding;
//   - every part holds a record, every record of the later parts has a
//     record code, and none of them was refused;
//   - the check that half of the records have a code (made every 1,024
//     records, on the records so far) passes where the parts meet.
//
// Then ok is true, and the report and the error are those of Normalize
// (a refusal of a line of the first part that ends within it is the
// whole file's). Otherwise ok is false: what the parts wrote must be
// discarded, and the file normalised with Normalize.
//
// NormalizeParts needs OnLine nil and EOL CRLF or LF (ok is false
// otherwise, with nothing read). n.Handoff is not used: each part has its
// own.
func (n *Normalizer) NormalizeParts(parts []Part) (rep *Report, ok bool, err error) {
	if len(parts) < 2 || n.OnLine != nil || n.EOL == cfonb.EOLNone {
		return nil, false, nil
	}
	states := make([]*normState, len(parts))
	errs := make([]error, len(parts))
	var (
		enc     Encoding
		framing cfonb.Framing
		known   bool // enc and framing were set
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	ready := make(chan struct{})
	head := n.newState(parts[0].Dst, parts[0].Src, parts[0].Handoff)
	head.part = headPart
	head.ready = func(e Encoding, f cfonb.Framing) {
		enc, framing, known = e, f, true
		close(ready)
		head.ready = nil
	}
	states[0] = head
	for i := 1; i < len(parts); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			if !known || framing != cfonb.FramingLines {
				errs[i] = errPartStopped
				return
			}
			st := n.newState(parts[i].Dst, &stopReader{r: parts[i].Src, stop: &stop}, parts[i].Handoff)
			st.part = tailPart
			if errs[i] = st.setEncoding(enc); errs[i] != nil {
				return
			}
			st.rep.Framing = framing
			states[i] = st
			errs[i] = st.run()
		}()
	}
	errs[0] = head.run()
	if head.ready != nil {
		close(ready) // refused before the encoding was known
	}
	if errs[0] != nil {
		stop.Store(true)
	}
	wg.Wait()
	// The encoding and framing are decided on the bytes of the first
	// reads (see DetectEncoding): the whole file's only if those reads
	// did not reach the first part's end, so that more came after.
	sample := head.reads > head.sampleReads
	if errs[0] != nil && !head.sawLast && sample {
		// The first part is read and normalised as the start of the
		// whole file is: its refusal (or read error) on a line that
		// ended within it is the file's.
		return head.rep, true, errs[0]
	}
	if !sample {
		return nil, false, nil
	}
	if !joinable(states, errs) {
		return nil, false, nil
	}
	return join(states), true, nil
}

// joinable reports whether the parts normalised in states, with the
// errors errs, can be joined (see NormalizeParts).
func joinable(states []*normState, errs []error) bool {
	records, known := 0, 0
	for i, st := range states {
		if errs[i] != nil || st.rep.Framing != cfonb.FramingLines || st.rep.Records == 0 {
			return false
		}
		if i < len(states)-1 && st.lastByte != st.cs.lf && st.lastByte != st.cs.nel {
			return false // the part does not end at a line end
		}
		if i > 0 {
			if st.known != st.rep.Records {
				return false
			}
			// The first check within the part, on the records so far (the
			// later ones only find more records with a code).
			c := (records/checkEvery + 1) * checkEvery
			if c <= records+st.rep.Records && (known+c-records)*2 <= c {
				return false
			}
		}
		records += st.rep.Records
		known += st.known
	}
	return true
}

// join adds the reports of the parts in states (see NormalizeParts) into
// the report of the whole file, their lines shifted by the lines before
// them.
func join(states []*normState) *Report {
	rep := *states[0].rep
	rep.Problems = append([]Problem(nil), rep.Problems...)
	inBase, outBase := states[0].inLine, states[0].outLine
	for _, st := range states[1:] {
		r := st.rep
		rep.Lines += r.Lines
		rep.Records += r.Records
		rep.Changed = rep.Changed || r.Changed
		for k := range rep.Repairs {
			rep.Repairs[k] += r.Repairs[k]
		}
		for _, p := range r.Problems {
			if len(rep.Problems) < MaxProblems {
				p.Line += inBase
				p.OutLine += outBase
				rep.Problems = append(rep.Problems, p)
			}
		}
		rep.ProblemCount += r.ProblemCount
		inBase += st.inLine
		outBase += st.outLine
	}
	if len(rep.Problems) == 0 {
		rep.Problems = nil
	}
	return &rep
}

// stopReader reads r until stop is set.
type stopReader struct {
	r    io.Reader
	stop *atomic.Bool
}

func (s *stopReader) Read(p []byte) (int, error) {
	if s.stop.Load() {
		return 0, errPartStopped
	}
	return s.r.Read(p)
}
