// Package spool holds output until it is known to be good, and carries it
// between goroutines: the pieces that make "nothing written on refusal"
// cheap for cfonb fmt and cfonb export. A Buffer spools in memory, then in
// an unlinked temporary file; Direct says when standard output can take
// the output as it is made and be truncated back; a Pipe lets a writer run
// ahead of its reader by a few chunks.
package spool

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// PipeChunks and PipeChunkSize bound what a Pipe holds: 1 MiB.
const (
	PipeChunks    = 4
	PipeChunkSize = 256 << 10
)

// Pipe is an in-memory pipe, like io.Pipe, whose writer does not wait
// for the reader: Write copies into one of a few chunks and returns, so
// the formatter and the validator reading its output (itself two
// goroutines) keep both cores busy instead of taking turns. It has one
// writer and one reader, which reads to the end (or the writer would wait
// for a free chunk forever).
type Pipe struct {
	full  chan []byte // chunks written, in order; closed by CloseWithError
	free  chan []byte // chunks read, to reuse
	made  int         // chunks allocated (writer side)
	err   error       // the writer's error, set before full is closed
	cur   []byte      // the unread part of the chunk being read
	chunk []byte      // the chunk being read, to give back
}

// NewPipe returns an empty Pipe; its chunks are allocated as needed.
func NewPipe() *Pipe {
	return &Pipe{full: make(chan []byte, PipeChunks), free: make(chan []byte, PipeChunks)}
}

// Write copies b into the pipe; it waits only when every chunk is full.
func (p *Pipe) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		want := min(len(b), PipeChunkSize)
		c := p.take()
		if cap(c) < want {
			// Small files get small chunks; a chunk grows to the
			// writes it carries, up to PipeChunkSize.
			c = make([]byte, 0, max(want, min(2*cap(c), PipeChunkSize)))
		}
		c = append(c[:0], b[:want]...)
		b = b[want:]
		p.full <- c
	}
	return n, nil
}

// take returns a chunk the reader has finished with, or nil (to be
// allocated) while fewer than PipeChunks were made, or waits for one.
func (p *Pipe) take() []byte {
	select {
	case c := <-p.free:
		return c
	default:
		if p.made < PipeChunks {
			p.made++
			return nil
		}
		return <-p.free
	}
}

// Give hands b over to the reader as it is, without copying it, and
// returns an empty buffer of b's capacity at least to fill next: one the
// reader has finished with, or a new one while fewer than PipeChunks were
// made (so at most PipeChunks+1 buffers go round, the writer's included).
// The writer must not touch b after. Give and Write may be mixed.
func (p *Pipe) Give(b []byte) []byte {
	if len(b) > 0 {
		p.full <- b
	}
	c := p.take()
	if cap(c) < cap(b) {
		c = make([]byte, 0, cap(b))
	}
	return c[:0]
}

// CloseWithError ends the pipe: the reader gets err once it has read
// everything written, or io.EOF if err is nil.
func (p *Pipe) CloseWithError(err error) {
	p.err = err
	close(p.full)
}

// Read reads what was written, in order.
func (p *Pipe) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.chunk != nil {
			p.free <- p.chunk
			p.chunk = nil
		}
		c, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.chunk = c, c
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Direct returns standard output as a file that fmt and export may write
// to as they go, when that can be undone without losing a byte: a regular
// file that ends where the output starts and is not in append mode
// (truncated back to that offset on refusal), or the null device. Any
// other output gets it only once the whole input is known to be good (it
// is spooled), so it returns nil for them: a terminal, a pipe, a file
// opened for appending (>>: its offset is 0 until the first write, and
// truncating back to it would empty the file), a file with bytes after
// the offset (1<> on a longer file: they would be lost), or where the
// flags cannot be read.
func Direct(w io.Writer) *os.File {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	if fi.Mode().IsRegular() {
		start, err := f.Seek(0, io.SeekCurrent)
		if err != nil || fi.Size() != start {
			return nil
		}
		if appendOnly, _ := FileFlags(f); appendOnly {
			return nil
		}
		return f
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return f
	}
	return nil
}

// Memory is how much of a Buffer is kept in memory before it
// moves to a temporary file.
const Memory = 4 << 20

// Buffer holds output until it is known to be good: in memory up to
// Memory, then in a temporary file, so that memory stays bounded.
type Buffer struct {
	Header string // written before the body (a diff's header)
	mem    bytes.Buffer
	f      *os.File
}

// Write spools p, moving what is held to a temporary file once it
// outgrows Memory.
func (s *Buffer) Write(p []byte) (int, error) {
	if s.f == nil && s.mem.Len()+len(p) <= Memory {
		return s.mem.Write(p)
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "cfonb-fmt-*")
		if err != nil {
			return 0, fmt.Errorf("spooling the output: %w", err)
		}
		_ = os.Remove(f.Name()) // unlinked: it goes away when closed
		s.f = f
		if _, err := s.mem.WriteTo(f); err != nil {
			return 0, fmt.Errorf("spooling the output: %w", err)
		}
		s.mem = bytes.Buffer{}
	}
	n, err := s.f.Write(p)
	if err != nil {
		err = fmt.Errorf("spooling the output: %w", err)
	}
	return n, err
}

// CopyTo copies the header and what was spooled to w. When w is a regular
// file written at its end (opened for appending, ">>", or positioned
// there) and the copy fails half way (a full disk), the file is truncated
// back to where it ended: it never keeps half of the output (found by a
// review: "cfonb export F >> out" on a full disk left a partial append).
func (s *Buffer) CopyTo(w io.Writer) (err error) {
	if f, ok := w.(*os.File); ok {
		if end, ok := writesAtEnd(f); ok {
			defer func() {
				if err != nil && f.Truncate(end) == nil {
					_, _ = f.Seek(end, io.SeekStart)
				}
			}()
		}
	}
	if _, err := io.WriteString(w, s.Header); err != nil {
		return err
	}
	if s.f == nil {
		_, err := w.Write(s.mem.Bytes())
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(w, s.f)
	return err
}

// writesAtEnd reports whether a write to f goes at its end, and where that
// is: f is a regular file opened for appending, or positioned at its end.
func writesAtEnd(f *os.File) (int64, bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	if appendOnly, _ := FileFlags(f); appendOnly {
		return fi.Size(), true
	}
	cur, err := f.Seek(0, io.SeekCurrent)
	return cur, err == nil && cur == fi.Size()
}

// Close frees what was spooled (the temporary file goes away).
func (s *Buffer) Close() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
	s.mem = bytes.Buffer{}
}
