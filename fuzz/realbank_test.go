package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// The shapes of real bank files that broke a command (issue 9). Each file
// is built here with the same shape; the real files stay outside.

// shapeStatement is one valid statement (01, 04 with 05s, 04 with 05s, 07)
// as LF-free records.
var shapeStatement = []string{
	"0130006    00001EUR2 12345678901  020326                                                  0000000015000{                ",
	"0430006015200001EUR2 12345678901B1020326  020326PRLV SEPA EDF                    0000001  0000000000845KREF000001       ",
	"0530006000000001EUR2 12345678901B1020326     NBEEDF SA                                                                  ",
	"0430006000000001EUR2 1234567890105020326  030326VIR 0,90220563 FRAIS 12,18 EUR   0000002  0000000123456G                ",
	"0530006000000001EUR2 1234567890105020326     NPYACME, SAS, PARIS                                                        ",
	"0730006    00001EUR2 12345678901  020326                                                  0000000137611E                ",
}

// shapeResult is what validate and export make of one input.
type shapeResult struct {
	rep       *validate.Report
	movements int // rows exported (JSON Lines)
	exported  string
}

func runShape(t *testing.T, data []byte) shapeResult {
	t.Helper()
	rep, err := validate.Stream("shape.txt", bytes.NewReader(data), validate.Options{})
	require.NoError(t, err)
	var out bytes.Buffer
	ex, err := export.New(&out, export.Options{Format: export.JSONL})
	require.NoError(t, err)
	require.NoError(t, ex.Export("shape.txt", bytes.NewReader(data)))
	require.NoError(t, ex.Close())
	return shapeResult{rep: rep, movements: strings.Count(out.String(), "\n"), exported: out.String()}
}

// count04 counts the 04 records of what the reader reads.
func count04(t *testing.T, data []byte) int {
	t.Helper()
	recs, _, _, _, err := readAll(data, cfonb.FramingAuto, 0)
	require.NoError(t, err)
	n := 0
	for _, r := range recs {
		if cfonb.ParseCode(r.Data) == cfonb.CodeMovement {
			n++
		}
	}
	return n
}

// TestShapeContinuousFinalEOL (shape 1): continuous 120-byte records
// followed by one final LF, CRLF or 0x1A, longer than the framing
// detection's window: every command reads every record, and export writes
// every movement (it wrote none).
func TestShapeContinuousFinalEOL(t *testing.T) {
	var cont bytes.Buffer
	_, err := gen.Write(context.Background(), &cont, gen.Options{Seed: 9, Size: 20 << 10, EOL: cfonb.EOLNone})
	require.NoError(t, err)
	require.Greater(t, cont.Len(), cfonb.DetectWindow)
	for _, tail := range []string{"", "\n", "\r\n", "\x1a", "\x1a\r\n"} {
		t.Run(strings.ReplaceAll(strings.ReplaceAll(tail, "\r", "CR"), "\n", "LF"), func(t *testing.T) {
			data := append(bytes.Clone(cont.Bytes()), tail...)
			res := runShape(t, data)
			assert.Equal(t, cont.Len()/cfonb.RecordLen, res.rep.Records)
			assert.Zero(t, res.rep.Errors+res.rep.Warnings, "%v", res.rep.Diagnostics)
			assert.Equal(t, cfonb.FramingContinuous, res.rep.Framing)
			assert.Positive(t, res.movements)
			assert.Equal(t, count04(t, cont.Bytes()), res.movements, "one row per 04")
		})
	}
}

// TestShapeCommasNotCSV (shape 3): a file of continuous records whose
// labels and complements hold commas is CFONB120, not CSV.
func TestShapeCommasNotCSV(t *testing.T) {
	for _, eol := range []string{"", "\n"} {
		data := []byte(strings.Join(shapeStatement, "") + eol)
		res := runShape(t, data)
		assert.Zero(t, res.rep.Errors+res.rep.Warnings, "%v", res.rep.Diagnostics)
		assert.Equal(t, 6, res.rep.Records)
		assert.Equal(t, 2, res.movements)
		assert.Empty(t, validate.DetectFormat(data))
	}
	// A real CSV export is still named.
	assert.Equal(t, "CSV (separator ';')", validate.DetectFormat([]byte("date;label;amount\n2026-03-02;VIR;12,50\n")))
}

