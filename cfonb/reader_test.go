package cfonb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small statement (records from the silarhi/cfonb-parser samples, MIT).
const (
	rec01 = "0110278    02204EUR2 00012345603  060420                                                  0000000166956E060420070420    "
	rec04 = "0410556677202204EUR2 00012345603B1070420  070420PRLV SEPA ONLINE SAS             0000000000000000000227R                "
	rec05 = "0510556677202204EUR2 00012345603B1070420     LIBDEDIBOX 3706114                                                         "
	rec07 = "0710278    02204EUR2 00012345603  070420                                                  0000000166728F                "
)

var statement = []string{rec01, rec04, rec05, rec07}

// The first two lines of the silarhi sample cfonb.240-complex-test.txt, a
// CFONB240 file: 240-character lines.
const (
	line240a = "3100000120181220E    300661077100020030401                                   300661077100020030401                                                                                                                                              "
	line240b = "3400000220211220E0066149890000122140469732OFFICE NATL DU AAAAAAAA            300661077100020030401ZZZZZZZZ                                                                                                              211220      000000171200"
)

func TestFixtureLengths(t *testing.T) {
	for _, s := range statement {
		require.Len(t, s, RecordLen)
	}
	require.Len(t, line240a, 240)
	require.Len(t, line240b, 240)
}

// got is a Record with its data copied, for comparisons.
type got struct {
	Line   int
	Offset int64
	Data   string
	Length int
	EOL    EOL
}

func (g got) String() string {
	return fmt.Sprintf("{%d @%d %q len=%d %v}", g.Line, g.Offset, g.Data, g.Length, g.EOL)
}

// readAll reads every record; err is the error that ended the reading
// (io.EOF at a normal end).
func readAll(r *Reader) (recs []got, err error) {
	for {
		rec, err := r.Read()
		if err != nil {
			return recs, err
		}
		recs = append(recs, got{rec.Line, rec.Offset, string(rec.Data), rec.Length, rec.EOL})
	}
}

func join(recs []string, sep string) string { return strings.Join(recs, sep) + sep }

func TestReader(t *testing.T) {
	x := strings.Repeat("x", 119)
	y := strings.Repeat("y", 121)
	tests := []struct {
		name    string
		in      string
		framing Framing // forced framing; FramingAuto detects
		want    Framing // framing after the first Read
		recs    []got
		sub     bool
	}{
		{name: "empty", in: "", want: FramingLines},
		{name: "LF", in: rec01 + "\n" + rec07 + "\n", want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLLF}, {2, 121, rec07, 120, EOLLF}}},
		{name: "CRLF", in: rec01 + "\r\n" + rec07 + "\r\n", want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLCRLF}, {2, 122, rec07, 120, EOLCRLF}}},
		{name: "mixed LF and CRLF", in: rec01 + "\r\n" + rec04 + "\n" + rec07 + "\r\n", want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLCRLF}, {2, 122, rec04, 120, EOLLF}, {3, 243, rec07, 120, EOLCRLF}}},
		{name: "last line without line end", in: rec01 + "\n" + rec07, want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLLF}, {2, 121, rec07, 120, EOLNone}}},
		{name: "single record without line end", in: rec01, want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLNone}}},
		{name: "blank lines", in: "\n" + rec01 + "\n\r\n\n" + rec07 + "\n\n", want: FramingLines, recs: []got{
			{1, 0, "", 0, EOLLF}, {2, 1, rec01, 120, EOLLF}, {3, 122, "", 0, EOLCRLF}, {4, 124, "", 0, EOLLF},
			{5, 125, rec07, 120, EOLLF}, {6, 246, "", 0, EOLLF}}},
		{name: "short and long lines", in: x + "\n" + y + "\r\n" + rec07 + "\n", want: FramingLines, recs: []got{
			{1, 0, x, 119, EOLLF}, {2, 120, y, 121, EOLCRLF}, {3, 243, rec07, 120, EOLLF}}},
		{name: "CR inside a line is data", in: "ab\rcd\n", want: FramingLines, recs: []got{
			{1, 0, "ab\rcd", 5, EOLLF}}},
		{name: "CR CR LF", in: rec01 + "\r\r\n", want: FramingLines, recs: []got{
			{1, 0, rec01 + "\r", 121, EOLCRLF}}},
		{name: "CR at the end of the last line", in: rec01 + "\n" + rec07 + "\r", want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLLF}, {2, 121, rec07 + "\r", 121, EOLNone}}},
		{name: "240-character lines", in: line240a + "\n" + line240b + "\n", want: FramingLines, recs: []got{
			{1, 0, line240a, 240, EOLLF}, {2, 241, line240b, 240, EOLLF}}},
		{name: "continuous", in: rec01 + rec04 + rec07, want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec04, 120, EOLNone}, {3, 240, rec07, 120, EOLNone}}},
		{name: "continuous with a final LF", in: rec01 + rec07 + "\n", want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07, 120, EOLNone}}},
		{name: "continuous with a final CRLF", in: rec01 + rec07 + "\r\n", want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07, 120, EOLNone}}},
		{name: "continuous with a final 0x1A", in: rec01 + rec07 + "\x1a", want: FramingContinuous, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07, 120, EOLNone}}},
		{name: "continuous with CRLF then 0x1A", in: rec01 + rec07 + "\r\n\x1a", want: FramingContinuous, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07, 120, EOLNone}}},
		{name: "continuous with 0x1A then CRLF", in: rec01 + rec07 + "\x1a\r\n", want: FramingContinuous, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07, 120, EOLNone}}},
		{name: "continuous with a short last record", in: rec01 + rec07[:50], want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07[:50], 50, EOLNone}}},
		{name: "one line of 170 characters and 0x1A: not a whole number of records, so not continuous", in: rec01 + rec07[:50] + "\n\x1a", want: FramingLines, sub: true, recs: []got{
			{1, 0, rec01 + rec07[:50], 170, EOLLF}}},
		{name: "continuous with a short last record and 0x1A, no line end", in: rec01 + rec07[:50] + "\x1a", want: FramingContinuous, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec07[:50], 50, EOLNone}}},
		{name: "continuous, separators between some records skipped", in: rec01 + rec04 + "\r\n" + rec07, framing: FramingContinuous, want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 120, rec04, 120, EOLNone}, {3, 242, rec07, 120, EOLNone}}},
		{name: "forced continuous on an LF file", in: rec01 + "\n" + rec07 + "\n", framing: FramingContinuous, want: FramingContinuous, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {2, 121, rec07, 120, EOLNone}}},
		{name: "forced lines on a continuous file: one line of two records", in: rec01 + rec07, framing: FramingLines, want: FramingLines, recs: []got{
			{1, 0, rec01, 120, EOLNone}, {1, 120, rec07, 120, EOLNone}}},
		{name: "unknown framing value reads lines", in: rec01 + rec07[:100], framing: Framing(99), want: FramingLines, recs: []got{
			{1, 0, rec01 + rec07[:100], 220, EOLNone}}},
		{name: "mixed: the 01 on its line, then a line of concatenated records, then the 07", in: rec01 + "\n" + rec04 + rec05 + rec04 + "\r\n" + rec07 + "\n",
			want: FramingLines, recs: []got{
				{1, 0, rec01, 120, EOLLF}, {2, 121, rec04, 120, EOLNone}, {2, 241, rec05, 120, EOLNone}, {2, 361, rec04, 120, EOLCRLF},
				{3, 483, rec07, 120, EOLLF}}},
		{name: "mixed with CR line ends", in: rec01 + "\r" + rec04 + rec05 + "\r" + rec07,
			want: FramingCR, recs: []got{
				{1, 0, rec01, 120, EOLCR}, {2, 121, rec04, 120, EOLNone}, {2, 241, rec05, 120, EOLCR}, {3, 362, rec07, 120, EOLNone}}},
		{name: "a line of 240 characters that are not two records is one line", in: rec01 + "\n" + rec04 + "X" + rec05[1:] + "\n",
			want: FramingLines, recs: []got{{1, 0, rec01, 120, EOLLF}, {2, 121, rec04 + "X" + rec05[1:], 240, EOLLF}}},
		{name: "0x1A alone", in: "\x1a", want: FramingLines, sub: true},
		{name: "0x1A after the last line end", in: rec01 + "\r\n\x1a", want: FramingLines, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLCRLF}}},
		{name: "0x1A ending the last line", in: rec01 + "\n" + rec07 + "\x1a", want: FramingLines, sub: true, recs: []got{
			{1, 0, rec01, 120, EOLLF}, {2, 121, rec07, 120, EOLNone}}},
		{name: "0x1A inside is data", in: "a\x1ab\n\x1a\n", want: FramingLines, recs: []got{
			{1, 0, "a\x1ab", 3, EOLLF}, {2, 4, "\x1a", 1, EOLLF}}},
		{name: "CR-only", in: rec01 + "\r" + rec04 + "\r" + rec07 + "\r", want: FramingCR, recs: []got{
			{1, 0, rec01, 120, EOLCR}, {2, 121, rec04, 120, EOLCR}, {3, 242, rec07, 120, EOLCR}}},
		{name: "CR-only, short lines, last without line end", in: x + "\r" + rec04[:60] + "\r\r" + rec07, want: FramingCR, recs: []got{
			{1, 0, x, 119, EOLCR}, {2, 120, rec04[:60], 60, EOLCR}, {3, 181, "", 0, EOLCR}, {4, 182, rec07, 120, EOLNone}}},
		{name: "CR-only, single record", in: rec01 + "\r", want: FramingCR, recs: []got{
			{1, 0, rec01, 120, EOLCR}}},
		{name: "a lone CR", in: "\r", want: FramingCR, recs: []got{
			{1, 0, "", 0, EOLCR}}},
		{name: "forced CR framing on a CRLF file", in: rec01 + "\r\n" + rec07 + "\r\n", framing: FramingCR, want: FramingCR, recs: []got{
			{1, 0, rec01, 120, EOLCRLF}, {2, 122, rec07, 120, EOLCRLF}}},
		{name: "forced CR framing: a lone LF is data", in: "ab\ncd\r", framing: FramingCR, want: FramingCR, recs: []got{
			{1, 0, "ab\ncd", 5, EOLCR}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in))
			r.Framing = tt.framing
			recs, err := readAll(r)
			assert.ErrorIs(t, err, io.EOF)
			assert.Equal(t, tt.want, r.Framing, "framing %v", r.Framing)
			assert.Equal(t, tt.recs, recs)
			assert.Equal(t, tt.sub, r.TrailingSUB(), "TrailingSUB")
			if len(tt.recs) > 0 {
				assert.Equal(t, tt.recs[len(tt.recs)-1].Line, r.Line())
			}
			assert.Equal(t, int64(len(tt.in)), r.InputOffset(), "InputOffset at the end")
			// The end is sticky.
			_, err = r.Read()
			assert.ErrorIs(t, err, io.EOF)
			// The model gives the same records.
			recs, sub := modelRead([]byte(tt.in), tt.want, DefaultMaxKeep)
			assert.Equal(t, tt.recs, recs, "model")
			assert.Equal(t, tt.sub, sub, "model's TrailingSUB")
		})
	}
}

