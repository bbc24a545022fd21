package normalize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Repair is one kind of safe, listed repair that a [Normalizer] makes.
type Repair uint8

// The repairs. Each is counted in Report.Repairs.
const (
	RepairBOM         Repair = iota // byte-order mark removed (one per mark)
	RepairEOF                       // DOS end-of-file byte 0x1A removed (one per byte)
	RepairBlankLine                 // blank line removed
	RepairPadded                    // short line padded to 120 characters with spaces
	RepairTrimmed                   // spaces after column 120 removed (one per line)
	RepairLineEnd                   // line end changed or added (one per record)
	RepairTranslit                  // non-ASCII character transliterated (one per character)
	RepairSpace                     // control or Unicode space character written as a space
	RepairReplaced                  // character with no ASCII equivalent written as '?'
	RepairInvalidUTF8               // line of a UTF-8 file that is not valid UTF-8, read as Windows-1252
	RepairZeroWidth                 // combining mark or zero-width character removed
	RepairSplit                     // line of several concatenated records split into its records
	NumRepairs                      // the number of repair kinds
)

var repairNames = [NumRepairs]string{
	RepairBOM:         "byte-order mark removed",
	RepairEOF:         "end-of-file byte (0x1A) removed",
	RepairBlankLine:   "blank line removed",
	RepairPadded:      "short line padded to 120",
	RepairTrimmed:     "spaces after column 120 removed",
	RepairLineEnd:     "line end changed",
	RepairTranslit:    "character transliterated",
	RepairSpace:       "control or space character written as a space",
	RepairReplaced:    "character with no ASCII equivalent written as '?'",
	RepairInvalidUTF8: "line not in UTF-8 read as Windows-1252",
	RepairZeroWidth:   "combining mark or zero-width character removed",
	RepairSplit:       "line of concatenated records split",
}

// String describes the repair, e.g. "blank line removed".
func (r Repair) String() string {
	if r >= NumRepairs {
		return "unknown repair"
	}
	return repairNames[r]
}

// Problem is something a Normalizer did not repair because it cannot be
// repaired without guessing: the line is left as it is.
type Problem struct {
	Line    int    // 1-based input line
	OutLine int    // 1-based line of the output where the line stands
	Column  int    // 1-based column where the problem starts
	Message string // e.g. "line is 97 characters; the amount (columns 91-104) is incomplete"
}

// MaxProblems is how many problems a Report keeps (ProblemCount
// counts them all).
const MaxProblems = 100

// Report says what a Normalizer did to one input.
type Report struct {
	// Encoding is the encoding the input was read in.
	Encoding Encoding
	// Detected explains the choice when the encoding was detected; it is
	// empty when the encoding was given.
	Detected string
	// Framing is how the input's records were delimited.
	Framing cfonb.Framing
	// Lines counts the input's lines (blocks for continuous input).
	Lines int
	// Records counts the records written.
	Records int
	// Changed reports whether the output differs from the input, byte for
	// byte.
	Changed bool
	// Repairs counts the repairs of each kind.
	Repairs [NumRepairs]int
	// Problems lists (up to MaxProblems) the lines left as they are.
	Problems []Problem
	// ProblemCount counts every such line.
	ProblemCount int
}

// RefusedError is returned when normalising would change a figure (a code,
// an account, a date, an amount), lose data, or when the input is not a
// CFONB120 file: the output must then be discarded.
type RefusedError struct {
	Line   int // 1-based input line, 0 for the whole file
	Column int // 1-based column, 0 for the whole line
	Reason string
}

// Error says where and why, e.g. "line 2, column 97: the amount ...".
func (e *RefusedError) Error() string {
	switch {
	case e.Line == 0:
		return e.Reason
	case e.Column == 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Reason)
}

// As makes a refusal readable as the project's one positioned error type:
// errors.As(err, &pe) with pe a *cfonb.ParseError gives its line and column
// (and the reason as its Err).
func (e *RefusedError) As(target any) bool {
	pe, ok := target.(**cfonb.ParseError)
	if ok {
		*pe = &cfonb.ParseError{Line: e.Line, Column: e.Column, Err: errors.New(e.Reason)}
	}
	return ok
}

// LineEvent describes what a Normalizer did with one input line.
type LineEvent struct {
	// Line is the 1-based input line (block, for continuous input).
	Line int
	// In is the line's raw bytes, without the line end.
	In []byte
	// Out is the record written, without the line end; nil when the line
	// was removed.
	Out []byte
	// OutLine is the 1-based line of Out in the output; 0 when removed.
	OutLine int
	// ContentChanged reports whether the characters changed (not only the
	// line end).
	ContentChanged bool
	// EOLChanged reports whether the line end changed.
	EOLChanged bool
	// Charset decodes In.
	Charset *Charset
}

// InText returns In decoded to UTF-8, without transliteration.
func (ev *LineEvent) InText() string { return ev.Charset.Decode(ev.In) }

// DefaultMaxLine is the longest line a Normalizer accepts by default: a
// longer one means the input is not CFONB120.
const DefaultMaxLine = 64 << 10

const normalizeBufSize = 256 << 10

// checkEvery is how often (in records) a Normalizer checks that most
// records have a CFONB120 record code.
const checkEvery = 1024

