package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The XLSX format is written with excelize's StreamWriter, and zipped
// straight to the output (File.SetZipWriter), so a file of any size is
// exported in bounded memory: each sheet's stream keeps its XML in a
// buffer until it reaches 16 MiB (excelize.StreamChunkSize, a constant),
// then moves it to a temporary file and reuses the buffer, whose capacity
// (16 to 32 MiB, 20 MiB measured) stays allocated until the workbook is
// written. That is one buffer for the movements sheet being written, one
// for the statements sheet, and one more for every full movements sheet
// (1,048,575 movements): about 46 MiB of live heap for two, whatever the
// input's size below that. The workbook has a sheet of movements (continued on
// "Movements 2", "Movements 3"... past Excel's 1,048,576 rows) and a sheet
// of statements. Codes and account numbers are text cells (their leading
// zeros stay), amounts are numbers shown with their currency's decimals,
// dates are date cells; each sheet's header row is frozen and filtered.

// xlsxMaxRows is how many rows an Excel sheet holds.
const xlsxMaxRows = excelize.TotalRows

// xlsxNames are the sheet names and statement headers of a layout.
type xlsxNames struct {
	movements, statements string
	statementHeader       []string
	dateFormat            string
}

var xlsxDefaultNames = xlsxNames{
	movements:  "Movements",
	statements: "Statements",
	statementHeader: []string{"file", "line", "bank", "branch", "account", "iban", "currency",
		"opening_date", "opening_balance", "closing_date", "closing_balance",
		"movement_count", "total_debits", "total_credits", "reconciles"},
	dateFormat: "yyyy-mm-dd",
}

var xlsxFRNames = xlsxNames{
	movements:  "Mouvements",
	statements: "Relevés",
	statementHeader: []string{"Fichier", "Ligne", "Banque", "Guichet", "Compte", "IBAN", "Devise",
		"Date de début", "Solde de début", "Date de fin", "Solde de fin",
		"Mouvements", "Total débits", "Total crédits", "Rapproché"},
	dateFormat: "dd/mm/yyyy",
}

// xlsxSink writes the XLSX workbook.
type xlsxSink struct {
	opts    Options
	names   xlsxNames
	f       *excelize.File
	maxRows int // rows of a sheet, header included (xlsxMaxRows; smaller in tests)

	mv      *excelize.StreamWriter // the movements sheet being written
	mvSheet int                    // its number: 1, 2...
	mvRow   int                    // rows written to it, header included
	st      *excelize.StreamWriter
	stRow   int

	header, date, text int         // style IDs
	amount             map[int]int // style ID of an amount, by decimals
	bal                running
	row                []any
}

func newXLSXSink(opts Options) (*xlsxSink, error) {
	s := &xlsxSink{opts: opts, names: xlsxDefaultNames, maxRows: xlsxMaxRows, amount: map[int]int{}}
	if opts.Columns == ColumnsFR {
		s.names = xlsxFRNames
	}
	return s, nil
}

// fail records the first error.
func (s *xlsxSink) fail(e *Exporter, err error) {
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("writing the xlsx export: %w", err)
	}
}

func (s *xlsxSink) start(e *Exporter) {
	s.f = excelize.NewFile()
	var err error
	if s.header, err = s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		s.fail(e, err)
		return
	}
	format := s.names.dateFormat
	if s.date, err = s.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		s.fail(e, err)
		return
	}
	if s.text, err = s.f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": text
		s.fail(e, err)
		return
	}
	// The statements sheet is opened first, so that it follows the first
	// movements sheet, whatever the number of those.
	if err := s.f.SetSheetName("Sheet1", s.names.movements); err != nil {
		s.fail(e, err)
		return
	}
	if _, err := s.f.NewSheet(s.names.statements); err != nil {
		s.fail(e, err)
		return
	}
	// The movements sheet is the active one. SetActiveSheet reads every
	// sheet into memory: it is called here, while they are empty; called
	// after the streams, it parsed the whole workbook back (55 MiB of heap
	// for 4,334 movements), and changed nothing.
	s.f.SetActiveSheet(0)
	if s.st, err = s.newStream(s.names.statements, s.names.statementHeader); err != nil {
		s.fail(e, err)
		return
	}
	s.stRow = 1
	s.mvSheet = 1
	if s.mv, err = s.newStream(s.names.movements, s.movementHeader()); err != nil {
		s.fail(e, err)
		return
	}
	s.mvRow = 1
}