// modelRead is a plain, whole-input implementation of the Reader's
// documented behaviour, for differential tests.
func modelRead(in []byte, framing Framing, maxKeep int) (recs []got, sub bool) {
	line := 0
	emit := func(off int, data []byte, eol EOL) {
		line++
		// The buffer grows to hold such a line up to MaxConcatenatedLine,
		// the limit whatever the buffer.
		if k := Concatenated(data); k > 0 && framing != FramingContinuous && len(data) <= MaxConcatenatedLine {
			// A line of concatenated records: its records, one by one.
			for j := range k {
				e := EOLNone
				if j == k-1 {
					e = eol
				}
				d := data[j*RecordLen : (j+1)*RecordLen]
				recs = append(recs, got{line, int64(off + j*RecordLen), string(d[:min(len(d), maxKeep)]), RecordLen, e})
			}
			return
		}
		d := data[:min(len(data), maxKeep)]
		recs = append(recs, got{line, int64(off), string(d), len(data), eol})
	}
	pos := 0
	switch framing {
	case FramingContinuous:
		for {
			for pos < len(in) && (in[pos] == '\r' || in[pos] == '\n') {
				pos++
			}
			if len(in)-pos >= RecordLen {
				emit(pos, in[pos:pos+RecordLen], EOLNone)
				pos += RecordLen
				continue
			}
			rest := bytes.TrimRight(in[pos:], "\r\n")
			if n := len(rest); n > 0 && rest[n-1] == 0x1a {
				rest, sub = rest[:n-1], true
			}
			rest = bytes.TrimRight(rest, "\r\n")
			if len(rest) > 0 {
				emit(pos, rest, EOLNone)
			}
			return recs, sub
		}
	default:
		sep := byte('\n')
		if framing == FramingCR {
			sep = '\r'
		}
		for pos < len(in) {
			i := bytes.IndexByte(in[pos:], sep)
			if i < 0 {
				line := in[pos:]
				if n := len(line); line[n-1] == 0x1a {
					line, sub = line[:n-1], true
				}
				if len(line) > 0 {
					emit(pos, line, EOLNone)
				}
				return recs, sub
			}
			line := in[pos : pos+i]
			next := pos + i + 1
			var eol EOL
			switch {
			case sep == '\n' && len(line) > 0 && line[len(line)-1] == '\r':
				line, eol = line[:len(line)-1], EOLCRLF
			case sep == '\n':
				eol = EOLLF
			case next < len(in) && in[next] == '\n':
				next, eol = next+1, EOLCRLF
			default:
				eol = EOLCR
			}
			emit(pos, line, eol)
			pos = next
		}
	}
	return recs, sub
}

func TestDetectFraming(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name  string
		in    string
		atEOF bool
		want  Framing
	}{
		{"empty", "", true, FramingLines},
		{"LF lines", rec01 + "\n" + rec07 + "\n", true, FramingLines},
		{"LF lines, window cut", rec01 + "\n" + rec07[:10], false, FramingLines},
		{"one record", rec01, true, FramingLines},
		{"one record with CRLF", rec01 + "\r\n", true, FramingLines},
		{"continuous", rec01 + rec07, true, FramingContinuous},
		{"continuous, window cut", rec01 + rec07[:2], false, FramingContinuous},
		{"continuous, 121 bytes is not enough", rec01 + "0", false, FramingLines},
		{"continuous with final LF", rec01 + rec07 + "\n", true, FramingContinuous},
		{"continuous with final CRLF and 0x1A", rec01 + rec07 + "\r\n\x1a", true, FramingContinuous},
		{"final LF counts when not at EOF", rec01 + rec07 + "\n", false, FramingLines},
		{"no digits at 120", rec01 + " " + rec07, true, FramingLines},
		{"no digits at 0", " " + rec01[1:] + rec07, true, FramingLines},
		{"240-character lines", line240a + "\n" + line240b + "\n", true, FramingLines},
		{"240-character line, no LF in window", line240a, false, FramingLines},
		{"CR lines", rec01 + "\r" + rec07 + "\r", true, FramingCR},
		{"CR at 120 at EOF", rec01 + "\r", true, FramingCR},
		{"CR at 0", "\r" + rec01, true, FramingCR},
		{"CR after a 119-byte line, digits at 120", rec01[:119] + "\r" + rec07, true, FramingCR},
		{"continuous with a CR beyond 121", rec01 + rec07[:100] + "\r" + rec07, true, FramingContinuous},
		{"CR late, no record codes", long + "\rabc", true, FramingCR},
		{"CR and LF: lines", rec01 + "\r" + rec07 + "\n", true, FramingLines},
		{"continuous then a trailing CR", rec01 + rec07 + "\r", true, FramingContinuous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DetectFraming([]byte(tt.in), tt.atEOF))
		})
	}
}

func TestFramingString(t *testing.T) {
	assert.Equal(t, "auto", FramingAuto.String())
	assert.Equal(t, "lines", FramingLines.String())
	assert.Equal(t, "continuous", FramingContinuous.String())
	assert.Equal(t, "cr", FramingCR.String())
	assert.Equal(t, "auto", Framing(42).String())
}

// TestReaderSameContent checks that one content gives the same records
// (line, data, length) in every form a file takes.
func TestReaderSameContent(t *testing.T) {
	recs := []string{rec01, rec04, rec05, rec05, rec04, rec07, rec01, rec07}
	cont := strings.Join(recs, "")
	forms := map[string]string{
		"LF":                   join(recs, "\n"),
		"CRLF":                 join(recs, "\r\n"),
		"LF, no final LF":      strings.Join(recs, "\n"),
		"CRLF, 0x1A":           join(recs, "\r\n") + "\x1a",
		"continuous":           cont,
		"continuous, final LF": cont + "\n",
		"continuous, CRLF":     cont + "\r\n",
		"continuous, 0x1A":     cont + "\x1a",
		"CR":                   join(recs, "\r"),
	}
	var want []got
	for i, s := range recs {
		want = append(want, got{Line: i + 1, Data: s, Length: RecordLen})
	}
	for name, in := range forms {
		t.Run(name, func(t *testing.T) {
			r := NewReader(strings.NewReader(in))
			out, err := readAll(r)
			require.ErrorIs(t, err, io.EOF)
			for i := range out {
				out[i].Offset, out[i].EOL = 0, EOLNone
			}
			assert.Equal(t, want, out)
		})
	}
}

// chunkers wrap a reader into readers that deliver the same bytes in other
// chunks.
var chunkers = map[string]func(io.Reader) io.Reader{
	"whole":    func(r io.Reader) io.Reader { return r },
	"one byte": iotest.OneByteReader,
	"half":     iotest.HalfReader,
	"data+EOF": iotest.DataErrReader,
	"odd":      func(r io.Reader) io.Reader { return &chunkReader{r: r, sizes: []int{7, 1, 120, 121, 3, 0, 240}} },
}

