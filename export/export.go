// Package export turns CFONB120 statements into JSON Lines, JSON or CSV.
//
// An [Exporter] streams: it reads records one at a time with a
// [cfonb.Reader] and writes each movement (a 04 and its 05 complements) as
// soon as the next record shows it is complete, so a file of any size is
// exported in constant memory in every format (the JSON document is
// written as it goes: a statement's opening fields at its 01, then its
// movements, then its closing fields at its 07). The xlsx format is the
// exception: its memory is bounded but larger, as excelize holds up to 16
// MiB of each sheet's XML in memory (see xlsx.go).
//
// Every movement carries the account of its statement (the 01 that opened
// it), derives the IBAN through the RIB key, gives dates in ISO 8601 and
// amounts both as an exact decimal string and as integer minor units, and
// keeps every 05 complement in order, with named fields for the standard
// qualifiers. See the package's README section (docs/export.md) for the
// fields.
//
// The exporter does not judge the input: callers validate first (package
// validate) and export only valid files, unless told to force. A damaged
// file still exports without a panic: what does not decode is null (JSON)
// or empty (CSV), a movement outside any statement gets a statement of its
// own with no opening balance, and a statement left open gets no closing
// balance.
package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Format is an output format.
type Format uint8

// The output formats.
const (
	JSONL Format = iota + 1 // one JSON object per movement, one per line
	JSON                    // one JSON document: statements with their movements
	CSV                     // one row per movement, RFC 4180, with a header row
	XLSX                    // an Excel workbook: a sheet of movements, a sheet of statements
	OFX                     // OFX 2 bank statements (XML), one STMTRS per statement
)

// String returns the format's name as ParseFormat accepts it.
func (f Format) String() string {
	switch f {
	case JSONL:
		return "jsonl"
	case JSON:
		return "json"
	case CSV:
		return "csv"
	case XLSX:
		return "xlsx"
	case OFX:
		return "ofx"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ParseFormat returns the format called s: "jsonl" (also "ndjson"),
// "json", "csv", "xlsx" or "ofx".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "jsonl", "ndjson":
		return JSONL, nil
	case "json":
		return JSON, nil
	case "csv":
		return CSV, nil
	case "xlsx":
		return XLSX, nil
	case "ofx":
		return OFX, nil
	}
	return 0, fmt.Errorf("unknown format %q (want jsonl, json, csv, xlsx or ofx)", s)
}

// DefaultMaxComplements is how many 05 complements one movement may have
// when Options.MaxComplements is zero. Real movements have a handful; the
// cap bounds the memory an exporter holds for one movement.
const DefaultMaxComplements = 10000

// Options tune an Exporter. The zero value (with a Format) is the default.
type Options struct {
	// Format is the output format; zero means JSONL.
	Format Format
	// Comma is the CSV field separator. Zero means ',' or, with
	// DecimalComma, ';'. It must be a valid rune other than '"', '\r' and
	// '\n'.
	Comma rune
	// DecimalComma writes the decimal amounts of a CSV with a decimal comma
	// ("-1234,56"), as French spreadsheets read them.
	DecimalComma bool
	// BOM starts a CSV with a UTF-8 byte order mark, which Excel needs to
	// read the file as UTF-8.
	BOM bool
	// MaxComplements caps the complements of one movement; a movement with
	// more is an error. Zero means DefaultMaxComplements.
	MaxComplements int
	// Columns is the layout of the CSV and XLSX rows: the default one (every
	// field, snake_case headers) or ColumnsFR (a French accounting layout).
	Columns Columns
	// Now is the time an OFX export gives as its server time (DTSERVER);
	// nil means time.Now.
	Now func() time.Time
	// Background writes the output on a goroutine of the exporter's own,
	// so that formatting goes on while the writer's Write runs (on
	// another core, when there is one): worth it for a file or a pipe,
	// whose writes cost the kernel a copy. The output is the same. A
	// write error is then returned by a later Export, or by Close. Close
	// or Discard must be called: they end the goroutine.
	Background bool
	// Workers is how many goroutines format the movements of the JSONL
	// format and of the CSV format with the default columns: with 2 or
	// more, the exporter's goroutine reads the records and follows the
	// statements, hands the movements over in batches to that many
	// workers (at most 8), and a goroutine of its own writes their output
	// in order. The output, the errors and the counts are the same as
	// with 0 or 1 (one goroutine, the default), and the other formats
	// ignore it. As with Background, a write error is then returned by a
	// later Export or by Close, and Close or Discard must be called: they
	// end the goroutines. Memory stays bounded (a few batches of about
	// 128 KiB of records and their output per worker).
	Workers int
}

