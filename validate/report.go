package validate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

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
	if r.Unchecked > 0 {
		fmt.Fprintf(&b, " (%s not checked against the previous statement of their account: more than %d accounts)",
			plural(r.Unchecked, "statement"), MaxAccounts)
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
	j := NewJSONWriter(w)
	for _, r := range reports {
		if err := j.Write(r); err != nil {
			return err
		}
	}
	return j.Close()
}

// JSONWriter writes the document of WriteJSON one report at a time, so
// that a run over many files need not keep their reports.
type JSONWriter struct {
	w                io.Writer
	n                int
	errors, warnings int
	buf              bytes.Buffer
	enc              *json.Encoder
	err              error
}

// NewJSONWriter returns a JSONWriter writing to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	j := &JSONWriter{w: w}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

// Write adds one file's report to the document.
func (j *JSONWriter) Write(r *Report) error {
	if j.err != nil {
		return j.err
	}
	j.buf.Reset()
	if j.n == 0 {
		j.buf.WriteString(`{"files":[`)
	} else {
		j.buf.WriteByte(',')
	}
	j.n++
	j.errors += r.Errors
	j.warnings += r.Warnings
	if j.err = j.enc.Encode(r); j.err != nil {
		return j.err
	}
	b := bytes.TrimSuffix(j.buf.Bytes(), []byte("\n"))
	_, j.err = j.w.Write(b)
	return j.err
}

// Close ends the document with the totals.
func (j *JSONWriter) Close() error {
	if j.err != nil {
		return j.err
	}
	head := ""
	if j.n == 0 {
		head = `{"files":[`
	}
	_, j.err = fmt.Fprintf(j.w, `%s],"errors":%d,"warnings":%d}`+"\n", head, j.errors, j.warnings)
	return j.err
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
