package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// TestDescribe: the note of cfonb fmt and the message of serve's /api/fmt.
func TestDescribe(t *testing.T) {
	many := &Report{Encoding: EncodingCP1252, Detected: "not UTF-8, not EBCDIC", Changed: true}
	many.Repairs[RepairTranslit], many.Repairs[RepairLineEnd] = 12, 5
	one := &Report{Encoding: EncodingLatin1, Framing: cfonb.FramingContinuous, Changed: true}
	one.Repairs[RepairPadded], one.Repairs[RepairBOM] = 1, 1
	none := &Report{Encoding: EncodingEBCDIC037, Changed: true}
	for _, tt := range []struct {
		rep      *Report
		eol      cfonb.EOL
		want     string
		encoding string
	}{
		{many, cfonb.EOLCRLF, "encoding cp1252 (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 5 line ends changed to CRLF",
			"encoding cp1252 (detected: not UTF-8, not EBCDIC)"},
		{one, cfonb.EOLLF, "encoding latin1; records without line ends; 1 byte-order mark removed, 1 line padded to 120", "encoding latin1"},
		{none, cfonb.EOLCRLF, "encoding ebcdic-037; re-encoded as ASCII", "encoding ebcdic-037"},
	} {
		assert.Equal(t, tt.want, tt.rep.Describe(tt.eol))
		assert.Equal(t, tt.encoding, tt.rep.EncodingNote())
	}
}