// Normalizer turns legacy CFONB120 exports into canonical CFONB120:
// printable ASCII records of exactly 120 characters, each followed by the
// same line end. It streams, in constant memory, and makes only the repairs
// listed in [Repair]; what it cannot repair without guessing (a short line
// whose missing part holds data, text after column 120) it leaves as it is
// and lists in Report.Problems.
//
// Transliteration writes one character for each input character, so no
// field moves. Every output record is checked against its input line, by an
// independent decoding of the input (golang.org/x/text's charmap, or UTF-8):
// the record code and every numeric, code, date and amount field must hold
// the same characters (and so decode to the same values); only text and
// reserved zones may differ, by transliteration. If they do not, Normalize
// returns a *RefusedError and the output written so far must be discarded.
//
// Options are fields, to be set before calling Normalize.
type Normalizer struct {
	// Encoding is the input's encoding; EncodingAuto (the zero value)
	// detects it from the first DetectSample bytes.
	Encoding Encoding
	// EOL is the line end written after each record; New sets
	// EOLCRLF. With EOLNone every record must be 120 characters.
	EOL cfonb.EOL
	// MaxLine is the longest line accepted, in bytes; zero means
	// DefaultMaxLine.
	MaxLine int
	// OnLine, if set, is called for every input line, in order (e.g. to
	// show a diff). The event's slices are valid only during the call.
	OnLine func(*LineEvent)

	// Handoff, if set, takes the output buffer after each write of it to
	// dst, and returns the empty buffer to fill next (e.g. to give what
	// was written to another goroutine without copying it). The
	// Normalizer never touches a buffer it gave; a buffer returned with
	// less capacity than the one given is replaced by a new one.
	Handoff func(out []byte) []byte

	// slow turns off canonicalRun, so that tests can compare both paths;
	// bufSize, if not zero, replaces normalizeBufSize (tests: small
	// buffers put their ends everywhere).
	slow    bool
	bufSize int
}

// New returns a Normalizer that detects the encoding and writes
// CRLF line ends.
func New() *Normalizer { return &Normalizer{EOL: cfonb.EOLCRLF} }

// Normalize reads a CFONB120 file from src and writes its canonical form to
// dst. The error is a *RefusedError when the input cannot be normalised
// safely, or an I/O error of src or dst (wrapped); in both cases what was
// written to dst must be discarded. The report is never nil.
func (n *Normalizer) Normalize(dst io.Writer, src io.Reader) (*Report, error) {
	st := n.newState(dst, src, n.Handoff)
	err := st.run()
	return st.rep, err
}

// newState makes the state of one Normalize call (or part of one, see
// NormalizeParts), handing its output buffers to handoff.
func (n *Normalizer) newState(dst io.Writer, src io.Reader, handoff func([]byte) []byte) *normState {
	maxLine := n.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	bufSize := normalizeBufSize
	if n.bufSize > 0 {
		bufSize = n.bufSize
	}
	bufSize = max(bufSize, 2*maxLine+cfonb.RecordLen, DetectSample+len(cfonb.UTF8BOM))
	st := &normState{
		n: n, src: src, dst: dst, maxLine: maxLine, handoff: handoff,
		buf: make([]byte, bufSize),
		ob:  make([]byte, 0, bufSize),
		rep: &Report{},
		// Once per file rather than once per record (a sync.Once).
		cols: columnFields(),
	}
	switch n.EOL {
	case cfonb.EOLLF:
		st.eolOut = []byte{'\n'}
	case cfonb.EOLCRLF:
		st.eolOut = []byte{'\r', '\n'}
	}
	return st
}

// normState is the state of one Normalize call.
type normState struct {
	n       *Normalizer
	src     io.Reader
	dst     io.Writer
	handoff func([]byte) []byte // n.Handoff, or a part's own
	maxLine int
	cs      *Charset
	ascii   bool // the encoding reads printable ASCII bytes as themselves
	eolOut  []byte
	rep     *Report

	buf        []byte
	r, w, scan int // unread data is buf[r:w]; buf[r:scan] holds no separator
	eof        bool

	ob []byte // output buffer

	inLine, outLine int
	known           int // records with a known code
	lineKinds       [numKinds]int
	// verbatim: translate copied the line as it is (every byte printable
	// ASCII in an encoding that reads it as itself); bytewise: it
	// translated it with translateBytes, which sets verbatim exactly when
	// the output is the input.
	verbatim, bytewise bool
	cols               *[8][cfonb.RecordLen]cfonb.FieldID // columnFields()
	lineInvalid        int
	lineZeroWidth      int
	runes              []rune
	fig                [cfonb.RecordLen]byte
	cache              map[rune]cachedTranslit
	event              LineEvent
	// firstLine is the input line of the first record written, when that
	// record would read back as continuous records (see
	// readsBackContinuous); 0 otherwise.
	firstLine, firstLen int

	// part is the part of a file this state normalises (see
	// NormalizeParts); ready, for a head part, is told the encoding and
	// framing once they are known; lastByte is the last byte read.
	part     partKind
	ready    func(enc Encoding, framing cfonb.Framing)
	lastByte byte
	// sawLast: next returned the input's last line (or block) as such.
	sawLast bool
	// reads counts the reads that gave bytes; sampleReads, those before
	// the encoding and framing were decided.
	reads, sampleReads int
}

// partKind says which part of a file a normState normalises.
type partKind uint8