// chunkReader returns reads of the given sizes in turn (0 is an empty read).
type chunkReader struct {
	r     io.Reader
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	n := c.sizes[c.i%len(c.sizes)]
	c.i++
	return c.r.Read(p[:min(n, len(p))])
}

func TestReaderChunking(t *testing.T) {
	inputs := map[string]string{
		"LF":         join(statement, "\n"),
		"CRLF":       join(statement, "\r\n") + "\x1a",
		"continuous": strings.Join(statement, "") + "\r\n",
		"CR":         join(statement, "\r") + "\n" + rec01, // LF beyond the window: CR framing
		"blank":      "\n\r\n\n",
	}
	for name, in := range inputs {
		var want []got
		var wantFraming Framing
		for cname, chunk := range chunkers {
			t.Run(name+"/"+cname, func(t *testing.T) {
				r := newReaderSize(chunk(strings.NewReader(in)), 256)
				recs, err := readAll(r)
				require.ErrorIs(t, err, io.EOF)
				if want == nil {
					want, wantFraming = recs, r.Framing
					require.NotEmpty(t, want)
					return
				}
				assert.Equal(t, want, recs)
				assert.Equal(t, wantFraming, r.Framing)
			})
		}
	}
}

var errBoom = errors.New("boom")

// errAfter delivers data, then fails with err for ever.
func errAfter(data string, err error) io.Reader {
	return io.MultiReader(strings.NewReader(data), iotest.ErrReader(err))
}

func TestReaderError(t *testing.T) {
	full := join(statement, "\r\n")
	tests := []struct {
		name    string
		in      string
		framing Framing
		want    int // records returned before the error
	}{
		{"immediately", "", FramingAuto, 0},
		{"after two whole lines", rec01 + "\r\n" + rec04 + "\r\n", FramingAuto, 2},
		{"inside the third line", full[:2*122+50], FramingAuto, 2},
		{"before the LF of the second line", rec01 + "\n" + rec04 + "\r", FramingAuto, 1},
		{"last line without its line end", rec01 + "\n" + rec04, FramingAuto, 1},
		{"continuous, whole blocks", rec01 + rec04, FramingAuto, 2},
		{"continuous, inside a block", rec01 + rec04 + rec07[:7], FramingAuto, 2},
		{"CR framing, CR before the error", rec01 + "\r" + rec04 + "\r", FramingCR, 2},
		{"CR framing, no CR before the error", rec01 + "\r" + rec04, FramingCR, 1},
		{"over-long line", strings.Repeat("z", 1000), FramingLines, 0},
	}
	for _, tt := range tests {
		for cname, chunk := range chunkers {
			t.Run(tt.name+"/"+cname, func(t *testing.T) {
				r := newReaderSize(chunk(errAfter(tt.in, errBoom)), 256)
				r.Framing = tt.framing
				recs, err := readAll(r)
				require.ErrorIs(t, err, errBoom)
				assert.Len(t, recs, tt.want)
				// The error is sticky.
				_, err = r.Read()
				assert.ErrorIs(t, err, errBoom)
			})
		}
	}
	t.Run("TimeoutReader", func(t *testing.T) {
		// The second read fails (later ones would succeed): the whole
		// lines of the first read, then the error, for good.
		in := join(statement, "\r\n") + rec01[:10]
		r := NewReader(iotest.TimeoutReader(strings.NewReader(in)))
		recs, err := readAll(r)
		assert.ErrorIs(t, err, iotest.ErrTimeout)
		assert.Len(t, recs, 4)
		_, err = r.Read()
		assert.ErrorIs(t, err, iotest.ErrTimeout)
	})
	t.Run("ErrReader", func(t *testing.T) {
		r := NewReader(iotest.ErrReader(errBoom))
		_, err := r.Read()
		assert.ErrorIs(t, err, errBoom)
	})
	t.Run("no progress", func(t *testing.T) {
		r := NewReader(emptyReader{})
		_, err := r.Read()
		assert.ErrorIs(t, err, io.ErrNoProgress)
	})
	t.Run("zero Reader", func(t *testing.T) {
		var r Reader
		_, err := r.Read()
		assert.ErrorIs(t, err, errNoSource)
	})
	t.Run("transient error is not lost", func(t *testing.T) {
		// The error arrives while the framing is detected, on a short
		// input, and the next read would succeed: it must still be
		// returned, once the whole records before it are. (The first
		// Reader lost it: bufio.Reader.Peek's error was dropped.)
		r := NewReader(&onceErr{data: "0110278\n0710278", err: errBoom})
		recs, err := readAll(r)
		assert.ErrorIs(t, err, errBoom)
		assert.Equal(t, []got{{1, 0, "0110278", 7, EOLLF}}, recs)
	})
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// onceErr returns its data, then err once, then io.EOF.
type onceErr struct {
	data string
	err  error
	n    int
}

func (o *onceErr) Read(p []byte) (int, error) {
	o.n++
	switch o.n {
	case 1:
		return copy(p, o.data), nil
	case 2:
		return 0, o.err
	}
	return 0, io.EOF
}

// TestReaderModel compares the Reader with modelRead on random inputs made
// of record-like bytes and every kind of separator, through buffers and
// chunks of many sizes, so that every buffer boundary is met.
func TestReaderModel(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("0000014457 AZ\r\r\n\n\n\x1a")
	framings := []Framing{FramingAuto, FramingLines, FramingContinuous, FramingCR}
	bufSizes := []int{minBufSize, 241, 300, 1000, readerBufSize}
	maxKeeps := []int{0, 1, 50, 121, 500}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		// Inputs: random bytes, or random records with random separators.
		var in []byte
		if i%2 == 0 {
			in = make([]byte, rng.IntN(1500))
			for j := range in {
				in[j] = alphabet[rng.IntN(len(alphabet))]
			}
		} else {
			for range rng.IntN(12) {
				in = append(in, statement[rng.IntN(len(statement))][:118+rng.IntN(3)]...)
				in = append(in, []string{"", "\n", "\r\n", "\r", "\n\n", "\x1a"}[rng.IntN(6)]...)
			}
		}
		framing := framings[rng.IntN(len(framings))]
		bufSize := bufSizes[rng.IntN(len(bufSizes))]
		maxKeep := maxKeeps[rng.IntN(len(maxKeeps))]
		chunk := []func(io.Reader) io.Reader{chunkers["whole"], chunkers["one byte"], chunkers["half"], chunkers["data+EOF"], chunkers["odd"]}[i%5]

		r := newReaderSize(chunk(bytes.NewReader(in)), bufSize)
		r.Framing, r.MaxKeep = framing, maxKeep
		recs, err := readAll(r)
		require.ErrorIs(t, err, io.EOF)
		wantFraming := framing
		if framing == FramingAuto {
			wantFraming = DetectFraming(in[:min(len(in), DetectWindow, bufSize)], len(in) <= min(DetectWindow, bufSize))
		}
		require.Equal(t, wantFraming, r.Framing, "case %d", i)
		keep := maxKeep
		if keep == 0 {
			keep = DefaultMaxKeep
		}
		want, wantSub := modelRead(in, wantFraming, keep)
		require.Equal(t, want, recs, "case %d: framing %v, buffer %d, MaxKeep %d, input %q", i, wantFraming, bufSize, maxKeep, in)
		require.Equal(t, wantSub, r.TrailingSUB(), "case %d: %q", i, in)
		require.Equal(t, int64(len(in)), r.InputOffset())
	}
}

