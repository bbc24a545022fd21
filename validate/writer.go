package validate

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cfonb-dev/cfonb/internal/plural"
)

// Formats are the report formats of NewReportWriter, in the order of
// cfonb validate --help.
var Formats = []string{"text", "json", "github", "sarif", "junit", "gitlab"}

// Totals are the counts of a whole run, for the end of a report.
type Totals struct {
	Files      int // files validated
	Errors     int
	Warnings   int
	Unreadable int // files that could not be read (WriteError)
	Skipped    int // files passed over by a directory walk: not bank statements
}

// String is the one total line of a run, e.g. "3 files: 1 error, 0
// warnings; skipped 6 files that are not bank statements".
func (t Totals) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %s", plural.Count(t.Files, "file"), plural.Count(t.Errors, "error"), plural.Count(t.Warnings, "warning"))
	if t.Unreadable > 0 {
		fmt.Fprintf(&b, "; %s could not be read", plural.Count(t.Unreadable, "file"))
	}
	switch {
	case t.Skipped == 1:
		b.WriteString("; skipped 1 file that is not a bank statement")
	case t.Skipped > 1:
		fmt.Fprintf(&b, "; skipped %d files that are not bank statements", t.Skipped)
	}
	return b.String()
}

// WriterOptions tune a ReportWriter.
type WriterOptions struct {
	// Quiet leaves out what concerns clean files (text and github: their
	// summary lines, and the total line of a clean run).
	Quiet bool
	// Strict: warnings fail the run (junit counts them as failures).
	Strict bool
}

// A ReportWriter writes the reports of a run in one format, one file at a
// time, in the order of the files. Every file name it writes is escaped
// for its format: a name cannot inject a line, a CI log command or a
// terminal escape sequence.
type ReportWriter interface {
	// Write adds one file's report.
	Write(r *Report) error
	// WriteError adds a file that could not be read (err names it).
	WriteError(path string, err error) error
	// Close ends the report with the run's totals.
	Close(t Totals) error
}

// NewReportWriter returns the writer of format (one of Formats) to w.
func NewReportWriter(format string, w io.Writer, opts WriterOptions) (ReportWriter, error) {
	switch format {
	case "text":
		return &lineWriter{w: w, opts: opts, diag: func(bw *bufio.Writer, d Diagnostic) { fmt.Fprintln(bw, d.String()) }}, nil
	case "github":
		return &lineWriter{w: w, opts: opts, diag: writeGitHubDiag}, nil
	case "json":
		return &jsonReportWriter{NewJSONWriter(w)}, nil
	case "sarif":
		return &sarifWriter{w: w}, nil
	case "junit":
		return &junitWriter{w: w, strict: opts.Strict}, nil
	case "gitlab":
		return &gitlabWriter{w: w}, nil
	}
	return nil, fmt.Errorf("unknown report format %q: want %s", format, strings.Join(Formats, ", "))
}

// lineWriter writes the text and github formats: lines per diagnostic, a
// summary line per file, a total line for a run of several files.
type lineWriter struct {
	w     io.Writer
	opts  WriterOptions
	diag  func(*bufio.Writer, Diagnostic)
	files int
	bw    *bufio.Writer // over w, flushed after each report
}

func (l *lineWriter) Write(r *Report) error {
	l.files++
	if l.bw == nil {
		l.bw = bufio.NewWriter(l.w)
	}
	bw := l.bw
	for _, d := range r.Diagnostics {
		l.diag(bw, d)
	}
	for _, rr := range r.Repeated {
		fmt.Fprintln(bw, RepeatedLine(r, rr))
	}
	if !l.opts.Quiet || r.Errors+r.Warnings+r.Omitted > 0 || r.Truncated {
		_, _ = bw.Write(append(appendFileSummary(bw.AvailableBuffer(), r), '\n'))
	}
	return bw.Flush()
}

// WriteError writes nothing: the command says it on standard error.
func (l *lineWriter) WriteError(string, error) error {
	l.files++
	return nil
}

func (l *lineWriter) Close(t Totals) error {
	clean := t.Errors+t.Warnings+t.Unreadable == 0
	if l.files > 1 && !(l.opts.Quiet && clean) || t.Skipped > 0 && !l.opts.Quiet {
		_, err := fmt.Fprintln(l.w, t.String())
		return err
	}
	return nil
}

func writeGitHubDiag(bw *bufio.Writer, d Diagnostic) {
	fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", d.Severity,
		ghProperty(d.File), max(d.Line, 1), max(d.Column, 1), ghProperty(d.Rule), ghData(d.Message))
}

// jsonReportWriter is JSONWriter as a ReportWriter.
type jsonReportWriter struct{ j *JSONWriter }

func (w *jsonReportWriter) Write(r *Report) error { return w.j.Write(r) }

func (w *jsonReportWriter) WriteError(path string, err error) error {
	return w.j.WriteError(path, err)
}

func (w *jsonReportWriter) Close(t Totals) error {
	w.j.skipped = t.Skipped
	return w.j.Close()
}
