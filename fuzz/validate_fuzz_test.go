package fuzz

import (
	"bytes"
	"reflect"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

// validateBytes validates data, failing the test on an error, a panic or a
// hang.
func validateBytes(t *testing.T, data []byte, opts validate.Options) *validate.Report {
	t.Helper()
	var rep *validate.Report
	var err error
	noHang(t, 30*time.Second, "validate.Stream", func() {
		rep, err = validate.Stream("fuzz.txt", bytes.NewReader(data), opts)
	})
	if err != nil {
		t.Fatalf("validate.Stream failed on an in-memory input: %v", err)
	}
	return rep
}

// FuzzValidate checks the validator on any input: it never panics nor
// hangs; every diagnostic is on a line of the file (a record, or the 0x1A
// after the last one; line 1 for an empty file), at a column within the
// record (1 to max(120, its length)), with a known rule and severity and a
// printable message; the counts agree with the diagnostics kept and
// omitted; and reading the input in small pieces gives the same report.
func FuzzValidate(f *testing.F) {
	for _, s := range allSeeds(f) {
		f.Add(s, int16(0), false)
	}
	f.Add([]byte("0110278    02204EUR2 00012345603  060420"), int16(3), false)
	f.Add([]byte("99\n99\n99\n99\n"), int16(2), true)
	rules := map[string]validate.Severity{}
	for _, r := range validate.Rules() {
		rules[r.ID] = r.Severity
	}
	f.Fuzz(func(t *testing.T, data []byte, maxDiag int16, stopAtMax bool) {
		// MaxDiagnostics 0: the default; < 0: no cap.
		opts := validate.Options{MaxDiagnostics: int(maxDiag % 64), StopAtMax: stopAtMax}
		rep := validateBytes(t, data, opts)

		// What a plain reader finds in the input.
		recs, _, sub, _, err := readAll(data, cfonb.FramingAuto, 0)
		if err != nil {
			t.Fatal(err)
		}
		maxLine := len(recs)
		if sub {
			maxLine++ // the 0x1A after the last record
		}
		maxLine = max(maxLine, 1)

		// The length of each line (a line of concatenated records holds
		// several records).
		lineLen := map[int]int{}
		for _, r := range recs {
			lineLen[r.Line] += r.Length
		}
		if rep.Path != "fuzz.txt" {
			t.Fatalf("report path %q", rep.Path)
		}
		if rep.Records < 0 || rep.Records > len(recs) {
			t.Fatalf("%d records reported, the reader finds %d", rep.Records, len(recs))
		}
		if rep.Errors+rep.Warnings != len(rep.Diagnostics)+rep.Omitted {
			t.Fatalf("%d errors + %d warnings, but %d diagnostics + %d omitted", rep.Errors, rep.Warnings, len(rep.Diagnostics), rep.Omitted)
		}
		limit := opts.MaxDiagnostics
		if limit == 0 {
			limit = validate.DefaultMaxDiagnostics
		}
		kept := len(rep.Diagnostics)
		tooMany := 0
		for _, d := range rep.Diagnostics {
			if d.Rule == validate.RuleTooMany {
				tooMany++
			}
		}
		if rep.Truncated {
			// StopAtMax adds one diagnostic, that reading stopped.
			if !stopAtMax || limit < 0 || kept != limit+1 || tooMany != 1 {
				t.Fatalf("truncated report (StopAtMax %v, cap %d): %d diagnostics, %d saying so", stopAtMax, limit, kept, tooMany)
			}
			kept--
		} else if tooMany != 0 {
			t.Fatalf("%d %s diagnostics in a report that is not truncated", tooMany, validate.RuleTooMany)
		}
		if limit > 0 && kept > limit {
			t.Fatalf("%d diagnostics kept, the cap is %d", kept, limit)
		}
		if limit < 0 && rep.Omitted != 0 {
			t.Fatalf("%d diagnostics omitted without a cap", rep.Omitted)
		}
		errs, warns := 0, 0
		for _, d := range rep.Diagnostics {
			if d.Line < 0 || d.Line > maxLine {
				t.Fatalf("diagnostic %v: line %d is not in the file (%d records)", d, d.Line, len(recs))
			}
			maxCol := max(cfonb.RecordLen, lineLen[d.Line])
			if d.Column < 1 || d.Column > maxCol {
				t.Fatalf("diagnostic %v: column %d is not within 1..%d", d, d.Column, maxCol)
			}
			sev, ok := rules[d.Rule]
			if !ok {
				t.Fatalf("diagnostic %v: unknown rule %q", d, d.Rule)
			}
			switch d.Severity {
			case validate.SeverityError:
				errs++
			case validate.SeverityWarning:
				warns++
			default:
				t.Fatalf("diagnostic %v: severity %d", d, d.Severity)
			}
			// account-mismatch is an error or a warning (see validate.Rules).
			if d.Severity != sev && d.Rule != validate.RuleAccountMatch {
				t.Fatalf("diagnostic %v: rule %s is a %v", d, d.Rule, sev)
			}
			if d.File != "fuzz.txt" {
				t.Fatalf("diagnostic %v: file %q", d, d.File)
			}
			if !printableMessage(d.Message) {
				t.Fatalf("diagnostic %v: message %q is empty, not UTF-8 or holds control characters", d, d.Message)
			}
		}
		if rep.Omitted == 0 && (errs != rep.Errors || warns != rep.Warnings) {
			t.Fatalf("%d errors and %d warnings counted, %d and %d listed", rep.Errors, rep.Warnings, errs, warns)
		}

		// The same input, read in small pieces, gives the same report.
		var pieces *validate.Report
		noHang(t, 30*time.Second, "validate.Stream (pieces)", func() {
			pieces, err = validate.Stream("fuzz.txt", iotest.HalfReader(iotest.OneByteReader(bytes.NewReader(data))), opts)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rep, pieces) {
			t.Fatalf("the report depends on how the input is read:\nwhole:  %+v\npieces: %+v", rep, pieces)
		}
	})
}

// printableMessage reports whether a message is non-empty, valid UTF-8 and
// free of control characters (a message goes to terminals and CI logs).
func printableMessage(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}