// TestReaderOverlong reads 1 MiB lines through the real 256 KiB buffer.
// In the first line, the CR is the last byte of the fourth buffer load and
// the LF the first byte of the fifth.
func TestReaderOverlong(t *testing.T) {
	const size = 4 * readerBufSize // 1 MiB
	long := bytes.Repeat([]byte("abcdefghij"), size/10+1)[:size-1]
	in := string(long) + "\r\n" + rec01 + "\n" + string(long[:200]) + "\n" + string(long) + "\n"
	for _, cname := range []string{"whole", "half", "odd"} {
		t.Run(cname, func(t *testing.T) {
			r := NewReader(chunkers[cname](strings.NewReader(in)))
			recs, err := readAll(r)
			require.ErrorIs(t, err, io.EOF)
			require.Len(t, recs, 4)
			assert.Equal(t, got{1, 0, string(long[:DefaultMaxKeep]), size - 1, EOLCRLF}, recs[0])
			assert.Equal(t, got{2, size + 1, rec01, 120, EOLLF}, recs[1])
			assert.Equal(t, got{3, size + 122, string(long[:200]), 200, EOLLF}, recs[2])
			assert.Equal(t, got{4, size + 323, string(long[:DefaultMaxKeep]), size - 1, EOLLF}, recs[3])
			assert.Equal(t, FramingLines, r.Framing)
			assert.Equal(t, int64(len(in)), r.InputOffset())
		})
	}
	t.Run("MaxKeep above the buffer size", func(t *testing.T) {
		r := NewReader(strings.NewReader(in))
		r.MaxKeep = 2 * size
		rec, err := r.Read()
		require.NoError(t, err)
		assert.Equal(t, size-1, rec.Length)
		assert.Equal(t, string(long), string(rec.Data))
		assert.Equal(t, EOLCRLF, rec.EOL)
		rec, err = r.Read()
		require.NoError(t, err)
		assert.Equal(t, rec01, string(rec.Data))
	})
	t.Run("no line end, 0x1A", func(t *testing.T) {
		r := NewReader(strings.NewReader(string(long) + "\x1a"))
		recs, err := readAll(r)
		require.ErrorIs(t, err, io.EOF)
		assert.Equal(t, []got{{1, 0, string(long[:DefaultMaxKeep]), size - 1, EOLNone}}, recs)
		assert.True(t, r.TrailingSUB())
	})
	t.Run("CR framing, CR last byte of a buffer load", func(t *testing.T) {
		in := string(long) + "\r\n" + rec01 + "\r"
		r := NewReader(strings.NewReader(in))
		r.Framing = FramingCR
		recs, err := readAll(r)
		require.ErrorIs(t, err, io.EOF)
		assert.Equal(t, []got{{1, 0, string(long[:DefaultMaxKeep]), size - 1, EOLCRLF}, {2, size + 1, rec01, 120, EOLCR}}, recs)
	})
	t.Run("CR framing, buffer full up to the CR", func(t *testing.T) {
		line := strings.Repeat("a", readerBufSize-1)
		in := line + "\r\n" + rec01 + "\r"
		r := NewReader(strings.NewReader(in))
		r.Framing = FramingCR
		recs, err := readAll(r)
		require.ErrorIs(t, err, io.EOF)
		assert.Equal(t, []got{{1, 0, line[:DefaultMaxKeep], readerBufSize - 1, EOLCRLF}, {2, readerBufSize + 1, rec01, 120, EOLCR}}, recs)
	})
}

