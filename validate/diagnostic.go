// Package validate checks CFONB120 files against the format's rules and
// reports every problem it finds as a Diagnostic: file, line, column,
// severity, a stable rule id and a message that names the field, shows the
// bad value and says what was expected.
//
// Validation streams: a file of any size is checked in constant memory, and
// a valid file's records cost no allocation.
package validate

import (
	"encoding/json"
	"fmt"
)

// Severity is how serious a diagnostic is.
type Severity uint8

// Severities. An error is what changes the meaning of a statement or would
// break an import; a warning is a deviation from the standard whose meaning
// is unambiguous.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalJSON encodes s as "error" or "warning".
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON decodes "error" or "warning".
func (s *Severity) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	switch str {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	default:
		return fmt.Errorf("validate: unknown severity %q", str)
	}
	return nil
}

// Diagnostic is one problem found in a file.
type Diagnostic struct {
	File     string   `json:"-"`
	Line     int      `json:"line"`   // 1-based; 0 for a problem with the whole file
	Column   int      `json:"column"` // 1-based column where the offending field starts
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
}

// String formats d like a compiler: "path:line:col: error: message [rule]".
// A path or message with a control character is escaped (see SafeName).
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", SafeName(d.File), d.Line, d.Column, d.Severity, SafeText(d.Message), d.Rule)
}
