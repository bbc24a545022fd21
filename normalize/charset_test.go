package normalize

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

func TestTransliterate(t *testing.T) {
	tests := []struct {
		in   rune
		want byte
		kind charKind
	}{
		{'A', 'A', kindSame}, {'~', '~', kindSame}, {' ', ' ', kindSame},
		{'É', 'E', kindTranslit}, {'é', 'e', kindTranslit}, {'è', 'e', kindTranslit}, {'ê', 'e', kindTranslit},
		{'ç', 'c', kindTranslit}, {'Ç', 'C', kindTranslit}, {'à', 'a', kindTranslit}, {'ù', 'u', kindTranslit},
		{'Ü', 'U', kindTranslit}, {'ñ', 'n', kindTranslit}, {'Å', 'A', kindTranslit}, {'ÿ', 'y', kindTranslit},
		{'ß', 's', kindTranslit}, {'ẞ', 'S', kindTranslit}, {'Æ', 'A', kindTranslit}, {'æ', 'a', kindTranslit},
		{'Œ', 'O', kindTranslit}, {'œ', 'o', kindTranslit}, {'Ø', 'O', kindTranslit}, {'ł', 'l', kindTranslit},
		{'€', 'E', kindTranslit}, {'£', 'L', kindTranslit}, {'°', 'o', kindTranslit}, {'º', 'o', kindTranslit},
		{'ª', 'a', kindTranslit}, {'’', '\'', kindTranslit}, {'‘', '\'', kindTranslit}, {'«', '"', kindTranslit},
		{'»', '"', kindTranslit}, {'“', '"', kindTranslit}, {'–', '-', kindTranslit}, {'—', '-', kindTranslit},
		{'…', '.', kindTranslit}, {'\u00AD', '-', kindTranslit}, {'×', 'x', kindTranslit}, {'µ', 'u', kindTranslit},
		{'²', '2', kindTranslit}, {'Ａ', 'A', kindTranslit}, {'ą', 'a', kindTranslit}, {'Č', 'C', kindTranslit},
		{0, ' ', kindSpace}, {'\t', ' ', kindSpace}, {'\f', ' ', kindSpace}, {0xA0, ' ', kindSpace},
		{0x2009, ' ', kindSpace}, {0x3000, ' ', kindSpace},
		{0x01, '?', kindReplaced}, {0x1A, '?', kindReplaced}, {0x7F, '?', kindReplaced}, {0x85, '?', kindReplaced},
		{'½', '?', kindReplaced}, {'Ж', '?', kindReplaced}, {'中', '?', kindReplaced}, {'😀', '?', kindReplaced},
		{0xFFFD, '?', kindReplaced},
	}
	for _, tt := range tests {
		b, k := transliterate(tt.in)
		assert.Equal(t, string(tt.want), string(b), "%q", tt.in)
		assert.Equal(t, tt.kind, k, "%q", tt.in)
		assert.Equal(t, tt.want, Transliterate(tt.in), "%q", tt.in)
		slow, _ := transliterateSlow(tt.in)
		assert.Equal(t, string(tt.want), string(slow), "%q: table and computation agree", tt.in)
	}
}

// TestTransliterateAlwaysPrintable: every character up to U+FFFF becomes one
// printable ASCII character, and printable ASCII stays itself.
func TestTransliterateAlwaysPrintable(t *testing.T) {
	racedetect.SkipUnderRace(t)
	for r := rune(0); r <= 0xFFFF; r++ {
		b, k := transliterateSlow(r)
		require.True(t, b >= 0x20 && b <= 0x7E, "%U gives 0x%02X", r, b)
		require.Equal(t, r >= 0x20 && r < 0x7F, k == kindSame, "%U", r)
		if k == kindSame {
			require.Equal(t, byte(r), b)
		}
		if b == ' ' {
			require.True(t, r == ' ' || isSpaceLike(r), "%U becomes a space", r)
		}
	}
}

// TestCharsetTables checks the 256-entry tables of every encoding against
// golang.org/x/text's charmap.
func TestCharsetTables(t *testing.T) {
	maps := map[Encoding]*charmap.Charmap{
		EncodingLatin1: charmap.ISO8859_1, EncodingCP1252: charmap.Windows1252,
		EncodingEBCDIC037: charmap.CodePage037, EncodingEBCDIC1047: charmap.CodePage1047,
		EncodingUTF8: charmap.Windows1252, // its bytes 0x80-0xFF: invalid UTF-8 read as Windows-1252
	}
	for e := EncodingUTF8; e < numEncodings; e++ {
		t.Run(e.String(), func(t *testing.T) {
			cs, err := CharsetOf(e)
			require.NoError(t, err)
			again, _ := CharsetOf(e)
			assert.Same(t, cs, again, "built once")
			assert.Equal(t, e, cs.Encoding())
			for b := 0; b < 256; b++ {
				want := rune(b)
				if cm := maps[e]; cm != nil && (e != EncodingUTF8 || b >= 0x80) {
					want = cm.DecodeByte(byte(b))
				} else if b >= 0x80 {
					want = 0xFFFD
				}
				require.Equal(t, want, cs.dec[b], "byte 0x%02X", b)
				o := cs.out[b]
				require.True(t, o >= 0x20 && o <= 0x7E, "byte 0x%02X gives 0x%02X", b, o)
				if want >= 0x20 && want < 0x7F {
					require.Equal(t, byte(want), o, "byte 0x%02X", b)
				}
			}
		})
	}
	_, err := CharsetOf(EncodingAuto)
	assert.EqualError(t, err, "cfonb: no character tables for encoding auto")
}

func TestCharsetEBCDICSpecifics(t *testing.T) {
	for _, e := range []Encoding{EncodingEBCDIC037, EncodingEBCDIC1047} {
		cs, err := CharsetOf(e)
		require.NoError(t, err)
		assert.Equal(t, byte('0'), cs.out[0xF0])
		assert.Equal(t, byte(' '), cs.out[0x40])
		assert.Equal(t, byte('{'), cs.out[0xC0], "positive overpunch zero")
		assert.Equal(t, byte('}'), cs.out[0xD0], "negative overpunch zero")
		assert.Equal(t, byte(0x25), cs.lf)
		assert.Equal(t, byte(0x15), cs.nel)
		assert.Equal(t, rune(0x85), cs.dec[0x15], "NEL")
	}
	c037, _ := CharsetOf(EncodingEBCDIC037)
	c1047, _ := CharsetOf(EncodingEBCDIC1047)
	assert.Equal(t, byte('['), c037.out[0xBA])
	assert.Equal(t, byte('['), c1047.out[0xAD])
}

func TestParseEncoding(t *testing.T) {
	tests := map[string]Encoding{
		"auto": EncodingAuto, "": EncodingAuto, "UTF-8": EncodingUTF8, "utf8": EncodingUTF8,
		"latin1": EncodingLatin1, "ISO-8859-1": EncodingLatin1, "cp1252": EncodingCP1252,
		"Windows-1252": EncodingCP1252, "ebcdic-037": EncodingEBCDIC037, "IBM037": EncodingEBCDIC037,
		"ebcdic": EncodingEBCDIC037, "ebcdic-1047": EncodingEBCDIC1047, "cp1047": EncodingEBCDIC1047,
		"ascii": EncodingASCII, "US-ASCII": EncodingASCII,
	}
	for in, want := range tests {
		got, err := ParseEncoding(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for e := EncodingAuto; e < numEncodings; e++ {
		got, err := ParseEncoding(e.String())
		require.NoError(t, err)
		assert.Equal(t, e, got, "String and ParseEncoding agree")
	}
	_, err := ParseEncoding("ebcdic-297")
	assert.EqualError(t, err, `unknown encoding "ebcdic-297" (want auto, utf-8, latin1, cp1252, ebcdic-037, ebcdic-1047 or ascii)`)
	assert.Equal(t, "unknown", Encoding(99).String())
}

func TestDetectEncoding(t *testing.T) {
	canon := strings.Join(fmtStatement(false, false), "\r\n")
	legacy := strings.Join(fmtStatement(true, false), "\r\n")
	latin1 := string(fmtEncode(charmap.ISO8859_1, legacy))
	tests := []struct {
		name   string
		sample string
		atEOF  bool
		want   Encoding
		reason string
	}{
		{"ASCII", canon, true, EncodingUTF8, "valid UTF-8 (only ASCII in the first bytes)"},
		{"UTF-8", legacy, true, EncodingUTF8, "valid UTF-8"},
		{"BOM", "\xEF\xBB\xBF" + canon, true, EncodingUTF8, "UTF-8 byte-order mark"},
		{"UTF-8 cut in a character", legacy + "\xC3", false, EncodingUTF8, "valid UTF-8"},
		{"UTF-8 cut at the end of the file", legacy + "\xC3", true, EncodingUTF8,
			"mostly UTF-8 (12 multi-byte characters, 1 byte of invalid UTF-8 read as Windows-1252)"},
		{"Latin-1", latin1, true, EncodingCP1252, "not UTF-8, not EBCDIC"},
		{"EBCDIC 037", string(fmtEncode(charmap.CodePage037, legacy)), true, EncodingEBCDIC037,
			"EBCDIC digits and spaces make 81% of the first bytes"},
		{"EBCDIC 1047 brackets", string(fmtEncode(charmap.CodePage1047, canon+"[[]]^^")), true, EncodingEBCDIC1047,
			"EBCDIC digits and spaces make 80% of the first bytes; code page 1047 reads more of them as ASCII than 037"},
		{"UTF-8 with a Windows-1252 line", legacy + "\r\n" + string(fmtEncode(charmap.Windows1252, "été")), true, EncodingUTF8,
			"mostly UTF-8 (12 multi-byte characters, 2 bytes of invalid UTF-8 read as Windows-1252)"},
		{"empty", "", true, EncodingUTF8, "valid UTF-8 (only ASCII in the first bytes)"},
		{"binary", "\xff\xfe\xfd\x00\x01", true, EncodingCP1252, "not UTF-8, not EBCDIC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DetectEncoding([]byte(tt.sample), tt.atEOF)
			assert.Equal(t, tt.want, d.Encoding)
			assert.Equal(t, tt.reason, d.Reason)
		})
	}
}

func TestCharsetDecode(t *testing.T) {
	utf8cs, _ := CharsetOf(EncodingUTF8)
	latin, _ := CharsetOf(EncodingLatin1)
	ebc, _ := CharsetOf(EncodingEBCDIC037)
	assert.Equal(t, "Prélèvement", utf8cs.Decode([]byte("Prélèvement")))
	assert.Equal(t, "Prélèvement", latin.Decode(fmtEncode(charmap.ISO8859_1, "Prélèvement")))
	assert.Equal(t, "ÉTÉ 0{}", ebc.Decode(fmtEncode(charmap.CodePage037, "ÉTÉ 0{}")))
	assert.Equal(t, "", latin.Decode(nil))
	assert.Equal(t, "a␀b\tc␡?", latin.Decode([]byte("a\x00b\tc\x7f\x85")))
	// A line of a UTF-8 file that is Windows-1252 is shown as such.
	line := "É° é" + strings.Repeat("x", 116)
	cp := fmtEncode(charmap.Windows1252, line)
	assert.Equal(t, line, utf8cs.Decode(cp))
	assert.True(t, bytes.HasPrefix(cp, []byte{0xC9, 0xB0}), "a pair that is valid UTF-8 (U+0270)")
}
