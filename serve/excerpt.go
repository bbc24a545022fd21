package serve

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

// excerpt is the line a diagnostic points at, for the page's compiler
// caret: its text (one character per byte, so that columns stay columns)
// and the field to highlight.
type excerpt struct {
	// Text is the line's bytes (up to cfonb.DefaultMaxKeep of them), one
	// character each: printable ASCII as it is, a control byte as its
	// Unicode control picture (U+2400...), a byte above 0x7F as
	// Windows-1252 reads it.
	Text string `json:"text"`
	// Length is the line's true length in bytes.
	Length int `json:"length"`
	// FieldStart and FieldEnd are the 1-based columns to highlight: the
	// field that starts at the diagnostic's column, or that column alone.
	FieldStart int    `json:"field_start"`
	FieldEnd   int    `json:"field_end"`
	Field      string `json:"field,omitempty"`

	code cfonb.Code
}

// at returns the excerpt with the field that starts at column col.
func (e *excerpt) at(col int) *excerpt {
	c := *e
	c.FieldStart, c.FieldEnd, c.Field = max(col, 1), max(col, 1), ""
	for _, f := range cfonb.Layout(e.code) {
		if f.Start() == col {
			c.FieldEnd, c.Field = f.End(), f.String()
			break
		}
	}
	return &c
}

// maxExcerpts caps the distinct lines read back for one file.
const maxExcerpts = maxDiagnosticsCap

// excerpts reads r (the file again) and returns the lines the diagnostics
// point at. It frames the file with cfonb.Reader, as the validator did, so
// that line N is the validator's line N.
func excerpts(r io.Reader, diags []validate.Diagnostic) (map[int]*excerpt, error) {
	want := make(map[int]bool, min(len(diags), maxExcerpts))
	last := 0
	for _, d := range diags {
		if d.Line > 0 && len(want) < maxExcerpts {
			want[d.Line] = true
			last = max(last, d.Line)
		}
	}
	out := make(map[int]*excerpt, len(want))
	if len(want) == 0 {
		return out, nil
	}
	cr := cfonb.NewReader(r)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if want[rec.Line] {
			out[rec.Line] = &excerpt{Text: lineText(rec.Data), Length: rec.Length, code: cfonb.ParseCode(rec.Data)}
		}
		if rec.Line >= last {
			break
		}
	}
	return out, nil
}

// lineText turns a line's bytes into one character per byte.
func lineText(data []byte) string {
	var b strings.Builder
	b.Grow(len(data))
	for _, c := range data {
		switch {
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case c < 0x20:
			b.WriteRune(0x2400 + rune(c))
		case c == 0x7f:
			b.WriteRune(0x2421)
		default:
			r := charmap.Windows1252.DecodeByte(c)
			if r == 0xfffd || r < 0xa0 && r >= 0x80 {
				r = '\ufffd'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
