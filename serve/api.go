package serve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// maxDiagnosticsCap is the most diagnostics a request may ask to keep per
// file (max_errors), so that a garbage file cannot grow the server's memory.
const maxDiagnosticsCap = 100000

// writeTimeout bounds the writing of a JSON answer.
const writeTimeout = time.Minute

// errStop ends eachFile early without an error (the answer is written).
var errStop = errors.New("stop")

func (s *Server) routes() {
	s.mux.HandleFunc("POST /api/validate", s.handleValidate)
	s.mux.HandleFunc("POST /api/inspect", s.handleInspect)
	s.mux.HandleFunc("POST /api/fmt", s.handleFmt)
	s.mux.HandleFunc("POST /api/export", s.handleExport)
	s.mux.HandleFunc("POST /api/upload-preview", s.handleUploadPreview)
	s.mux.HandleFunc("GET /api/formats", s.handleFormats)
	s.mux.Handle("GET /", s.assets())
	s.mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		apiError(w, http.StatusMethodNotAllowed, "use POST with the file as the body (see the README)")
	})
}

// apiError writes {"error": message} with the status code.
func apiError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, code int, v any) {
	// A client that stops reading is cut (see Options.Timeout; the
	// answers written as they go move it forward with deadlineWriter).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fail answers a request that could not be processed: 413 for a body over
// the limit, 408 for a client too slow, 400 for a body that cannot be read
// as asked, 500 for a local problem (a temporary file).
func (s *Server) fail(w http.ResponseWriter, err error) {
	var mb *http.MaxBytesError
	var ne net.Error
	var pe *os.PathError
	switch {
	case errors.As(err, &mb):
		apiError(w, http.StatusRequestEntityTooLarge, "the request is larger than the server's limit of %s (cfonb serve --max-size)", sizeString(mb.Limit))
	case errors.As(err, &ne) && ne.Timeout():
		apiError(w, http.StatusRequestTimeout, "the client sent nothing for %s: request abandoned", s.opts.Timeout)
	case errors.As(err, &pe) && strings.HasPrefix(path.Base(pe.Path), "cfonb-serve-"), strings.HasPrefix(err.Error(), "temporary file"):
		apiError(w, http.StatusInternalServerError, "%v", err)
	default:
		apiError(w, http.StatusBadRequest, "%v", err)
	}
}

// sizeString writes a byte count the way --max-size takes it.
func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// boolParam reads a query flag: "1", "true", "yes" or "on".
func boolParam(q url.Values, name string) bool {
	switch strings.ToLower(q.Get(name)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// validateOptions reads max_errors (default validate's, 0 for the server's
// cap).
func validateOptions(q url.Values) (validate.Options, error) {
	var opts validate.Options
	if v := q.Get("max_errors"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return opts, fmt.Errorf("max_errors must be a number >= 0, not %q", v)
		}
		if n == 0 || n > maxDiagnosticsCap {
			n = maxDiagnosticsCap
		}
		opts.MaxDiagnostics = n
	}
	opts.Pedantic = boolParam(q, "pedantic")
	return opts, nil
}

// reportTypes are the Content-Types of validate's report formats.
var reportTypes = map[string]string{
	"text": "text/plain; charset=utf-8", "github": "text/plain; charset=utf-8", "json": "application/json; charset=utf-8",
	"sarif": "application/sarif+json; charset=utf-8", "junit": "application/xml; charset=utf-8", "gitlab": "application/json; charset=utf-8",
}

// fileResult is one file's entry in the answers of /api/validate (with
// lines=1) and /api/inspect: the fields of cfonb validate --format json,
// and more.
type fileResult struct {
	*validate.Report
	Diagnostics []diagnostic `json:"diagnostics,omitempty"`
	Framing     string       `json:"framing,omitempty"`
	// Accounts and StatementList are inspect's.
	Accounts      []accountJSON               `json:"accounts,omitempty"`
	StatementList []validate.StatementSummary `json:"statement_list,omitempty"`
	// StatementsNotListed counts the statements beyond maxStatementList.
	StatementsNotListed int `json:"statements_not_listed,omitempty"`
}

// maxStatementList caps the statements listed by /api/inspect (all are
// counted, and every account is listed).
const maxStatementList = 10000

// diagnostic is a validate.Diagnostic with, on request (lines=1), the
// offending line and the field to highlight.
type diagnostic struct {
	validate.Diagnostic
	*excerpt
}

// document is the answer of /api/validate and /api/inspect.
type document struct {
	Files    []*fileResult `json:"files"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
}

// handleValidate is POST /api/validate: the JSON report of cfonb validate
// --format json. Query: max_errors=N (0: the server's cap), lines=1 (each
// diagnostic gets its line's text and the field to highlight; the body then
// goes through a temporary file).
func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	s.report(w, r, false)
}

// handleInspect is POST /api/inspect: what cfonb inspect prints, as JSON
// (accounts and statements with balances, totals and reconciliation).
// Query: diagnostics=1 adds the diagnostics (as /api/validate), lines=1
// their lines.
func (s *Server) handleInspect(w http.ResponseWriter, r *http.Request) {
	s.report(w, r, true)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, inspect bool) {
	q := r.URL.Query()
	opts, err := validateOptions(q)
	if err != nil {
		apiError(w, http.StatusBadRequest, "%v", err)
		return
	}
	opts.Summary = inspect
	lines := boolParam(q, "lines")
	withDiags := !inspect || boolParam(q, "diagnostics") || lines
	if !inspect && !lines {
		// The CLI's report, written by the CLI's writer: format=json (the
		// default), text, github, sarif, junit or gitlab.
		format := q.Get("format")
		if format == "" {
			format = "json"
		}
		ctype, ok := reportTypes[format]
		if !ok {
			apiError(w, http.StatusBadRequest, "format must be one of %s, not %q", strings.Join(validate.Formats, ", "), format)
			return
		}
		var reports []*validate.Report
		err := s.eachFile(w, r, func(name string, body io.Reader) error {
			rep, err := validate.Stream(name, body, opts)
			if err == nil {
				reports = append(reports, rep)
			}
			return err
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		rw, err := validate.NewReportWriter(format, s.writer(w), validate.WriterOptions{Strict: boolParam(q, "strict")})
		if err != nil {
			apiError(w, http.StatusBadRequest, "%v", err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		t := validate.Totals{Files: len(reports)}
		for _, rep := range reports {
			t.Errors += rep.Errors
			t.Warnings += rep.Warnings
			_ = rw.Write(rep)
		}
		_ = rw.Close(t)
		return
	}
	doc := &document{Files: []*fileResult{}}
	err = s.eachFile(w, r, func(name string, body io.Reader) error {
		var rep *validate.Report
		var ex map[int]*excerpt
		if lines {
			f, cleanup, err := s.spool(body)
			if err != nil {
				return err
			}
			defer cleanup()
			if rep, err = validate.Stream(name, f, opts); err != nil {
				return err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if ex, err = excerpts(f, rep.Diagnostics); err != nil {
				return err
			}
		} else {
			var err error
			if rep, err = validate.Stream(name, body, opts); err != nil {
				return err
			}
		}
		fr := &fileResult{Report: rep, Framing: framingName(rep)}
		if withDiags {
			fr.Diagnostics = make([]diagnostic, len(rep.Diagnostics))
			for i, d := range rep.Diagnostics {
				fr.Diagnostics[i] = diagnostic{Diagnostic: d, excerpt: ex[d.Line]}
				if e := ex[d.Line]; e != nil {
					fr.Diagnostics[i].excerpt = e.at(d.Column)
				}
			}
		} else {
			fr.Report.Diagnostics = nil
		}
		if inspect {
			fr.Accounts, fr.StatementList = inspectJSON(rep, maxStatementList)
			fr.StatementsNotListed = len(rep.Summaries) - len(fr.StatementList)
			rep.Summaries = nil
		}
		doc.Files = append(doc.Files, fr)
		doc.Errors += rep.Errors
		doc.Warnings += rep.Warnings
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	if withDiags {
		for _, f := range doc.Files {
			if f.Diagnostics == nil {
				f.Diagnostics = []diagnostic{}
			}
		}
	}
	writeJSON(w, http.StatusOK, doc)
}

// framingName names how the records of a file were delimited.
func framingName(rep *validate.Report) string {
	if rep.Records == 0 {
		return ""
	}
	return rep.Framing.String()
}

// accountJSON is one account of /api/inspect.
type accountJSON struct {
	Bank       string  `json:"bank"`
	Branch     string  `json:"branch"`
	Account    string  `json:"account"`
	IBAN       *string `json:"iban"`
	Currency   string  `json:"currency"`
	Statements int     `json:"statements"`
}

// inspectJSON lists the accounts and statements of a report made with
// validate.Options.Summary, as cfonb inspect prints them: every account,
// and the first max statements.
func inspectJSON(rep *validate.Report, max int) ([]accountJSON, []validate.StatementSummary) {
	accounts := []accountJSON{}
	index := map[cfonb.Account]int{}
	for _, sm := range rep.Summaries {
		i, ok := index[sm.Account]
		if !ok {
			i = len(accounts)
			index[sm.Account] = i
			var iban *string
			if sm.IBAN != "" {
				v := string(sm.IBAN)
				iban = &v
			}
			accounts = append(accounts, accountJSON{Bank: string(cfonb.Zone(sm.Account.Bank[:])), Branch: string(cfonb.Zone(sm.Account.Branch[:])),
				Account: string(cfonb.Zone(sm.Account.Number[:])), IBAN: iban, Currency: string(cfonb.Zone(sm.Account.Currency[:]))})
		}
		accounts[i].Statements++
	}
	return accounts, rep.Summaries[:min(len(rep.Summaries), max)]
}

// fmtReport is the JSON answer of /api/fmt?report=json, and of a refusal.
type fmtReport struct {
	Path         string           `json:"path"`
	Encoding     string           `json:"encoding"`
	Detected     string           `json:"detected,omitempty"`
	Framing      string           `json:"framing,omitempty"`
	Lines        int              `json:"lines"`
	Records      int              `json:"records"`
	Changed      bool             `json:"changed"`
	Repairs      []repairJSON     `json:"repairs"`
	Problems     []problemJSON    `json:"problems"`
	ProblemCount int              `json:"problem_count"`
	Refused      *refusedJSON     `json:"refused,omitempty"`
	Validation   *validate.Report `json:"validation,omitempty"`
	Message      string           `json:"message"`
}

type repairJSON struct {
	Repair string `json:"repair"`
	Count  int    `json:"count"`
}

type problemJSON struct {
	Line    int    `json:"line"`
	OutLine int    `json:"out_line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type refusedJSON struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Reason string `json:"reason"`
}

// newFmtReport turns a normaliser's report into JSON.
func newFmtReport(name string, rep *normalize.Report) *fmtReport {
	fr := &fmtReport{Path: name, Encoding: rep.Encoding.String(), Detected: rep.Detected, Lines: rep.Lines,
		Records: rep.Records, Changed: rep.Changed, Repairs: []repairJSON{}, Problems: []problemJSON{}, ProblemCount: rep.ProblemCount}
	if rep.Lines > 0 {
		fr.Framing = rep.Framing.String()
	}
	for k, n := range rep.Repairs {
		if n > 0 {
			fr.Repairs = append(fr.Repairs, repairJSON{Repair: normalize.Repair(k).String(), Count: n})
		}
	}
	for _, p := range rep.Problems {
		fr.Problems = append(fr.Problems, problemJSON{Line: p.Line, OutLine: p.OutLine, Column: p.Column, Message: p.Message})
	}
	return fr
}

// handleFmt is POST /api/fmt: cfonb fmt of one file. The answer is the
// canonical file (an attachment of the same name), or with report=json
// what was repaired and the validation of the result. A refused file gets
// 422 and the reason; nothing of it is returned. Query: encoding (auto,
// utf-8, latin1, cp1252, ebcdic-037, ebcdic-1047, ascii), eol (crlf, lf,
// none).
func (s *Server) handleFmt(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := normalize.New()
	if v := q.Get("encoding"); v != "" {
		enc, err := normalize.ParseEncoding(v)
		if err != nil {
			apiError(w, http.StatusBadRequest, "encoding: %v", err)
			return
		}
		n.Encoding = enc
	}
	switch strings.ToLower(q.Get("eol")) {
	case "", "crlf":
	case "lf":
		n.EOL = cfonb.EOLLF
	case "none":
		n.EOL = cfonb.EOLNone
	default:
		apiError(w, http.StatusBadRequest, "eol must be crlf, lf or none, not %q", q.Get("eol"))
		return
	}
	asReport := strings.EqualFold(q.Get("report"), "json")
	err := s.eachFile(w, r, func(name string, body io.Reader) error {
		out, cleanup, err := s.tempFile()
		if err != nil {
			return err
		}
		defer cleanup()
		bw := bufio.NewWriterSize(out, 256<<10)
		rep, err := n.Normalize(bw, body)
		var refused *normalize.RefusedError
		if errors.As(err, &refused) {
			fr := newFmtReport(name, rep)
			fr.Refused = &refusedJSON{Line: refused.Line, Column: refused.Column, Reason: refused.Reason}
			fr.Message = "refused, nothing written: " + refused.Error()
			writeJSON(w, http.StatusUnprocessableEntity, fr)
			return errStop
		}
		if err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		vrep, err := validate.Stream(name, out, validate.Options{})
		if err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		fr := newFmtReport(name, rep)
		fr.Validation = vrep
		fr.Message = describeRepairs(rep, n.EOL, vrep.Errors)
		if asReport {
			writeJSON(w, http.StatusOK, fr)
			return errStop
		}
		if _, err := out.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=us-ascii")
		h.Set("Content-Disposition", attachment(path.Base(name)))
		h.Set("X-Cfonb-Errors", strconv.Itoa(vrep.Errors))
		h.Set("X-Cfonb-Warnings", strconv.Itoa(vrep.Warnings))
		_, _ = io.Copy(s.writer(w), out)
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		s.fail(w, err)
	}
}

// describeRepairs is the report's message: cfonb fmt's note on what was
// repaired (normalize.Report.Describe, one wording for both), or that the
// file was already canonical. A file left unchanged with errors (an empty
// file, one whose problems need a person) is not called canonical, as
// cfonb fmt does not count it so.
func describeRepairs(rep *normalize.Report, eol cfonb.EOL, errs int) string {
	switch {
	case !rep.Changed && errs > 0:
		return rep.EncodingNote() + "; nothing repaired, not canonical: " + plural.Count(errs, "error") + " that repair cannot fix"
	case !rep.Changed:
		return rep.EncodingNote() + "; already canonical: nothing to repair"
	}
	return rep.Describe(eol)
}

// attachment is a Content-Disposition header for a download called name.
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// handleExport is POST /api/export: cfonb export of the request's files.
// Query: format (jsonl, json, csv, xlsx, ofx), columns (default, or fr: the
// French accounting layout of csv and xlsx), decimal_comma=1, sep (one
// character or "tab"), bom=1, force=1. As the CLI does, every file is validated first;
// a file with errors means 422, the reports, and nothing exported, unless
// force=1. The files go through temporary files (two passes).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts, ext, ctype, err := exportOptions(q)
	if err == nil {
		_, err = export.New(io.Discard, opts)
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "%v", err)
		return
	}
	force := boolParam(q, "force")
	type spooled struct {
		name string
		f    *os.File
	}
	var files []spooled
	var reports []*validate.Report
	var cleanups []func()
	defer func() {
		for _, c := range cleanups {
			c()
		}
	}()
	bad := 0
	err = s.eachFile(w, r, func(name string, body io.Reader) error {
		f, cleanup, err := s.spool(body)
		if err != nil {
			return err
		}
		cleanups = append(cleanups, cleanup)
		rep, err := validate.Stream(name, f, validate.Options{})
		if err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		reports = append(reports, rep)
		if rep.Errors > 0 {
			bad++
		}
		files = append(files, spooled{name, f})
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	if bad > 0 && !force {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error": fmt.Sprintf("%s %s validation errors: nothing exported; fix them, or use force=1 to export anyway", plural.Of(bad, len(files), "file"), plural.Choose(bad, "has", "have")),
			"files": reports,
		})
		return
	}
	base := "export"
	if len(files) == 1 {
		base = strings.TrimSuffix(path.Base(files[0].name), path.Ext(files[0].name))
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", attachment(base+ext))
	out := bufio.NewWriterSize(s.writer(w), 64<<10)
	ex, err := export.New(out, opts)
	if err != nil { // checked before the files were read
		panic(http.ErrAbortHandler)
	}
	// Aborted or not, the exporter's temporary files (xlsx, ofx) and
	// goroutines go away (found by a review: an abort left them).
	defer ex.Discard()
	for _, f := range files {
		if err := ex.Export(f.name, f.f); err != nil {
			// The answer has begun: the connection is cut so that the
			// client sees an incomplete download, not a short file.
			panic(http.ErrAbortHandler)
		}
	}
	if err := ex.Close(); err != nil {
		panic(http.ErrAbortHandler)
	}
	if err := out.Flush(); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// exportOptions reads the export query: the options, the file extension
// and the Content-Type.
func exportOptions(q url.Values) (export.Options, string, string, error) {
	var opts export.Options
	f := q.Get("format")
	if f == "" {
		f = "jsonl"
	}
	format, err := export.ParseFormat(f)
	if err != nil {
		return opts, "", "", err
	}
	opts.Format = format
	ext, ctype := "."+format.String(), "application/octet-stream"
	for _, f := range exportFormats {
		if f.name == format.String() {
			ext, ctype = f.ext, f.ctype
		}
	}
	if c := q.Get("columns"); c != "" {
		if opts.Columns, err = export.ParseColumns(c); err != nil {
			return opts, "", "", err
		}
	}
	// Given to any format, so that export.New refuses them where they do
	// not apply. A CSV in the French layout defaults to what French Excel
	// opens without an import dialog (decimal comma, BOM, ';'), as the
	// CLI's does.
	frCSV := opts.Columns == export.ColumnsFR && format == export.CSV
	opts.DecimalComma = boolParam(q, "decimal_comma") || frCSV && !q.Has("decimal_comma")
	opts.BOM = boolParam(q, "bom") || frCSV && !q.Has("bom")
	if sep := q.Get("sep"); sep != "" {
		if strings.EqualFold(sep, "tab") {
			sep = "\t"
		}
		rs := []rune(sep)
		if len(rs) != 1 {
			return opts, "", "", fmt.Errorf("sep must be one character or tab, not %q", sep)
		}
		opts.Comma = rs[0]
	}
	return opts, ext, ctype, nil
}

// exportFormats are the export formats the page may offer, with their
// file extension and Content-Type; /api/formats lists those that
// export.ParseFormat knows in this build.
var exportFormats = []struct{ name, ext, ctype string }{
	{"csv", ".csv", "text/csv; charset=utf-8"},
	{"json", ".json", "application/json; charset=utf-8"},
	{"jsonl", ".jsonl", "application/x-ndjson; charset=utf-8"},
	{"xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"ofx", ".ofx", "application/x-ofx"},
}

// handleFormats is GET /api/formats: the export formats this server offers
// (the page builds its buttons from it).
func (s *Server) handleFormats(w http.ResponseWriter, r *http.Request) {
	names := []string{}
	for _, f := range exportFormats {
		if _, err := export.ParseFormat(f.name); err == nil {
			names = append(names, f.name)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"export": names, "columns": []string{"default", "fr"}})
}
