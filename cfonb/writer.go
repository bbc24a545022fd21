package cfonb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrRecordLength and ErrRecordLineEnd are the records a Writer refuses to
// write: one that is not RecordLen bytes, one that holds a CR or an LF
// (it would not read back as one record).
var (
	ErrRecordLength  = errors.New("record is not 120 bytes")
	ErrRecordLineEnd = errors.New("record holds a CR or LF byte")
)

// Writer writes CFONB120 records, each followed by the chosen line end,
// through a buffer: call Flush at the end.
type Writer struct {
	// EOL is the line end written after each record; NewWriter sets CRLF.
	// EOLNone writes continuous 120-byte records; EOLCR, a lone CR.
	EOL EOL
	w   *bufio.Writer
}

// NewWriter returns a Writer that writes to w with CRLF line ends.
func NewWriter(w io.Writer) *Writer {
	return &Writer{EOL: EOLCRLF, w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one record, which must be exactly RecordLen bytes and hold no
// CR or LF byte (the error then wraps ErrRecordLength or ErrRecordLineEnd,
// and nothing is written).
func (w *Writer) Write(record []byte) error {
	if len(record) != RecordLen {
		return fmt.Errorf("cfonb: record is %d bytes: %w", len(record), ErrRecordLength)
	}
	if i := bytes.IndexByte(record, '\n'); i >= 0 {
		return fmt.Errorf("cfonb: column %d: %w", i+1, ErrRecordLineEnd)
	}
	if i := bytes.IndexByte(record, '\r'); i >= 0 {
		return fmt.Errorf("cfonb: column %d: %w", i+1, ErrRecordLineEnd)
	}
	if _, err := w.w.Write(record); err != nil {
		return err
	}
	switch w.EOL {
	case EOLLF:
		return w.w.WriteByte('\n')
	case EOLCRLF:
		_, err := w.w.WriteString("\r\n")
		return err
	case EOLCR:
		return w.w.WriteByte('\r')
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }
