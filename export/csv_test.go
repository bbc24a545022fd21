package export

import (
	"bytes"
	"encoding/csv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// csvRow returns what the sink writes for a row of fields.
func csvRow(comma rune, fields []string) []byte {
	s := newCSVSink(Options{Comma: comma})
	for _, f := range fields {
		s.buf = append(s.buf, f...)
		s.end()
	}
	return s.appendRow(nil)
}

// stdCSVRow returns what encoding/csv writes for a row of fields.
func stdCSVRow(t testing.TB, comma rune, fields []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = comma, true
	require.NoError(t, w.Write(fields))
	w.Flush()
	require.NoError(t, w.Error())
	return b.Bytes()
}

// TestCSVRowQuoting checks the sink's quoting against encoding/csv, byte
// for byte, and against the bytes RFC 4180 wants.
func TestCSVRowQuoting(t *testing.T) {
	tests := []struct {
		comma  rune
		fields []string
		want   string
	}{
		{',', []string{"a", "b c", ""}, "a,b c,\r\n"},
		{',', []string{"1,5", `say "hi"`, "x"}, "\"1,5\",\"say \"\"hi\"\"\",x\r\n"},
		{';', []string{"1,5", "a;b"}, "1,5;\"a;b\"\r\n"},
		{',', []string{"line\nbreak", "cr\ralone", "crlf\r\nend"}, "\"line\r\nbreak\",\"cralone\",\"crlf\r\nend\"\r\n"}, // a CR alone is dropped
		{',', []string{" lead", "\ttab", "\u00a0nbsp", "trail "}, "\" lead\",\"\ttab\",\"\u00a0nbsp\",trail \r\n"},
		{',', []string{`\.`, `\.x`}, "\"\\.\",\\.x\r\n"},
		{'\t', []string{"a\tb", "c,d"}, "\"a\tb\"\tc,d\r\n"},
		{'€', []string{"10€", "é", "a,b"}, "\"10€\"€é€a,b\r\n"},
		{',', []string{}, "\r\n"},
	}
	for _, tt := range tests {
		got := csvRow(tt.comma, tt.fields)
		assert.Equal(t, tt.want, string(got), "%q %q", tt.comma, tt.fields)
		assert.Equal(t, string(stdCSVRow(t, tt.comma, tt.fields)), string(got), "%q %q", tt.comma, tt.fields)
	}
}

// FuzzCSVRow checks that the sink writes any row as encoding/csv does.
func FuzzCSVRow(f *testing.F) {
	f.Add(",", "a\x00b c\x00\"q\"\x00 x\x00\\.\x00\r\n")
	f.Add(";", "1,5\x00a;b\x00\u2003em\x00\xff\xfe")
	f.Add("€", "10€\x00\x85next")
	f.Fuzz(func(t *testing.T, comma, row string) {
		r, size := utf8.DecodeRuneInString(comma)
		if size != len(comma) || !validComma(r) {
			return
		}
		fields := []string{}
		if row != "" {
			fields = bytes2strings(bytes.Split([]byte(row), []byte{0}))
		}
		assert.Equal(t, string(stdCSVRow(t, r, fields)), string(csvRow(r, fields)))
	})
}

func bytes2strings(bs [][]byte) []string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = string(b)
	}
	return s
}