// ErrTooManyComplements is returned for a movement with more complements
// than Options.MaxComplements.
var ErrTooManyComplements = errors.New("too many complements for one movement")

// Exporter writes the statements and movements of one or more files in one
// format. Call Export for each file, then Close. An Exporter is not safe
// for concurrent use.
type Exporter struct {
	w    io.Writer
	opts Options
	out  []byte // buffered output
	// flushSize is how much output is buffered before it is written.
	flushSize int
	sink      sink      // the xlsx and ofx formats and the fr columns; nil for the others
	err       error     // sticky write error
	bg        *bgWriter // the background writer (Options.Background), once started

	// The parallel export (Options.Workers; see parallel.go).
	batched   bool   // the movements are formatted in batches
	batch     *batch // the batch being filled
	batchSize int    // record bytes that fill a batch (batchSize; less in tests)
	pool      *pool  // the workers and writer, once a batch is full
	selfEvery int    // tests: pool.selfEvery
	// stGen counts the statements started; batchGen is stGen when the
	// batch's last statement was added to it.
	stGen, batchGen uint64

	started   bool
	closed    bool
	jsonOut   bool // the format is JSONL or JSON
	printable bool // the reader found the record's bytes printable ASCII
	// plainRecord: the record is printable ASCII and after the last '"'
	// or '\\' of the input read so far (quotes.last): it holds neither.
	plainRecord bool
	quotes      quoteWatch // the input, as the reader reads it
	statements  int        // statements exported
	movements   int        // movements exported

	// The file being exported.
	file     string
	fileJSON []byte // the file name as a JSON string
	// f formats the movements (the JSON and CSV formats) and decodes
	// them for the sinks.
	f  *formatter
	st statement
	// sv is what the output of a movement takes from the open statement,
	// once it is started (startStatement).
	sv      stmtView
	mv      pending
	closing balance // the closing balance of the statement being closed

	// The IBAN of the last statement's account: statements of the same
	// account usually follow one another. ibanAcct starts as the zero
	// Account, whose IBAN cannot be derived, so ibanOK false is right for
	// it from the start.
	ibanAcct cfonb.Account
	ibanBuf  [27]byte
	ibanOK   bool // ibanBuf holds the IBAN of ibanAcct
}

// flushSize is how much output is buffered before it is written.
const flushSize = 64 << 10

// New returns an Exporter that writes to w. Nothing is written before the
// first call to Export or Close.
func New(w io.Writer, opts Options) (*Exporter, error) {
	if opts.Format == 0 {
		opts.Format = JSONL
	}
	switch opts.Format {
	case JSONL, JSON, CSV, XLSX, OFX:
	default:
		return nil, fmt.Errorf("export: unknown format %v", opts.Format)
	}
	if opts.Format != CSV && (opts.Comma != 0 || opts.DecimalComma || opts.BOM) {
		return nil, fmt.Errorf("export: the separator, decimal comma and BOM options apply to CSV, not %v", opts.Format)
	}
	if opts.Comma == 0 {
		opts.Comma = ','
		if opts.DecimalComma {
			opts.Comma = ';'
		}
	}
	if !validComma(opts.Comma) {
		return nil, fmt.Errorf("export: %q cannot separate CSV fields", opts.Comma)
	}
	if opts.MaxComplements <= 0 {
		opts.MaxComplements = DefaultMaxComplements
	}
	if opts.Columns != ColumnsDefault && opts.Format != CSV && opts.Format != XLSX {
		return nil, fmt.Errorf("export: the %v columns apply to CSV and XLSX, not %v", opts.Columns, opts.Format)
	}
	e := &Exporter{w: w, opts: opts, flushSize: flushSize, jsonOut: opts.Format == JSONL || opts.Format == JSON}
	if opts.Background {
		e.flushSize = bgFlushSize
	}
	e.f = newFormatter(opts)
	e.batched = opts.Workers > 1 && (opts.Format == JSONL || opts.Format == CSV && opts.Columns == ColumnsDefault)
	e.batchSize = batchSize
	if !e.batched { // else the batches hold the output
		e.out = make([]byte, 0, e.flushSize+4096)
	}
	var err error
	if e.sink, err = newSink(opts); err != nil {
		return nil, err
	}
	return e, nil
}

