package validate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Summary is the result of validating several files, in the shape of
// `cfonb validate --format json`.
type Summary struct {
	Files    []*Report `json:"files"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
}

// Summarize totals the reports.
func Summarize(reports []*Report) Summary {
	s := Summary{Files: reports}
	if s.Files == nil {
		s.Files = []*Report{}
	}
	for _, r := range reports {
		s.Errors += r.Errors
		s.Warnings += r.Warnings
	}
	return s
}

// WriteText writes reports like a compiler: one line per diagnostic,
// "path:line:col: severity: message [rule]", then one summary line per file.
func WriteText(w io.Writer, reports []*Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		for _, d := range r.Diagnostics {
			fmt.Fprintln(bw, d.String())
		}
		fmt.Fprintln(bw, FileSummary(r))
	}
	return bw.Flush()
}

// FileSummary is the one-line summary of a report, e.g.
// "a.txt: 12 records, 2 statements: 1 error, 0 warnings".
func FileSummary(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %s: %s, %s", r.Path, plural(r.Records, "record"), plural(r.Statements, "statement"),
		plural(r.Errors, "error"), plural(r.Warnings, "warning"))
	if r.Omitted > 0 {
		fmt.Fprintf(&b, " (%d not shown: see --max-errors)", r.Omitted)
	}
	if r.Truncated {
		b.WriteString(" (stopped early: the counts cover only what was read)")
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteJSON writes the reports as one JSON document:
// {"files":[{"path":…,"records":…,"statements":…,"errors":…,"warnings":…,"diagnostics":[…]}],"errors":…,"warnings":…}.
func WriteJSON(w io.Writer, reports []*Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(Summarize(reports))
}

// WriteGitHub writes the diagnostics as GitHub Actions workflow commands
// (::error file=…,line=…,col=…,title=rule::message), which GitHub shows as
// annotations on the files, then a plain summary line per file.
func WriteGitHub(w io.Writer, reports []*Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		for _, d := range r.Diagnostics {
			fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", d.Severity,
				ghProperty(d.File), max(d.Line, 1), max(d.Column, 1), ghProperty(d.Rule), ghData(d.Message))
		}
		fmt.Fprintln(bw, FileSummary(r))
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
