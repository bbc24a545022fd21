package fuzz

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"testing"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// The agreement properties of issue 9: validate, inspect (the validator's
// statement summaries) and export read the same records, statements,
// movements and balances from any input, because they share one framing
// and one statement model; an error-free file exports exactly one row per
// 04; fmt keeps a valid file valid, with an identical export.

// exported is the part of export's JSON document the properties compare.
type exported struct {
	Statements []struct {
		Line           *int    `json:"line"`
		OpeningBalance *string `json:"opening_balance"`
		ClosingLine    *int    `json:"closing_line"`
		ClosingBalance *string `json:"closing_balance"`
		MovementCount  int     `json:"movement_count"`
		Reconciles     bool    `json:"reconciles"`
	} `json:"statements"`
}

// lineField matches the line numbers of an export, which fmt may change
// (it removes blank lines and splits lines of several records).
var lineField = regexp.MustCompile(`"(line|closing_line)":\s*(\d+|null)`)

// exportBytes exports data in format f.
func exportBytes(t *testing.T, data []byte, f export.Format) []byte {
	t.Helper()
	var out bytes.Buffer
	ex, err := export.New(&out, export.Options{Format: f})
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Export("f.txt", bytes.NewReader(data)); err != nil {
		t.Fatalf("export: %v", err)
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// checkAgreement checks the properties on one input.
func checkAgreement(t *testing.T, data []byte) {
	recs, _, _, _, err := readAll(data, cfonb.FramingAuto, 0)
	if err != nil {
		t.Fatal(err)
	}
	n04 := 0
	for _, r := range recs {
		if cfonb.ParseCode(r.Data) == cfonb.CodeMovement {
			n04++
		}
	}
	rep, err := validate.Stream("f.txt", bytes.NewReader(data), validate.Options{Summary: true, MaxDiagnostics: -1})
	if err != nil {
		t.Fatal(err)
	}
	var doc exported
	js := exportBytes(t, data, export.JSON)
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("export's JSON does not parse: %v\n%s", err, js)
	}
	rows := 0
	for _, s := range doc.Statements {
		rows += s.MovementCount
	}
	// Export writes every movement the reader reads, valid or not.
	if rows != n04 {
		t.Fatalf("export wrote %d movements, the reader reads %d 04 records", rows, n04)
	}
	if rep.Errors > 0 {
		return
	}
	// An error-free file: every command sees the same statements.
	if rep.Records > len(recs) {
		t.Fatalf("validate counts %d records, the reader reads %d", rep.Records, len(recs))
	}
	if len(doc.Statements) != rep.Statements || len(rep.Summaries) != rep.Statements {
		t.Fatalf("export has %d statements, validate %d (%d summaries)", len(doc.Statements), rep.Statements, len(rep.Summaries))
	}
	for i, s := range rep.Summaries {
		e := doc.Statements[i]
		opening := cfonb.FormatDecimal(s.Opening, s.Decimals)
		closing := cfonb.FormatDecimal(s.Closing, s.Decimals)
		switch {
		case e.Line == nil || *e.Line != s.StartLine, e.ClosingLine == nil || *e.ClosingLine != s.EndLine:
			t.Fatalf("statement %d: lines %v-%v in export, %d-%d in validate", i+1, e.Line, e.ClosingLine, s.StartLine, s.EndLine)
		case e.OpeningBalance == nil || *e.OpeningBalance != opening:
			t.Fatalf("statement %d: opening %v in export, %s in inspect", i+1, e.OpeningBalance, opening)
		case e.ClosingBalance == nil || *e.ClosingBalance != closing:
			t.Fatalf("statement %d: closing %v in export, %s in inspect", i+1, e.ClosingBalance, closing)
		case e.MovementCount != s.Movements:
			t.Fatalf("statement %d: %d movements in export, %d in inspect", i+1, e.MovementCount, s.Movements)
		case e.Reconciles != s.Reconciles || !s.Reconciles:
			t.Fatalf("statement %d of an error-free file: reconciles %v in export, %v in inspect", i+1, e.Reconciles, s.Reconciles)
		}
	}
	// inspect --format json and serve's /api/inspect write a statement as
	// validate.StatementSummary's JSON: the same fields and values as
	// export's statement, but for its file name and movements.
	var full struct {
		Statements []map[string]any `json:"statements"`
	}
	if err := json.Unmarshal(js, &full); err != nil {
		t.Fatal(err)
	}
	for i, s := range rep.Summaries {
		want := full.Statements[i]
		delete(want, "file")
		delete(want, "movements")
		sj, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(sj, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("statement %d: inspect's JSON\n%v\nexport's\n%v", i+1, got, want)
		}
	}
	// One row per 04 in JSON Lines too.
	if got := bytes.Count(exportBytes(t, data, export.JSONL), []byte("\n")); got != n04 {
		t.Fatalf("JSON Lines: %d rows for %d 04 records", got, n04)
	}
	// fmt keeps the file valid, and its export the same.
	var out bytes.Buffer
	if _, err := normalize.New().Normalize(&out, bytes.NewReader(data)); err != nil {
		return // refused: nothing written, nothing to compare
	}
	back, err := validate.Stream("f.txt", bytes.NewReader(out.Bytes()), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Errors > 0 {
		t.Fatalf("fmt made an error-free file invalid: %v", back.Diagnostics)
	}
	before := lineField.ReplaceAll(js, nil)
	after := lineField.ReplaceAll(exportBytes(t, out.Bytes(), export.JSON), nil)
	if !bytes.Equal(before, after) {
		t.Fatalf("fmt changed the export:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAgreement checks the agreement properties on every file of
// testdata and the generated seeds.
func TestAgreement(t *testing.T) {
	for i, data := range allSeeds(t) {
		t.Run("", func(t *testing.T) {
			_ = i
			checkAgreement(t, data)
		})
	}
}

// FuzzAgree checks the agreement properties on any input.
func FuzzAgree(f *testing.F) {
	for _, s := range allSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgreement(t, data)
	})
}