const (
	wholeFile partKind = iota
	// headPart is the start of a file, up to a line start: no
	// end-of-file checks (the join makes them).
	headPart
	// tailPart starts at a line start within a file whose encoding and
	// framing the head part found: no byte-order mark nor detection at
	// its start, no end-of-file checks, no check that half of the
	// records have a code (it needs the records before: the join makes
	// it), and none that its first record would read back as continuous
	// records (a join needs a record in the head part: the output's
	// first is there).
	tailPart
)

func (st *normState) run() error {
	if st.part != tailPart {
		if err := st.begin(); err != nil {
			return err
		}
	}
	if st.ready != nil {
		st.ready(st.rep.Encoding, st.rep.Framing)
	}
	// Canonical records are taken in runs (see canonicalRun) when the
	// input is framed by LF in an encoding that reads printable ASCII as
	// itself, the line end written is CRLF or LF, and nobody watches the
	// lines.
	fast := !st.n.slow && st.rep.Framing == cfonb.FramingLines && st.ascii &&
		st.cs.lf == '\n' && st.cs.nel == '\n' && st.cs.cr == '\r' && len(st.eolOut) > 0 && st.n.OnLine == nil

	for {
		if fast {
			if err := st.canonicalRun(); err != nil {
				return err
			}
		}
		raw, eol, last, ok, err := st.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		st.sawLast = st.sawLast || last
		if err := st.line(raw, eol, last); err != nil {
			return err
		}
	}
	if st.part != wholeFile {
		// The join makes the end-of-file checks, on every part.
		return st.flush()
	}
	if st.rep.Records > 0 && st.known == 0 {
		return &RefusedError{Reason: "no line starts with a CFONB120 record code (01, 04, 05 or 07): this is not a CFONB120 file"}
	}
	if st.rep.Records == 0 && st.rep.Lines > 0 {
		return &RefusedError{Reason: "the file holds no record, only blank lines: it would become empty"}
	}
	if st.rep.Records == 1 && st.firstLine > 0 {
		// The output, one line, would read back as continuous records (a
		// blank line before them, say, made this pass read one line):
		// formatting it again would change it.
		return readsBackRefusal(st.firstLine, st.firstLen)
	}
	return st.flush()
}

// begin reads the file's first bytes, removes a byte-order mark, and
// decides the encoding (unless given) and the framing.
func (st *normState) begin() error {
	if err := st.fillSample(); err != nil {
		return err
	}
	head := st.buf[st.r:st.w]
	enc := st.n.Encoding
	if enc == EncodingAuto && (bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})) {
		return &RefusedError{Reason: "the file is UTF-16 (it starts with a UTF-16 byte-order mark): convert it to UTF-8 first"}
	}
	if bytes.HasPrefix(head, []byte(cfonb.UTF8BOM)) {
		st.r += len(cfonb.UTF8BOM)
		st.scan = st.r
		st.rep.Repairs[RepairBOM]++
		st.rep.Changed = true
		if enc == EncodingAuto {
			enc = EncodingUTF8
			st.rep.Detected = "UTF-8 byte-order mark"
		}
	}
	if enc == EncodingAuto {
		d := DetectEncoding(st.buf[st.r:st.w], st.eof)
		enc, st.rep.Detected = d.Encoding, d.Reason
	}
	if err := st.setEncoding(enc); err != nil {
		return err
	}
	st.rep.Framing = st.detectFraming()
	st.sampleReads = st.reads
	return nil
}

// setEncoding makes enc the input's encoding.
func (st *normState) setEncoding(enc Encoding) error {
	cs, err := CharsetOf(enc)
	if err != nil {
		return err
	}
	st.cs = cs
	st.rep.Encoding = enc
	st.ascii = !enc.IsEBCDIC()
	st.event.Charset = cs
	return nil
}

// fillSample reads until DetectSample bytes are buffered or the input ends.
func (st *normState) fillSample() error {
	for !st.eof && st.w-st.r < DetectSample {
		if err := st.fill(); err != nil {
			return err
		}
	}
	return nil
}

// tooLong refuses the line at line, which starts with p, longer than
// MaxLine and not a line of concatenated records that fmt can split.
func (st *normState) tooLong(line int, p []byte) error {
	codes := st.codesEvery120(p)
	switch {
	case codes && len(p) <= cfonb.MaxConcatenatedLine:
		// The whole line (line calls with it): records, but not a whole
		// number of them.
		return &RefusedError{Line: line, Reason: fmt.Sprintf("line of %d bytes holds concatenated records, but not a whole number of records of %d: find the damaged one",
			len(p), cfonb.RecordLen)}
	case codes:
		return &RefusedError{Line: line, Reason: fmt.Sprintf("line of concatenated records is longer than %d bytes (%d records), the most cfonb splits: add line ends",
			cfonb.MaxConcatenatedLine, cfonb.MaxConcatenatedLine/cfonb.RecordLen)}
	}
	return &RefusedError{Line: line, Reason: fmt.Sprintf("line is longer than %d bytes: this is not a CFONB120 file", st.maxLine)}
}

// mayBeConcatenated reports whether p, the start of a line longer than
// MaxLine that fills the buffer, may be a line of concatenated records
// of at most cfonb.MaxConcatenatedLine bytes: the buffer can still grow
// (up to cfonb.ConcatenatedLineBuf, see fill) and p has a record code
// every 120 bytes. Such a line is read on, as cfonb's Reader does.
func (st *normState) mayBeConcatenated(p []byte) bool {
	return len(p) < cfonb.ConcatenatedLineBuf && st.codesEvery120(p)
}

