package cfonb

import (
	"errors"
	"fmt"
)

// ErrNotDigits is returned for a numeric field that holds something else.
var ErrNotDigits = errors.New("not digits")

// FieldError reports a field that does not decode.
type FieldError struct {
	Field FieldID // the field
	Err   error   // why it does not decode, e.g. ErrNotDigits or a *DateError
}

// Error names the field and its column, then the reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s (column %d): %v", e.Field, e.Field.Start(), e.Err)
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// ParseError is an error tied to a place in the input, like
// encoding/csv.ParseError: a 1-based line and column. It is the project's
// one positioned error type: export builds it, and the normaliser's
// refusals (normalize.RefusedError) can be read as one with errors.As.
// Line 0 means the whole input, Column 0 the whole line.
type ParseError struct {
	Line   int   // 1-based line, 0 for the whole input
	Column int   // 1-based column, 0 for the whole line
	Err    error // the underlying error
}

// Error is "line L, column C: " and the underlying error, without the
// column when it is 0 and without the place when the line is 0.
func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return e.Err.Error()
	case e.Column == 0:
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }
