package validate

import (
	"errors"
	"io"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The pipeline splits the work of validating a large input between two
// goroutines, for machines with more than one core: a reading goroutine
// frames the records (system calls, line scanning), copies them into a
// batch and makes the printable check; the calling goroutine runs the
// rules. Memory stays bounded: pipelineBatches batches of at most
// batchRecords records (each record's Data is at most the reader's MaxKeep).

const (
	precheckInReader = false
	pipelineBatches  = 2
	batchRecords     = 16384
)

// batch is a run of records read ahead, with their bytes back to back.
type batch struct {
	data    []byte
	recs    []batchRecord
	framing cfonb.Framing
	err     error // set on the last batch: io.EOF or a read error
	sub     bool  // on the last batch: a trailing DOS end-of-file mark
}

type batchRecord struct {
	line       int
	length     int32
	start, end int32 // the record's bytes in batch.data
	col        int32 // printable's column
	eol        cfonb.EOL
	ok         bool // printable's verdict
	pre        precheck
}

// streamPipelined validates the records of cr with the pipeline. It
// returns the read error, if any, with the line it happened at.
func streamPipelined(v *Validator, cr *cfonb.Reader, opts Options) (readErr error, errLine int) {
	free := make(chan *batch, pipelineBatches)
	full := make(chan *batch, pipelineBatches)
	stop := make(chan struct{})
	for i := 0; i < pipelineBatches; i++ {
		free <- &batch{data: make([]byte, 0, batchRecords*(cfonb.RecordLen+8)), recs: make([]batchRecord, 0, batchRecords)}
	}
	done := make(chan struct{})
	go func() {
		var checker prechecker // the reading goroutine's own date caches
		defer close(done)
		defer close(full)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.data, b.recs, b.err = b.data[:0], b.recs[:0], nil
			for len(b.recs) < batchRecords {
				rec, err := cr.Read()
				if err != nil {
					b.err = err
					b.sub = cr.TrailingSUB()
					break
				}
				start := len(b.data)
				b.data = append(b.data, rec.Data...)
				col, ok := 0, true // the reader may have checked it
				if !cr.Printable() {
					col, ok = printable(rec.Data)
				}
				var pre precheck
				if precheckInReader && ok && rec.Length == cfonb.RecordLen && len(rec.Data) == cfonb.RecordLen {
					pre = checker.precheck(cfonb.ParseCode(rec.Data), rec.Data)
				}
				b.recs = append(b.recs, batchRecord{line: rec.Line, length: int32(min(rec.Length, 1<<31-1)),
					start: int32(start), end: int32(len(b.data)), col: int32(col), eol: rec.EOL, ok: ok, pre: pre})
			}
			b.framing = cr.Framing
			select {
			case full <- b:
			case <-stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range full { // let the reading goroutine end
		}
		<-done
	}()

	for b := range full {
		for i := range b.recs {
			br := &b.recs[i]
			rec := cfonb.Record{Line: br.line, Length: int(br.length), EOL: br.eol, Data: b.data[br.start:br.end:br.end]}
			if precheckInReader {
				v.pre = &br.pre
			}
			stop := v.record(&rec, b.framing, int(br.col), br.ok)
			v.pre = nil
			if stop {
				return nil, 0 // another format: nothing more to learn
			}
			if opts.StopAtMax && v.full() {
				v.stopEarly(br.line)
				return nil, 0
			}
		}
		switch {
		case b.err == nil:
			free <- b
		case errors.Is(b.err, io.EOF):
			if b.sub {
				v.TrailingSUB()
			}
			return nil, 0
		default:
			return b.err, cr.Line() + 1
		}
	}
	return nil, 0
}