// codesEvery120 reports whether p has a record code every 120 bytes, in
// the input's charset (see concatenated), and only ASCII bytes in UTF-8.
func (st *normState) codesEvery120(p []byte) bool {
	if len(p) < 2*cfonb.RecordLen {
		return false
	}
	if st.rep.Encoding == EncodingUTF8 {
		for _, c := range p {
			if c >= 0x80 {
				return false
			}
		}
	}
	var code [2]byte
	for i := 0; i+2 <= len(p); i += cfonb.RecordLen {
		code[0], code[1] = st.cs.out[p[i]], st.cs.out[p[i+1]]
		if cfonb.ParseCode(code[:]) == cfonb.CodeUnknown {
			return false
		}
	}
	return true
}

// fill reads more input into buf, moving the unread data to the front
// first if needed, or growing buf when it is full of one line (which next
// allows only for a line of concatenated records: mayBeConcatenated).
func (st *normState) fill() error {
	if st.w == len(st.buf) {
		if st.r == 0 {
			if len(st.buf) >= cfonb.ConcatenatedLineBuf {
				return errors.New("cfonb: normalize: internal error: buffer full")
			}
			buf := make([]byte, min(2*len(st.buf), cfonb.ConcatenatedLineBuf))
			copy(buf, st.buf[:st.w])
			st.buf = buf
		}
		copy(st.buf, st.buf[st.r:st.w])
		st.w -= st.r
		st.scan -= st.r
		st.r = 0
	}
	for empty := 0; ; empty++ {
		n, err := st.src.Read(st.buf[st.w:])
		st.w += n
		if n > 0 {
			st.lastByte = st.buf[st.w-1]
			st.reads++
		}
		if err == io.EOF {
			st.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("cfonb: reading: %w", err)
		}
		if n > 0 {
			return nil
		}
		if empty == 100 {
			return fmt.Errorf("cfonb: reading: %w", io.ErrNoProgress)
		}
	}
}

// detectFraming decides from the sample how the records are delimited,
// with the Reader's rules (DetectFraming): the sample's line ends (LF, NEL,
// CR of the encoding) are given to it as LF and CR, and its other bytes as
// they will be written, decoded and transliterated: those are the bytes
// that formatting the output again frames, so both passes frame alike. A
// code that only transliteration makes digits (a superscript '³') then
// stands in a record of its own, and the safety check refuses the file,
// rather than writing one long line that would read back as continuous
// records.
func (st *normState) detectFraming() cfonb.Framing {
	p := st.buf[st.r:st.w]
	n := min(len(p), cfonb.DetectWindow)
	var view [cfonb.DetectWindow]byte
	cs := st.cs
	for i, c := range p[:n] {
		switch c {
		case cs.lf, cs.nel:
			view[i] = '\n'
		case cs.cr:
			view[i] = '\r'
		case 0x1A:
			view[i] = c
		default:
			v := cs.out[c]
			if v == '\n' || v == '\r' || v == 0x1A {
				v = '?'
			}
			view[i] = v
		}
	}
	return cfonb.DetectFraming(view[:n], st.eof && n == len(p))
}

// readsBackContinuous reports whether an output that starts with the
// record rec and the line end eol would be framed, read again, as
// continuous 120-byte records, as cfonb.DetectFraming (the one framing
// decision) says of its first bytes: alone, when rec is the whole output;
// followed, whatever follows it (its line end is past the bytes that
// decide).
func readsBackContinuous(rec, eol []byte) (alone, followed bool) {
	var head [cfonb.DetectWindow]byte
	n := copy(head[:], rec)
	n += copy(head[n:], eol)
	whole := len(rec)+len(eol) <= len(head)
	alone = cfonb.DetectFraming(head[:n], whole) == cfonb.FramingContinuous
	followed = !whole && alone
	return alone, followed
}

// readsBackRefusal refuses the output's first record, of input line line
// and n characters, which would read back as continuous records (see
// readsBackContinuous): formatting the output again would change it.
func readsBackRefusal(line, n int) error {
	if n%cfonb.RecordLen == 0 {
		return &RefusedError{Line: line, Reason: fmt.Sprintf(
			"the line is %d characters: it holds %d records of %d characters with no line end between them, in a file whose records end with line ends; add the missing line ends",
			n, n/cfonb.RecordLen, cfonb.RecordLen)}
	}
	return &RefusedError{Line: line, Reason: fmt.Sprintf(
		"the line is %d characters, with record codes at columns 1 and %d and no line end in its first %d: written as it is, the file would read back as records of %d characters with no line ends; add the missing line ends",
		n, cfonb.RecordLen+1, cfonb.DetectWindow, cfonb.RecordLen)}
}

// next returns the next line: its raw bytes without line end, the raw line
// end, and whether it is the input's last line. ok is false at the end.
func (st *normState) next() (raw, eol []byte, last, ok bool, err error) {
	if st.rep.Framing == cfonb.FramingContinuous {
		return st.nextBlock()
	}
	for {
		i := st.indexSep(st.buf[st.scan:st.w])
		if i >= 0 && st.rep.Framing == cfonb.FramingCR && st.buf[st.scan+i] == st.cs.cr {
			// A CR ends the line; an LF (or NEL) right after it belongs
			// to the same line end.
			end := st.scan + i
			if end+1 == st.w && !st.eof {
				st.scan = end
				if err := st.fill(); err != nil {
					return nil, nil, false, false, err
				}
				continue
			}
			stop := end + 1
			if stop < st.w && (st.buf[stop] == st.cs.lf || st.buf[stop] == st.cs.nel) {
				stop++
			}
			start := st.r
			st.r, st.scan = stop, stop
			return st.buf[start:end], st.buf[end:stop], false, true, nil
		}
		if i >= 0 {
			start, end := st.r, st.scan+i
			cut := st.cutCR(start, end)
			st.r, st.scan = end+1, end+1
			return st.buf[start:cut], st.buf[cut : end+1], false, true, nil
		}
		st.scan = st.w
		if st.eof {
			if st.r == st.w {
				return nil, nil, false, false, nil
			}
			start, end := st.r, st.w
			cut := st.cutCR(start, end)
			st.r, st.scan = end, end
			return st.buf[start:cut], st.buf[cut:end], true, true, nil
		}
		// A line longer than MaxLine is refused when the buffer is full
		// (or at its end, by line), unless it may be a line of
		// concatenated records: checked once per buffer load.
		if p := st.buf[st.r:st.w]; len(p) > st.maxLine && st.w == len(st.buf) && !st.mayBeConcatenated(p) {
			return nil, nil, false, false, st.tooLong(st.inLine+1, p)
		}
		if err := st.fill(); err != nil {
			return nil, nil, false, false, err
		}
	}
}

// cutCR returns where the line buf[start:end] ends once its trailing
// carriage returns, which belong to its line end, are cut.
func (st *normState) cutCR(start, end int) int {
	for end > start && st.buf[end-1] == st.cs.cr {
		end--
	}
	return end
}

// indexSep returns the index of the first line separator in p, or -1.
func (st *normState) indexSep(p []byte) int {
	if st.rep.Framing == cfonb.FramingCR {
		for i, c := range p {
			if c == st.cs.lf || c == st.cs.nel || c == st.cs.cr {
				return i
			}
		}
		return -1
	}
	if st.cs.lf == st.cs.nel {
		return bytes.IndexByte(p, st.cs.lf)
	}
	for i, c := range p {
		if c == st.cs.lf || c == st.cs.nel {
			return i
		}
	}
	return -1
}

// nextBlock returns the next 120-byte block of continuous input. Line ends
// and end-of-file bytes between blocks belong to no record and are dropped.
func (st *normState) nextBlock() (raw, eol []byte, last, ok bool, err error) {
	cs := st.cs
	for {
		for st.r < st.w {
			c := st.buf[st.r]
			if c != cs.lf && c != cs.nel && c != cs.cr && c != 0x1A {
				break
			}
			if c == 0x1A {
				st.rep.Repairs[RepairEOF]++
			}
			st.rep.Changed = true
			st.r++
		}
		if st.w-st.r >= cfonb.RecordLen || st.eof {
			break
		}
		if err := st.fill(); err != nil {
			return nil, nil, false, false, err
		}
	}
	n := min(cfonb.RecordLen, st.w-st.r)
	if n == 0 {
		return nil, nil, false, false, nil
	}
	start := st.r
	st.r += n
	st.scan = st.r
	return st.buf[start:st.r], nil, st.eof && st.r == st.w, true, nil
}

// canonicalRun takes, from the start of the unread input, the lines that
// are already canonical records: 120 printable ASCII bytes with a known
// record code, followed by exactly the line end written. For such a line,
// line and record would copy it as it is, verify nothing (the output is
// the input) and count it: canonicalRun does the same for a whole run of
// them with one copy, and leaves any other line, and a line not yet
// wholly read, to the general path. TestCanonicalRunAgrees compares both.
func (st *normState) canonicalRun() error {
	stride := cfonb.RecordLen + len(st.eolOut)
	crlf := len(st.eolOut) == 2
	buf := st.buf
	p := st.r
	for {
		room := (cap(st.ob) - len(st.ob)) / stride
		if room == 0 {
			if err := st.flush(); err != nil {
				return err
			}
			room = cap(st.ob) / stride
		}
		start := p
		// The records of the run are counted here and added at its end
		// (counters in memory cost a load and a store each per record).
		end := min(st.w, p+room*stride)
		records := st.rep.Records
		var refuse bool
		for p+stride <= end {
			if crlf {
				if buf[p+cfonb.RecordLen] != '\r' || buf[p+cfonb.RecordLen+1] != '\n' {
					break
				}
			} else if buf[p+cfonb.RecordLen] != '\n' {
				break
			}
			rec := (*[cfonb.RecordLen]byte)(buf[p : p+cfonb.RecordLen])
			// A known code: not blank, nor a record of end-of-file bytes.
			if cfonb.ParseCode(rec[:2]) == cfonb.CodeUnknown || !cfonb.PrintableASCII(rec[:]) {
				break
			}
			records++
			p += stride
			if records%checkEvery == 0 && (st.known+records-st.rep.Records)*2 <= records && st.part != tailPart {
				// As record says, on the records before the run.
				refuse = true
				break
			}
		}
		n := records - st.rep.Records
		st.known += n
		st.inLine += n
		st.rep.Lines += n
		st.outLine += n
		st.rep.Records = records
		st.ob = append(st.ob, buf[start:p]...)
		st.r, st.scan = p, p
		if refuse {
			return st.notCFONB()
		}
		if n < room {
			return nil
		}
	}
}