func TestReaderMaxKeep(t *testing.T) {
	line := strings.Repeat("b", 2000)
	r := NewReader(strings.NewReader(line + "\n" + rec01 + "\n"))
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, 2000, rec.Length)
	assert.Equal(t, line[:DefaultMaxKeep], string(rec.Data))

	r = NewReader(strings.NewReader(rec01 + rec07))
	r.MaxKeep = 10
	rec, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, FramingContinuous, r.Framing)
	assert.Equal(t, got{1, 0, rec01[:10], 120, EOLNone}, got{rec.Line, rec.Offset, string(rec.Data), rec.Length, rec.EOL})
}

// TestReaderDataCapacity checks that appending to a record's Data cannot
// overwrite the reader's buffer.
func TestReaderDataCapacity(t *testing.T) {
	r := NewReader(strings.NewReader(rec01 + "\n" + rec07 + "\n"))
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, len(rec.Data), cap(rec.Data))
	_ = append(rec.Data, "XXXX"...)
	rec, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, rec07, string(rec.Data))
}

// repeatReader delivers its data over and over, for ever.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// TestReaderAllocs checks that reading records allocates nothing, in steady
// state, whatever the framing (buffer refills included).
func TestReaderAllocs(t *testing.T) {
	inputs := map[string]string{
		"LF":         join(statement, "\n"),
		"CRLF":       join(statement, "\r\n"),
		"continuous": strings.Join(statement, ""),
		"CR":         join(statement, "\r"),
		"blank":      join(statement, "\n\n"),
		"over-long":  strings.Repeat("x", 3000) + "\n" + rec01 + "\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			r := newReaderSize(&repeatReader{data: []byte(in)}, 1024)
			for range 10 { // warm up: the framing, the over-long buffer
				_, err := r.Read()
				require.NoError(t, err)
			}
			allocs := testing.AllocsPerRun(5000, func() {
				if _, err := r.Read(); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
	t.Run("default buffer", func(t *testing.T) {
		r := NewReader(&repeatReader{data: []byte(join(statement, "\r\n"))})
		_, err := r.Read()
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(10000, func() {
			if _, err := r.Read(); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs)
	})
}

// TestReaderSamples reads the real-world samples of ../shared/samples when
// they are there (they are not part of the repository).
func TestReaderSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "samples", "silarhi-cfonb-parser")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("samples not available:", err)
	}
	r120 := func(n int) []int { return slices.Repeat([]int{120}, n) }
	tests := []struct {
		file    string
		lengths []int
	}{
		{"cfonb.240-complex-test.txt", append(slices.Repeat([]int{240}, 7), 0)},
		{"complex-test.txt", slices.Concat(r120(20), []int{0}, r120(5), []int{0, 0})},
		{"non-strict-test.txt", slices.Concat(r120(20), []int{0}, r120(5), []int{0, 0})},
		{"simple-test.txt", r120(2)}, // the last line has no line end
		{"test-unused-parts.txt", r120(16)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			r := NewReader(f)
			recs, err := readAll(r)
			require.ErrorIs(t, err, io.EOF)
			assert.Equal(t, FramingLines, r.Framing)
			var lengths []int
			for _, rec := range recs {
				lengths = append(lengths, rec.Length)
			}
			assert.Equal(t, tt.lengths, lengths)
		})
	}
}

// FuzzReader compares the Reader with modelRead; the first input byte picks
// the framing, the buffer size and the chunking.
func FuzzReader(f *testing.F) {
	f.Add([]byte{0}, join(statement, "\r\n"))
	f.Add([]byte{1}, strings.Join(statement, "")+"\x1a")
	f.Add([]byte{2}, join(statement, "\r"))
	f.Add([]byte{3}, "\n\r\n"+rec01+"\r\r\n\x1a")
	f.Fuzz(func(t *testing.T, knobs []byte, in string) {
		k := byte(0)
		if len(knobs) > 0 {
			k = knobs[0]
		}
		framing := []Framing{FramingAuto, FramingLines, FramingContinuous, FramingCR}[k%4]
		bufSize := []int{minBufSize, 300, readerBufSize}[k/4%3]
		chunk := []func(io.Reader) io.Reader{chunkers["whole"], chunkers["one byte"], chunkers["odd"]}[k/12%3]
		maxKeep := int(k/36%4) * 40 // 0 (the default), 40, 80, 120

		r := newReaderSize(chunk(strings.NewReader(in)), bufSize)
		r.Framing, r.MaxKeep = framing, maxKeep
		recs, err := readAll(r)
		if !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		if framing == FramingAuto {
			window := min(DetectWindow, bufSize)
			framing = DetectFraming([]byte(in[:min(len(in), window)]), len(in) <= window)
		}
		if maxKeep == 0 {
			maxKeep = DefaultMaxKeep
		}
		want, sub := modelRead([]byte(in), framing, maxKeep)
		if !slices.Equal(want, recs) || sub != r.TrailingSUB() || r.Framing != framing {
			t.Fatalf("framing %v, buffer %d, MaxKeep %d\n got %v (sub %v, framing %v)\nwant %v (sub %v)",
				framing, bufSize, maxKeep, recs, r.TrailingSUB(), r.Framing, want, sub)
		}
	})
}

// TestReaderLongConcatenatedLine: some EBICS exports write a day's
// movements on one line of concatenated records. A line longer than the
// reader's buffer is read as its records too, up to MaxConcatenatedLine,
// however the input's reads fall and whatever the first buffer size; a
// longer one is one record (the validator says it is too long), and the
// buffer never grows past ConcatenatedLineBuf.
func TestReaderLongConcatenatedLine(t *testing.T) {
	for _, tt := range []struct {
		name    string
		n       int // records on the line
		framing Framing
		eol     string
		split   bool
	}{
		{"3,000 records, CRLF", 3000, FramingLines, "\r\n", true},
		{"3,000 records, LF", 3000, FramingLines, "\n", true},
		{"3,000 records, CR", 3000, FramingCR, "\r", true},
		{"the most", MaxConcatenatedLine / RecordLen, FramingLines, "\r\n", true},
		{"one record too many", MaxConcatenatedLine/RecordLen + 1, FramingLines, "\r\n", false},
	} {
		line := strings.Repeat(rec04+rec05, tt.n/2) + strings.Repeat(rec04, tt.n%2)
		in := rec01 + tt.eol + line + tt.eol + rec07 + tt.eol
		for _, cname := range []string{"whole", "half", "odd"} {
			t.Run(tt.name+"/"+cname, func(t *testing.T) {
				r := NewReader(chunkers[cname](strings.NewReader(in)))
				r.Framing = tt.framing
				var n, records int
				var last Record
				for {
					rec, err := r.Read()
					if err == io.EOF {
						break
					}
					require.NoError(t, err)
					records++
					if rec.Line == 2 {
						n++
						last = rec
					}
				}
				assert.LessOrEqual(t, len(r.buf), ConcatenatedLineBuf)
				if !tt.split {
					assert.Equal(t, 3, records)
					assert.Equal(t, 1, n)
					assert.Equal(t, len(line), last.Length)
					return
				}
				assert.Equal(t, tt.n+2, records)
				assert.Equal(t, tt.n, n)
				assert.Equal(t, 1, r.SplitLines())
				assert.Equal(t, 1+(tt.n-1)*RecordLen, last.Column)
				assert.Equal(t, RecordLen, last.Length)
				assert.Equal(t, int64(len(in)), r.InputOffset())
			})
		}
	}
}
