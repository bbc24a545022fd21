package cfonb

import (
	"bytes"
	"io"
)

// NewReaderBytes returns a Reader of data that reads it in place: data is
// the reader's buffer, nothing is copied and nothing is allocated but the
// Reader. The capacity of data is the buffer's size, so the Reader is the
// one NewReaderSize(bytes.NewReader(data), cap(data)) returns, without its
// copy: it gives the same records. Reading changes data: the Reader moves
// the bytes within data[:cap(data)] as it refills its buffer, so data's
// bytes are not the file's any more after a Read. A caller that needs them
// afterwards must pass a copy; none may change them while it reads.
//
// It is for a whole file read into memory; a buffer of at least len(data)+3
// bytes lets every line be found whole (see NewReaderSize).
func NewReaderBytes(data []byte) *Reader {
	full := data[:cap(data)]
	if len(full) < minBufSize {
		return newReaderSize(bytes.NewReader(data), len(full))
	}
	// The data is what the first read of a bytes.Reader would have put
	// in the buffer; the next read ends the input.
	return &Reader{src: eofReader{}, buf: full, w: len(data)}
}

// eofReader is an input that has ended.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
