package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/normalize"
)

// TestConcatenatedLineLimitAgrees: the record reader (validate, export)
// and the normaliser (fmt) read the same longest line of concatenated
// records as its records, cfonb.MaxConcatenatedLine bytes at most, and
// refuse the same one a record longer, for each line end, whatever their
// buffer: a reader of the whole input in memory (cfonb.NewReaderBytes)
// and a normaliser with a MaxLine beyond the limit too.
func TestConcatenatedLineLimitAgrees(t *testing.T) {
	lines := strings.SplitAfter(string(readValid(t)), "\n")
	rec01, rec04, rec05 := strings.TrimSuffix(lines[0], "\n"), strings.TrimSuffix(lines[1], "\n"), strings.TrimSuffix(lines[2], "\n")
	var rec07 string
	for _, l := range lines {
		if strings.HasPrefix(l, "07") {
			rec07 = strings.TrimSuffix(l, "\n")
			break
		}
	}
	most := cfonb.MaxConcatenatedLine / cfonb.RecordLen
	for _, eol := range []struct{ name, sep string }{{"CRLF", "\r\n"}, {"LF", "\n"}, {"CR", "\r"}, {"none", ""}} {
		for _, k := range []int{most, most + 1} {
			split := k*cfonb.RecordLen <= cfonb.MaxConcatenatedLine
			line := strings.Repeat(rec04+rec05, k/2) + strings.Repeat(rec04, k%2)
			// The 01's line end is CRLF when the long line has none: it
			// ends the file.
			head := rec01 + eol.sep
			in := head + line + eol.sep + rec07 + eol.sep
			if eol.sep == "" {
				head = rec01 + "\r\n"
				in = head + line
			}
			records := 2 + k // split: the 01, the line's records and the 07
			if !split {
				records = 3
			}
			if eol.sep == "" {
				records--
			}
			data := []byte(in)
			t.Run(fmt.Sprintf("%s/%d records", eol.name, k), func(t *testing.T) {
				for _, rd := range []struct {
					name string
					r    *cfonb.Reader
				}{
					{"NewReader", cfonb.NewReader(bytes.NewReader(data))},
					{"NewReaderBytes", cfonb.NewReaderBytes(bytes.Clone(data))}, // it moves the bytes
				} {
					n, onLine2 := 0, 0
					for {
						rec, err := rd.r.Read()
						if errors.Is(err, io.EOF) {
							break
						}
						require.NoError(t, err, rd.name)
						n++
						if rec.Line == 2 {
							onLine2++
						}
					}
					assert.Equal(t, records, n, rd.name)
					if split {
						assert.Equal(t, k, onLine2, rd.name)
					} else {
						assert.Equal(t, 1, onLine2, rd.name)
					}
				}

				rep, err := Stream("f", bytes.NewReader(data), Options{MaxDiagnostics: -1})
				require.NoError(t, err)
				assert.Equal(t, records, rep.Records, "validate")
				var lengths []string
				for _, d := range rep.Diagnostics {
					if d.Rule == RuleRecordLength {
						lengths = append(lengths, d.Message)
					}
				}
				if split {
					assert.Empty(t, lengths, "validate")
				} else {
					assert.Equal(t, []string{fmt.Sprintf(
						"line of %d characters holds %d concatenated records, it seems: more than the %d read as records on one line; add line ends",
						len(line), k, most)}, lengths, "validate")
				}

				for _, maxLine := range []int{0, 2 * cfonb.MaxConcatenatedLine} {
					nz := normalize.New()
					nz.MaxLine = maxLine
					rep, err := nz.Normalize(io.Discard, bytes.NewReader(data))
					if split {
						require.NoError(t, err, "fmt, MaxLine %d", maxLine)
						assert.Equal(t, records, rep.Records, "fmt, MaxLine %d", maxLine)
						continue
					}
					var refused *normalize.RefusedError
					require.ErrorAs(t, err, &refused, "fmt, MaxLine %d", maxLine)
					assert.Equal(t, 2, refused.Line, "fmt, MaxLine %d", maxLine)
					assert.Contains(t, refused.Reason, "the most cfonb splits", "fmt, MaxLine %d", maxLine)
				}
			})
		}
	}
}