// line normalises one input line. A line of several concatenated records
// (see Concatenated) is written as its records.
func (st *normState) line(raw, eol []byte, last bool) error {
	st.inLine++
	st.rep.Lines++
	k := st.concatenated(raw)
	// A line of concatenated records longer than cfonb.MaxConcatenatedLine
	// is refused whatever MaxLine (the Reader would not split it); any
	// other line only when longer than MaxLine.
	if k == 0 && (len(raw) > st.maxLine || (len(raw) > cfonb.MaxConcatenatedLine && st.codesEvery120(raw))) {
		return st.tooLong(st.inLine, raw)
	}
	if k > 0 {
		st.rep.Repairs[RepairSplit]++
		st.rep.Changed = true
		for j := range k {
			var e []byte
			if j == k-1 {
				e = eol
			}
			if err := st.record(raw[j*cfonb.RecordLen:(j+1)*cfonb.RecordLen], e, last && j == k-1); err != nil {
				return err
			}
		}
		return nil
	}
	return st.record(raw, eol, last)
}

// concatenated returns k when the raw line holds k >= 2 records with no
// line end between them, as Concatenated says of its transliteration; only
// in an encoding of one byte per character (or a UTF-8 line of ASCII), where
// the k slices of the raw line are the records, and for a line of at most
// cfonb.MaxConcatenatedLine bytes, as cfonb's Reader.
func (st *normState) concatenated(raw []byte) int {
	if len(raw)%cfonb.RecordLen != 0 || len(raw) > cfonb.MaxConcatenatedLine || !st.codesEvery120(raw) {
		return 0
	}
	return len(raw) / cfonb.RecordLen
}

// record normalises one record of an input line (the whole line, or one of
// its concatenated records).
func (st *normState) record(raw, eol []byte, last bool) error {
	if last {
		// A DOS end-of-file byte ends the file.
		k := len(raw)
		for k > 0 && raw[k-1] == 0x1A {
			k--
		}
		if k < len(raw) {
			st.rep.Repairs[RepairEOF] += len(raw) - k
			st.rep.Changed = true
			if k == 0 {
				st.dropped(raw, eol)
				return nil
			}
			raw = raw[:k]
		}
	}
	if len(raw) > 0 && allByte(raw, 0x1A) {
		st.rep.Repairs[RepairEOF] += len(raw)
		st.rep.Changed = true
		st.dropped(raw, eol)
		return nil
	}
	if cap(st.ob)-len(st.ob) < len(raw)+cfonb.RecordLen+2 {
		if err := st.flush(); err != nil {
			return err
		}
	}
	start := len(st.ob)
	ob := st.ob[:start+max(len(raw), cfonb.RecordLen)]
	nc := st.translate(ob[start:start+len(raw)], raw)
	rec := ob[start : start+nc]

	if allByte(rec, ' ') {
		if err := st.verifyBlank(raw); err != nil {
			return err
		}
		st.rep.Repairs[RepairBlankLine]++
		st.rep.Changed = true
		st.dropped(raw, eol)
		return nil
	}

	code := cfonb.ParseCode(rec)
	switch {
	case nc > cfonb.RecordLen:
		if allByte(rec[cfonb.RecordLen:], ' ') {
			rec = rec[:cfonb.RecordLen]
			st.rep.Repairs[RepairTrimmed]++
		} else {
			st.problem(cfonb.RecordLen+1, fmt.Sprintf("line is %d characters, with text after column %d: left as it is", nc, cfonb.RecordLen))
		}
	case nc < cfonb.RecordLen:
		if code == cfonb.CodeUnknown {
			st.problem(nc+1, fmt.Sprintf("line is %d characters and its record code %q is unknown: left as it is, not padded", nc, rec[:min(2, nc)]))
		} else if f, ok := missingData(code, nc); ok {
			st.problem(nc+1, fmt.Sprintf("line is %d characters; the %s (columns %d-%d) is incomplete: left as it is, not padded", nc, f, f.Start(), f.End()))
		} else {
			rec = ob[start : start+cfonb.RecordLen]
			for i := nc; i < cfonb.RecordLen; i++ {
				rec[i] = ' '
			}
			st.rep.Repairs[RepairPadded]++
		}
	}
	if st.n.EOL == cfonb.EOLNone {
		if len(rec) != cfonb.RecordLen {
			return &RefusedError{Line: st.inLine, Reason: fmt.Sprintf("line is %d characters: records without line ends must all be %d characters", len(rec), cfonb.RecordLen)}
		}
		if st.outLine < 2 && !(isDigit(rec[0]) && isDigit(rec[1])) {
			// Readers tell continuous records from one long line by the
			// digits of the first two record codes.
			return &RefusedError{Line: st.inLine, Column: 1, Reason: fmt.Sprintf("record code %q is not two digits: records without line ends could not be read back", rec[:2])}
		}
	}
	// A line written exactly as it was read changed nothing: there is
	// nothing to check. A line translate copied as it is holds the same
	// bytes up to its length; one that translateBytes did not copy as it
	// is differs (rec, if as long as raw, is what it wrote).
	var same bool
	if st.bytewise {
		same = st.verbatim && len(rec) == len(raw)
	} else {
		same = st.ascii && bytes.Equal(raw, rec)
	}
	if !same {
		if err := st.verify(raw, rec); err != nil {
			return err
		}
	}
	if code != cfonb.CodeUnknown {
		st.known++
	}

	st.rep.Repairs[RepairTranslit] += st.lineKinds[kindTranslit]
	st.rep.Repairs[RepairSpace] += st.lineKinds[kindSpace]
	st.rep.Repairs[RepairReplaced] += st.lineKinds[kindReplaced]
	st.rep.Repairs[RepairInvalidUTF8] += st.lineInvalid
	st.rep.Repairs[RepairZeroWidth] += st.lineZeroWidth

	var contentChanged bool
	if st.ascii {
		contentChanged = !same
	} else {
		contentChanged = len(rec) != len(raw) || st.lineKinds != [numKinds]int{}
	}
	eolChanged := !st.sameEOL(eol)
	if eolChanged {
		st.rep.Repairs[RepairLineEnd]++
	}
	if contentChanged || eolChanged || !st.ascii {
		st.rep.Changed = true
	}
	if st.outLine == 0 && st.rep.Framing != cfonb.FramingContinuous && st.part != tailPart {
		alone, followed := readsBackContinuous(rec, st.eolOut)
		if followed {
			return readsBackRefusal(st.inLine, len(rec))
		}
		if alone {
			st.firstLine, st.firstLen = st.inLine, len(rec)
		}
	}
	st.ob = append(ob[:start+len(rec)], st.eolOut...)
	st.outLine++
	st.rep.Records++
	if st.rep.Records%checkEvery == 0 && st.known*2 <= st.rep.Records && st.part != tailPart {
		// Bounded work on an input that is not CFONB120 (binary data, a
		// device): stop early rather than read it to its end.
		return st.notCFONB()
	}
	if st.n.OnLine != nil {
		st.event = LineEvent{Line: st.inLine, In: raw, Out: rec, OutLine: st.outLine,
			ContentChanged: contentChanged, EOLChanged: eolChanged, Charset: st.cs}
		st.n.OnLine(&st.event)
	}
	return nil
}

