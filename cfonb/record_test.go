package cfonb

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseCode(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"01", CodeOldBalance}, {"04", CodeMovement}, {"05", CodeComplement}, {"07", CodeNewBalance},
		{rec01, CodeOldBalance}, {rec04, CodeMovement}, {rec05, CodeComplement}, {rec07, CodeNewBalance},
		{"00", CodeUnknown}, {"02", CodeUnknown}, {"03", CodeUnknown}, {"06", CodeUnknown},
		{"08", CodeUnknown}, {"11", CodeUnknown}, {"31", CodeUnknown}, {" 1", CodeUnknown},
		{"0 ", CodeUnknown}, {"0", CodeUnknown}, {"", CodeUnknown}, {"O1", CodeUnknown},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ParseCode([]byte(tt.in)), "%q", tt.in)
		rec := Record{Data: []byte(tt.in)}
		assert.Equal(t, tt.want, rec.Code(), "%q", tt.in)
	}
}

func TestCodeNames(t *testing.T) {
	tests := []struct {
		c          Code
		str, named string
	}{
		{CodeOldBalance, "01", "old balance"},
		{CodeMovement, "04", "movement"},
		{CodeComplement, "05", "complement"},
		{CodeNewBalance, "07", "new balance"},
		{CodeUnknown, "??", "unknown record"},
		{Code(3), "??", "unknown record"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.str, tt.c.String())
		assert.Equal(t, tt.named, tt.c.Name())
	}
}

func TestEOLString(t *testing.T) {
	for e, want := range map[EOL]string{EOLNone: "none", EOLLF: "LF", EOLCRLF: "CRLF", EOLCR: "CR", EOL(9): "none"} {
		assert.Equal(t, want, e.String())
	}
}

func TestRecordClone(t *testing.T) {
	data := []byte(rec01)
	rec := Record{Line: 3, Offset: 242, Data: data, Length: 120, EOL: EOLCRLF}
	c := rec.Clone()
	data[0] = 'X'
	assert.Equal(t, rec01, string(c.Data))
	assert.Equal(t, Record{Line: 3, Offset: 242, Data: []byte(rec01), Length: 120, EOL: EOLCRLF}, c)

	empty := Record{Data: []byte{}}
	assert.Empty(t, empty.Clone().Data)
}
