package normalize

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// TestNormalizeReadsBackAsWritten: what fmt writes is framed, read again,
// by its line ends (cfonb.DetectFraming, the one framing decision, says
// so of it), and formats to itself; otherwise fmt refuses the input. A
// first line longer than cfonb.DetectWindow with record codes at columns
// 1 and 121 reads back as continuous records whether or not it is a whole
// number of them, and whatever follows it: fmt wrote such lines (from an
// input where a blank line came first, or one of 4,095 characters whose
// LF became CRLF, its LF then past the first 4,096 bytes) because it
// asked a copy of the framing rule (whole records only, the output's only
// line only) instead of DetectFraming.
func TestNormalizeReadsBackAsWritten(t *testing.T) {
	canon := fmtStatement(false, false)
	long := func(n int) string { return strings.Repeat(canon[1], n/cfonb.RecordLen+1)[:n] }
	for _, blank := range []string{"", "\r\n", "\n", "\r"} {
		for _, n := range []int{121, 241, 250, 4093, 4094, 4095, 4096, 4097, 4190, 5000} {
			for _, sep := range []string{"\r\n", "\n", "\r"} {
				for _, more := range []bool{false, true} {
					for _, eol := range []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF} {
						in := blank + long(n) + sep
						if more {
							in += canon[1] + sep
						}
						name := fmt.Sprintf("%q+%d+%q,more=%v,%v", blank, n, sep, more, eol)
						nz := New()
						nz.EOL = eol
						var out bytes.Buffer
						if _, err := nz.Normalize(&out, strings.NewReader(in)); err != nil {
							continue // refused: nothing written counts
						}
						require.Equal(t, cfonb.FramingLines, cfonb.DetectFraming(out.Bytes(), true), name)
						var again bytes.Buffer
						_, err := nz.Normalize(&again, bytes.NewReader(out.Bytes()))
						require.NoError(t, err, name)
						require.Equal(t, out.String(), again.String(), name)
					}
				}
			}
		}
	}
	notWhole := func(n int) string {
		return fmt.Sprintf("the line is %d characters, with record codes at columns 1 and 121 and no line end in its first 4096: written as it is, the file would read back as records of 120 characters with no line ends; add the missing line ends", n)
	}
	for _, tt := range []struct {
		name string
		in   string
		want RefusedError
	}{
		{"a blank line, then one line of 4,190 characters", "\r\n" + long(4190) + "\r\n", RefusedError{Line: 2, Reason: notWhole(4190)}},
		{"a blank line, a line of 5,000 characters, then a record", "\r\n" + long(5000) + "\r\n" + canon[1] + "\r\n", RefusedError{Line: 2, Reason: notWhole(5000)}},
		{"a blank line, a line of 4,095 characters and CRLF, then a record", "\r\n" + long(4095) + "\r\n" + canon[1] + "\r\n", RefusedError{Line: 2, Reason: notWhole(4095)}},
		{"CR line ends: a blank line, then 'É' making two records 241 bytes", "\r" + canon[0][:50] + "É" + canon[0][51:] + canon[1] + "\r",
			RefusedError{Line: 2, Reason: "the line is 240 characters: it holds 2 records of 120 characters with no line end between them, in a file whose records end with line ends; add the missing line ends"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := normalizeBytes(t, []byte(tt.in), EncodingAuto, cfonb.EOLCRLF)
			var re *RefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.want, *re)
		})
	}
}