func validComma(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// Export reads the CFONB120 records of one file from r and writes its
// movements. name is the file's name as the output shows it (the "file"
// field). The error is a read or write error, or a movement with too many
// complements; problems in the content are not errors (see the package
// documentation).
func (e *Exporter) Export(name string, r io.Reader) error {
	if e.closed {
		return errors.New("export: Export after Close")
	}
	e.start()
	e.file = name
	e.fileJSON = appendJSONString(e.fileJSON[:0], []byte(name))
	e.f.setFile(name)
	e.st = statement{acctJSON: e.st.acctJSON[:0]}
	e.mv.reset()
	e.quotes = quoteWatch{r: r, last: -1}
	src := r
	if e.jsonOut {
		src = &e.quotes // only JSON escapes '"' and '\\'
	}
	cr := cfonb.NewReader(src)
	for {
		rec, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("%s: %w", name, &cfonb.ParseError{Line: cr.Line() + 1, Err: err})
		}
		data := rec.Data
		if rec.Line == 1 && bytes.HasPrefix(data, []byte(cfonb.UTF8BOM)) {
			data = data[3:] // a UTF-8 byte order mark
		}
		e.printable = cr.Printable()
		// A record the reader framed by its stride is the input's bytes
		// from rec.Offset on.
		e.plainRecord = e.printable && rec.Offset > e.quotes.last
		if err := e.record(rec.Line, data); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if e.err != nil {
			return e.err
		}
	}
	e.flushMovement()
	if e.st.open {
		e.closeStatement(0, nil)
	}
	e.flushOut(false)
	return e.err
}

// record handles one record.
func (e *Exporter) record(line int, data []byte) error {
	switch cfonb.ParseCode(data) {
	case cfonb.CodeComplement:
		if e.st.open && !e.st.started { // adopt, without a call per record
			e.adopt(line, data)
		}
		if !e.mv.ok {
			return nil // a complement of no movement: nothing to attach it to
		}
		if len(e.mv.ends) >= e.opts.MaxComplements {
			return &cfonb.ParseError{Line: line, Err: fmt.Errorf("%w (more than %d)", ErrTooManyComplements, e.opts.MaxComplements)}
		}
		e.mv.comps = append(e.mv.comps, data...)
		e.mv.ends = append(e.mv.ends, len(e.mv.comps))
		if e.jsonOut && !e.mv.escape && !e.plainRecord {
			e.mv.escape = !e.plain(data)
		}
	case cfonb.CodeMovement:
		e.flushMovement()
		if !e.st.open {
			e.openStatement(0, data)
		}
		if e.st.open && !e.st.started {
			e.adopt(line, data)
		}
		e.mv.line = line
		e.mv.data = append(e.mv.data[:0], data...)
		e.mv.ok = true
		e.mv.escape = e.jsonOut && !e.plainRecord && !e.plain(data)
	case cfonb.CodeOldBalance:
		e.flushMovement()
		if e.st.open {
			e.closeStatement(0, nil)
		}
		e.openStatement(line, data)
	case cfonb.CodeNewBalance:
		e.flushMovement()
		if !e.st.open {
			e.openStatement(0, data)
		}
		e.adopt(line, data)
		e.closeStatement(line, data)
	default:
		if len(cfonb.TrimSpaces(data)) == 0 {
			return nil // a blank line, as some banks send: noise
		}
		e.flushMovement() // an unknown record ends the movement
	}
	return nil
}

// Close ends the output (the JSON document's closing brackets; the CSV
// header alone if nothing was exported) and flushes it. It does not close
// the underlying writer.
func (e *Exporter) Close() error {
	if e.closed {
		return e.err
	}
	e.start()
	e.closed = true
	if e.batched {
		e.endBatches()
	}
	if e.sink != nil && e.err == nil {
		e.flushOut(true)
		e.stopBackground() // the sink writes to e.w itself
		if err := e.sink.close(e); err != nil {
			e.err = err
		}
	}
	if e.sink != nil {
		e.sink.discard() // temporary files, after an error too
	}
	switch e.opts.Format {
	case JSON:
		if e.statements == 0 {
			e.out = append(e.out, "]\n}\n"...)
		} else {
			e.out = append(e.out, "\n  ]\n}\n"...)
		}
	}
	e.flushOut(true)
	e.stopBackground()
	return e.err
}

// stopBackground waits for the background writer, if any, to write what
// it was given, and ends it.
func (e *Exporter) stopBackground() {
	if e.bg == nil {
		return
	}
	if err := e.bg.stop(); err != nil && e.err == nil {
		e.err = err
	}
	e.bg = nil
}

