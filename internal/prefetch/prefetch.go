// Package prefetch reads ahead of its consumer: a goroutine fills a few
// fixed buffers from the underlying reader while the consumer parses the
// previous ones, so that on a two-core machine the kernel's copy of a large
// file overlaps with validation. Memory is bounded: Buffers × BufSize.
package prefetch

import (
	"errors"
	"io"
	"sync"
)

// Reader is an io.ReadCloser that reads ahead of its consumer. Close must
// be called to stop the goroutine (it is safe to call twice).
type Reader struct {
	full    chan []byte
	free    chan []byte
	stop    chan struct{}
	cur     []byte // unread part of the buffer being consumed
	held    []byte // the buffer being consumed, to give back
	err     error  // the underlying reader's error, read after full closes
	errOnce sync.Once
	closed  sync.Once
	wg      sync.WaitGroup
}

// New returns a Reader that reads ahead of r in buffers buffers of size
// bytes each.
func New(r io.Reader, buffers, size int) *Reader {
	p := &Reader{
		full: make(chan []byte, buffers),
		free: make(chan []byte, buffers),
		stop: make(chan struct{}),
	}
	for i := 0; i < buffers; i++ {
		p.free <- make([]byte, size)
	}
	p.wg.Add(1)
	go p.fill(r)
	return p
}

func (p *Reader) fill(r io.Reader) {
	defer p.wg.Done()
	defer close(p.full)
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.stop:
			return
		}
		n, err := r.Read(buf[:cap(buf)])
		if n > 0 {
			select {
			case p.full <- buf[:n]:
			case <-p.stop:
				return
			}
		} else {
			p.free <- buf
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.err = err
			}
			return
		}
	}
}

// Read reads from the buffers read ahead.
func (p *Reader) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.held != nil {
			p.free <- p.held[:cap(p.held)]
			p.held = nil
		}
		buf, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.held, p.cur = buf, buf
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Close stops reading ahead and waits for the goroutine to end. It does not
// close the underlying reader.
func (p *Reader) Close() error {
	p.closed.Do(func() {
		close(p.stop)
		for range p.full { // unblock a pending send, drain
		}
		p.wg.Wait()
	})
	return nil
}