// notCFONB refuses an input where half of the records so far have no
// record code.
func (st *normState) notCFONB() error {
	return &RefusedError{Line: st.inLine, Reason: fmt.Sprintf(
		"%d of the first %d records have no CFONB120 record code: this is not a CFONB120 file", st.rep.Records-st.known, st.rep.Records)}
}

// sameEOL reports whether the raw line end eol is the one written: CR LF
// (or CR NEL, CR 0x25 in EBCDIC) for EOLCRLF, one LF (or NEL) for EOLLF,
// nothing for EOLNone.
func (st *normState) sameEOL(eol []byte) bool {
	switch st.n.EOL {
	case cfonb.EOLCRLF:
		return len(eol) == 2 && eol[0] == st.cs.cr
	case cfonb.EOLLF:
		return len(eol) == 1 && eol[0] != st.cs.cr
	}
	return len(eol) == 0
}

// dropped reports a removed line to OnLine.
func (st *normState) dropped(raw, eol []byte) {
	if st.n.OnLine != nil {
		st.event = LineEvent{Line: st.inLine, In: raw, ContentChanged: true, EOLChanged: len(eol) > 0, Charset: st.cs}
		st.n.OnLine(&st.event)
	}
}

// problem records a line left as it is.
func (st *normState) problem(col int, msg string) {
	st.rep.ProblemCount++
	if len(st.rep.Problems) < MaxProblems {
		st.rep.Problems = append(st.rep.Problems, Problem{Line: st.inLine, OutLine: st.outLine + 1, Column: col, Message: msg})
	}
}

func (st *normState) flush() error {
	if len(st.ob) == 0 {
		return nil
	}
	_, err := st.dst.Write(st.ob)
	if err != nil {
		st.ob = st.ob[:0]
		return fmt.Errorf("cfonb: writing: %w", err)
	}
	if st.handoff == nil {
		st.ob = st.ob[:0]
		return nil
	}
	size := cap(st.ob)
	st.ob = st.handoff(st.ob)[:0]
	if cap(st.ob) < size {
		st.ob = make([]byte, 0, size)
	}
	return nil
}

// missingData returns the first field of a record of code c that a line of
// n characters does not hold whole and that cannot be blank (a number, a
// date or an amount): padding such a line would invent data.
func missingData(c cfonb.Code, n int) (cfonb.FieldID, bool) {
	for _, f := range cfonb.Layout(c) {
		if f.End() > n && !blankable(f.Kind()) {
			return f, true
		}
	}
	return 0, false
}

// blankable reports whether a field of kind k may be all spaces (text,
// reserved zones and codes, which banks leave blank).
func blankable(k cfonb.Kind) bool {
	return k == cfonb.KindText || k == cfonb.KindBlank || k == cfonb.KindAlnum
}