// movementHeader is the header of the movements sheets.
func (s *xlsxSink) movementHeader() []string {
	if s.opts.Columns == ColumnsFR {
		return frHeader
	}
	return CSVHeader()
}

// newStream starts a sheet: its header row, frozen.
func (s *xlsxSink) newStream(sheet string, header []string) (*excelize.StreamWriter, error) {
	sw, err := s.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: s.header, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, err
	}
	return sw, nil
}

// finish filters a sheet's header over its rows and flushes it.
func (s *xlsxSink) finish(sw *excelize.StreamWriter, cols, rows int) error {
	last, err := excelize.CoordinatesToCellName(cols, max(rows, 2))
	if err != nil {
		return err
	}
	// The autofilter is kept by the worksheet the stream writer shares
	// with the file, and written by Flush.
	if err := s.f.AutoFilter(sw.Sheet, "A1:"+last, nil); err != nil {
		return err
	}
	return sw.Flush()
}

// amountStyle returns the style of an amount with the given decimals:
// thousands grouped, that many decimals.
func (s *xlsxSink) amountStyle(decimals int) int {
	if id, ok := s.amount[decimals]; ok {
		return id
	}
	format := "#,##0"
	if decimals > 0 {
		format += "." + strings.Repeat("0", decimals)
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		id = 0 // General: the value is still right
	}
	s.amount[decimals] = id
	return id
}

// pow10 holds the powers of ten that are exact float64s.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// number returns minor units as the nearest float64 to their decimal
// value: both are exact float64s below 2^53, and the division rounds
// correctly, so 123456 at 2 decimals is the double written "1234.56".
func number(minor int64, decimals int) float64 {
	if decimals <= 0 || decimals >= len(pow10) {
		return float64(minor)
	}
	return float64(minor) / pow10[decimals]
}

// cell appends a cell to the row being built.
func (s *xlsxSink) cell(style int, v any) {
	s.row = append(s.row, excelize.Cell{StyleID: style, Value: v})
}

// textCell appends a text cell; empty text is an empty cell.
func (s *xlsxSink) textCell(b []byte) {
	if len(b) == 0 {
		s.row = append(s.row, nil)
		return
	}
	s.cell(s.text, string(appendText(nil, b)))
}

func (s *xlsxSink) dateCell(d cfonb.Date, ok bool) {
	if !ok {
		s.row = append(s.row, nil)
		return
	}
	s.cell(s.date, d.Time())
}

func (s *xlsxSink) amountCell(minor int64, decimals int, ok bool) {
	if !ok {
		s.row = append(s.row, nil)
		return
	}
	s.cell(s.amountStyle(decimals), number(minor, decimals))
}

// decimalCell appends a decimal string ("-12.5") as a number with its own
// decimals; text that is not a decimal is a text cell.
func (s *xlsxSink) decimalCell(b []byte) {
	if len(b) == 0 {
		s.row = append(s.row, nil)
		return
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) {
		s.textCell(b)
		return
	}
	decimals := 0
	if i := strings.IndexByte(string(b), '.'); i >= 0 {
		decimals = len(b) - i - 1
	}
	s.cell(s.amountStyle(decimals), f)
}

func (s *xlsxSink) sumCell(sum cfonb.Sum, decimals int) {
	if v, ok := sum.Int64(); ok {
		s.amountCell(v, decimals, true)
		return
	}
	s.cell(s.text, sum.Decimal(decimals))
}

func (s *xlsxSink) openStatement(e *Exporter) { s.bal.open(e) }

