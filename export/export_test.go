package export

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// inputs are the test files exported to goldens.
var inputs = []string{"sepa.txt", "continuous.txt", "latin1.txt", "damaged.txt", "complex-test.txt"}

// valid are the inputs that are valid CFONB120 (every statement reconciles).
var valid = []string{"sepa.txt", "continuous.txt", "latin1.txt", "complex-test.txt", "gen.txt"}

// exportFile exports one test file with opts and returns the output.
func exportFile(t *testing.T, name string, opts Options) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	var out bytes.Buffer
	e, err := New(&out, opts)
	require.NoError(t, err)
	require.NoError(t, e.Export(name, f))
	require.NoError(t, e.Close())
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	formats := []struct {
		ext  string
		opts Options
	}{
		{"jsonl", Options{Format: JSONL}},
		{"json", Options{Format: JSON}},
		{"csv", Options{Format: CSV}},
		{"fr.csv", Options{Format: CSV, DecimalComma: true, BOM: true}},
		{"columns-fr.csv", Options{Format: CSV, Columns: ColumnsFR, DecimalComma: true, BOM: true}},
		{"ofx", Options{Format: OFX, Now: ofxTestNow}},
	}
	for _, in := range inputs {
		for _, f := range formats {
			if f.ext == "fr.csv" && in != "sepa.txt" {
				continue
			}
			t.Run(in+"."+f.ext, func(t *testing.T) {
				got := exportFile(t, in, f.opts)
				golden := filepath.Join("testdata", "golden", strings.TrimSuffix(in, ".txt")+"."+f.ext)
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, got, 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "run go test ./export -update to create the goldens")
				assert.Equal(t, string(want), string(got))
			})
		}
	}
}

// jsonStatement is the JSON format's statement, for the tests.
type jsonStatement struct {
	File           string           `json:"file"`
	Line           *int             `json:"line"`
	IBAN           *string          `json:"iban"`
	OpeningBalance *string          `json:"opening_balance"`
	ClosingBalance *string          `json:"closing_balance"`
	MovementCount  int              `json:"movement_count"`
	TotalDebits    string           `json:"total_debits"`
	TotalCredits   string           `json:"total_credits"`
	Reconciles     bool             `json:"reconciles"`
	Movements      []map[string]any `json:"movements"`
}

func decimal(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	require.True(t, ok, "not a decimal: %q", s)
	return r
}

// TestSumsReconcile is the property test: in every statement of every valid
// file, the exported amounts add up to the closing balance minus the
// opening one, and the JSON Lines and CSV exports carry the same amounts.
func TestSumsReconcile(t *testing.T) {
	for _, in := range valid {
		t.Run(in, func(t *testing.T) {
			var doc struct {
				Statements []jsonStatement `json:"statements"`
			}
			require.NoError(t, json.Unmarshal(exportFile(t, in, Options{Format: JSON}), &doc))
			require.NotEmpty(t, doc.Statements)
			var all []string
			for _, st := range doc.Statements {
				require.NotNil(t, st.OpeningBalance)
				require.NotNil(t, st.ClosingBalance)
				sum, debits, credits := new(big.Rat), new(big.Rat), new(big.Rat)
				for _, m := range st.Movements {
					a := decimal(t, m["amount"].(string))
					sum.Add(sum, a)
					if a.Sign() < 0 {
						debits.Add(debits, a)
					} else {
						credits.Add(credits, a)
					}
					all = append(all, m["amount"].(string))
				}
				want := new(big.Rat).Sub(decimal(t, *st.ClosingBalance), decimal(t, *st.OpeningBalance))
				assert.Equal(t, want.String(), sum.String(), "statement at line %d", *st.Line)
				assert.True(t, st.Reconciles, "statement at line %d", *st.Line)
				assert.Equal(t, len(st.Movements), st.MovementCount)
				assert.Equal(t, debits.String(), decimal(t, st.TotalDebits).String())
				assert.Equal(t, credits.String(), decimal(t, st.TotalCredits).String())
			}

			var lines []string
			for _, l := range strings.Split(strings.TrimSuffix(string(exportFile(t, in, Options{})), "\n"), "\n") {
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(l), &m), l)
				lines = append(lines, m["amount"].(string))
			}
			assert.Equal(t, all, lines, "JSON Lines amounts")

			rows, err := csv.NewReader(bytes.NewReader(exportFile(t, in, Options{Format: CSV}))).ReadAll()
			require.NoError(t, err)
			var col []string
			for _, r := range rows[1:] {
				col = append(col, r[9])
			}
			assert.Equal(t, "amount", rows[0][9])
			assert.Equal(t, all, col, "CSV amounts")
		})
	}
}

