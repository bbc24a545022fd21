package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// ofxTestNow is the server time of the OFX goldens.
func ofxTestNow() time.Time { return time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC) }

// openXLSX exports a test file as xlsx and opens the workbook.
func openXLSX(t *testing.T, name string, opts Options) *excelize.File {
	t.Helper()
	opts.Format = XLSX
	f, err := excelize.OpenReader(bytes.NewReader(exportFile(t, name, opts)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// xcell is a cell read back: its type, raw value and number format.
type xcell struct {
	typ    excelize.CellType
	raw    string
	numFmt string
}

func readCell(t *testing.T, f *excelize.File, sheet, ref string) xcell {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	require.NoError(t, err)
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	c := xcell{typ: typ, raw: raw}
	style, err := f.GetCellStyle(sheet, ref)
	require.NoError(t, err)
	if style != 0 {
		st, err := f.GetStyle(style)
		require.NoError(t, err)
		if st.CustomNumFmt != nil {
			c.numFmt = *st.CustomNumFmt
		} else if st.NumFmt == 49 {
			c.numFmt = "@"
		}
	}
	return c
}

// serial is the Excel serial number of a date.
func serial(y int, m time.Month, d int) string {
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return strconv.Itoa(int(days))
}

func text(s string) xcell { return xcell{typ: excelize.CellTypeInlineString, raw: s, numFmt: "@"} }

const numeric = excelize.CellTypeUnset // a number cell has no type attribute

func TestXLSXDefaultLayout(t *testing.T) {
	f := openXLSX(t, "sepa.txt", Options{})
	assert.Equal(t, []string{"Movements", "Statements"}, f.GetSheetList())

	rows, err := f.GetRows("Movements")
	require.NoError(t, err)
	assert.Equal(t, CSVHeader(), rows[0])
	wantRows := strings.Count(string(exportFile(t, "sepa.txt", Options{Format: CSV})), "\r\n") // header included
	assert.Len(t, rows, wantRows)

	// The first movement, cell by cell.
	want := map[string]xcell{
		"A2": text("sepa.txt"),
		"B2": {typ: numeric, raw: "2"},
		"C2": text("30006"),
		"D2": text("00001"), // leading zeros kept
		"E2": text("12345678901"),
		"F2": text("FR7630006000011234567890189"),
		"G2": text("EUR"),
		"H2": {typ: numeric, raw: serial(2026, 3, 2), numFmt: "yyyy-mm-dd"},
		"I2": {typ: numeric, raw: serial(2026, 3, 2), numFmt: "yyyy-mm-dd"},
		"J2": {typ: numeric, raw: "-89.9", numFmt: "#,##0.00"},
		"K2": {typ: numeric, raw: "-8990"},
		"L2": text("B1"),
		"M2": text("Prélèvements SEPA domiciliés"),
		"N2": text("0712"),
		"O2": {},
		"P2": text("PRLV SEPA EDF"),
		"Q2": text("PRLV SEPA EDF"),
		"R2": text("0000101"),
		"S2": text("PRLV0001"),
	}
	for ref, w := range want {
		assert.Equal(t, w, readCell(t, f, "Movements", ref), ref)
	}

	// Frozen, filtered header rows.
	for _, sheet := range []string{"Movements", "Statements"} {
		panes, err := f.GetPanes(sheet)
		require.NoError(t, err)
		assert.True(t, panes.Freeze, sheet)
		assert.Equal(t, 1, panes.YSplit, sheet)
		assert.Equal(t, "A2", panes.TopLeftCell, sheet)
	}
	names := map[string]string{}
	for _, d := range f.GetDefinedName() {
		names[d.Scope+"|"+d.Name] = d.RefersTo
	}
	lastCol, err := excelize.ColumnNumberToName(len(CSVHeader()))
	require.NoError(t, err)
	assert.Equal(t, "'Movements'!$A$1:$"+lastCol+"$"+strconv.Itoa(wantRows), names["Movements|_xlnm._FilterDatabase"])
	assert.Contains(t, names, "Statements|_xlnm._FilterDatabase")

	// The statements sheet: balances as numbers, reconcile as a boolean.
	strows, err := f.GetRows("Statements")
	require.NoError(t, err)
	assert.Equal(t, xlsxDefaultNames.statementHeader, strows[0])
	st := map[string]xcell{
		"A2": text("sepa.txt"),
		"B2": {typ: numeric, raw: "1"},
		"D2": text("00001"),
		"H2": {typ: numeric, raw: serial(2026, 3, 1), numFmt: "yyyy-mm-dd"},
		"L2": {typ: numeric, raw: readCell(t, f, "Statements", "L2").raw},
		"O2": {typ: excelize.CellTypeBool, raw: "1"},
	}
	for ref, w := range st {
		assert.Equal(t, w, readCell(t, f, "Statements", ref), ref)
	}
	for _, ref := range []string{"I2", "K2", "M2", "N2"} {
		c := readCell(t, f, "Statements", ref)
		assert.Equal(t, numeric, c.typ, ref)
		assert.Equal(t, "#,##0.00", c.numFmt, ref)
		_, err := strconv.ParseFloat(c.raw, 64)
		assert.NoError(t, err, ref)
	}
}

// TestXLSXMatchesCSV reads every cell of every valid file's workbook back
// and compares it with the CSV export of the same file: the same text,
// and numbers equal to the CSV's decimals.
func TestXLSXMatchesCSV(t *testing.T) {
	for _, in := range []string{"sepa.txt", "continuous.txt", "latin1.txt", "complex-test.txt", "damaged.txt"} {
		t.Run(in, func(t *testing.T) {
			f := openXLSX(t, in, Options{})
			csvRows := parseCSV(t, exportFile(t, in, Options{Format: CSV}))
			rows, err := f.GetRows("Movements", excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			require.Len(t, rows, len(csvRows))
			header := CSVHeader()
			for i := 1; i < len(rows); i++ {
				for j, want := range csvRows[i] {
					got := ""
					if j < len(rows[i]) {
						got = rows[i][j]
					}
					switch header[j] {
					case "booking_date", "value_date":
						if want != "" {
							d, err := time.Parse("2006-01-02", want)
							require.NoError(t, err)
							want = serial(d.Year(), d.Month(), d.Day())
						}
					case "amount", "original_amount", "exchange_rate", "fee":
						if want != "" {
							w, err := strconv.ParseFloat(want, 64)
							require.NoError(t, err)
							g, err := strconv.ParseFloat(got, 64)
							require.NoError(t, err, "%s row %d: %q", header[j], i, got)
							assert.Equal(t, w, g, "%s row %d", header[j], i)
							continue
						}
					}
					assert.Equal(t, want, got, "%s row %d", header[j], i)
				}
			}
		})
	}
}

func TestXLSXFrenchLayout(t *testing.T) {
	f := openXLSX(t, "sepa.txt", Options{Columns: ColumnsFR})
	assert.Equal(t, []string{"Mouvements", "Relevés"}, f.GetSheetList())
	rows, err := f.GetRows("Mouvements")
	require.NoError(t, err)
	assert.Equal(t, FRHeader(), rows[0])
	want := []xcell{
		{typ: numeric, raw: serial(2026, 3, 2), numFmt: "dd/mm/yyyy"},
		{typ: numeric, raw: serial(2026, 3, 2), numFmt: "dd/mm/yyyy"},
		text("PRLV SEPA EDF"),
		{typ: numeric, raw: "89.9", numFmt: "#,##0.00"}, // Débit
		{}, // Crédit
		{typ: numeric, raw: readCell(t, f, "Mouvements", "F2").raw, numFmt: "#,##0.00"},
		text("PRLV0001"),
		text("12345678901"),
		text("FR7630006000011234567890189"),
	}
	for i, w := range want {
		ref, _ := excelize.CoordinatesToCellName(i+1, 2)
		assert.Equal(t, w, readCell(t, f, "Mouvements", ref), ref)
	}
	// The CSV in this layout has the same running balances.
	csvRows := parseCSVSep(t, exportFile(t, "sepa.txt", Options{Format: CSV, Columns: ColumnsFR, DecimalComma: true}), ';')
	raw, err := f.GetRows("Mouvements", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Len(t, raw, len(csvRows))
	for i := 1; i < len(raw); i++ {
		w, err := strconv.ParseFloat(strings.ReplaceAll(csvRows[i][5], ",", "."), 64)
		require.NoError(t, err)
		g, err := strconv.ParseFloat(raw[i][5], 64)
		require.NoError(t, err)
		assert.Equal(t, w, g, "Solde row %d", i)
	}
}

// TestXLSXSheetsRollOver checks that movements past a sheet's rows go on
// to the next sheet, none dropped.
func TestXLSXSheetsRollOver(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	var out bytes.Buffer
	e, err := New(&out, Options{Format: XLSX})
	require.NoError(t, err)
	e.sink.(*xlsxSink).maxRows = 3 // a header and two movements a sheet
	require.NoError(t, e.Export("sepa.txt", bytes.NewReader(in)))
	require.NoError(t, e.Close())
	_, movements := e.Counts()
	f, err := excelize.OpenReader(&out)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	require.Equal(t, "Movements", sheets[0])
	require.Equal(t, "Statements", sheets[1])
	total := 0
	for i, sheet := range append([]string{sheets[0]}, sheets[2:]...) {
		if i > 0 {
			assert.Equal(t, "Movements "+strconv.Itoa(i+1), sheet)
		}
		rows, err := f.GetRows(sheet)
		require.NoError(t, err)
		assert.Equal(t, CSVHeader(), rows[0], sheet)
		assert.LessOrEqual(t, len(rows), 3, sheet)
		total += len(rows) - 1
	}
	assert.Equal(t, movements, total)
	assert.Equal(t, (movements+1)/2+1, len(sheets))
}

// TestFrenchRunningBalance is the property test of the Solde column: in
// every statement of every valid file, the last running balance is the
// closing balance, and each row's balance is the previous one plus its
// credit minus its debit.
func TestFrenchRunningBalance(t *testing.T) {
	for _, in := range valid {
		t.Run(in, func(t *testing.T) {
			var doc struct {
				Statements []jsonStatement `json:"statements"`
			}
			require.NoError(t, json.Unmarshal(exportFile(t, in, Options{Format: JSON}), &doc))
			rows := parseCSV(t, exportFile(t, in, Options{Format: CSV, Columns: ColumnsFR}))
			assert.Equal(t, FRHeader(), rows[0])
			rows = rows[1:]
			for _, st := range doc.Statements {
				bal := decimal(t, *st.OpeningBalance)
				for range st.MovementCount {
					r := rows[0]
					rows = rows[1:]
					if r[3] != "" {
						bal.Sub(bal, decimal(t, r[3]))
					}
					if r[4] != "" {
						bal.Add(bal, decimal(t, r[4]))
					}
					assert.Equal(t, 0, bal.Cmp(decimal(t, r[5])), "Solde %s, want %s", r[5], bal.FloatString(2))
				}
				assert.Equal(t, 0, bal.Cmp(decimal(t, *st.ClosingBalance)), "closing balance of the statement at line %v", *st.Line)
			}
			assert.Empty(t, rows)
		})
	}
}

// ofxModels are the content models of the OFX 2.x aggregates an export
// writes (OFX 2.2 specification: 2.5.1 SONRS, 3.1.5 STATUS, 11.4.2
// STMTTRNRS/STMTRS, 11.3.1 BANKACCTFROM, 11.4.3 BANKTRANLIST, 11.4.4.1
// STMTTRN, 11.4.2.2 LEDGERBAL): the children's names in order, each
// followed by a space, as a regular expression.
var ofxModels = map[string]*regexp.Regexp{
	"OFX":            regexp.MustCompile(`^SIGNONMSGSRSV1 (SIGNUPMSGSRSV1 )?(BANKMSGSRSV1 )?$`),
	"SIGNONMSGSRSV1": regexp.MustCompile(`^SONRS $`),
	"SONRS":          regexp.MustCompile(`^STATUS DTSERVER (USERKEY )?(TSKEYEXPIRE )?LANGUAGE (DTPROFUP )?(DTACCTUP )?(FI )?(SESSCOOKIE )?(ACCESSKEY )?$`),
	"STATUS":         regexp.MustCompile(`^CODE SEVERITY (MESSAGE )?$`),
	"BANKMSGSRSV1":   regexp.MustCompile(`^(STMTTRNRS )*$`),
	"STMTTRNRS":      regexp.MustCompile(`^TRNUID STATUS (CLTCOOKIE )?(OFXEXTENSION )?(STMTRS )?$`),
	"STMTRS":         regexp.MustCompile(`^CURDEF BANKACCTFROM (BANKTRANLIST )?LEDGERBAL (AVAILBAL )?(CASHADVBALAMT )?(INTRATE )?(BALLIST )?(MKTGINFO )?$`),
	"BANKACCTFROM":   regexp.MustCompile(`^BANKID (BRANCHID )?ACCTID ACCTTYPE (ACCTKEY )?$`),
	"BANKTRANLIST":   regexp.MustCompile(`^DTSTART DTEND (STMTTRN )*$`),
	"STMTTRN": regexp.MustCompile(`^TRNTYPE DTPOSTED (DTUSER )?(DTAVAIL )?TRNAMT FITID (CORRECTFITID )?(CORRECTACTION )?` +
		`(SRVRTID )?(CHECKNUM )?(REFNUM )?(SIC )?(PAYEEID )?((NAME|EXTDNAME|PAYEE) )?((BANKACCTTO|CCACCTTO) )?(MEMO )?` +
		`(IMAGEDATA )?((CURRENCY|ORIGCURRENCY) )?(INV401KSOURCE )?$`),
	"LEDGERBAL": regexp.MustCompile(`^BALAMT DTASOF $`),
}

// ofxValues are the formats of the OFX elements' values.
var ofxValues = map[string]*regexp.Regexp{
	"CODE":     regexp.MustCompile(`^[0-9]{1,6}$`),
	"SEVERITY": regexp.MustCompile(`^(INFO|WARN|ERROR)$`),
	"DTSERVER": regexp.MustCompile(`^[0-9]{14}\.[0-9]{3}\[[-+]?[0-9]+:[A-Z]+\]$`),
	"LANGUAGE": regexp.MustCompile(`^[A-Z]{3}$`),
	"TRNUID":   regexp.MustCompile(`^.{1,36}$`),
	"CURDEF":   regexp.MustCompile(`^[A-Z]{3}$`),
	"BANKID":   regexp.MustCompile(`^.{1,9}$`),
	"BRANCHID": regexp.MustCompile(`^.{1,22}$`),
	"ACCTID":   regexp.MustCompile(`^.{1,22}$`),
	"ACCTTYPE": regexp.MustCompile(`^(CHECKING|SAVINGS|MONEYMRKT|CREDITLINE|CD)$`),
	"DTSTART":  regexp.MustCompile(`^[0-9]{8}$`),
	"DTEND":    regexp.MustCompile(`^[0-9]{8}$`),
	"TRNTYPE":  regexp.MustCompile(`^(CREDIT|DEBIT|INT|DIV|FEE|SRVCHG|DEP|ATM|POS|XFER|CHECK|PAYMENT|CASH|DIRECTDEP|DIRECTDEBIT|REPEATPMT|HOLD|OTHER)$`),
	"DTPOSTED": regexp.MustCompile(`^[0-9]{8}$`),
	"DTAVAIL":  regexp.MustCompile(`^[0-9]{8}$`),
	"TRNAMT":   regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`),
	"FITID":    regexp.MustCompile(`^.{1,255}$`),
	"REFNUM":   regexp.MustCompile(`^.{1,32}$`),
	"NAME":     regexp.MustCompile(`^.{1,32}$`),
	"MEMO":     regexp.MustCompile(`^.{1,255}$`),
	"BALAMT":   regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`),
	"DTASOF":   regexp.MustCompile(`^[0-9]{8}$`),
}

// ofxNode is an element of an OFX document.
type ofxNode struct {
	name     string
	children []*ofxNode
	text     string
}

// parseOFX checks the header of an OFX 2 document and returns its tree.
func parseOFX(t *testing.T, data []byte) *ofxNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*ofxNode
	var root *ofxNode
	var procInsts []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.ProcInst:
			procInsts = append(procInsts, tok.Target+" "+string(tok.Inst))
		case xml.StartElement:
			n := &ofxNode{name: tok.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				require.Nil(t, root, "one root element")
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	require.Equal(t, []string{
		`xml version="1.0" encoding="UTF-8" standalone="no"`,
		`OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"`,
	}, procInsts)
	require.NotNil(t, root)
	return root
}

// checkOFX checks n and its descendants against the content models, and
// counts the elements by name.
func checkOFX(t *testing.T, n *ofxNode, counts map[string]int) {
	t.Helper()
	counts[n.name]++
	if len(n.children) == 0 {
		re, ok := ofxValues[n.name]
		if assert.True(t, ok, "unexpected element %s", n.name) {
			assert.Regexp(t, re, n.text, n.name)
		}
		return
	}
	var seq strings.Builder
	for _, c := range n.children {
		seq.WriteString(c.name + " ")
	}
	re, ok := ofxModels[n.name]
	if assert.True(t, ok, "unexpected aggregate %s", n.name) {
		assert.Regexp(t, re, seq.String(), "children of %s", n.name)
	}
	assert.Empty(t, strings.TrimSpace(n.text), "text in aggregate %s", n.name)
	for _, c := range n.children {
		checkOFX(t, c, counts)
	}
}

// TestOFXStructure validates the OFX export of every test file against
// the OFX 2.x structure, and checks its figures against the JSON export.
func TestOFXStructure(t *testing.T) {
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			root := parseOFX(t, exportFile(t, in, Options{Format: OFX, Now: ofxTestNow}))
			require.Equal(t, "OFX", root.name)
			counts := map[string]int{}
			checkOFX(t, root, counts)

			var doc struct {
				Statements []jsonStatement `json:"statements"`
			}
			require.NoError(t, json.Unmarshal(exportFile(t, in, Options{Format: JSON}), &doc))
			assert.Equal(t, len(doc.Statements), counts["STMTRS"])
			bank := root.children[1]
			require.Equal(t, "BANKMSGSRSV1", bank.name)
			fitids := map[string]bool{}
			for i, rs := range bank.children {
				st := doc.Statements[i]
				stmtrs := rs.children[2]
				list := stmtrs.children[2]
				require.Equal(t, "BANKTRANLIST", list.name)
				trns := list.children[2:]
				require.Len(t, trns, st.MovementCount)
				for j, trn := range trns {
					mv := st.Movements[j]
					var amount, fitid string
					for _, c := range trn.children {
						switch c.name {
						case "TRNAMT":
							amount = c.text
						case "FITID":
							fitid = c.text
						}
					}
					if a, ok := mv["amount"].(string); ok {
						assert.Equal(t, a, amount)
					}
					assert.False(t, fitids[fitid], "FITID %s twice", fitid)
					fitids[fitid] = true
				}
				if st.ClosingBalance != nil {
					bal := stmtrs.children[3]
					require.Equal(t, "LEDGERBAL", bal.name)
					assert.Equal(t, *st.ClosingBalance, bal.children[0].text)
				}
			}
		})
	}
}

// TestOFXStable checks that exporting again gives the same document (the
// FITIDs an importer deduplicates on do not change).
func TestOFXStable(t *testing.T) {
	a := exportFile(t, "sepa.txt", Options{Format: OFX, Now: ofxTestNow})
	b := exportFile(t, "sepa.txt", Options{Format: OFX, Now: ofxTestNow})
	assert.Equal(t, string(a), string(b))
}

// TestOFXSpill exports a statement whose transactions go through the
// temporary file, and compares with the in-memory output.
func TestOFXSpill(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	want := exportFile(t, "gen.txt", Options{Format: OFX, Now: ofxTestNow})
	var out bytes.Buffer
	e, err := New(&out, Options{Format: OFX, Now: ofxTestNow})
	require.NoError(t, err)
	e.sink.(*ofxSink).spillAt = 1 // every transaction goes to the temporary file
	require.NoError(t, e.Export("gen.txt", bytes.NewReader(in)))
	require.NoError(t, e.Close())
	assert.Equal(t, string(want), out.String())
}

func TestColumnsOptions(t *testing.T) {
	_, err := New(io.Discard, Options{Format: JSON, Columns: ColumnsFR})
	assert.EqualError(t, err, "export: the fr columns apply to CSV and XLSX, not json")
	c, err := ParseColumns("FR")
	require.NoError(t, err)
	assert.Equal(t, ColumnsFR, c)
	_, err = ParseColumns("en")
	assert.EqualError(t, err, `unknown columns "en" (want default or fr)`)
	for _, s := range []string{"xlsx", "ofx"} {
		f, err := ParseFormat(s)
		require.NoError(t, err)
		assert.Equal(t, s, f.String())
	}
}

// parseCSV reads a CSV export (a BOM skipped).
func parseCSV(t *testing.T, data []byte) [][]string { return parseCSVSep(t, data, ',') }

func parseCSVSep(t *testing.T, data []byte, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.Comma = comma
	rows, err := r.ReadAll()
	require.NoError(t, err)
	return rows
}

// TestDiscardRemovesTemporaryFiles: an abandoned OFX export (a refused
// file) leaves no temporary file behind.
func TestDiscardRemovesTemporaryFiles(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	e, err := New(io.Discard, Options{Format: OFX, Now: ofxTestNow})
	require.NoError(t, err)
	sink := e.sink.(*ofxSink)
	sink.spillAt = 1
	// Stop in the middle of a statement, as a refused export does (the
	// validator cancels its reading).
	stop := errors.New("refused")
	err = e.Export("gen.txt", io.MultiReader(bytes.NewReader(in[:len(in)/2]), iotest.ErrReader(stop)))
	require.ErrorIs(t, err, stop)
	spill := sink.spill
	require.NotNil(t, spill, "a statement's transactions are in the temporary file")
	e.Discard()
	_, err = os.Stat(spill.Name())
	assert.ErrorIs(t, err, os.ErrNotExist)
	require.NoError(t, e.Close())
}
