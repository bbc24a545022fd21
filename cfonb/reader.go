package cfonb

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Framing is how records are delimited in the input.
type Framing uint8

// Framings. FramingAuto decides from the start of the input: records
// separated by line ends (LF or CRLF, mixed allowed) unless the first 122
// bytes hold no LF and a record code stands both at offset 0 and at offset
// 120, in which case the records are continuous 120-byte blocks.
const (
	FramingAuto       Framing = iota
	FramingLines              // records separated by LF or CRLF
	FramingContinuous         // 120-byte records with no separator
)

func (f Framing) String() string {
	switch f {
	case FramingLines:
		return "lines"
	case FramingContinuous:
		return "continuous"
	}
	return "auto"
}

// DefaultMaxKeep is the default number of bytes of an over-long line that a
// Reader keeps in Record.Data.
const DefaultMaxKeep = 1024

const readerBufSize = 256 << 10

// Reader reads CFONB120 records from an input in constant memory. It frames
// records and numbers them; it does not judge them (package validate does):
// a short, long or garbled record is returned as it is, with its true
// length, so that every problem in a file can be reported.
//
// Options are fields, to be set before the first call to Read.
type Reader struct {
	// Framing is how records are delimited; the zero value detects it.
	Framing Framing
	// MaxKeep caps how many bytes of an over-long line are kept in
	// Record.Data (the rest is skipped, and counted in Record.Length).
	// Zero means DefaultMaxKeep.
	MaxKeep int

	br      *bufio.Reader
	line    int
	offset  int64
	started bool
	long    []byte // holds the kept part of an over-long line
	err     error
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, readerBufSize)}
}

// Line returns the number of records read so far.
func (r *Reader) Line() int { return r.line }

// Read returns the next record. At the end of the input it returns io.EOF;
// any other error is a read error of the underlying reader. Blank lines are
// returned as records of length 0. The returned Record's Data is valid
// until the next call to Read.
func (r *Reader) Read() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if !r.started {
		r.start()
	}
	var rec Record
	var err error
	if r.Framing == FramingContinuous {
		rec, err = r.readBlock()
	} else {
		rec, err = r.readLine()
	}
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) start() {
	r.started = true
	if r.MaxKeep <= 0 {
		r.MaxKeep = DefaultMaxKeep
	}
	if r.Framing != FramingAuto {
		return
	}
	r.Framing = FramingLines
	p, _ := r.br.Peek(RecordLen + 2)
	if len(p) >= RecordLen+2 && bytes.IndexByte(p, '\n') < 0 &&
		isDigit(p[0]) && isDigit(p[1]) && isDigit(p[RecordLen]) && isDigit(p[RecordLen+1]) {
		r.Framing = FramingContinuous
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// readLine reads one LF-terminated line.
func (r *Reader) readLine() (Record, error) {
	start := r.offset
	b, err := r.br.ReadSlice('\n')
	n := len(b)
	// crlf: the byte before a final LF is CR.
	crlf := n >= 2 && b[n-1] == '\n' && b[n-2] == '\r'
	if err == bufio.ErrBufferFull {
		// Over-long line: keep its head, skip and count the rest.
		r.long = append(r.long[:0], b[:min(n, r.MaxKeep)]...)
		for err == bufio.ErrBufferFull {
			prev := b[len(b)-1]
			b, err = r.br.ReadSlice('\n')
			n += len(b)
			if len(r.long) < r.MaxKeep {
				r.long = append(r.long, b[:min(len(b), r.MaxKeep-len(r.long))]...)
			}
			crlf = len(b) >= 2 && b[len(b)-1] == '\n' && b[len(b)-2] == '\r' ||
				len(b) == 1 && b[0] == '\n' && prev == '\r'
		}
		b = r.long
	}
	r.offset += int64(n)
	if err != nil && err != io.EOF {
		return Record{}, err
	}
	if n == 0 {
		return Record{}, io.EOF
	}
	r.line++
	rec := Record{Line: r.line, Offset: start, Length: n}
	if err == nil { // ended by LF
		rec.Length--
		rec.EOL = EOLLF
		if crlf {
			rec.Length--
			rec.EOL = EOLCRLF
		}
	}
	if len(b) > rec.Length {
		b = b[:rec.Length]
	}
	rec.Data = b
	return rec, nil
}

// readBlock reads one 120-byte record of a file without separators.
func (r *Reader) readBlock() (Record, error) {
	// Line ends and a DOS end-of-file byte between or after blocks are
	// tolerated: they belong to no record.
	for {
		p, err := r.br.Peek(1)
		if len(p) == 0 {
			if err == nil || err == io.EOF {
				return Record{}, io.EOF
			}
			return Record{}, err
		}
		if p[0] != '\n' && p[0] != '\r' {
			break
		}
		r.br.Discard(1)
		r.offset++
	}
	p, err := r.br.Peek(RecordLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if len(p) == 0 {
			return Record{}, err
		}
	}
	n := len(p)
	r.line++
	rec := Record{Line: r.line, Offset: r.offset, Length: n, Data: p}
	r.br.Discard(n)
	r.offset += int64(n)
	return rec, nil
}
