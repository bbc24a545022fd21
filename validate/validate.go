package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/regfile"
)

// DefaultMaxDiagnostics is how many diagnostics a Report keeps per file when
// Options.MaxDiagnostics is zero.
const DefaultMaxDiagnostics = 1000

// DefaultMaxSummaries is how many statement summaries a Report keeps when
// Options.MaxSummaries is zero.
const DefaultMaxSummaries = 1000

// DefaultMaxPerRule is how many warnings of one rule a Report keeps per
// file when Options.MaxPerRule is zero.
const DefaultMaxPerRule = 10

// Options tune a validation. The zero value is the default.
type Options struct {
	// MaxDiagnostics caps the diagnostics kept in a Report (the counts of
	// errors and warnings still count them all). Zero means
	// DefaultMaxDiagnostics; a negative value means no cap.
	MaxDiagnostics int
	// StopAtMax stops reading once MaxDiagnostics diagnostics are kept,
	// instead of reading to the end to count them all: for inputs that may
	// never end (pipes). File sets it for FIFOs; the report is then
	// marked Truncated.
	StopAtMax bool
	// Pedantic also reports what real, valid bank files commonly hold and
	// the default leaves alone: text in reserved zones (an E in column 21,
	// dates or a sequence number in the 01's columns 105-120, "** PAS DE
	// MOUVEMENT CE JOUR **" in columns 41-90, zeros), a blank interbank
	// operation code, a DOS end-of-file mark after the last record, blank
	// lines between records, a line of several concatenated records, an
	// old balance (01) whose currency and decimals are blank, a 05
	// qualifier of the bank's own.
	Pedantic bool
	// OnlyBankStatements makes File and Stream return
	// ErrNotBankStatement, without a report, when the first bytes do not
	// look like a bank statement (IsBankStatement): a directory walk that
	// passes over the other files of a folder learns it from the one
	// read of the file instead of opening it twice.
	OnlyBankStatements bool
	// MaxPerRule caps the warnings of one rule kept in a Report, so that a
	// convention repeated on every record does not flood the output: past
	// the cap, they are counted (Report.Warnings, Report.Omitted) and one
	// summary line says how many were not shown. Zero means
	// DefaultMaxPerRule; a negative value means no cap.
	MaxPerRule int
	// Summary asks for a StatementSummary of each statement in
	// Report.Summaries, up to MaxSummaries.
	Summary bool
	// MaxSummaries caps the summaries kept with Summary, so that memory
	// stays bounded whatever the input (the others are counted in
	// Report.SummariesOmitted). Zero means DefaultMaxSummaries; a negative
	// value means no cap.
	MaxSummaries int
	// Select, if not empty, keeps only the diagnostics of these rules;
	// Ignore drops the diagnostics of these. Each holds rule ids and rule
	// family names (see Families); a dropped diagnostic is neither kept
	// nor counted. Names that ExpandRules refuses are passed over: check
	// them with it first.
	Select, Ignore []string
}

// Report is the result of validating one file.
type Report struct {
	Path        string       `json:"path"`
	Records     int          `json:"records"`
	Statements  int          `json:"statements"`
	Errors      int          `json:"errors"`
	Warnings    int          `json:"warnings"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Omitted counts the diagnostics not kept because of MaxDiagnostics or
	// MaxPerRule.
	Omitted int `json:"omitted,omitempty"`
	// Charset counts the errors (among Errors) that are only text in
	// another character set: a line whose bytes outside printable ASCII
	// are all Latin-1/Windows-1252 or UTF-8 characters, or a UTF-8
	// byte-order mark at the start, or a DOS end-of-file mark after the
	// last record. A reader that decodes these (cfonb export does) loses
	// nothing; cfonb fmt repairs them. Errors == Charset means the file is
	// otherwise valid.
	Charset int `json:"-"`
	// Repeated lists the rules whose warnings passed Options.MaxPerRule,
	// with how many of them were not kept (they count in Omitted).
	Repeated []Repeated `json:"repeated,omitempty"`
	// Unchecked counts the statements not checked against the previous
	// statement of their account (opening balance, order) because the
	// file has more than MaxAccounts accounts and theirs was not among
	// those remembered: memory stays bounded, and the gap is said.
	Unchecked int `json:"unchecked_statements,omitempty"`
	// Truncated is set when reading stopped early (Options.StopAtMax): the
	// counts cover only what was read.
	Truncated bool `json:"truncated,omitempty"`
	// Framing is how the file's records were delimited.
	Framing cfonb.Framing `json:"-"`
	// Summaries holds one entry per statement when Options.Summary is set,
	// up to Options.MaxSummaries; SummariesOmitted counts the others.
	Summaries        []StatementSummary `json:"-"`
	SummariesOmitted int                `json:"-"`
}

// Repeated is a rule whose warnings were too many in one file to keep
// them all (see Options.MaxPerRule).
type Repeated struct {
	Rule     string `json:"rule"`
	Shown    int    `json:"shown"`
	NotShown int    `json:"not_shown"`
}

// StatementSummary describes one statement (a 01 ... 07 sequence).
type StatementSummary struct {
	Account    cfonb.Account
	IBAN       cfonb.IBAN // empty if it cannot be derived
	Decimals   int
	StartLine  int // line of the 01
	EndLine    int // line of the 07, or 0 if the file ended inside the statement
	OpenDate   cfonb.Date
	CloseDate  cfonb.Date
	Opening    int64 // minor units
	Closing    int64
	Movements  int
	Debits     cfonb.Sum // sum of negative amounts (<= 0)
	Credits    cfonb.Sum // sum of positive amounts (>= 0)
	Reconciles bool      // Opening + Debits + Credits == Closing
}

// ErrNotBankStatement is the error of File and Stream with
// Options.OnlyBankStatements for a file that does not look like a bank
// statement.
var ErrNotBankStatement = errors.New("not a bank statement")

// wholeFileMax is the size up to which File reads a regular file whole,
// with one read(2), into a reused buffer.
const wholeFileMax = 64 << 10

// wholeBufs holds the buffers of File: wholeFileMax bytes, and the spare
// bytes that let the record reader find any line whole (see
// cfonb.NewReaderSize).
var wholeBufs = sync.Pool{New: func() any { b := make([]byte, wholeFileMax+wholeSpare); return &b }}

// wholeSpare is the buffer's room beyond the file's bytes.
const wholeSpare = 4

// File validates the file at path. The error is an I/O error (the file
// cannot be opened or read); problems in the file's content are in the
// Report.
//
// A regular file is read as it was when opened: a file that grows while it
// is read (a log still being written) cannot make the work endless. A
// small one (up to 64 KiB) costs four system calls: open, fstat, one read
// and close (see package regfile). To validate many files one after
// another, a Checker keeps its buffer from one to the next.
func File(path string, opts Options) (*Report, error) {
	bp := wholeBufs.Get().(*[]byte)
	defer wholeBufs.Put(bp)
	rep, _, err := file(path, opts, *bp, nil, nil)
	return rep, err
}

// file is File reading a small file into buf (wholeFileMax+wholeSpare
// bytes); it also returns the identity of the file it opened (ok false if
// it opened none, or the system has no file IDs).
//
// reuse, if not nil, is the validator of a small file, used again (see
// begin); dir, if not nil, opens the file.
func file(path string, opts Options, buf []byte, reuse *Validator, dir *regfile.Dir) (*Report, fileIdentity, error) {
	var f *regfile.File
	var err error
	if dir != nil {
		f, err = dir.Open(path)
	} else {
		f, err = regfile.Open(path)
	}
	if err != nil {
		return nil, fileIdentity{}, err
	}
	defer func() { _ = f.Close() }()
	var id fileIdentity
	id.ID.Dev, id.ID.Ino, id.ok = f.ID()
	switch mode := f.Mode(); {
	case mode.IsDir():
		return nil, id, fmt.Errorf("%s: is a directory", path)
	case mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		// /dev/zero or /dev/urandom would never end.
		return nil, id, fmt.Errorf("%s: is a device, not a file", path)
	case !mode.IsRegular():
		// A FIFO or socket: read it, but stop at the diagnostics cap.
		opts.StopAtMax = true
		rep, err := Stream(path, f, opts)
		return rep, id, err
	}
	size := f.Size()
	if cores := splitCores(); size >= splitMin && cores > 1 && !opts.StopAtMax {
		// A large file: one range per core (see split.go).
		rep, err := splitFile(path, f, size, opts, cores, nil, nil, false)
		return rep, id, err
	}
	if size > wholeFileMax {
		// A small file's buffer is its size, not the reader's 256 KiB.
		rep, err := stream(path, io.LimitReader(f, size), opts, int(min(size+4, 256<<10)))
		return rep, id, err
	}
	n, err := f.ReadAtMost(buf[:size])
	if err != nil {
		return nil, id, err
	}
	rep, err := streamBytes(path, buf[:n:n+wholeSpare], opts, reuse)
	return rep, id, err
}

// Stream validates the CFONB120 data read from r, reporting it as name.
func Stream(name string, r io.Reader, opts Options) (*Report, error) {
	return stream(name, r, opts, 0)
}

// stream is Stream with the record reader's buffer size (0: the default).
func stream(name string, r io.Reader, opts Options, bufSize int) (*Report, error) {
	// Look at the first bytes for another format, then read them again:
	// no buffer sits between r and the record reader's own.
	var head [4096]byte
	n, err := readHead(r, head[:])
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return validateFrom(name, head[:n], headThen(head[:n], r, err), opts, bufSize, nil, nil)
}

// headThen returns a reader of head followed by the rest of r; readErr is
// the error that ended the read of head. After io.EOF, r is not read
// again: at a terminal, an end of file is not sticky, and a second read
// would wait for a second Ctrl-D.
func headThen(head []byte, r io.Reader, readErr error) io.Reader {
	if readErr == io.EOF {
		return bytes.NewReader(head)
	}
	return io.MultiReader(bytes.NewReader(head), r)
}

// streamBytes validates a whole file held in data, which the record
// reader reads in place: its capacity is the reader's buffer (see
// cfonb.NewReaderBytes), and should exceed its length by wholeSpare.
// reuse, if not nil, is a validator to use again (see begin): the report
// returned is then a copy of its own, which the next file overwrites.
func streamBytes(name string, data []byte, opts Options, reuse *Validator) (*Report, error) {
	rep, err := validateFrom(name, data[:min(len(data), 4096)], nil, opts, 0, data, reuse)
	if reuse != nil && rep == &reuse.rep {
		cp := *rep
		rep = &cp
	}
	return rep, err
}

// begin makes the validator of a file whose first bytes are head. It
// returns no validator when the head alone decides: the report of a file
// in another format, or ErrNotBankStatement with
// Options.OnlyBankStatements.
//
// reuse, if not nil, is a validator done with (its report handed out as a
// copy): it is made ready for this file instead of a new one.
func begin(name string, head []byte, opts Options, reuse *Validator) (*Validator, *Report, error) {
	format, bank := detectFormat(head) // once for both questions
	if opts.OnlyBankStatements && !isBankStatement(head, format, bank) {
		return nil, nil, ErrNotBankStatement
	}
	v := reuse
	if v == nil {
		v = New(name, opts)
	} else {
		v.init(name, opts)
	}
	if format != "" {
		v.formatError(format)
		return nil, v.Finish(), nil
	}
	return v, nil, nil
}

// validateFrom validates the data read from src, whose first bytes are
// head, with a record reader of bufSize bytes (0: the default); or, when
// src is nil, the data held in whole. reuse is as for begin.
//
// The loop's records go through nextRecord, as the split engine's owner's.
func validateFrom(name string, head []byte, src io.Reader, opts Options, bufSize int, whole []byte, reuse *Validator) (*Report, error) {
	v, rep, err := begin(name, head, opts, reuse)
	if v == nil {
		return rep, err
	}
	var cr *cfonb.Reader
	switch {
	case src == nil:
		cr = cfonb.NewReaderBytes(whole)
	case bufSize > 0:
		cr = cfonb.NewReaderSize(src, bufSize)
	default:
		cr = cfonb.NewReader(src)
	}
	for {
		rec, err := nextRecord(v, cr, 0, nil)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, cr.Line()+1, err)
		}
		if v.record(&rec, cr.Framing, cr.Printable()) {
			// The file is another format: nothing more to learn.
			break
		}
		if opts.StopAtMax && v.full() {
			v.stopEarly(rec.Line)
			break
		}
	}
	if cr.TrailingSUB() {
		v.TrailingSUB()
	}
	return v.Finish(), nil
}

// readHead fills p like io.ReadFull, except that a reader which keeps
// returning nothing without an error gets io.ErrNoProgress after 100 empty
// reads (as bufio does) instead of a hang.
func readHead(r io.Reader, p []byte) (int, error) {
	n, empty := 0, 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		switch {
		case err != nil:
			return n, err
		case m > 0:
			empty = 0
		default:
			if empty++; empty == 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// nextRecord returns the next record of cr that the fast path does not
// take (v.fastRecord takes the others as they come, their lines numbered
// from lineBase: the lines before cr's start), or cr's error, io.EOF at
// the end of the input. It is the one loop of the fast path: validateFrom's,
// the split engine's owner's and its workers'.
//
// cancel, if not nil, is looked at after every pollRecords records the
// fast path took in a row: once it is set, nextRecord returns
// errCancelled (a split worker whose work is no longer wanted).
func nextRecord(v *Validator, cr *cfonb.Reader, lineBase int, cancel *atomic.Bool) (cfonb.Record, error) {
	for {
		for range pollRecords {
			data, ok := cr.ReadStride()
			if !ok {
				return cr.Read()
			}
			if !v.fastRecord(data, lineBase+cr.Line()) {
				return cr.StrideRecord(), nil
			}
		}
		if cancel != nil && cancel.Load() {
			return cfonb.Record{}, errCancelled
		}
	}
}

// pollRecords is how many records nextRecord takes between two looks at
// its cancel flag.
const pollRecords = 1024

// errCancelled is nextRecord's error when its cancel flag is set.
var errCancelled = errors.New("cancelled")