// TestShapeMixedFraming (shape 4): the 01 on its own line, then a line of
// several concatenated records, then the 07: read as records, with no
// diagnostic (a real banks' convention; with Options.Pedantic, one warning
// at the line's second record), and exported whole.
func TestShapeMixedFraming(t *testing.T) {
	s := shapeStatement
	for _, eol := range []string{"\n", "\r\n", "\r"} {
		data := []byte(s[0] + eol + strings.Join(s[1:5], "") + eol + s[5] + eol)
		res := runShape(t, data)
		assert.Equal(t, 6, res.rep.Records)
		assert.Empty(t, res.rep.Diagnostics)
		pedantic, err := validate.Stream("shape.txt", bytes.NewReader(data), validate.Options{Pedantic: true})
		require.NoError(t, err)
		require.Len(t, pedantic.Diagnostics, 1)
		d := pedantic.Diagnostics[0]
		assert.Equal(t, []any{2, 121, validate.RuleFraming, validate.SeverityWarning}, []any{d.Line, d.Column, d.Rule, d.Severity})
		assert.Equal(t, 2, res.movements)
		// The same statement with a line end after every record exports
		// the same movements, except for their line numbers.
		canonical := runShape(t, []byte(strings.Join(s, "\n")+"\n"))
		assert.Equal(t, strings.Count(canonical.exported, `"amount"`), strings.Count(res.exported, `"amount"`))
		// A diagnostic in the line's third record has the column of the
		// line: columns 241-360 hold it.
		bad := []byte(s[0] + eol + s[1] + s[2] + strings.Replace(s[3], "030326", "300226", 1) + s[4] + eol + s[5] + eol)
		rep, err := validate.Stream("shape.txt", bytes.NewReader(bad), validate.Options{})
		require.NoError(t, err)
		var date *validate.Diagnostic
		for i := range rep.Diagnostics {
			if rep.Diagnostics[i].Rule == validate.RuleDate {
				date = &rep.Diagnostics[i]
			}
		}
		require.NotNil(t, date, "%v", rep.Diagnostics)
		assert.Equal(t, 2, date.Line)
		assert.Equal(t, 2*cfonb.RecordLen+43, date.Column)
	}
}

// TestShapeFmtCROnlyAndMixed (shapes 2 and 4): fmt writes a CR-only file
// and a mixed-framing file as one record per line, identical to fmt of
// the same records with LF line ends.
func TestShapeFmtCROnlyAndMixed(t *testing.T) {
	s := shapeStatement
	want := strings.Join(s, "\r\n") + "\r\n"
	for name, in := range map[string]string{
		"CR only":           strings.Join(s, "\r") + "\r",
		"CR only, no final": strings.Join(s, "\r"),
		"mixed LF":          s[0] + "\n" + strings.Join(s[1:5], "") + "\n" + s[5] + "\n",
		"mixed CR":          s[0] + "\r" + strings.Join(s[1:5], "") + "\r" + s[5] + "\r",
		"continuous + LF":   strings.Join(s, "") + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := normalize.New().Normalize(&out, strings.NewReader(in))
			require.NoError(t, err)
			assert.Equal(t, want, out.String())
		})
	}
}

// blank01 returns the shape statement with the 01's currency and decimals
// (columns 17-20) replaced by cur.
func blank01(cur string) []string {
	s := append([]string(nil), shapeStatement...)
	s[0] = s[0][:16] + cur + s[0][20:]
	return s
}

