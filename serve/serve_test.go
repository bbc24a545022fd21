package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/validate"
)

// repoFile reads a file of the repository's testdata.
func repoFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", rel))
	require.NoError(t, err)
	return b
}

// newTestServer returns a server whose temporary files go to a directory
// the test checks is empty at the end.
func newTestServer(t *testing.T, opts Options) (*Server, http.Handler) {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
		t.Cleanup(func() {
			entries, err := os.ReadDir(opts.TempDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "temporary files left behind")
		})
	}
	if opts.StateDir == "" {
		opts.StateDir = filepath.Join(t.TempDir(), "state")
	}
	s := New(opts)
	return s, s.Handler()
}

// post sends body to path on h (raw, Host 127.0.0.1:8080) and returns the
// recorded answer.
func post(t *testing.T, h http.Handler, path string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// multipartBody builds a multipart/form-data body of files.
func multipartBody(t *testing.T, files ...[2]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("comment", "not a file"))
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f[0])
		require.NoError(t, err)
		_, err = w.Write([]byte(f[1]))
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

// cliJSON is what cfonb validate --format json prints for the files.
func cliJSON(t *testing.T, files ...[2]string) string {
	t.Helper()
	var reps []*validate.Report
	for _, f := range files {
		rep, err := validate.Stream(f[0], strings.NewReader(f[1]), validate.Options{})
		require.NoError(t, err)
		reps = append(reps, rep)
	}
	var buf bytes.Buffer
	require.NoError(t, validate.WriteJSON(&buf, reps))
	return buf.String()
}

func TestValidateSameShapeAsCLI(t *testing.T) {
	_, h := newTestServer(t, Options{})
	date := string(repoFile(t, "invalid/date.txt"))
	valid := string(repoFile(t, "valid/multi-lf.txt"))

	rec := post(t, h, "/api/validate?name=date.txt", []byte(date))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, cliJSON(t, [2]string{"date.txt", date}), rec.Body.String())
	// The three diagnostics of the README, exactly.
	var doc struct {
		Files []struct {
			Diagnostics []validate.Diagnostic
		}
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	var got []string
	for _, d := range doc.Files[0].Diagnostics {
		got = append(got, fmt.Sprintf("%d:%d %s %s", d.Line, d.Column, d.Severity, d.Rule))
	}
	assert.Equal(t, []string{"2:35 error date", "2:43 error date", "3:43 error field-format"}, got)

	// Multipart: every file part, in order; other fields are ignored.
	body, ctype := multipartBody(t, [2]string{"a/date.txt", date}, [2]string{"valid.txt", valid})
	req := httptest.NewRequest(http.MethodPost, "http://localhost:8080/api/validate", body)
	req.Header.Set("Content-Type", ctype)
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	require.Equal(t, http.StatusOK, rr.Code, rr.Body.String())
	assert.Equal(t, cliJSON(t, [2]string{"a/date.txt", date}, [2]string{"valid.txt", valid}), rr.Body.String())
}