func TestMovementFields(t *testing.T) {
	out := exportFile(t, "sepa.txt", Options{})
	var ms []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		ms = append(ms, m)
	}
	require.Len(t, ms, 10)

	edf := ms[0]
	assert.Equal(t, "sepa.txt", edf["file"])
	assert.Equal(t, 2.0, edf["line"])
	assert.Equal(t, "30006", edf["bank"])
	assert.Equal(t, "00001", edf["branch"])
	assert.Equal(t, "12345678901", edf["account"])
	assert.Equal(t, "FR7630006000011234567890189", edf["iban"])
	assert.Equal(t, "EUR", edf["currency"])
	assert.Equal(t, "2026-03-02", edf["booking_date"])
	assert.Equal(t, "-89.90", edf["amount"])
	assert.Equal(t, -8990.0, edf["amount_minor"])
	assert.Equal(t, "B1", edf["interbank_code"])
	assert.Equal(t, "Prélèvements SEPA domiciliés", edf["interbank_label"])
	assert.Equal(t, "0712", edf["internal_code"])
	assert.Nil(t, edf["rejection_code"])
	assert.Equal(t, "EDF SA", edf["payee_name"])
	assert.Equal(t, "FR12ZZZ123456", edf["payee_id"])
	assert.Equal(t, "SEPA CREDITOR IDENTIFIER", edf["payee_id_type"])
	assert.Equal(t, "MANDAT-2024-0001", edf["mandate_reference"])
	assert.Equal(t, "E2E-EDF-20260302-0001", edf["end_to_end_reference"])
	assert.Equal(t, "ELEC", edf["purpose"])
	// LCC fills its 70 characters: LC2 goes on without a space.
	assert.Equal(t, "FACTURE 123456 DU 01/03/2026 CONTRAT 778899 ECHEANCE MARS 2026 -- ELECTRICITE ET GAZ", edf["remittance_info"])
	assert.Len(t, edf["complements"], 6)
	assert.Equal(t, map[string]any{"qualifier": "RUM", "text": "MANDAT-2024-0001"}, edf["complements"].([]any)[2])

	acme := ms[1]
	assert.Equal(t, "1500.00", acme["amount"])
	assert.Equal(t, "ACME SAS", acme["payer_name"])
	assert.Equal(t, "FR123456789", acme["payer_id"])
	assert.Equal(t, "SIREN", acme["payer_id_type"])
	assert.Equal(t, "FR7630004008230001000015611 BNPAFRPPXXX", acme["payer_account"])
	assert.Equal(t, "ACME HOLDING", acme["ultimate_debtor_name"])
	assert.Equal(t, "HOLD-42", acme["ultimate_debtor_id"])
	assert.Equal(t, "ALICE MARTIN", acme["ultimate_creditor_name"])
	assert.Equal(t, "CLIENT-0042", acme["ultimate_creditor_id"])
	assert.NotContains(t, acme, "ultimate_creditor_id_type")
	assert.Equal(t, "FR7630006000011234567890189", acme["payee_account"])
	assert.Equal(t, "RF18539007547034", acme["remittance_reference"])
	assert.Equal(t, "BANKREF 998877", acme["bank_reference"])

	fee := ms[2]
	assert.Equal(t, "12.50", fee["fee"])
	assert.Equal(t, "EUR", fee["fee_currency"])

	intl := ms[3]
	// The 04 label fills its 31 characters: the LIB goes on without a space.
	assert.Equal(t, "VIR INTERNATIONAL RECU DE JOHN SMITH TRADING LTD", intl["label"])
	assert.Equal(t, "1000.00", intl["original_amount"])
	assert.Equal(t, "USD", intl["original_currency"])
	assert.Equal(t, "0.9250000", intl["exchange_rate"])

	rej := ms[4]
	assert.Equal(t, "AM", rej["rejection_code"])

	card := ms[5]
	assert.Equal(t, "FR1420041010050500013M02606", card["iban"])
	assert.Equal(t, `CB "LE PETIT" CAFE; PARIS\1`, card["label"])
	assert.Nil(t, card["interbank_label"])
	assert.Equal(t, "PREMIER NOM SECOND NOM", card["payer_name"])
	assert.Equal(t, []any{
		map[string]any{"qualifier": "XYZ", "text": "PROPRIETARY QUALIFIER TEXT"},
		map[string]any{"qualifier": "", "text": "BLANK QUALIFIER"},
		map[string]any{"qualifier": "NPY", "text": "PREMIER NOM"},
		map[string]any{"qualifier": "NPY", "text": "SECOND NOM"},
	}, card["complements"])

	tnd := ms[8]
	assert.Equal(t, "TND", tnd["currency"])
	assert.Equal(t, "-1.234", tnd["amount"])
	assert.Equal(t, "FR6010278060760001234A56713", tnd["iban"])
}