func (s *xlsxSink) movement(e *Exporter, v *view) {
	if e.err != nil {
		return
	}
	s.row = s.row[:0]
	if s.opts.Columns == ColumnsFR {
		s.frRow(e, v)
	} else {
		s.defaultRow(e, v)
	}
	if s.mvRow == s.maxRows {
		// This sheet is full: continue on the next one.
		if err := s.finish(s.mv, len(s.movementHeader()), s.mvRow); err != nil {
			s.fail(e, err)
			return
		}
		s.mvSheet++
		name := fmt.Sprintf("%s %d", s.names.movements, s.mvSheet)
		if _, err := s.f.NewSheet(name); err != nil {
			s.fail(e, err)
			return
		}
		var err error
		if s.mv, err = s.newStream(name, s.movementHeader()); err != nil {
			s.fail(e, err)
			return
		}
		s.mvRow = 1
	}
	s.mvRow++
	s.fail(e, s.mv.SetRow("A"+strconv.Itoa(s.mvRow), s.row))
}

// defaultRow builds the row of a movement in the default layout: the
// columns of the CSV format.
func (s *xlsxSink) defaultRow(e *Exporter, v *view) {
	m := &v.m
	a := &e.st.m.Account
	s.textCell([]byte(e.file))
	s.cell(0, v.line)
	s.textCell(accountZone(a.Bank[:]))
	s.textCell(accountZone(a.Branch[:]))
	s.textCell(accountZone(a.Number[:]))
	s.textCell(e.st.iban)
	s.textCell(accountZone(a.Currency[:]))
	s.dateCell(m.BookingDate, v.bookingOK)
	s.dateCell(m.ValueDate, v.valueOK)
	s.amountCell(m.Amount, v.decimals, v.amountOK)
	if v.amountOK {
		s.cell(0, m.Amount)
	} else {
		s.row = append(s.row, nil)
	}
	s.textCell(m.InterbankCode)
	label, _ := cfonb.InterbankLabel(m.InterbankCode)
	s.textCell([]byte(label))
	s.textCell(m.InternalCode)
	s.textCell(m.RejectCode)
	s.textCell(v.labelText())
	s.textCell(m.Label)
	s.textCell(m.EntryNumber)
	s.textCell(m.Reference)
	for n := named(0); n < numNamed; n++ {
		var val []byte
		if v.named[n].set {
			val = v.get(v.named[n])
		}
		if n.isDecimal() {
			s.decimalCell(val)
		} else {
			s.textCell(val)
		}
	}
	var comps []byte
	for i, c := range v.comps {
		if i > 0 {
			comps = append(comps, " | "...)
		}
		comps = appendCompHead(comps, &c)
		comps = append(comps, ':')
		comps = appendText(comps, c.text)
	}
	s.textCell(comps)
}

// frRow builds the row of a movement in the French layout.
func (s *xlsxSink) frRow(e *Exporter, v *view) {
	m := &v.m
	s.dateCell(m.BookingDate, v.bookingOK)
	s.dateCell(m.ValueDate, v.valueOK)
	s.textCell(v.labelText())
	switch {
	case !v.amountOK:
		s.row = append(s.row, nil, nil)
	case m.Amount < 0:
		s.amountCell(-m.Amount, v.decimals, true)
		s.row = append(s.row, nil)
	default:
		s.row = append(s.row, nil)
		s.amountCell(m.Amount, v.decimals, true)
	}
	s.bal.add(v)
	b, ok := s.bal.value()
	s.amountCell(b, s.bal.decimals, ok)
	s.textCell(frReference(v))
	s.textCell(accountZone(e.st.m.Account.Number[:]))
	s.textCell(e.st.iban)
}

