package cfonb

import (
	"bytes"
	"errors"
	"io"
)

// Framing is how records are delimited in the input.
type Framing uint8

// Framings. FramingAuto decides from the first 4 KiB of the input (see
// [DetectFraming]): records separated by line ends (LF or CRLF, mixed
// allowed), continuous 120-byte blocks with no separator, or, rarely, lines
// ended by a lone CR (classic Mac OS).
const (
	FramingAuto       Framing = iota
	FramingLines              // records separated by LF or CRLF
	FramingContinuous         // 120-byte records with no separator
	FramingCR                 // records separated by CR alone (a CRLF also ends a record)
)

// String returns "auto", "lines", "continuous" or "cr".
func (f Framing) String() string {
	switch f {
	case FramingLines:
		return "lines"
	case FramingContinuous:
		return "continuous"
	case FramingCR:
		return "cr"
	}
	return "auto"
}

// DefaultMaxKeep is the default cap on the bytes of a record that a Reader
// keeps in Record.Data: the rest of a longer line is counted in
// Record.Length, not kept.
const DefaultMaxKeep = 1024

// sub is the DOS end-of-file byte (Ctrl-Z), which some tools append to text
// files.
const sub = 0x1A

const (
	readerBufSize = 256 << 10
	// minBufSize is the smallest buffer a Reader works with: a whole
	// continuous record must fit.
	minBufSize = 2 * RecordLen
	// maxEmptyReads is how many successive empty reads of the underlying
	// reader are tolerated before io.ErrNoProgress, as in bufio.
	maxEmptyReads = 100
)

// errNoSource is returned by a Reader that was not made by NewReader.
var errNoSource = errors.New("cfonb: Reader has no input (use NewReader)")

// Reader reads CFONB120 records from an input in constant memory. It frames
// records and numbers them; it does not judge them (package validate does):
// a short, long or garbled record is returned as it is, with its true
// length, so that every problem in a file can be reported.
//
// Line ends (LF, CRLF; CR with FramingCR) are not part of a record. A single
// DOS end-of-file byte (0x1A) that is the last byte of the input belongs to
// no record either; [Reader.TrailingSUB] tells whether there was one. With
// FramingContinuous, CR and LF bytes found where a record should start are
// skipped, and so are those that end the input.
//
// Options are fields, to be set before the first call to Read.
type Reader struct {
	// Framing is how records are delimited; the zero value detects it on
	// the first call to Read, which sets the field to what it found.
	Framing Framing
	// MaxKeep caps how many bytes of a record are kept in Record.Data (the
	// rest is skipped, and counted in Record.Length). Zero means
	// DefaultMaxKeep.
	MaxKeep int

	src     io.Reader
	buf     []byte // fixed-size buffer; buf[r:w] is read and not yet consumed
	r, w    int
	rerr    error // the underlying reader's error (io.EOF at its end), once met
	offset  int64 // input offset of buf[r]
	line    int
	started bool
	sub     bool   // the input ended with a 0x1A that was dropped
	long    []byte // holds the kept part of an over-long line
	// A line of several concatenated records (see Concatenated) being
	// returned one record at a time: rest bytes of it are left at buf[r],
	// followed by a line end of restEOLLen bytes.
	rest       int
	restCol    int
	restEOL    EOL
	restEOLLen int
	splits     int   // lines split into records so far
	printable  bool  // the last record returned was found printable
	strideEOL  EOL   // the line end of the last record ReadStride returned
	general    bool  // tests: never take the fast paths of Read
	err        error // sticky error returned by Read
}

// NewReader returns a Reader that reads from r through a 256 KiB buffer.
func NewReader(r io.Reader) *Reader { return newReaderSize(r, readerBufSize) }

// NewReaderSize is NewReader with a buffer of size bytes (at least two
// records) instead of 256 KiB: a small file needs no more than its size,
// which matters when thousands are read at once.
func NewReaderSize(r io.Reader, size int) *Reader { return newReaderSize(r, size) }