// TestShapeBlankCurrencyOn01 (shape 5): a 01 that leaves its decimals, or
// its currency and decimals, blank while the statement's other records say
// EUR2: the statement's figures are taken from them, silently (a real
// banks' convention: a warning only with Options.Pedantic), and the same
// figures are in validate's summaries (inspect) and in export. Records
// that disagree with them are an error.
func TestShapeBlankCurrencyOn01(t *testing.T) {
	for _, cur := range []string{"EUR ", "    "} {
		data := []byte(strings.Join(blank01(cur), "\r\n") + "\r\n")
		rep, err := validate.Stream("shape.txt", bytes.NewReader(data), validate.Options{Summary: true})
		require.NoError(t, err)
		assert.Empty(t, rep.Diagnostics)
		pedantic, err := validate.Stream("shape.txt", bytes.NewReader(data), validate.Options{Pedantic: true})
		require.NoError(t, err)
		assert.Zero(t, pedantic.Errors, "%v", pedantic.Diagnostics)
		require.Len(t, pedantic.Diagnostics, 1)
		d := pedantic.Diagnostics[0]
		assert.Equal(t, []any{1, 17, validate.RuleBlankCurrency, validate.SeverityWarning}, []any{d.Line, d.Column, d.Rule, d.Severity})
		assert.Equal(t, "currency or number of decimals blank on the old balance (01): EUR2 taken from line 2", d.Message)
		require.Len(t, rep.Summaries, 1)
		s := rep.Summaries[0]
		assert.Equal(t, 2, s.Decimals)
		assert.Equal(t, "EUR", string(s.Account.Currency[:]))
		assert.True(t, s.Reconciles)
		assert.Equal(t, "1500.00", cfonb.FormatDecimal(s.Opening, s.Decimals))

		var out bytes.Buffer
		ex, err := export.New(&out, export.Options{Format: export.JSON})
		require.NoError(t, err)
		require.NoError(t, ex.Export("shape.txt", bytes.NewReader(data)))
		require.NoError(t, ex.Close())
		assert.Contains(t, out.String(), `"opening_balance": "1500.00"`)
		assert.Contains(t, out.String(), `"closing_balance": "13761.15"`)
		assert.Contains(t, out.String(), `"reconciles": true`)
		assert.Contains(t, out.String(), `"currency": "EUR"`)
	}
	// The statement's records disagree: an error.
	s := blank01("    ")
	s[5] = s[5][:16] + "USD2" + s[5][20:]
	rep, err := validate.Stream("shape.txt", strings.NewReader(strings.Join(s, "\n")+"\n"), validate.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Errors, "%v", rep.Diagnostics)
	// No record gives them: an error at the 01.
	s = blank01("    ")
	for i := range s {
		s[i] = s[i][:16] + "    " + s[i][20:]
	}
	rep, err = validate.Stream("shape.txt", strings.NewReader(strings.Join(s, "\n")+"\n"), validate.Options{})
	require.NoError(t, err)
	require.Positive(t, rep.Errors, "%v", rep.Diagnostics)
	assert.Equal(t, validate.RuleFieldFormat, rep.Diagnostics[0].Rule)
	assert.Equal(t, 1, rep.Diagnostics[0].Line)
}

// TestShapeBankConventions (shapes 6 and 7): a file holding the
// conventions of real banks (an E in column 21, dates and a sequence
// number in the 01's columns 105-120, "** PAS DE MOUVEMENT CE JOUR **" and
// dashes in 41-90, zeros in a reserved zone, the PDO qualifier, a 05 with
// a value date in place of a qualifier, a blank interbank code) and whose
// statements are written newest first gives no diagnostic by default, and
// its reserved zones with Pedantic. Repeated warnings are capped.
func TestShapeBankConventions(t *testing.T) {
	data, err := os.ReadFile("../testdata/valid/bank-conventions.txt")
	require.NoError(t, err)
	res := runShape(t, data)
	assert.Zero(t, res.rep.Errors+res.rep.Warnings, "%v", res.rep.Diagnostics)
	assert.Equal(t, 3, res.movements)

	rep, err := validate.Stream("c.txt", bytes.NewReader(data), validate.Options{Pedantic: true, MaxPerRule: 3})
	require.NoError(t, err)
	assert.Zero(t, rep.Errors)
	assert.Equal(t, 13, rep.Warnings)
	assert.Equal(t, []validate.Repeated{{Rule: validate.RuleReservedZone, Shown: 3, NotShown: 9}}, rep.Repeated)
	assert.Len(t, rep.Diagnostics, 4) // 3 reserved-zone, 1 interbank-code
	assert.Equal(t, rep.Warnings, len(rep.Diagnostics)+rep.Omitted)

	// Newest first, with a gap: the newer statement (lines 1-2) opens at
	// 13759.66, the older one (lines 3-10) closes at 13759.65.
	broken := bytes.Replace(data, []byte("0000000137596E"), []byte("0000000137596F"), 2)
	rep, err = validate.Stream("c.txt", bytes.NewReader(broken), validate.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Diagnostics, 1, "%v", rep.Diagnostics)
	d := rep.Diagnostics[0]
	assert.Equal(t, []any{10, 91, validate.RuleOpeningBalance}, []any{d.Line, d.Column, d.Rule})
	assert.Equal(t, "closing balance 13759.65 differs from the opening balance 13759.66 of the next statement of this account by date (line 1)", d.Message)
}