func TestValidateQuery(t *testing.T) {
	_, h := newTestServer(t, Options{})
	garbage := bytes.Repeat([]byte("99 not a record\n"), 50)
	tests := []struct {
		query    string
		code     int
		kept     int
		omitted  int
		errorMsg string
	}{
		{"max_errors=10", http.StatusOK, 10, 90, ""},
		{"max_errors=0", http.StatusOK, 100, 0, ""},
		{"", http.StatusOK, 100, 0, ""},
		{"max_errors=-1", http.StatusBadRequest, 0, 0, `max_errors must be a number >= 0, not "-1"`},
		{"max_errors=x", http.StatusBadRequest, 0, 0, `max_errors must be a number >= 0, not "x"`},
		{"format=yaml", http.StatusBadRequest, 0, 0, `format must be one of text, json, github, sarif, junit, gitlab, not "yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := post(t, h, "/api/validate?"+tt.query, garbage)
			require.Equal(t, tt.code, rec.Code, rec.Body.String())
			if tt.errorMsg != "" {
				assert.JSONEq(t, `{"error":`+jsonString(tt.errorMsg)+`}`, rec.Body.String())
				return
			}
			var doc struct{ Files []validate.Report }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
			assert.Len(t, doc.Files[0].Diagnostics, tt.kept)
			assert.Equal(t, tt.omitted, doc.Files[0].Omitted)
			assert.Equal(t, "upload.txt", doc.Files[0].Path, "a raw body without a name")
		})
	}
}

// TestValidateFormats checks the other report formats of cfonb validate
// --format, and pedantic.
func TestValidateFormats(t *testing.T) {
	_, h := newTestServer(t, Options{})
	date := repoFile(t, "invalid/date.txt")
	for format, ctype := range reportTypes {
		rec := post(t, h, "/api/validate?name=date.txt&format="+format, date)
		require.Equal(t, http.StatusOK, rec.Code, format)
		assert.Equal(t, ctype, rec.Header().Get("Content-Type"))
		var want bytes.Buffer
		rep, err := validate.Stream("date.txt", bytes.NewReader(date), validate.Options{})
		require.NoError(t, err)
		rw, err := validate.NewReportWriter(format, &want, validate.WriterOptions{})
		require.NoError(t, err)
		require.NoError(t, rw.Write(rep))
		require.NoError(t, rw.Close(validate.Totals{Files: 1, Errors: 3}))
		assert.Equal(t, want.String(), rec.Body.String(), format)
	}
	rec := post(t, h, "/api/validate?format=text", date)
	assert.Contains(t, rec.Body.String(), "upload.txt:2:35: error: booking date \"300226\" is not a calendar date (30 February) [date]\n")

	sample := repoFile(t, "samples/complex-test.txt")
	var plain, pedantic struct{ Warnings int }
	require.NoError(t, json.Unmarshal(post(t, h, "/api/validate", sample).Body.Bytes(), &struct{ Files []*struct{ Warnings int } }{Files: []*struct{ Warnings int }{&plain}}))
	require.NoError(t, json.Unmarshal(post(t, h, "/api/validate?pedantic=1", sample).Body.Bytes(), &struct{ Files []*struct{ Warnings int } }{Files: []*struct{ Warnings int }{&pedantic}}))
	assert.Greater(t, pedantic.Warnings, plain.Warnings, "pedantic reports the conventions of real files")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestValidateLines checks the page's excerpts: the line's text and the
// field to highlight, for the three diagnostics of date.txt and for an
// encoding error (one byte, shown as Windows-1252 reads it).
func TestValidateLines(t *testing.T) {
	_, h := newTestServer(t, Options{})
	date := repoFile(t, "invalid/date.txt")
	lines := strings.Split(strings.TrimRight(string(date), "\r\n"), "\n")
	rec := post(t, h, "/api/validate?lines=1", date)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var doc struct {
		Files []struct {
			Diagnostics []struct {
				Line, Column, Length, FieldStart, FieldEnd int
				Text, Field                                string
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	require.NoError(t, dec.Decode(&doc))
	var raw struct {
		Files []struct{ Diagnostics []map[string]any }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	type want struct {
		line, start, end int
		field            string
	}
	wants := []want{{2, 35, 40, "booking date"}, {2, 43, 48, "value date"}, {3, 43, 48, "value date"}}
	require.Len(t, raw.Files[0].Diagnostics, len(wants))
	for i, w := range wants {
		d := raw.Files[0].Diagnostics[i]
		assert.Equal(t, float64(w.line), d["line"])
		assert.Equal(t, strings.TrimRight(lines[w.line-1], "\r"), d["text"])
		assert.Equal(t, float64(120), d["length"])
		assert.Equal(t, float64(w.start), d["field_start"])
		assert.Equal(t, float64(w.end), d["field_end"])
		assert.Equal(t, w.field, d["field"])
	}

	latin := repoFile(t, "invalid/encoding-latin1.txt")
	rec = post(t, h, "/api/validate?lines=1", latin)
	require.Equal(t, http.StatusOK, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	d := raw.Files[0].Diagnostics[0]
	assert.Equal(t, "encoding", d["rule"])
	col := int(d["column"].(float64))
	text := []rune(d["text"].(string))
	assert.Equal(t, col, int(d["field_start"].(float64)))
	assert.Equal(t, col, int(d["field_end"].(float64)))
	lineBytes := bytes.Split(latin, []byte("\n"))[int(d["line"].(float64))-1]
	assert.Len(t, text, len(bytes.TrimRight(lineBytes, "\r")), "one character per byte")
	assert.Greater(t, text[col-1], rune(0x7f), "the offending byte, decoded")
}

func TestLineText(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("01 ABC"), "01 ABC"},
		{[]byte{'A', 0, '\t', 0x1a, 0x7f}, "A\u2400\u2409\u241a\u2421"},
		{[]byte{0xc9, 0xe9, 0x80, 0x81}, "Éé€\ufffd"},
		{[]byte("é"), "Ã©"}, // UTF-8: two bytes, two columns
	}
	for _, tt := range tests {
		got := lineText(tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.Len(t, []rune(got), len(tt.in))
	}
}

func TestInspect(t *testing.T) {
	_, h := newTestServer(t, Options{})
	rec := post(t, h, "/api/inspect?name=multi-crlf.txt", repoFile(t, "valid/multi-crlf.txt"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var doc struct {
		Files []struct {
			Path          string
			Records       int
			Statements    int
			Framing       string
			Diagnostics   []any
			Accounts      []accountJSON
			StatementList []struct {
				Line           int
				ClosingLine    *int    `json:"closing_line"`
				OpeningDate    string  `json:"opening_date"`
				OpeningBalance string  `json:"opening_balance"`
				ClosingBalance *string `json:"closing_balance"`
				TotalDebits    string  `json:"total_debits"`
				TotalCredits   string  `json:"total_credits"`
				MovementCount  int     `json:"movement_count"`
				Reconciles     bool
			} `json:"statement_list"`
		}
		Errors, Warnings int
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	f := doc.Files[0]
	assert.Equal(t, "multi-crlf.txt", f.Path)
	assert.Equal(t, 22, f.Records)
	assert.Equal(t, 5, f.Statements)
	assert.Equal(t, "lines", f.Framing)
	assert.Nil(t, f.Diagnostics, "inspect counts problems; diagnostics=1 lists them")
	require.Len(t, f.Accounts, 4)
	iban := "FR7630006000011234567890189"
	assert.Equal(t, accountJSON{Bank: "30006", Branch: "00001", Account: "12345678901", IBAN: &iban, Currency: "EUR", Statements: 2}, f.Accounts[0])
	require.Len(t, f.StatementList, 5)
	s := f.StatementList[0]
	assert.Equal(t, 1, s.Line)
	assert.Equal(t, 9, *s.ClosingLine)
	assert.Equal(t, "2026-03-02", s.OpeningDate)
	assert.Equal(t, "1500.00", s.OpeningBalance)
	assert.Equal(t, "13761.15", *s.ClosingBalance)
	assert.Equal(t, "-84.52", s.TotalDebits)
	assert.Equal(t, "12345.67", s.TotalCredits)
	assert.Equal(t, 2, s.MovementCount)
	assert.True(t, s.Reconciles)

	// The list is capped; every account is still listed and counted.
	vrep, err := validate.Stream("m", bytes.NewReader(repoFile(t, "valid/multi-crlf.txt")), validate.Options{Summary: true})
	require.NoError(t, err)
	accts, stmts := inspectJSON(vrep, 2)
	assert.Len(t, accts, 4)
	assert.Len(t, stmts, 2)
	n := 0
	for _, a := range accts {
		n += a.Statements
	}
	assert.Equal(t, 5, n)

	// An unbalanced statement, and an open one.
	rec = post(t, h, "/api/inspect?diagnostics=1", repoFile(t, "invalid/balance.txt"))
	require.Equal(t, http.StatusOK, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.False(t, doc.Files[0].StatementList[0].Reconciles)
	assert.NotEmpty(t, doc.Files[0].Diagnostics)
	rec = post(t, h, "/api/inspect", repoFile(t, "invalid/sequence.txt"))
	require.Equal(t, http.StatusOK, rec.Code)
}

func TestFmt(t *testing.T) {
	_, h := newTestServer(t, Options{})
	in := repoFile(t, "fmt/latin1-lf.txt")
	want := repoFile(t, "fmt/latin1-lf.golden")

	rec := post(t, h, "/api/fmt?name=dir/latin1-lf.txt", in)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, want, rec.Body.Bytes(), "the canonical bytes, as cfonb fmt writes them")
	assert.Equal(t, "text/plain; charset=us-ascii", rec.Header().Get("Content-Type"))
	assert.Equal(t, `attachment; filename="latin1-lf.txt"; filename*=UTF-8''latin1-lf.txt`, rec.Header().Get("Content-Disposition"))
	assert.Equal(t, "0", rec.Header().Get("X-Cfonb-Errors"))

	rec = post(t, h, "/api/fmt?report=json&name=latin1-lf.txt", in)
	require.Equal(t, http.StatusOK, rec.Code)
	var rep fmtReport
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	assert.Equal(t, "cp1252", rep.Encoding)
	assert.True(t, rep.Changed)
	assert.Equal(t, []repairJSON{{"line end changed", 5}, {"character transliterated", 12}}, rep.Repairs)
	assert.Equal(t, 0, rep.Validation.Errors)
	assert.Equal(t, "encoding cp1252 (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 5 line ends changed to CRLF", rep.Message)

	// Options: the encoding given, LF line ends.
	rec = post(t, h, "/api/fmt?encoding=latin1&eol=lf", in)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), rec.Body.Bytes())
	for _, q := range []string{"encoding=klingon", "eol=cr"} {
		rec = post(t, h, "/api/fmt?"+q, in)
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
	}
}

func TestFmtRefused(t *testing.T) {
	_, h := newTestServer(t, Options{})
	rec := post(t, h, "/api/fmt?name=refused-amount.txt", repoFile(t, "fmt/refused-amount.txt"))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	var rep fmtReport
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	require.NotNil(t, rep.Refused)
	assert.Equal(t, refusedJSON{Line: 2, Column: 97, Reason: "the amount (columns 91-104) holds 'É' (U+00C9), which would become 'E': a figure cannot be transliterated safely; fix the file or give the right --encoding"}, *rep.Refused)
	assert.True(t, strings.HasPrefix(rep.Message, "refused, nothing written: line 2, column 97: "), rep.Message)
	assert.NotContains(t, rec.Body.String(), "0130006", "nothing of the file is returned")

	rec = post(t, h, "/api/fmt", repoFile(t, "fmt/refused-not-cfonb.txt"))
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
}

func TestExport(t *testing.T) {
	_, h := newTestServer(t, Options{})
	valid := repoFile(t, "valid/multi-crlf.txt")
	expected := func(opts export.Options, name string, data []byte) string {
		var buf bytes.Buffer
		ex, err := export.New(&buf, opts)
		require.NoError(t, err)
		require.NoError(t, ex.Export(name, bytes.NewReader(data)))
		require.NoError(t, ex.Close())
		return buf.String()
	}
	tests := []struct {
		query, ctype, disposition string
		opts                      export.Options
	}{
		{"", "application/x-ndjson; charset=utf-8", "multi.jsonl", export.Options{Format: export.JSONL}},
		{"format=json", "application/json; charset=utf-8", "multi.json", export.Options{Format: export.JSON}},
		{"format=csv", "text/csv; charset=utf-8", "multi.csv", export.Options{Format: export.CSV}},
		{"format=csv&decimal_comma=1&bom=1", "text/csv; charset=utf-8", "multi.csv", export.Options{Format: export.CSV, DecimalComma: true, BOM: true}},
		{"format=csv&sep=tab", "text/csv; charset=utf-8", "multi.csv", export.Options{Format: export.CSV, Comma: '\t'}},
		{"format=csv&columns=fr", "text/csv; charset=utf-8", "multi.csv", export.Options{Format: export.CSV, Columns: export.ColumnsFR, DecimalComma: true, BOM: true}},
		{"format=csv&columns=fr&bom=0", "text/csv; charset=utf-8", "multi.csv", export.Options{Format: export.CSV, Columns: export.ColumnsFR, DecimalComma: true}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := post(t, h, "/api/export?name=multi.txt&"+tt.query, valid)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tt.ctype, rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Header().Get("Content-Disposition"), `filename="`+tt.disposition+`"`)
			assert.Equal(t, expected(tt.opts, "multi.txt", valid), rec.Body.String())
		})
	}

	// A file with errors: nothing exported, unless force=1.
	date := repoFile(t, "invalid/date.txt")
	rec := post(t, h, "/api/export?name=date.txt", date)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	var refusal struct {
		Error string
		Files []validate.Report
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &refusal))
	assert.Equal(t, "1 of 1 file has validation errors: nothing exported; fix them, or use force=1 to export anyway", refusal.Error)
	assert.Equal(t, 3, refusal.Files[0].Errors)
	rec = post(t, h, "/api/export?name=date.txt&force=1", date)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, expected(export.Options{}, "date.txt", date), rec.Body.String())

	for _, q := range []string{"format=xml", "format=csv&sep=ab", "format=json&bom=1&decimal_comma=1&sep=;", "format=json&columns=fr", "format=csv&columns=de"} {
		rec = post(t, h, "/api/export?"+q, valid)
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
	}
}

// TestFormats checks /api/formats against the export package, and that
// each format it lists exports (xlsx and ofx when the build has them).
func TestFormats(t *testing.T) {
	_, h := newTestServer(t, Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/formats", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var doc struct{ Export []string }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Subset(t, doc.Export, []string{"csv", "json", "jsonl"})
	for _, f := range exportFormats {
		_, err := export.ParseFormat(f.name)
		assert.Equal(t, err == nil, slices.Contains(doc.Export, f.name), f.name)
	}
	for _, f := range doc.Export {
		rec := post(t, h, "/api/export?name=multi.txt&format="+f, repoFile(t, "valid/multi-crlf.txt"))
		assert.Equal(t, http.StatusOK, rec.Code, f)
		assert.NotEqual(t, "application/octet-stream", rec.Header().Get("Content-Type"), f)
		assert.Contains(t, rec.Header().Get("Content-Disposition"), `filename="multi.`+f+`"`)
		assert.NotEmpty(t, rec.Body.Bytes(), f)
	}
}

func TestUploadPreview(t *testing.T) {
	_, h := newTestServer(t, Options{})
	rec := post(t, h, "/api/upload-preview?dossier=7&env=staging&name=bank/multi.txt", repoFile(t, "valid/multi-crlf.txt"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var p previewJSON
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.NotEmpty(t, p.Lines)
	assert.Contains(t, p.Lines[0], "would register account FR7630006000011234567890189 (30006 00001 12345678901 EUR) in dossier 7")
	assert.Contains(t, strings.Join(p.Lines, "\n"), "would import bank/multi.txt (5 statements")
	assert.NotContains(t, rec.Body.String(), "cfonb-serve-", "the temporary copies are not named")
	assert.Equal(t, "cfonb upload --env staging --dossier 7 bank/multi.txt", p.Command)
	assert.False(t, p.Invalid)

	rec = post(t, h, "/api/upload-preview?dossier=7", repoFile(t, "invalid/date.txt"))
	require.Equal(t, http.StatusOK, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.True(t, p.Invalid)
	assert.Contains(t, strings.Join(p.Lines, "\n"), "upload.txt:2:35: error:")

	for _, q := range []string{"", "dossier=0", "dossier=x", "dossier=1&env=moon"} {
		rec = post(t, h, "/api/upload-preview?"+q, repoFile(t, "invalid/date.txt"))
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
	}
}

func TestSizeLimit(t *testing.T) {
	_, h := newTestServer(t, Options{MaxBytes: 1000})
	big := bytes.Repeat([]byte("x"), 2000)
	for _, path := range []string{"/api/validate", "/api/inspect?lines=1", "/api/fmt", "/api/export", "/api/upload-preview?dossier=1"} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", path, chunked), func(t *testing.T) {
				var body io.Reader = bytes.NewReader(big)
				if chunked {
					body = io.MultiReader(body) // no length known in advance
				}
				req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, body)
				if chunked {
					req.ContentLength = -1
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
				assert.JSONEq(t, `{"error":"the request is larger than the server's limit of 1000 bytes (cfonb serve --max-size)"}`, rec.Body.String())
			})
		}
	}
}

func TestHostAndOrigin(t *testing.T) {
	_, h := newTestServer(t, Options{AllowedHosts: []string{"cfonb.lan"}})
	tests := []struct {
		method, host, origin, fetchSite string
		code                            int
	}{
		{"GET", "127.0.0.1:8080", "", "", 200},
		{"GET", "localhost:8080", "", "", 200},
		{"GET", "[::1]:8080", "", "", 200},
		{"GET", "192.168.1.20", "", "", 200},
		{"GET", "cfonb.lan:8080", "", "", 200},
		{"GET", "CFONB.LAN.", "", "", 200},
		{"GET", "evil.example:8080", "", "", http.StatusMisdirectedRequest},
		{"GET", "127.0.0.1.evil.example", "", "", http.StatusMisdirectedRequest},
		{"GET", "", "", "", http.StatusMisdirectedRequest},
		{"POST", "127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin", 200},
		{"POST", "127.0.0.1:8080", "", "", 200}, // curl
		{"POST", "127.0.0.1:8080", "http://evil.example", "", http.StatusForbidden},
		{"POST", "127.0.0.1:8080", "null", "", http.StatusForbidden},
		{"POST", "127.0.0.1:8080", "", "cross-site", http.StatusForbidden},
		{"POST", "evil.example", "http://evil.example", "same-origin", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s %s", tt.method, tt.host, tt.origin, tt.fetchSite), func(t *testing.T) {
			path := "/"
			var body io.Reader
			if tt.method == "POST" {
				path, body = "/api/validate", strings.NewReader("")
			}
			req := httptest.NewRequest(tt.method, path, body)
			req.Host = tt.host
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.fetchSite != "" {
				req.Header.Set("Sec-Fetch-Site", tt.fetchSite)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.code, rec.Code, rec.Body.String())
			assert.Equal(t, contentSecurityPolicy, rec.Header().Get("Content-Security-Policy"))
		})
	}
}

func TestHeadersAndAssets(t *testing.T) {
	_, h := newTestServer(t, Options{})
	for _, tt := range []struct {
		path, ctype string
		code        int
	}{
		{"/", "text/html; charset=utf-8", 200},
		{"/app.js", "text/javascript; charset=utf-8", 200},
		{"/style.css", "text/css; charset=utf-8", 200},
		{"/favicon.svg", "image/svg+xml", 200},
		{"/assets/app.js", "", 404},
		{"/nothing", "", 404},
	} {
		req := httptest.NewRequest("GET", "http://127.0.0.1:8080"+tt.path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tt.code, rec.Code, tt.path)
		if tt.ctype != "" {
			assert.Equal(t, tt.ctype, rec.Header().Get("Content-Type"), tt.path)
		}
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
		assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
	}
	assert.NotContains(t, contentSecurityPolicy, "unsafe-inline")
	assert.NotContains(t, contentSecurityPolicy, "unsafe-eval")
	assert.Contains(t, contentSecurityPolicy, "script-src 'self'")
	// The page itself: no inline script, no inline handler, no style
	// attribute, nothing from another origin.
	html, err := assetFS.ReadFile("assets/index.html")
	require.NoError(t, err)
	page := string(html)
	assert.Equal(t, 1, strings.Count(page, "<script"))
	assert.Contains(t, page, `<script src="/app.js" defer></script>`)
	assert.NotRegexp(t, `\son[a-z]+=`, page)
	assert.NotContains(t, page, "style=")
	assert.NotContains(t, page, "http")
	js, err := assetFS.ReadFile("assets/app.js")
	require.NoError(t, err)
	assert.NotRegexp(t, `\beval\(|new Function|innerHTML|setTimeout\("`, string(js))
	assert.NotContains(t, string(js), "http")

	req := httptest.NewRequest("GET", "http://127.0.0.1:8080/api/validate", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// TestNothingLogged sends a file whose name and content carry markers and
// checks that the log has neither.
func TestNothingLogged(t *testing.T) {
	var logBuf bytes.Buffer
	_, h := newTestServer(t, Options{Log: log.New(&logBuf, "", 0)})
	content := append(repoFile(t, "invalid/date.txt"), []byte("SECRET-CONTENT-7f3a\n")...)
	for _, path := range []string{"/api/validate?lines=1&name=SECRET-NAME.txt", "/api/inspect?name=SECRET-NAME.txt", "/api/fmt?name=SECRET-NAME.txt", "/api/export?force=1&name=SECRET-NAME.txt"} {
		post(t, h, path, content)
	}
	body, ctype := multipartBody(t, [2]string{"SECRET-NAME.txt", string(content)})
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/validate", body)
	req.Header.Set("Content-Type", ctype)
	h.ServeHTTP(httptest.NewRecorder(), req)
	out := logBuf.String()
	assert.Equal(t, 5, strings.Count(out, "\n"), out)
	assert.Contains(t, out, "POST /api/validate 200")
	assert.NotContains(t, out, "SECRET")
	assert.NotContains(t, out, "30006")
}

// listen starts s on a loopback port and returns its URL and a function
// that stops it and returns Serve's error.
func listen(t *testing.T, s *Server) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	var once bool
	stop := func() error {
		if once {
			return nil
		}
		once = true
		cancel()
		return <-errc
	}
	t.Cleanup(func() { _ = stop() })
	return URL(ln), stop
}

// TestSlowClient sends the headers and part of a body, then nothing: the
// server drops the request after its timeout instead of waiting forever.
func TestSlowClient(t *testing.T) {
	s, _ := newTestServer(t, Options{Timeout: 300 * time.Millisecond})
	u, _ := listen(t, s)
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n0130006")
	require.NoError(t, err)
	// A hang guard, not a timing assertion: the server must end the
	// exchange on its own.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	answer, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closes the connection")
	if len(answer) > 0 {
		assert.Contains(t, string(answer), "408 Request Timeout")
	}
}

// TestSteadyClientNotCut sends a body slowly but steadily, for longer than
// the timeout in all: the request is served.
func TestSteadyClientNotCut(t *testing.T) {
	// The timeout is 3 s and the body takes about 5 s, in pieces 200 ms
	// apart: each gap is a fifteenth of the timeout, so that a loaded
	// machine's scheduling delays cannot make it look like a stall (with a
	// 1 s timeout and 2.6 s in all, it failed once under load).
	s, _ := newTestServer(t, Options{Timeout: 3 * time.Second})
	u, _ := listen(t, s)
	date := repoFile(t, "invalid/date.txt")
	require.Greater(t, time.Duration(len(date)/20)*200*time.Millisecond, 3*time.Second, "the body must take longer than the timeout")
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(date); i += 20 {
			_, _ = pw.Write(date[i:min(i+20, len(date))])
			time.Sleep(200 * time.Millisecond)
		}
		_ = pw.Close()
	}()
	resp, err := http.Post(u+"api/validate?name=date.txt", "text/plain", pr)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, cliJSON(t, [2]string{"date.txt", string(date)}), string(body))
}

// TestGracefulShutdown stops the server while a request is under way: the
// request completes, then Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	inHandler := make(chan struct{}, 1)
	s.started = func(*http.Request) { inHandler <- struct{}{} }
	u, stop := listen(t, s)
	pr, pw := io.Pipe()
	type result struct {
		code int
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(u+"api/validate?name=date.txt", "text/plain", pr)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, string(b), err}
	}()
	date := repoFile(t, "invalid/date.txt")
	_, err := pw.Write(date[:100])
	require.NoError(t, err)
	<-inHandler
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Serve is shutting down, waiting for the request: finish it.
	time.Sleep(100 * time.Millisecond)
	_, err = pw.Write(date[100:])
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.code)
	assert.Equal(t, cliJSON(t, [2]string{"date.txt", string(date)}), r.body)
	assert.NoError(t, <-stopped)
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true, "127.1.2.3:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:80": false, "192.168.1.2:8080": false, "example.com:80": false, "nonsense": false,
	} {
		assert.Equal(t, want, IsLoopback(addr), addr)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"a.txt": "a.txt", "dir/a.txt": "dir/a.txt", "../../etc/passwd": "etc/passwd", `C:\bank\a.txt`: "C:/bank/a.txt",
		"a\x00b\nc.txt": "abc.txt", "": "", "/": "", strings.Repeat("x", 300): strings.Repeat("x", 255),
	} {
		assert.Equal(t, want, cleanName(in), "%q", in)
	}
}