// Discard releases what an unfinished export holds (the temporary files
// of the xlsx and ofx formats) without writing anything more: call it
// when an export is abandoned. It may be called after Close, and Close
// after it does nothing.
func (e *Exporter) Discard() {
	if e.sink != nil {
		e.sink.discard()
	}
	if e.bg != nil {
		_ = e.bg.stop()
		e.bg = nil
	}
	if e.pool != nil {
		e.pool.dropped.Store(true)
		_ = e.pool.stop()
		e.pool = nil
	}
	e.closed = true
}

// Counts returns how many statements and movements were exported so far.
// A movement outside any statement counts in a statement of its own.
func (e *Exporter) Counts() (statements, movements int) { return e.statements, e.movements }

// start writes what comes before the first movement.
func (e *Exporter) start() {
	if e.started {
		return
	}
	e.started = true
	switch e.opts.Format {
	case JSON:
		e.out = append(e.out, "{\n  \"statements\": ["...)
	case CSV:
		if e.sink == nil {
			e.out = e.f.csv.header(e.out)
		}
	}
	if e.sink != nil {
		e.sink.start(e)
	}
}

// flushOut writes the buffered output if it is large enough, or always.
func (e *Exporter) flushOut(always bool) {
	if len(e.out) == 0 || (!always && len(e.out) < e.flushSize) {
		return
	}
	switch {
	case e.err != nil:
	case e.opts.Background && !e.closed && (e.bg != nil || len(e.out) >= e.flushSize):
		// Started at the first full buffer: a small export is written
		// at Close, as without Background.
		if e.bg == nil {
			e.bg = newBGWriter(e.w)
		}
		e.out = e.bg.put(e.out)
		if e.bg.failed.Load() {
			e.stopBackground()
		}
		return
	case e.bg != nil:
		// Close, after the sink's end: anything after must follow what
		// the background writer has.
		e.stopBackground()
		if e.err != nil {
			break
		}
		fallthrough
	default:
		if _, err := e.w.Write(e.out); err != nil {
			e.err = fmt.Errorf("writing the export: %w", err)
		}
	}
	e.out = e.out[:0]
}

// quoteWatch reads the input of an export and notes where the last '"'
// or '\\' read is: a record read after it holds neither, and needs no
// search of its own (one pass over each chunk read, in vector
// instructions, instead of two calls per record).
type quoteWatch struct {
	r    io.Reader
	n    int64 // bytes read
	last int64 // input offset of the last '"' or '\\' read; -1 if none
}

func (q *quoteWatch) Read(p []byte) (int, error) {
	n, err := q.r.Read(p)
	if n < 0 || n > len(p) {
		return n, err // cfonb.Reader reports the invalid count
	}
	if i := lastQuoteOrBackslash(p[:n]); i >= 0 {
		q.last = q.n + int64(i)
	}
	q.n += int64(n)
	return n, err
}

// lastQuoteOrBackslash returns the index of the last '"' or '\\' in s, or
// -1 if there is none.
func lastQuoteOrBackslash(s []byte) int {
	last := -1
	for _, c := range [2]byte{'"', '\\'} {
		for i := 0; ; i++ {
			j := bytes.IndexByte(s[i:], c)
			if j < 0 {
				break
			}
			i += j
			last = max(last, i)
		}
	}
	return last
}

// pending is the movement being collected: a copy of its 04 and of its 05s.
type pending struct {
	ok   bool
	line int
	// escape: one of the movement's records holds a byte that a JSON
	// string does not hold as it is (see jsonPlain); tracked for the JSON
	// formats only.
	escape bool
	data   []byte
	comps  []byte // the 05 records' data, one after the other
	ends   []int  // end offset in comps of each 05
}

func (p *pending) reset() {
	p.ok, p.escape = false, false
	p.data = p.data[:0]
	p.comps = p.comps[:0]
	p.ends = p.ends[:0]
}

// complement returns the data of the i-th 05.
func (p *pending) complement(i int) []byte {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.comps[start:p.ends[i]]
}

// statement is what the exporter keeps of the open statement: the
// statement model every command shares, and what the output needs.
type statement struct {
	open    bool
	m       cfonb.Statement // account, decimals, totals, reconciliation
	line    int             // line of the 01; 0 when opened by a 04 or 07
	iban    []byte          // the account's IBAN (in Exporter.ibanBuf), nil if it cannot be derived
	opening balance
	// started: the statement's account and opening are written. A 01 that
	// leaves its currency or decimals blank waits for the statement's
	// next record, which gives them (cfonb.Statement.Adopt).
	started bool
	// acctJSON is the account's members of a movement's JSON object and
	// the key that follows them, written once per statement:
	// `,"bank":"…",…,"currency":"…","booking_date":`.
	acctJSON []byte
}

