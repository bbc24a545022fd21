package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/plural"
)

// TestJSONWriterPlainAgrees checks that the reports JSONWriter writes
// without encoding/json (plainReport) are the bytes the encoder writes
// (HTML escaping off, then jsonGraphic), and that the others still go
// through it: paths with quotes, backslashes, control, HTML, non-ASCII,
// format characters; nil and empty diagnostics; each field that is left
// out when zero.
func TestJSONWriterPlainAgrees(t *testing.T) {
	encode := func(r *Report) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(r))
		return string(jsonGraphic(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))
	}
	paths := []string{"a.txt", "dir/with space/x.txt", `q"uote.txt`, `back\slash.txt`, "<b>&amp;</b>.txt",
		"tab\there.txt", "new\nline.txt", "é.txt", "\u202egnp.txt", "\x7f.txt", "\xff.txt", "", "~!@#$%^*()_+{}|:?`-=[];',./"}
	var reports []*Report
	for i, p := range paths {
		reports = append(reports,
			&Report{Path: p, Records: i * 7, Statements: i, Diagnostics: []Diagnostic{}},
			&Report{Path: p, Records: 1 << 40, Statements: 3, Errors: 2, Warnings: 1, Diagnostics: []Diagnostic{}, Charset: 2,
				Framing: 1, Summaries: []StatementSummary{{}}, SummariesOmitted: 3},
			&Report{Path: p},
			&Report{Path: p, Diagnostics: []Diagnostic{{File: p, Line: 1, Column: 2, Severity: SeverityError, Rule: "empty", Message: "m"}}},
			&Report{Path: p, Diagnostics: []Diagnostic{}, Omitted: 1},
			&Report{Path: p, Diagnostics: []Diagnostic{}, Repeated: []Repeated{{Rule: "r", Shown: 1, NotShown: 2}}},
			&Report{Path: p, Diagnostics: []Diagnostic{}, Repeated: []Repeated{}},
			&Report{Path: p, Diagnostics: []Diagnostic{}, Unchecked: 4},
			&Report{Path: p, Diagnostics: []Diagnostic{}, Truncated: true},
		)
	}
	var out bytes.Buffer
	w := NewJSONWriter(&out)
	var want []string
	plain, errs, warns := 0, 0, 0
	for _, r := range reports {
		require.NoError(t, w.Write(r))
		want = append(want, encode(r))
		errs += r.Errors
		warns += r.Warnings
		if plainReport(r) {
			plain++
		}
	}
	require.NoError(t, w.Close())
	assert.Equal(t, `{"files":[`+strings.Join(want, ",")+fmt.Sprintf(`],"errors":%d,"warnings":%d}`, errs, warns)+"\n", out.String())
	assert.Equal(t, 3*5, plain, "the three clean reports (one with an empty Repeated) of the five plain paths")
	assert.True(t, json.Valid(out.Bytes()))
}

// TestFileSummaryAgrees checks FileSummary, appended piece by piece,
// against the fmt.Sprintf it replaces, for each count being 1 or not,
// diagnostics not shown, repeated warnings, unchecked statements, a
// truncated read and paths that need escaping.
func TestFileSummaryAgrees(t *testing.T) {
	old := func(r *Report) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s, %s: %s, %s", SafeName(r.Path), plural.Count(r.Records, "record"), plural.Count(r.Statements, "statement"),
			plural.Count(r.Errors, "error"), plural.Count(r.Warnings, "warning"))
		omitted := r.Omitted
		for _, rr := range r.Repeated {
			omitted -= rr.NotShown
		}
		if omitted > 0 {
			fmt.Fprintf(&b, " (%d not shown: see --max-errors)", omitted)
		}
		if r.Unchecked > 0 {
			fmt.Fprintf(&b, " (%s not checked against the previous statement of their account: more than %d accounts)",
				plural.Count(r.Unchecked, "statement"), MaxAccounts)
		}
		if r.Truncated {
			b.WriteString(" (stopped early: the counts cover only what was read)")
		}
		return b.String()
	}
	n := 0
	for _, p := range []string{"a.txt", "", ": x", "# y", "new\nline", "\u202e.txt", "é.txt"} {
		for _, c := range []int{0, 1, 2, 1234567} {
			for _, r := range []*Report{
				{Path: p, Records: c, Statements: c + 1, Errors: c, Warnings: 1 - c%2},
				{Path: p, Records: c, Omitted: c, Repeated: []Repeated{{NotShown: 1}}, Unchecked: c, Truncated: c%2 == 0},
			} {
				assert.Equal(t, old(r), FileSummary(r))
				n++
			}
		}
	}
	assert.Equal(t, 56, n)
}

// TestPlainReportKnowsEveryField: plainReport hand-writes Report's JSON
// for clean files, so a field added to Report's JSON must be added there
// too: this list fails until it is.
func TestPlainReportKnowsEveryField(t *testing.T) {
	var names []string
	rt := reflect.TypeFor[Report]()
	for i := range rt.NumField() {
		if tag := rt.Field(i).Tag.Get("json"); tag != "-" {
			names = append(names, tag)
		}
	}
	assert.Equal(t, []string{"path", "records", "statements", "errors", "warnings", "diagnostics",
		"omitted,omitempty", "repeated,omitempty", "unchecked_statements,omitempty", "truncated,omitempty"}, names,
		"Report's JSON changed: update plainReport and JSONWriter.Write's plain path, then this list")
}