func TestLatin1(t *testing.T) {
	out := exportFile(t, "latin1.txt", Options{})
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	assert.Equal(t, "CAFÉ  CB 26/02 MONTANT EN € : 4,50", m["label"])
}

func TestDamaged(t *testing.T) {
	var doc struct {
		Statements []jsonStatement `json:"statements"`
	}
	require.NoError(t, json.Unmarshal(exportFile(t, "damaged.txt", Options{Format: JSON}), &doc))
	require.Len(t, doc.Statements, 3)

	orphan := doc.Statements[0]
	assert.Nil(t, orphan.Line, "a statement opened by a 04 has no line")
	assert.Nil(t, orphan.OpeningBalance)
	assert.Equal(t, "10.00", *orphan.ClosingBalance)
	assert.False(t, orphan.Reconciles)
	require.Len(t, orphan.Movements, 1)

	open := doc.Statements[1]
	assert.Nil(t, open.ClosingBalance, "never closed")
	assert.False(t, open.Reconciles)
	require.Len(t, open.Movements, 3)
	assert.Nil(t, open.Movements[0]["booking_date"], "31 February")
	assert.Equal(t, "5.00", open.Movements[0]["amount"])
	assert.Nil(t, open.Movements[1]["amount"])
	assert.Nil(t, open.Movements[1]["amount_minor"])
	assert.Equal(t, "2.50", open.Movements[2]["amount"], "blank decimals: the statement's")

	short := doc.Statements[2]
	require.Len(t, short.Movements, 1)
	assert.Equal(t, "30006", short.Movements[0]["bank"])
	assert.True(t, short.Reconciles == false)
}

func TestEmpty(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Format: JSONL}, ""},
		{Options{Format: JSON}, "{\n  \"statements\": []\n}\n"},
		{Options{Format: CSV}, strings.Join(CSVHeader(), ",") + "\r\n"},
		{Options{Format: CSV, Comma: '\t', BOM: true}, "\uFEFF" + strings.Join(CSVHeader(), "\t") + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.opts.Format.String(), func(t *testing.T) {
			var out bytes.Buffer
			e, err := New(&out, tt.opts)
			require.NoError(t, err)
			require.NoError(t, e.Export("empty", strings.NewReader("")))
			require.NoError(t, e.Close())
			assert.Equal(t, tt.want, out.String())
		})
	}
}