// newReaderSize returns a Reader with a buffer of size bytes (tests use
// small buffers to exercise every buffer boundary).
func newReaderSize(r io.Reader, size int) *Reader {
	return &Reader{src: r, buf: make([]byte, max(size, minBufSize))}
}

// Line returns the number of records read so far.
func (r *Reader) Line() int { return r.line }

// InputOffset returns the number of input bytes consumed so far: the offset
// of the byte that follows the last record returned and its line end.
func (r *Reader) InputOffset() int64 { return r.offset }

// TrailingSUB reports whether the input ended with a DOS end-of-file byte
// (0x1A, Ctrl-Z) that the reader dropped. It is meaningful once Read has
// returned io.EOF.
func (r *Reader) TrailingSUB() bool { return r.sub }

// Read returns the next record. At the end of the input it returns io.EOF;
// any other error is a read error of the underlying reader, after which
// Read returns the same error again. A record's data is returned before an
// error only when the record's end (its line end, or its 120th byte in
// continuous framing) was read before the error. Blank lines are returned as
// records of length 0. The returned Record's Data is valid until the next
// call to Read.
func (r *Reader) Read() (Record, error) {
	// Fast paths: a whole LF-ended line, or a whole block, is in the
	// buffer. They must give what the general path gives (tests compare).
	if !r.started || r.err != nil || r.rest > 0 || r.general {
		return r.read()
	}
	switch r.Framing {
	case FramingContinuous:
		if r.w-r.r >= RecordLen && r.buf[r.r] != '\n' && r.buf[r.r] != '\r' {
			data := (*[RecordLen]byte)(r.buf[r.r : r.r+RecordLen])
			r.printable = printableRecord(data)
			return r.stride(data, EOLNone, RecordLen), nil
		}
	case FramingLines:
		// By the stride: a record of 120 printable bytes (which hold no
		// LF) followed by its line end. Otherwise, the line end is
		// searched for.
		if r.w-r.r > RecordLen+1 {
			data := (*[RecordLen]byte)(r.buf[r.r : r.r+RecordLen])
			switch r.buf[r.r+RecordLen] {
			case '\r':
				if r.buf[r.r+RecordLen+1] == '\n' && printableRecord(data) {
					r.printable = true
					return r.stride(data, EOLCRLF, RecordLen+2), nil
				}
			case '\n':
				if printableRecord(data) {
					r.printable = true
					return r.stride(data, EOLLF, RecordLen+1), nil
				}
			}
		}
		r.printable = false
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 && i <= RecordLen+1 {
			line := r.buf[r.r : r.r+i : r.r+i]
			eol := EOLLF
			if i > 0 && line[i-1] == '\r' {
				line = line[: i-1 : i-1]
				eol = EOLCRLF
			}
			rec := Record{Line: r.line + 1, Offset: r.offset, Data: line, Length: len(line), EOL: eol}
			if len(line) > r.MaxKeep {
				rec.Data = line[:r.MaxKeep:r.MaxKeep]
			}
			r.line++
			r.r += i + 1
			r.offset += int64(i + 1)
			return rec, nil
		}
	}
	return r.read()
}