// Example_curl shows the API from Go as curl uses it: a raw body.
func ExampleServer_Handler() {
	h := New(Options{}).Handler()
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/validate?name=one.txt",
		strings.NewReader("0130006    00001EUR2 12345678901  020326"+strings.Repeat(" ", 50)+"0000000010000{"+strings.Repeat(" ", 16)+"\n"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 {"files":[{"path":"one.txt","records":1,"statements":1,"errors":1,"warnings":0,"diagnostics":[{"line":1,"column":1,"severity":"error","rule":"sequence","message":"file ends inside the statement opened at line 1: no new balance (07)"}]}],"errors":1,"warnings":0}
}

var _ = cfonb.RecordLen

// TestFmtReportEmptyFileNotCanonical: /api/fmt?report=json called an empty
// file (or one with errors repair cannot fix, left unchanged) "already
// canonical: nothing to repair" next to its errors, as cfonb fmt counted it
// "already canonical" and "with errors" at once (found by a review).
func TestFmtReportEmptyFileNotCanonical(t *testing.T) {
	_, h := newTestServer(t, Options{})
	rec := post(t, h, "/api/fmt?report=json&name=empty.txt", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var rep fmtReport
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	assert.False(t, rep.Changed)
	assert.Equal(t, 1, rep.Validation.Errors)
	assert.Equal(t, "encoding utf-8 (detected: valid UTF-8 (only ASCII in the first bytes)); nothing repaired, not canonical: 1 error that repair cannot fix", rep.Message)
}