func TestMultipleFiles(t *testing.T) {
	var out bytes.Buffer
	e, err := New(&out, Options{Format: JSON})
	require.NoError(t, err)
	for _, name := range []string{"latin1.txt", "complex-test.txt"} {
		f, err := os.Open(filepath.Join("testdata", name))
		require.NoError(t, err)
		require.NoError(t, e.Export(name, f))
		_ = f.Close()
	}
	require.NoError(t, e.Close())
	var doc struct {
		Statements []jsonStatement `json:"statements"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Statements, 9)
	assert.Equal(t, "latin1.txt", doc.Statements[0].File)
	assert.Equal(t, "complex-test.txt", doc.Statements[8].File)
}

func TestOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"bad format", Options{Format: 9}, "unknown format"},
		{"bom with json", Options{Format: JSON, BOM: true}, "apply to CSV"},
		{"comma with jsonl", Options{Format: JSONL, Comma: ';'}, "apply to CSV"},
		{"quote separator", Options{Format: CSV, Comma: '"'}, "cannot separate"},
		{"newline separator", Options{Format: CSV, Comma: '\n'}, "cannot separate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(&bytes.Buffer{}, tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseFormat(t *testing.T) {
	for s, want := range map[string]Format{"jsonl": JSONL, "NDJSON": JSONL, "json": JSON, "csv": CSV} {
		got, err := ParseFormat(s)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseFormat("xml")
	assert.EqualError(t, err, `unknown format "xml" (want jsonl, json, csv, xlsx or ofx)`)
}

func TestTooManyComplements(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	e, err := New(&bytes.Buffer{}, Options{MaxComplements: 3})
	require.NoError(t, err)
	err = e.Export("sepa.txt", bytes.NewReader(data))
	require.ErrorIs(t, err, ErrTooManyComplements)
	assert.EqualError(t, err, "sepa.txt: line 6: too many complements for one movement (more than 3)")
	var pe *cfonb.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 6, pe.Line)
}

type failWriter struct{}

func (w *failWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, f := range []Format{JSONL, JSON, CSV} {
		t.Run(f.String(), func(t *testing.T) {
			e, err := New(&failWriter{}, Options{Format: f})
			require.NoError(t, err)
			data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
			require.NoError(t, err)
			err = e.Export("sepa.txt", bytes.NewReader(data))
			if err == nil {
				err = e.Close()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "disk full")
		})
	}
}

func TestExportAfterClose(t *testing.T) {
	e, err := New(&bytes.Buffer{}, Options{})
	require.NoError(t, err)
	require.NoError(t, e.Close())
	assert.Error(t, e.Export("x", strings.NewReader("")))
	assert.NoError(t, e.Close(), "a second Close is harmless")
}

func TestBOMInput(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "latin1.txt"))
	require.NoError(t, err)
	withBOM := append([]byte("\xEF\xBB\xBF"), data...)
	var a, b bytes.Buffer
	for _, c := range []struct {
		in  []byte
		out *bytes.Buffer
	}{{data, &a}, {withBOM, &b}} {
		e, err := New(c.out, Options{Format: JSON})
		require.NoError(t, err)
		require.NoError(t, e.Export("f", bytes.NewReader(c.in)))
		require.NoError(t, e.Close())
	}
	assert.Equal(t, a.String(), b.String())
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"ACME SAS", `"ACME SAS"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\there\r\n\x01\x7f", `"tab\there\r\n\u0001` + "\x7f" + `"`},
		{"déjà vu €", `"déjà vu €"`},            // UTF-8 kept
		{"caf\xe9 \x80", `"café €"`},            // Windows-1252
		{"\xe9\"", `"é\""`},                     // both
		{"caf\xc3\xa9", `"café"`},               // UTF-8
		{"mixed \xc3\xa9 \xe9", `"mixed Ã© é"`}, // not UTF-8 as a whole: all Windows-1252
	}
	for _, tt := range tests {
		got := string(appendJSONString(nil, []byte(tt.in)))
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.True(t, json.Valid([]byte(got)), got)
	}
}

// sharedFiles lists the repository's shared test files (testdata/ at the
// root), which other packages own: the tests below judge them only through
// properties, not goldens.
func sharedFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"valid/*", "invalid/*", "samples/*.txt"} {
		m, err := filepath.Glob(filepath.Join("..", "testdata", pattern))
		require.NoError(t, err)
		files = append(files, m...)
	}
	return files
}

// TestSharedFilesReconcile runs the property test on every shared file the
// validator finds no error in.
func TestSharedFilesReconcile(t *testing.T) {
	for _, path := range sharedFiles(t) {
		rep, err := validate.File(path, validate.Options{})
		require.NoError(t, err)
		if rep.Errors > 0 {
			continue
		}
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var out bytes.Buffer
			e, err := New(&out, Options{Format: JSON})
			require.NoError(t, err)
			require.NoError(t, e.Export(path, bytes.NewReader(data)))
			require.NoError(t, e.Close())
			var doc struct {
				Statements []jsonStatement `json:"statements"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			for _, st := range doc.Statements {
				require.NotNil(t, st.OpeningBalance)
				require.NotNil(t, st.ClosingBalance)
				sum := new(big.Rat)
				for _, m := range st.Movements {
					sum.Add(sum, decimal(t, m["amount"].(string)))
				}
				want := new(big.Rat).Sub(decimal(t, *st.ClosingBalance), decimal(t, *st.OpeningBalance))
				assert.Equal(t, want.String(), sum.String(), "statement at line %d", *st.Line)
				assert.True(t, st.Reconciles)
			}
		})
	}
}

// checkOutput checks that an export is well-formed in its format.
func checkOutput(t *testing.T, f Format, out []byte) {
	t.Helper()
	switch f {
	case JSON:
		require.True(t, json.Valid(out), "%s", out)
	case JSONL:
		for _, l := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
			if len(l) > 0 {
				require.True(t, json.Valid(l), "%s", l)
			}
		}
	case CSV:
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		require.NoError(t, err)
		for _, r := range rows {
			require.Len(t, r, len(CSVHeader()))
		}
	}
}

// TestSharedFilesWellFormed exports every shared file, valid or not (what
// --force does), in every format: no panic, well-formed output.
func TestSharedFilesWellFormed(t *testing.T) {
	for _, path := range sharedFiles(t) {
		for _, f := range []Format{JSONL, JSON, CSV} {
			t.Run(path+"/"+f.String(), func(t *testing.T) {
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				var out bytes.Buffer
				e, err := New(&out, Options{Format: f})
				require.NoError(t, err)
				require.NoError(t, e.Export(path, bytes.NewReader(data)))
				require.NoError(t, e.Close())
				checkOutput(t, f, out.Bytes())
			})
		}
	}
}

// FuzzExport checks that any input exports without a panic to well-formed
// JSON Lines, JSON and CSV.
func FuzzExport(f *testing.F) {
	for _, name := range inputs {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("05\n04\n07\n01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{JSONL, JSON, CSV} {
			var out bytes.Buffer
			e, err := New(&out, Options{Format: format})
			require.NoError(t, err)
			require.NoError(t, e.Export("fuzz", bytes.NewReader(data)))
			require.NoError(t, e.Close())
			checkOutput(t, format, out.Bytes())
		}
	})
}

// repeatReader reads data n times over, without holding the copies.
type repeatReader struct {
	data []byte
	n    int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.data[r.off:])
	r.off += k
	if r.off == len(r.data) {
		r.off = 0
		r.n--
	}
	return k, nil
}

// TestConstantMemory checks that the exports allocate nothing per
// movement: the bytes allocated to export a file ten times larger are about
// the same.
func TestConstantMemory(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	allocated := func(f Format, n int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		e, err := New(io.Discard, Options{Format: f})
		require.NoError(t, err)
		require.NoError(t, e.Export("sepa.txt", &repeatReader{data: data, n: n}))
		require.NoError(t, e.Close())
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, f := range []Format{JSONL, JSON, CSV} {
		small, large := allocated(f, 100), allocated(f, 1000) // 0.5 MB and 5 MB of input
		assert.Less(t, large, small+256<<10, "%v: %d bytes for 100 copies, %d for 1000", f, small, large)
	}
}

func TestSafe8(t *testing.T) {
	safe := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	// Every byte value at every position, among safe and unsafe neighbours.
	for _, fill := range []byte{'A', ' ', 0x7F, 0x00, 0xFF, '"'} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < 8; pos++ {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				want := true
				for _, x := range b {
					want = want && safe(x)
				}
				assert.Equal(t, want, safe8(binary.LittleEndian.Uint64(b[:])), "% x", b)
			}
		}
	}
}

func TestBlankAndUnknownLines(t *testing.T) {
	const (
		open  = "0110278    02204EUR2 00012345603  060420                                                  0000000166956E                "
		mov   = "0410278677202204EUR2 00012345603B1070420  070420PRLV SEPA ONLINE SAS             0000000000000000000227R                "
		lib   = "0510278677202204EUR2 00012345603B1070420     LIBDEDIBOX 3706114                                                         "
		close = "0710278    02204EUR2 00012345603  070420                                                  0000000166728F                "
	)
	tests := []struct {
		name, between string
		complements   int
	}{
		{"blank line", "\n", 1},
		{"spaces", "                    \n", 1},
		{"unknown record", "99 SOMETHING ELSE\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := open + "\n" + mov + "\n" + tt.between + lib + "\n" + close + "\n"
			var out bytes.Buffer
			e, err := New(&out, Options{})
			require.NoError(t, err)
			require.NoError(t, e.Export("f", strings.NewReader(in)))
			require.NoError(t, e.Close())
			var m map[string]any
			require.NoError(t, json.Unmarshal(out.Bytes(), &m))
			assert.Len(t, m["complements"], tt.complements)
		})
	}
}

func TestCounts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	e, err := New(io.Discard, Options{Format: CSV})
	require.NoError(t, err)
	require.NoError(t, e.Export("sepa.txt", bytes.NewReader(data)))
	require.NoError(t, e.Close())
	st, mv := e.Counts()
	assert.Equal(t, 4, st)
	assert.Equal(t, 10, mv)
}

// stuckReader returns nothing, for ever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// failingReader returns some data, then an error.
type failingReader struct{ data []byte }

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("input/output error")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadErrors(t *testing.T) {
	e, err := New(io.Discard, Options{})
	require.NoError(t, err)
	err = e.Export("stuck", stuckReader{})
	assert.ErrorIs(t, err, io.ErrNoProgress)

	data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	e, err = New(io.Discard, Options{})
	require.NoError(t, err)
	err = e.Export("sepa.txt", &failingReader{data: data[:1000]})
	assert.EqualError(t, err, "sepa.txt: line 9: input/output error")
}

func TestJSONSafeTable(t *testing.T) {
	require.Len(t, jsonSafe, 256)
	for c := 0; c < 256; c++ {
		want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
		assert.Equal(t, want, jsonSafe[c] == '1', "byte %#x", c)
	}
}

func TestViewAdd(t *testing.T) {
	var v view
	v.add(&v.named[nPayerName], []byte("PREMIER"), false)
	v.add(&v.named[nPayeeName], []byte("PAYEE"), false)
	v.add(&v.named[nPayerName], []byte("SECOND"), true) // moved after PAYEE
	v.add(&v.named[nPayerName], []byte("NOM"), false)   // SECOND filled its zone: no space
	v.add(&v.named[nPayerName], nil, false)             // nothing to add
	assert.Equal(t, "PREMIER SECONDNOM", string(v.get(v.named[nPayerName])))
	assert.Equal(t, "PAYEE", string(v.get(v.named[nPayeeName])))
	assert.False(t, v.named[nPurpose].set)
}

// TestComplementValueDate: a 05 holding a value date at 43-48 in place of
// a qualifier (a factoring bank, testdata/valid/bank-conventions.txt line
// 8) is exported with its value date, not with a qualifier "326" (the
// date's last digits).
func TestComplementValueDate(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "bank-conventions.txt"))
	require.NoError(t, err)
	run := func(opts Options) string {
		var out bytes.Buffer
		e, err := New(&out, opts)
		require.NoError(t, err)
		require.NoError(t, e.Export("bank-conventions.txt", bytes.NewReader(in)))
		require.NoError(t, e.Close())
		return out.String()
	}
	jsonl := run(Options{})
	assert.NotContains(t, jsonl, `"326"`)
	lines := strings.Split(strings.TrimSuffix(jsonl, "\n"), "\n")
	require.Len(t, lines, 3)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &m))
	assert.Equal(t, 7.0, m["line"])
	assert.Equal(t, []any{
		map[string]any{"qualifier": "", "text": "FACTORING 2026-03", "value_date": "2026-03-03"},
	}, m["complements"])
	assert.Contains(t, lines[1], `"complements":[{"qualifier":"","text":"FACTORING 2026-03","value_date":"2026-03-03"}]}`)
	// The other complements keep their qualifiers, without a value date.
	assert.Contains(t, lines[0], `{"qualifier":"NBE","text":"EDF SA"},{"qualifier":"PDO","text":"FR FRANCE"}]`)

	csvOut := run(Options{Format: CSV})
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, "2026-03-03:FACTORING 2026-03", rows[2][len(rows[2])-1])
	assert.Equal(t, "NBE:EDF SA | PDO:FR FRANCE", rows[1][len(rows[1])-1])
}

// TestNoAllocationPerRecord: once an Exporter is warm, exporting twice as
// many records allocates nothing more, in the formats written from the
// exporter's own buffer (what is allocated per file, the reader's buffer,
// is the same for both).
func TestNoAllocationPerRecord(t *testing.T) {
	one, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	one = append(one, gen...)
	two := bytes.Repeat(one, 2)
	for _, opts := range []Options{{Format: JSONL}, {Format: JSON}, {Format: CSV}, {Format: CSV, Columns: ColumnsFR},
		{Format: JSONL, Workers: 2}, {Format: CSV, Workers: 3}} {
		t.Run(fmt.Sprintf("%v-%v-%d", opts.Format, opts.Columns, opts.Workers), func(t *testing.T) {
			e, err := New(io.Discard, opts)
			require.NoError(t, err)
			defer e.Discard()
			e.batchSize = 4096 // many batches go round
			r := bytes.NewReader(nil)
			allocs := func(in []byte) float64 {
				return testing.AllocsPerRun(20, func() {
					r.Reset(in)
					if err := e.Export("in.txt", r); err != nil {
						t.Fatal(err)
					}
				})
			}
			allocs(two) // warm the buffers
			a1, a2 := allocs(one), allocs(two)
			// With workers, which batch meets the largest statement or
			// movement first depends on the scheduling: a batch may grow
			// its buffers a few rounds later than the others, more so on
			// a loaded machine (a 1-in-30 failure seen). Steady state is
			// what counts: measured again, a few times at most.
			for try := 0; opts.Workers > 1 && a1 != a2 && try < 5; try++ {
				a1, a2 = allocs(one), allocs(two)
			}
			assert.Equal(t, a1, a2, "allocations per Export of %d and %d bytes", len(one), len(two))
		})
	}
}