// balance is a decoded 01 or 07, field by field (a field that does not
// decode is written null).
type balance struct {
	date     cfonb.Date
	dateOK   bool
	amount   int64
	amountOK bool
}

// decodeBalance decodes the date and amount of a 01 or 07.
func decodeBalance(data []byte) balance {
	var b balance
	var err error
	b.date, err = cfonb.ParseDate(cfonb.FieldBalanceDate.Of(data))
	b.dateOK = err == nil
	b.amount, err = cfonb.ParseAmount(cfonb.FieldBalance.Of(data))
	b.amountOK = err == nil
	return b
}

// openStatement opens a statement at a 01 (line > 0) or, for a 04 or 07
// outside any statement, an implicit one with no opening balance (line 0).
func (e *Exporter) openStatement(line int, data []byte) {
	e.statements++
	e.st = statement{open: true, line: line, acctJSON: e.st.acctJSON[:0]}
	e.st.m.Open(line, data)
	if line > 0 {
		e.st.opening = decodeBalance(data)
		if e.st.m.Pending {
			return // startStatement at the statement's next record
		}
	}
	e.startStatement()
}

// startStatement writes the open statement's account and opening, once
// its currency and decimals are known.
func (e *Exporter) startStatement() {
	e.st.started = true
	e.stGen++
	a := &e.st.m.Account
	if e.ibanAcct.Bank != a.Bank || e.ibanAcct.Branch != a.Branch || e.ibanAcct.Number != a.Number {
		e.ibanAcct = *a
		e.ibanOK = cfonb.AppendFrenchIBAN(e.ibanBuf[:0], a.Bank[:], a.Branch[:], a.Number[:]) == nil
	}
	e.st.iban = nil
	if e.ibanOK {
		e.st.iban = e.ibanBuf[:]
	}
	if e.opts.Format != CSV {
		e.st.acctJSON = appendAccountJSON(e.st.acctJSON, a, e.st.iban, ",", ":")
		e.st.acctJSON = append(e.st.acctJSON, `,"booking_date":`...)
	}
	// The statement's account and decimals are known now, for good.
	e.sv = stmtView{acctJSON: e.st.acctJSON, account: &e.st.m.Account, iban: e.st.iban, decimals: e.st.m.Decimals}
	if e.opts.Format == JSON {
		e.jsonOpenStatement()
	}
	if e.sink != nil {
		e.sink.openStatement(e)
	}
}

// adopt gives a statement waiting for its currency and decimals those of
// its record data at line, and starts it.
func (e *Exporter) adopt(line int, data []byte) {
	if !e.st.open || e.st.started {
		return
	}
	e.st.m.Adopt(line, data)
	e.startStatement()
}

// closeStatement closes the open statement at a 07 (line > 0), or without
// a closing balance (line 0).
func (e *Exporter) closeStatement(line int, data []byte) {
	if !e.st.started {
		e.startStatement()
	}
	closing := &e.closing // in the Exporter: a sink's method would make a local escape
	*closing = balance{}
	if line > 0 {
		*closing = decodeBalance(data)
	}
	e.st.m.Close(line, data)
	if e.opts.Format == JSON {
		e.jsonCloseStatement(line, closing)
	}
	if e.sink != nil {
		e.sink.closeStatement(e, line, closing)
	}
	e.st.open = false
	e.flushOut(false)
}

// flushMovement writes the pending movement, if any.
func (e *Exporter) flushMovement() {
	if !e.mv.ok {
		return
	}
	if e.batched {
		// Formatted by a worker: the output needs no statement totals.
		e.st.m.Movements++
		e.movements++
		e.batchMovement()
		e.mv.reset()
		return
	}
	st := &e.sv
	e.f.decode(&e.mv, st.decimals)
	v := &e.f.v
	e.st.m.AddMovement(v.m.Amount, v.amountOK)
	e.movements++
	switch e.opts.Format {
	case JSONL:
		e.out = e.f.appendMovementJSON(e.out, st)
		e.out = append(e.out, '\n')
	case JSON:
		if e.st.m.Movements > 1 {
			e.out = append(e.out, ",\n        "...)
		} else {
			e.out = append(e.out, "\n        "...)
		}
		e.out = e.f.appendMovementJSON(e.out, st)
	case CSV:
		if e.sink == nil {
			e.out = e.f.appendRow(e.out, st)
		}
	}
	if e.sink != nil {
		e.sink.movement(e, v)
	}
	e.mv.reset()
	if len(e.out) >= e.flushSize { // flushOut(false), without a call per movement
		e.flushOut(false)
	}
}
