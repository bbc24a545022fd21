package cfonb

import (
	"bufio"
	"fmt"
	"io"
)

// Writer writes CFONB120 records, each followed by the chosen line end.
type Writer struct {
	// EOL is the line end written after each record; NewWriter sets CRLF.
	// EOLNone writes continuous 120-byte records.
	EOL EOL
	w   *bufio.Writer
}

// NewWriter returns a Writer that writes to w with CRLF line ends.
func NewWriter(w io.Writer) *Writer {
	return &Writer{EOL: EOLCRLF, w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one record, which must be exactly RecordLen bytes.
func (w *Writer) Write(record []byte) error {
	if len(record) != RecordLen {
		return fmt.Errorf("cfonb: record is %d bytes, not %d", len(record), RecordLen)
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
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }
