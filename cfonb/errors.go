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
// encoding/csv.ParseError: a 1-based line and column.
type ParseError struct {
	Line   int   // 1-based line
	Column int   // 1-based column
	Err    error // the underlying error
}

// Error is "line L, column C: " and the underlying error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }
