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
	pipelineBatches = 3
	batchRecords    = 4096
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
	rec        cfonb.Record // Data is set from data[start:end] by the consumer
	start, end int
	col        int  // printable's column
	ok         bool // printable's verdict
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
				col, ok := printable(rec.Data)
				b.recs = append(b.recs, batchRecord{rec: rec, start: start, end: len(b.data), col: col, ok: ok})
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
			br.rec.Data = b.data[br.start:br.end:br.end]
			if v.record(&br.rec, b.framing, br.col, br.ok) {
				return nil, 0 // another format: nothing more to learn
			}
			if opts.StopAtMax && v.full() {
				v.stopEarly(br.rec.Line)
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