// TestShapeComplementsAndLabel (shapes 8 and 9): complements whose layout
// is known are split into their fields, trimmed; an MMO with a blank rate
// keeps its currency and amount; a LIB after a full 31-character label is
// joined with one space, and the 04's label alone is kept too.
func TestShapeComplementsAndLabel(t *testing.T) {
	c := func(q, info string) string {
		r := shapeStatement[2][:45] + q + info
		return (r + strings.Repeat(" ", 120))[:120]
	}
	pad := func(a, b string) string { return (a + strings.Repeat(" ", 35))[:35] + b }
	mv := shapeStatement[1][:48] + "VIREMENT SALAIRE MARS 2026 SOCI" + shapeStatement[1][79:]
	s := []string{shapeStatement[0], mv,
		c("LIB", "KAGRIFRPP882"),
		c("RUM", pad("++FR12ZZZ000001-2026", "RCUR")),
		c("REF", pad("256150872", "CITISEPA20260302")),
		c("RCN", pad("E2E-0042", "SALA")),
		c("IBE", pad("FR12ZZZ000001", "CORE")),
		c("MMO", "USD2"+"00000000010000"+"             "),
		shapeStatement[3], shapeStatement[4], shapeStatement[5]}
	res := runShape(t, []byte(strings.Join(s, "\n")+"\n"))
	assert.Zero(t, res.rep.Errors, "%v", res.rep.Diagnostics)
	first := strings.SplitN(res.exported, "\n", 2)[0]
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(first), &m))
	for k, want := range map[string]any{
		"label":                 "VIREMENT SALAIRE MARS 2026 SOCI KAGRIFRPP882",
		"label_04":              "VIREMENT SALAIRE MARS 2026 SOCI",
		"mandate_reference":     "++FR12ZZZ000001-2026",
		"mandate_sequence_type": "RCUR",
		"bank_reference":        "256150872",
		"bank_instruction_id":   "CITISEPA20260302",
		"end_to_end_reference":  "E2E-0042",
		"purpose":               "SALA",
		"payee_id":              "FR12ZZZ000001",
		"payee_id_type":         "CORE",
		"original_currency":     "USD",
		"original_amount":       "100.00",
	} {
		assert.Equal(t, want, m[k], k)
	}
	assert.Nil(t, m["exchange_rate"])
}

// TestShapeBlankCurrencyContinuity: two statements of one account whose
// 01s leave the currency blank, their movements saying EUR2. The second's
// opening is checked against the first's closing, as for any statement:
// the account's earlier statement is looked up once the currency is known
// (it was looked up under a blank currency, and never found).
func TestShapeBlankCurrencyContinuity(t *testing.T) {
	first := blank01("    ")
	second := blank01("    ")
	// The second statement opens with 1.00 more than the first closed with
	// (13761.15), and closes reconciled.
	second[0] = second[0][:90] + "0000000137621E" + second[0][104:]
	last := len(second) - 1
	second[last] = second[last][:90] + "0000000260233{" + second[last][104:]
	data := []byte(strings.Join(append(first, second...), "\r\n") + "\r\n")
	diagnostics := func(opts validate.Options) []string {
		rep, err := validate.Stream("shape.txt", bytes.NewReader(data), opts)
		require.NoError(t, err)
		var got []string
		for _, d := range rep.Diagnostics {
			got = append(got, fmt.Sprintf("%d:%d %s %s", d.Line, d.Column, d.Rule, d.Message))
		}
		return got
	}
	n := len(first) + 1
	assert.Equal(t, []string{
		fmt.Sprintf("%d:91 opening-balance opening balance 13762.15 differs from the closing balance 13761.15 of the previous statement of this account (line %d)", n, n-1),
	}, diagnostics(validate.Options{}))
	assert.Equal(t, []string{
		"1:17 blank-currency currency or number of decimals blank on the old balance (01): EUR2 taken from line 2",
		fmt.Sprintf("%d:17 blank-currency currency or number of decimals blank on the old balance (01): EUR2 taken from line %d", n, n+1),
		fmt.Sprintf("%d:91 opening-balance opening balance 13762.15 differs from the closing balance 13761.15 of the previous statement of this account (line %d)", n, n-1),
	}, diagnostics(validate.Options{Pedantic: true}))
}
