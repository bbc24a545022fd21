package validate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/internal/plural"
)

// WriteText writes reports like a compiler: one line per diagnostic,
// "path:line:col: severity: message [rule]", then one summary line per file.
func WriteText(w io.Writer, reports []*Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		for _, d := range r.Diagnostics {
			fmt.Fprintln(bw, d.String())
		}
		for _, rr := range r.Repeated {
			fmt.Fprintln(bw, RepeatedLine(r, rr))
		}
		fmt.Fprintln(bw, FileSummary(r))
	}
	return bw.Flush()
}

// FileSummary is the one-line summary of a report, e.g.
// "a.txt: 12 records, 2 statements: 1 error, 0 warnings". The path is
// escaped (SafeName): the line cannot act on a terminal or a CI log.
func FileSummary(r *Report) string {
	return string(appendFileSummary(nil, r))
}

// appendFileSummary appends FileSummary(r) to b.
func appendFileSummary(b []byte, r *Report) []byte {
	b = append(b, SafeName(r.Path)...)
	b = append(b, ": "...)
	b = plural.AppendCount(b, r.Records, "record")
	b = append(b, ", "...)
	b = plural.AppendCount(b, r.Statements, "statement")
	b = append(b, ": "...)
	b = plural.AppendCount(b, r.Errors, "error")
	b = append(b, ", "...)
	b = plural.AppendCount(b, r.Warnings, "warning")
	omitted := r.Omitted
	for _, rr := range r.Repeated {
		omitted -= rr.NotShown
	}
	if omitted > 0 {
		b = fmt.Appendf(b, " (%d not shown: see --max-errors)", omitted)
	}
	if r.Unchecked > 0 {
		b = fmt.Appendf(b, " (%s not checked against the previous statement of their account: more than %d accounts)",
			plural.Count(r.Unchecked, "statement"), MaxAccounts)
	}
	if r.Truncated {
		b = append(b, " (stopped early: the counts cover only what was read)"...)
	}
	return b
}

// RepeatedLine is the line that stands for the warnings of a rule not
// shown, e.g. "a.txt: 40 more blank-line warnings not shown (the first 10
// are)".
func RepeatedLine(r *Report, rr Repeated) string {
	return fmt.Sprintf("%s: %d more %s warnings not shown (the first %d are; --max-errors 0 shows all)",
		r.Path, rr.NotShown, rr.Rule, rr.Shown)
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
	unreadable       int
	skipped          int
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
	if plainReport(r) {
		// What the encoder writes for it, without reflection: most
		// files of a directory are clean.
		b := j.buf.AvailableBuffer()
		b = append(b, `{"path":"`...)
		b = append(b, r.Path...)
		b = append(b, `","records":`...)
		b = strconv.AppendInt(b, int64(r.Records), 10)
		b = append(b, `,"statements":`...)
		b = strconv.AppendInt(b, int64(r.Statements), 10)
		b = append(b, `,"errors":`...)
		b = strconv.AppendInt(b, int64(r.Errors), 10)
		b = append(b, `,"warnings":`...)
		b = strconv.AppendInt(b, int64(r.Warnings), 10)
		b = append(b, `,"diagnostics":[]}`...)
		j.buf.Write(b)
	} else if j.err = j.enc.Encode(r); j.err != nil {
		return j.err
	}
	b := jsonGraphic(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	_, j.err = j.w.Write(b)
	return j.err
}

// plainReport reports whether r is written by JSONWriter.Write as its
// path and counts: no diagnostic (an empty list, not a nil one), none of
// the fields left out when zero, and a path that encoding/json writes as
// it is (printable ASCII without a quote or a backslash; with HTML
// escaping off).
func plainReport(r *Report) bool {
	if r.Diagnostics == nil || len(r.Diagnostics) > 0 || r.Omitted != 0 || len(r.Repeated) > 0 || r.Unchecked != 0 || r.Truncated {
		return false
	}
	for i := 0; i < len(r.Path); i++ {
		if c := r.Path[i]; c < 0x20 || c > 0x7E || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// WriteError adds a file that could not be read to the document, as
// {"path":…,"error":…}; the totals then count it in "unreadable".
func (j *JSONWriter) WriteError(path string, err error) error {
	if j.err != nil {
		return j.err
	}
	j.unreadable++
	j.buf.Reset()
	if j.n == 0 {
		j.buf.WriteString(`{"files":[`)
	} else {
		j.buf.WriteByte(',')
	}
	j.n++
	if j.err = j.enc.Encode(struct {
		Path  string `json:"path"`
		Error string `json:"error"`
	}{path, err.Error()}); j.err != nil {
		return j.err
	}
	_, j.err = j.w.Write(jsonGraphic(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n"))))
	return j.err
}

// Close ends the document with the totals: "errors", "warnings", and when
// not zero "unreadable" (files that could not be read) and "skipped"
// (files a directory walk passed over: not bank statements).
func (j *JSONWriter) Close() error {
	if j.err != nil {
		return j.err
	}
	head := ""
	if j.n == 0 {
		head = `{"files":[`
	}
	extra := ""
	if j.unreadable > 0 {
		extra += fmt.Sprintf(`,"unreadable":%d`, j.unreadable)
	}
	if j.skipped > 0 {
		extra += fmt.Sprintf(`,"skipped":%d`, j.skipped)
	}
	_, j.err = fmt.Fprintf(j.w, `%s],"errors":%d,"warnings":%d%s}`+"\n", head, j.errors, j.warnings, extra)
	return j.err
}

// WriteGitHub writes the diagnostics as GitHub Actions workflow commands
// (::error file=…,line=…,col=…,title=rule::message), which GitHub shows as
// annotations on the files, then a plain summary line per file.
func WriteGitHub(w io.Writer, reports []*Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		for _, d := range r.Diagnostics {
			writeGitHubDiag(bw, d)
		}
		for _, rr := range r.Repeated {
			fmt.Fprintln(bw, RepeatedLine(r, rr))
		}
		fmt.Fprintln(bw, FileSummary(r))
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message: GitHub's escapes for "%"
// and line ends, and Go escapes for the other control characters (an ANSI
// escape sequence would colour or hide the log).
func ghData(s string) string {
	return SafeText(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

// ghProperty escapes a workflow command's property value (ghData, and
// ":" and ",", which end a property).
func ghProperty(s string) string {
	return SafeText(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}

// jsonGraphic writes the characters of encoded JSON that encoding/json
// leaves raw but that are not graphic (bidirectional overrides, zero-width
// and other format characters) as \uXXXX escapes: a name printed by
// "jq -r" cannot reorder or hide what a terminal shows. Outside strings
// JSON is ASCII, so every such character is inside a string.
func jsonGraphic(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b
	}
	out := append([]byte(nil), b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r < utf8.RuneSelf || unicode.IsGraphic(r) || r == utf8.RuneError && n == 1 {
			out = append(out, b[i:i+n]...)
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	return out
}