func (s *xlsxSink) closeStatement(e *Exporter, line int, closing *balance) {
	if e.err != nil {
		return
	}
	st := &e.st
	a := &st.m.Account
	s.row = s.row[:0]
	s.textCell([]byte(e.file))
	if st.line > 0 {
		s.cell(0, st.line)
	} else {
		s.row = append(s.row, nil)
	}
	s.textCell(accountZone(a.Bank[:]))
	s.textCell(accountZone(a.Branch[:]))
	s.textCell(accountZone(a.Number[:]))
	s.textCell(st.iban)
	s.textCell(accountZone(a.Currency[:]))
	s.dateCell(st.opening.date, st.line > 0 && st.opening.dateOK)
	s.amountCell(st.opening.amount, st.m.Decimals, st.line > 0 && st.opening.amountOK)
	s.dateCell(closing.date, line > 0 && closing.dateOK)
	s.amountCell(closing.amount, e.st.m.Decimals, line > 0 && closing.amountOK)
	s.cell(0, st.m.Movements)
	if s.opts.Columns == ColumnsFR {
		s.sumCell(st.m.Debits.Neg(), st.m.Decimals) // débits as positive amounts, as on the Débit column
	} else {
		s.sumCell(st.m.Debits, st.m.Decimals)
	}
	s.sumCell(st.m.Credits, st.m.Decimals)
	s.cell(0, st.m.Reconciles())
	s.stRow++
	s.fail(e, s.st.SetRow("A"+strconv.Itoa(s.stRow), s.row))
}

func (s *xlsxSink) close(e *Exporter) error {
	if s.f == nil {
		return nil
	}
	defer s.discard() // removes the temporary files
	if err := s.finish(s.mv, len(s.movementHeader()), s.mvRow); err != nil {
		return fmt.Errorf("writing the xlsx export: %w", err)
	}
	if err := s.finish(s.st, len(s.names.statementHeader), s.stRow); err != nil {
		return fmt.Errorf("writing the xlsx export: %w", err)
	}
	if err := s.write(e.w); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}

// write writes the workbook to w as it is zipped. excelize's File.Write
// zips the whole workbook into a bytes.Buffer first (as big as the
// output: memory growing with the input); its SetZipWriter hook lets the
// zip go straight to w instead, and the buffer it would have filled stays
// empty (checked).
func (s *xlsxSink) write(w io.Writer) error {
	zw := &xlsxZip{w: zip.NewWriter(w)}
	s.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	buf, err := s.f.WriteToBuffer()
	if err != nil {
		return err
	}
	if buf.Len() != 0 || !zw.closed {
		return errors.New("excelize did not write the workbook through its zip writer")
	}
	return nil
}

// xlsxZipMax is the largest part of the workbook written: a zip entry of
// 4 GiB or more needs ZIP64 in its local header too, which Excel demands
// and archive/zip does not write (excelize patched it in its buffer).
const xlsxZipMax = math.MaxUint32

// errXLSXPartTooBig is the error of a sheet of 4 GiB or more.
var errXLSXPartTooBig = errors.New("a sheet of the workbook is 4 GiB or more, which Excel cannot open: export to csv, or fewer files at a time")

// xlsxZip is the zip of the workbook, written to the output as excelize
// hands it the parts.
type xlsxZip struct {
	w      *zip.Writer
	part   *xlsxPart // the part being written
	closed bool
}

// Create starts a part.
func (z *xlsxZip) Create(name string) (io.Writer, error) {
	w, err := z.w.Create(name)
	if err != nil {
		return nil, err
	}
	z.part = &xlsxPart{w: w}
	return z.part, nil
}

// AddFS is not used by excelize's writer.
func (z *xlsxZip) AddFS(fsys fs.FS) error { return z.w.AddFS(fsys) }

// Close writes the zip's directory.
func (z *xlsxZip) Close() error {
	z.closed = true
	return z.w.Close()
}

// xlsxPart counts the bytes of a part.
type xlsxPart struct {
	w io.Writer
	n int64
}

func (p *xlsxPart) Write(b []byte) (int, error) {
	if p.n+int64(len(b)) > xlsxZipMax {
		return 0, errXLSXPartTooBig
	}
	n, err := p.w.Write(b)
	p.n += int64(n)
	return n, err
}

// discard closes the workbook, which removes its temporary files.
func (s *xlsxSink) discard() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
}
