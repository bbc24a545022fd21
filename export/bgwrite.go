package export

import (
	"fmt"
	"io"
	"sync/atomic"
)

// bgBuffers is how many output buffers a background writer and its
// exporter share: one being filled while the others are written.
const bgBuffers = 3

// bgFlushSize is how much output an exporter with a background writer
// buffers before it hands the buffer over (fewer, larger hand-offs).
const bgFlushSize = 256 << 10

// bgWriter writes an exporter's full buffers on a goroutine of its own
// (Options.Background): the exporter formats the next buffer while the
// kernel copies the last one, on another core when there is one. The
// buffers go round: the exporter fills one, hands it over with put, and
// gets back one that was written. Writes happen in the order of put.
type bgWriter struct {
	w      io.Writer
	full   chan []byte // buffers to write, in order; closed by stop
	free   chan []byte // buffers written, to fill again
	done   chan struct{}
	made   int         // buffers allocated (exporter side)
	err    error       // the first write error; read after done is closed
	failed atomic.Bool // err is set
}

func newBGWriter(w io.Writer) *bgWriter {
	b := &bgWriter{
		w:    w,
		full: make(chan []byte, bgBuffers),
		free: make(chan []byte, bgBuffers),
		done: make(chan struct{}),
	}
	go b.run()
	return b
}

func (b *bgWriter) run() {
	defer close(b.done)
	for buf := range b.full {
		if !b.failed.Load() {
			if _, err := b.w.Write(buf); err != nil {
				b.err = fmt.Errorf("writing the export: %w", err)
				b.failed.Store(true)
			}
		}
		b.free <- buf[:0]
	}
}

// put hands buf over to be written and returns an empty buffer to fill
// next (one written already, or a new one while fewer than bgBuffers
// exist).
func (b *bgWriter) put(buf []byte) []byte {
	b.full <- buf
	if b.made < bgBuffers-1 {
		select {
		case next := <-b.free:
			return next
		default:
			b.made++
			return make([]byte, 0, bgFlushSize+4096)
		}
	}
	return <-b.free
}

// stop waits for every buffer put to be written, ends the goroutine and
// returns the first write error. The writer cannot be used after.
func (b *bgWriter) stop() error {
	close(b.full)
	<-b.done
	return b.err
}