// ReadStride returns the data of the next record when Read would frame it
// by its stride: 120 printable ASCII bytes (see PrintableASCII), followed,
// with FramingLines, by a line end, all in the buffer. It consumes the
// record as Read would (Line and InputOffset count it, Printable is
// true), and StrideRecord returns the Record that Read would have
// returned. When ok is false, nothing is consumed: call Read.
//
// It builds no Record: a caller that needs only the bytes of most records
// (the validator's fast path) saves the copying of one per record.
func (r *Reader) ReadStride() (data *[RecordLen]byte, ok bool) {
	if !r.started || r.err != nil || r.rest > 0 || r.general || r.MaxKeep < RecordLen {
		return nil, false
	}
	n := RecordLen
	eol := EOLNone
	switch r.Framing {
	case FramingContinuous:
		if r.w-r.r < RecordLen {
			return nil, false
		}
	case FramingLines:
		// As Read: the line end is looked at only with two bytes after
		// the record.
		if r.w-r.r <= RecordLen+1 {
			return nil, false
		}
		switch r.buf[r.r+RecordLen] {
		case '\r':
			if r.buf[r.r+RecordLen+1] != '\n' {
				return nil, false
			}
			n, eol = RecordLen+2, EOLCRLF
		case '\n':
			n, eol = RecordLen+1, EOLLF
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	data = (*[RecordLen]byte)(r.buf[r.r : r.r+RecordLen])
	if !printableRecord(data) {
		return nil, false
	}
	r.printable = true
	r.strideEOL = eol
	r.line++
	r.r += n
	r.offset += int64(n)
	return data, true
}

// StrideRecord returns the Record that Read would have returned for the
// record the last call to ReadStride returned, which must have been the
// last call to read from r.
func (r *Reader) StrideRecord() Record {
	n := int64(RecordLen)
	switch r.strideEOL {
	case EOLLF:
		n++
	case EOLCRLF:
		n += 2
	}
	data := r.buf[r.r-int(n) : r.r-int(n)+RecordLen : r.r-int(n)+RecordLen]
	return Record{Line: r.line, Offset: r.offset - n, Data: data, Length: RecordLen, EOL: r.strideEOL}
}

// stride returns the 120-byte record data at the start of the buffered
// bytes, which with its line end takes n bytes.
func (r *Reader) stride(data *[RecordLen]byte, eol EOL, n int) Record {
	rec := Record{Line: r.line + 1, Offset: r.offset, Data: data[:RecordLen:RecordLen], Length: RecordLen, EOL: eol}
	if RecordLen > r.MaxKeep {
		rec.Data = rec.Data[:r.MaxKeep:r.MaxKeep]
	}
	r.line++
	r.r += n
	r.offset += int64(n)
	return rec
}

// Printable reports whether the reader found every byte of the record the
// last Read returned to be printable ASCII (see PrintableASCII), as it does
// when it frames a record by its stride: the caller need not test it again.
// False means that the reader did not test it.
func (r *Reader) Printable() bool { return r.printable }

func (r *Reader) read() (Record, error) {
	r.printable = false
	if r.err != nil {
		return Record{}, r.err
	}
	if !r.started {
		if err := r.start(); err != nil {
			r.err = err
			return Record{}, err
		}
	}
	if r.rest > 0 {
		return r.nextSlice(), nil
	}
	var rec Record
	var err error
	switch r.Framing {
	case FramingContinuous:
		rec, err = r.readBlock()
	case FramingCR:
		rec, err = r.readLine('\r')
	default:
		rec, err = r.readLine('\n')
	}
	if err != nil {
		r.err = err
		return Record{}, err
	}
	r.line++
	rec.Line = r.line
	return rec, nil
}

func (r *Reader) start() error {
	r.started = true
	if r.src == nil || len(r.buf) < minBufSize {
		return errNoSource
	}
	if r.MaxKeep <= 0 {
		r.MaxKeep = DefaultMaxKeep
	}
	switch r.Framing {
	case FramingLines, FramingContinuous, FramingCR:
		return nil
	case FramingAuto:
	default:
		r.Framing = FramingLines
		return nil
	}
	for r.w-r.r < min(DetectWindow, len(r.buf)) && r.rerr == nil {
		r.fill()
	}
	// A read error is not returned here: the records before it are read
	// first, and the error stays in r.rerr for the reading functions.
	r.Framing = DetectFraming(r.buf[r.r:r.w], r.rerr != nil)
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fill compacts the buffer and reads more input into it. It must be called
// only when r.rerr is nil; it reads at least one byte or sets r.rerr.
func (r *Reader) fill() {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.rerr = errors.New("cfonb: the underlying reader returned an invalid count")
			return
		}
		r.w += n
		if err != nil {
			r.rerr = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.rerr = io.ErrNoProgress
}

// consume marks n buffered bytes as read.
func (r *Reader) consume(n int) {
	r.r += n
	r.offset += int64(n)
}

// record builds a Record (without its Line) whose data starts at offset and
// keeps at most MaxKeep bytes of data. The data's capacity is capped so that
// appending to it cannot overwrite the reader's buffer.
func (r *Reader) record(offset int64, data []byte, length int, eol EOL) Record {
	if len(data) > length {
		data = data[:length]
	}
	if len(data) > r.MaxKeep {
		data = data[:r.MaxKeep]
	}
	return Record{Offset: offset, Data: data[:len(data):len(data)], Length: length, EOL: eol}
}

// readLine reads one line ended by sep ('\n' or '\r').
func (r *Reader) readLine(sep byte) (Record, error) {
	scan := 0 // buf[r.r:r.r+scan] holds no sep
	for {
		if i := bytes.IndexByte(r.buf[r.r+scan:r.w], sep); i >= 0 {
			end := r.r + scan + i // the separator
			if sep == '\r' && end+1 == r.w && r.rerr == nil {
				// Is the CR followed by an LF? Read on to know.
				if r.r == 0 && r.w == len(r.buf) && !r.grow() {
					return r.readLongLine(sep)
				}
				scan = end - r.r
				r.fill()
				continue
			}
			start := r.offset
			line := r.buf[r.r:end]
			next := end + 1
			eol := EOLLF
			if sep == '\n' {
				if n := len(line); n > 0 && line[n-1] == '\r' {
					line = line[:n-1]
					eol = EOLCRLF
				}
			} else {
				eol = EOLCR
				if next < r.w && r.buf[next] == '\n' {
					next++
					eol = EOLCRLF
				}
			}
			if r.splittable(line) {
				// Several records on one line: return the first, and
				// keep the others (still in the buffer) for the next calls.
				r.splits++
				r.rest = len(line) - RecordLen
				r.restCol = 1 + RecordLen
				r.restEOL = eol
				r.restEOLLen = next - r.r - len(line)
				r.consume(RecordLen)
				return r.record(start, line[:RecordLen], RecordLen, EOLNone), nil
			}
			r.consume(next - r.r)
			return r.record(start, line, len(line), eol), nil
		}
		scan = r.w - r.r
		if r.rerr != nil {
			return r.lastLine()
		}
		if r.r == 0 && r.w == len(r.buf) && !r.grow() {
			return r.readLongLine(sep)
		}
		r.fill()
	}
}

// grow is called when the buffer is full of one line, with no separator
// (or, with CR line ends, one as its last byte). When that line starts as
// several concatenated records (a record code every 120 bytes) and the
// buffer is smaller than ConcatenatedLineBuf, it doubles the buffer, up to
// that size, keeping its bytes, and returns true: read on to find the
// line's end. Otherwise the line is read as one long record. So a line of
// concatenated records of up to MaxConcatenatedLine bytes is always found
// whole, whatever the buffer's first size, and split; the buffer stays at
// its new size.
func (r *Reader) grow() bool {
	if len(r.buf) >= ConcatenatedLineBuf || !recordCodesEvery120(r.buf[:r.w]) {
		return false
	}
	buf := make([]byte, min(2*len(r.buf), ConcatenatedLineBuf))
	copy(buf, r.buf[:r.w])
	r.buf = buf
	return true
}

// splittable reports whether line, found whole in the buffer, is several
// concatenated records to return one by one: those of up to
// MaxConcatenatedLine bytes, which are always found whole, however the
// reads fell, since the buffer grows to hold them (see grow). A longer
// line is returned as one record, whose length the validator reports,
// even when the buffer holds it (a Reader of bytes, or of a large buffer):
// the limit does not depend on the buffer.
func (r *Reader) splittable(line []byte) bool {
	return len(line) <= MaxConcatenatedLine && Concatenated(line) > 0
}

// nextSlice returns the next record of a line of concatenated records. It
// has the line's number; the last one takes the line's line end.
func (r *Reader) nextSlice() Record {
	start := r.offset
	data := r.buf[r.r : r.r+RecordLen]
	rec := r.record(start, data, RecordLen, EOLNone)
	rec.Line = r.line
	rec.Column = r.restCol
	r.consume(RecordLen)
	r.rest -= RecordLen
	r.restCol += RecordLen
	if r.rest == 0 {
		rec.EOL = r.restEOL
		r.consume(r.restEOLLen)
	}
	return rec
}

// SplitLines returns how many lines holding several concatenated records
// (see [Concatenated]) were read so far: each was returned as its records,
// which share the line's number and have their own Column.
func (r *Reader) SplitLines() int { return r.splits }

// lastLine returns what is left in the buffer once the input has ended: a
// last line without a line end.
func (r *Reader) lastLine() (Record, error) {
	if r.rerr != io.EOF {
		return Record{}, r.rerr
	}
	if r.r == r.w {
		return Record{}, io.EOF
	}
	start := r.offset
	line := r.buf[r.r:r.w]
	n := len(line)
	if line[n-1] == sub {
		line = line[:n-1]
		r.sub = true
		if len(line) == 0 {
			r.consume(n)
			return Record{}, io.EOF
		}
	}
	if r.splittable(line) {
		r.splits++
		r.rest = len(line) - RecordLen
		r.restCol = 1 + RecordLen
		r.restEOL = EOLNone
		r.restEOLLen = n - len(line)
		r.consume(RecordLen)
		return r.record(start, line[:RecordLen], RecordLen, EOLNone), nil
	}
	r.consume(n)
	return r.record(start, line, len(line), EOLNone), nil
}

// readLongLine reads a line that does not fit in the buffer, which is full
// and holds no separator (but, with sep '\r', possibly as its last byte): it
// keeps the line's first MaxKeep bytes and counts the rest.
func (r *Reader) readLongLine(sep byte) (Record, error) {
	start := r.offset
	keep := r.long[:0]
	n := 0        // bytes of the line so far, without its line end
	var last byte // the line's last byte so far
	eol := EOLNone
	for {
		chunk := r.buf[r.r:r.w]
		i := bytes.IndexByte(chunk, sep)
		if i < 0 {
			i = len(chunk)
		}
		if len(keep) < r.MaxKeep {
			keep = append(keep, chunk[:min(i, r.MaxKeep-len(keep))]...)
		}
		if i > 0 {
			last = chunk[i-1]
		}
		n += i
		if i < len(chunk) { // the separator, at chunk[i]
			r.consume(i + 1)
			if sep == '\n' {
				eol = EOLLF
				if last == '\r' {
					n--
					eol = EOLCRLF
				}
				break
			}
			eol = EOLCR
			if r.r == r.w && r.rerr == nil {
				r.fill()
			}
			if r.r < r.w && r.buf[r.r] == '\n' {
				r.consume(1)
				eol = EOLCRLF
			}
			break
		}
		r.consume(i)
		if r.rerr != nil {
			if r.rerr != io.EOF {
				r.long = keep
				return Record{}, r.rerr
			}
			if last == sub {
				n--
				r.sub = true
			}
			break
		}
		r.fill()
	}
	r.long = keep
	return r.record(start, keep, n, eol), nil
}

// readBlock reads one 120-byte record of a file without separators.
func (r *Reader) readBlock() (Record, error) {
	for {
		// CR and LF bytes between blocks belong to no record.
		for r.r < r.w && (r.buf[r.r] == '\n' || r.buf[r.r] == '\r') {
			r.consume(1)
		}
		if r.w-r.r >= RecordLen || r.rerr != nil {
			break
		}
		r.fill()
	}
	start := r.offset
	if r.w-r.r >= RecordLen {
		block := r.buf[r.r : r.r+RecordLen]
		r.consume(RecordLen)
		return r.record(start, block, RecordLen, EOLNone), nil
	}
	// Fewer than 120 bytes are left, and the input has ended.
	if r.rerr != io.EOF {
		return Record{}, r.rerr
	}
	block := r.buf[r.r:r.w]
	r.consume(len(block))
	// Line ends and one 0x1A that end the input belong to no record.
	block = bytes.TrimRight(block, "\r\n")
	if n := len(block); n > 0 && block[n-1] == sub {
		block = block[:n-1]
		r.sub = true
	}
	block = bytes.TrimRight(block, "\r\n")
	if len(block) == 0 {
		return Record{}, io.EOF
	}
	return r.record(start, block, len(block), EOLNone), nil
}
