package normalize

import (
	"fmt"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Describe says what was repaired, e.g. "encoding cp1252
// (detected: not UTF-8, not EBCDIC); 12 characters transliterated, 3 lines
// padded to 120, 5 line ends changed to CRLF".
// eol is the line end the Normalizer wrote. This is the note of cfonb fmt
// and the message of cfonb serve's /api/fmt.
func (rep *Report) Describe(eol cfonb.EOL) string {
	var b strings.Builder
	b.WriteString(rep.EncodingNote())
	if rep.Framing == cfonb.FramingContinuous {
		b.WriteString("; records without line ends")
	}
	var parts []string
	add := func(r Repair, one, many string) {
		switch n := rep.Repairs[r]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	eolName := eol.String()
	add(RepairTranslit, "character transliterated", "characters transliterated")
	add(RepairSpace, "control or space character made a space", "control or space characters made spaces")
	add(RepairReplaced, "character with no ASCII equivalent made '?'", "characters with no ASCII equivalent made '?'")
	add(RepairInvalidUTF8, "line not in UTF-8 read as Windows-1252", "lines not in UTF-8 read as Windows-1252")
	add(RepairZeroWidth, "combining mark removed", "combining marks removed")
	add(RepairBOM, "byte-order mark removed", "byte-order marks removed")
	add(RepairEOF, "end-of-file byte (0x1A) removed", "end-of-file bytes (0x1A) removed")
	add(RepairBlankLine, "blank line removed", "blank lines removed")
	add(RepairPadded, "line padded to 120", "lines padded to 120")
	add(RepairTrimmed, "line's spaces after column 120 removed", "lines' spaces after column 120 removed")
	add(RepairLineEnd, "line end changed to "+eolName, "line ends changed to "+eolName)
	if len(parts) == 0 {
		parts = append(parts, "re-encoded as ASCII")
	}
	return b.String() + "; " + strings.Join(parts, ", ")
}

// EncodingNote says which encoding was read, and why when it was detected,
// e.g. "encoding cp1252 (detected: not UTF-8, not EBCDIC)": the start of
// Describe.
func (rep *Report) EncodingNote() string {
	if rep.Detected != "" {
		return "encoding " + rep.Encoding.String() + " (detected: " + rep.Detected + ")"
	}
	return "encoding " + rep.Encoding.String()
}