// translate writes the output characters of raw to out (len(out) ==
// len(raw)) and returns how many it wrote (fewer than len(raw) for UTF-8
// multi-byte characters). It counts the characters it changed, by kind, in
// st.lineKinds (kindSame is not counted).
func (st *normState) translate(out, raw []byte) int {
	st.lineKinds = [numKinds]int{}
	st.lineInvalid, st.lineZeroWidth = 0, 0
	st.verbatim, st.bytewise = false, false
	cs := st.cs
	if !st.ascii {
		out = out[:len(raw)]
		for i, b := range raw {
			out[i] = cs.out[b]
			if k := cs.kind[b]; k != kindSame {
				st.lineKinds[k]++
			}
		}
		return len(raw)
	}
	if cs.enc != EncodingUTF8 || printableASCII(raw) {
		st.translateBytes(out, raw)
		return len(raw)
	}
	if !utf8.Valid(raw) {
		st.lineInvalid = 1
		if utf8LineAsCP1252(raw) {
			// The table of a UTF-8 Charset reads bytes as Windows-1252.
			st.translateBytes(out, raw)
			return len(raw)
		}
	}
	j := 0
	for i := 0; i < len(raw); {
		b := raw[i]
		if b < utf8.RuneSelf {
			out[j] = cs.out[b]
			if k := cs.kind[b]; k != kindSame {
				st.lineKinds[k]++
			}
			i++
			j++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size <= 1 {
			out[j] = cs.out[b]
			st.lineKinds[cs.kind[b]]++
			i++
			j++
			continue
		}
		i += size
		if isZeroWidth(r) {
			if r == 0xFEFF {
				st.rep.Repairs[RepairBOM]++
			} else {
				st.lineZeroWidth++
			}
			continue
		}
		o, k := st.transliterate(r)
		out[j] = o
		if k != kindSame {
			st.lineKinds[k]++
		}
		j++
	}
	return j
}

// translateBytes translates a line of an ASCII-compatible single-byte
// encoding: printable ASCII is itself, so the line is copied 8 bytes at a
// time and only the words that hold another byte go through the table.
//
// It sets st.verbatim when out is raw: every word was printable ASCII,
// copied as it is, and so was every byte after the last word. Otherwise
// out is not raw: a byte that is not printable ASCII is written as one
// that is (TestVerbatimExact). It sets st.bytewise.
func (st *normState) translateBytes(out, raw []byte) {
	st.bytewise = true
	cs := st.cs
	out = out[:len(raw)]
	copy(out, raw) // then only the words with another byte are translated
	if cfonb.PrintableASCII(raw) {
		st.verbatim = true // the common line: one test, no loop here
		return
	}
	verbatim := true
	kinds := st.lineKinds
	i := 0
	for ; i+8 <= len(raw); i += 8 {
		m := specialMask(binary.LittleEndian.Uint64(raw[i:]))
		if m == 0 {
			continue
		}
		// Only the bytes that are not printable ASCII: the others are
		// themselves (copied above), of kind kindSame.
		verbatim = false
		for ; m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			b := raw[j]
			out[j] = cs.out[b]
			if k := cs.kind[b]; k != kindSame {
				kinds[k]++
			}
		}
	}
	for ; i < len(raw); i++ {
		b := raw[i]
		out[i] = cs.out[b]
		if out[i] != b {
			verbatim = false
		}
		if k := cs.kind[b]; k != kindSame {
			kinds[k]++
		}
	}
	st.lineKinds = kinds
	st.verbatim = verbatim
}

// specialMask returns the high bit of each of the 8 bytes of x that is
// outside 0x20-0x7E, and no other bit. The high bits are set apart first,
// so that adding 0x60 (which sets the high bit of a byte below 0x80
// exactly when it is 0x20 or more) and 0x01 (when it is 0x7F) carries into
// no other byte.
func specialMask(x uint64) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	y := x &^ high
	return (x | ^(y + 0x60*ones) | (y + ones)) & high
}

// special8 reports whether one of the 8 bytes of x is outside 0x20-0x7E.
// For bytes below 0x80, adding 0x60 sets the high bit exactly when the
// byte is 0x20 or more, and adding 0x01 when it is 0x7F, with no carry into
// the next byte.
func special8(x uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	return (x|^(x+0x60*ones)|(x+ones))&high != 0
}

// transliterate is Transliterate with a cache for characters beyond
// U+00FF (their transliteration goes through unicode/norm).
func (st *normState) transliterate(r rune) (byte, charKind) {
	if r < 0x100 {
		return transliterate(r)
	}
	if t, ok := st.cache[r]; ok {
		return t.out, t.kind
	}
	b, k := transliterateSlow(r)
	if st.cache == nil {
		st.cache = make(map[rune]cachedTranslit)
	}
	if len(st.cache) < 4096 {
		st.cache[r] = cachedTranslit{b, k}
	}
	return b, k
}

// cachedTranslit is a transliteration and its kind, as the cache of
// normState.transliterate keeps them (the kind cannot be told from the
// byte: U+FF1F, a fullwidth '?', is transliterated to '?', not replaced).
type cachedTranslit struct {
	out  byte
	kind charKind
}

// printableASCII reports whether every byte of p is in 0x20-0x7E, eight
// bytes at a time.
func printableASCII(p []byte) bool {
	for len(p) >= 8 {
		if special8(binary.LittleEndian.Uint64(p)) {
			return false
		}
		p = p[8:]
	}
	for _, b := range p {
		if b < 0x20 || b > 0x7E {
			return false
		}
	}
	return true
}

func allByte(p []byte, c byte) bool {
	for _, b := range p {
		if b != c {
			return false
		}
	}
	return true
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
