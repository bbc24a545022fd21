package normalize

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Encoding is a character encoding met in CFONB files. Canonical CFONB120
// is printable ASCII; the others are decoded and transliterated to it.
type Encoding uint8

// The encodings [Normalizer] reads. EncodingAuto detects one of the others.
const (
	EncodingAuto       Encoding = iota // detect: valid UTF-8, else EBCDIC, else Windows-1252
	EncodingUTF8                       // UTF-8 (invalid bytes are read as Windows-1252)
	EncodingLatin1                     // ISO-8859-1
	EncodingCP1252                     // Windows-1252
	EncodingEBCDIC037                  // IBM code page 037 (EBCDIC, US/Canada)
	EncodingEBCDIC1047                 // IBM code page 1047 (EBCDIC, Latin-1 open systems)
	EncodingASCII                      // ASCII (bytes 0x80-0xFF are replaced)
	numEncodings
)

var encodingNames = [numEncodings]string{"auto", "utf-8", "latin1", "cp1252", "ebcdic-037", "ebcdic-1047", "ascii"}

// String returns the encoding's name as the --encoding flag spells it.
func (e Encoding) String() string {
	if e >= numEncodings {
		return "unknown"
	}
	return encodingNames[e]
}

// IsEBCDIC reports whether e is an EBCDIC code page.
func (e Encoding) IsEBCDIC() bool { return e == EncodingEBCDIC037 || e == EncodingEBCDIC1047 }

// ParseEncoding returns the encoding named s: one of auto, utf-8, latin1,
// cp1252, ebcdic-037, ebcdic-1047, ascii, or a common alias (utf8,
// iso-8859-1, windows-1252, cp037, ibm1047, us-ascii ...), in any case.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return EncodingAuto, nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1":
		return EncodingLatin1, nil
	case "cp1252", "windows-1252", "win1252":
		return EncodingCP1252, nil
	case "ebcdic-037", "ebcdic037", "ebcdic", "cp037", "ibm037", "ibm-037":
		return EncodingEBCDIC037, nil
	case "ebcdic-1047", "ebcdic1047", "cp1047", "ibm1047", "ibm-1047":
		return EncodingEBCDIC1047, nil
	case "ascii", "us-ascii":
		return EncodingASCII, nil
	}
	return EncodingAuto, fmt.Errorf("unknown encoding %q (want auto, utf-8, latin1, cp1252, ebcdic-037, ebcdic-1047 or ascii)", s)
}

// charKind is what transliteration does to one character.
type charKind uint8

const (
	kindSame     charKind = iota // printable ASCII: kept
	kindTranslit                 // non-ASCII with an ASCII look-alike: É→E, €→E, ’→'
	kindSpace                    // a control or space character read as a space: NUL, TAB, NBSP
	kindReplaced                 // nothing like it in ASCII: replaced by '?'
	numKinds
)

// replacement is the character that stands for one with no ASCII equivalent.
const replacement = '?'

// Transliterate returns the one printable ASCII character (0x20-0x7E) that
// stands for r, so that a transliterated record keeps every column:
// printable ASCII is itself; letters lose their diacritics (É→E, ç→c, keeping
// case: upper-casing is not required by CFONB120, whose text zones accept
// every printable ASCII character); a few letters and symbols have an
// explicit look-alike (ß→s, Æ→A, œ→o, €→E, £→L, °→o, ’→', «→", –→-); NUL,
// TAB and the Unicode spaces become a space; anything else (controls,
// scripts without a Latin look-alike) becomes '?'.
func Transliterate(r rune) byte {
	b, _ := transliterate(r)
	return b
}

// transliterate is Transliterate with the kind of change.
func transliterate(r rune) (byte, charKind) {
	if r >= 0 && r < 0x100 {
		t := latinTable()
		return t.out[r], t.kind[r]
	}
	return transliterateSlow(r)
}

// latinTransliteration holds Transliterate for U+0000-U+00FF.
type latinTransliteration struct {
	out  [256]byte
	kind [256]charKind
}

// latinTable is computed once and never modified.
var latinTable = sync.OnceValue(func() *latinTransliteration {
	t := new(latinTransliteration)
	for r := rune(0); r < 0x100; r++ {
		t.out[r], t.kind[r] = transliterateSlow(r)
	}
	return t
})

// transliterateSlow computes a transliteration with unicode/norm.
func transliterateSlow(r rune) (byte, charKind) {
	switch {
	case r >= 0x20 && r < 0x7F:
		return byte(r), kindSame
	case isSpaceLike(r):
		return ' ', kindSpace
	case r < 0x20 || r >= 0x7F && r < 0xA0:
		return replacement, kindReplaced
	}
	if b := explicitTransliteration(r); b != 0 {
		return b, kindTranslit
	}
	// A letter with diacritics decomposes into an ASCII letter followed by
	// combining marks (É = E + U+0301); a compatibility character may
	// decompose into one ASCII character (fullwidth Ａ, superscript ²).
	d := norm.NFKD.String(string(r))
	first, size := utf8.DecodeRuneInString(d)
	if first >= 0x21 && first < 0x7F {
		rest := d[size:]
		allMarks := true
		for _, m := range rest {
			if !unicode.Is(unicode.Mn, m) {
				allMarks = false
				break
			}
		}
		if allMarks {
			return byte(first), kindTranslit
		}
	}
	return replacement, kindReplaced
}

// explicitTransliteration covers the characters that norm does not reduce
// to one ASCII character: ligatures, letters with strokes, currency signs,
// typographic punctuation (including the Windows-1252 extras).
func explicitTransliteration(r rune) byte {
	switch r {
	case 'ß', 'ſ':
		return 's'
	case 'ẞ':
		return 'S'
	case 'Æ':
		return 'A'
	case 'æ':
		return 'a'
	case 'Œ', 'Ø':
		return 'O'
	case 'œ', 'ø', '°', 'º':
		return 'o'
	case 'Đ', 'Ð':
		return 'D'
	case 'đ', 'ð':
		return 'd'
	case 'Þ':
		return 'T'
	case 'þ':
		return 't'
	case 'Ł':
		return 'L'
	case 'ł':
		return 'l'
	case 'ı':
		return 'i'
	case 'Ħ':
		return 'H'
	case 'ħ':
		return 'h'
	case 'Ŋ':
		return 'N'
	case 'ŋ':
		return 'n'
	case 'ĸ':
		return 'k'
	case '€':
		return 'E'
	case '£':
		return 'L'
	case '¥':
		return 'Y'
	case '¢':
		return 'c'
	case '§':
		return 'S'
	case '©':
		return 'C'
	case '®':
		return 'R'
	case '™':
		return 'T'
	case '¶':
		return 'P'
	case 'µ':
		return 'u'
	case '×':
		return 'x'
	case '÷', '⁄':
		return '/'
	case '«', '»', '“', '”', '„', '‟', '″', '¨':
		return '"'
	case '‘', '’', '‚', '‛', '′', '´':
		return '\''
	case '‹':
		return '<'
	case '›':
		return '>'
	case '–', '—', '‒', '―', '−', '‐', '‑', '\u00AD', '¬', '¯':
		return '-'
	case '…', '·', '•', '∙':
		return '.'
	case '¸':
		return ','
	case '¦':
		return '|'
	case '¡':
		return '!'
	case '¿':
		return '?'
	case '‰':
		return '%'
	case '†', '‡':
		return '+'
	case 'ˆ':
		return '^'
	case '˜':
		return '~'
	case '¤':
		return '$'
	}
	return 0
}

// isSpaceLike reports whether r is read as a space: NUL (fill byte of some
// mainframe exports), TAB, VT, FF and the Unicode spaces.
func isSpaceLike(r rune) bool {
	switch r {
	case 0, '\t', '\v', '\f', ' ', 0xA0, 0x1680, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// isZeroWidth reports whether r takes no column: combining marks (a
// decomposed é is e + U+0301, one column), zero-width spaces and joiners,
// and U+FEFF (a byte-order mark left inside a file by concatenation). Only
// UTF-8 input holds them; they are dropped.
func isZeroWidth(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return true
	}
	return r >= 0x300 && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r))
}

// Charset holds the tables that decode one encoding: per byte, the
// transliterated output byte and, for the safety check, the character the
// byte stands for as golang.org/x/text's charmap decodes it. A Charset is
// immutable and safe for concurrent use; [CharsetOf] builds each once.
type Charset struct {
	enc Encoding
	// out is the output byte of each input byte (for UTF-8, of ASCII bytes
	// and of invalid bytes, read as Windows-1252).
	out [256]byte
	// kind is what transliteration does to each byte.
	kind [256]charKind
	// dec is the character each byte stands for (charmap.DecodeByte),
	// independent of the transliteration: the safety check uses it.
	dec [256]rune
	// lf and nel are the line separators (both '\n' for ASCII-compatible
	// encodings; 0x25 and 0x15 for EBCDIC); cr is the carriage return.
	lf, nel, cr byte
	// digit0 and space are the bytes of '0' and ' '.
	digit0, space byte
}

// charsets builds each encoding's Charset once; they are never modified.
var charsets = [numEncodings]func() *Charset{
	EncodingUTF8:       sync.OnceValue(func() *Charset { return buildCharset(EncodingUTF8) }),
	EncodingLatin1:     sync.OnceValue(func() *Charset { return buildCharset(EncodingLatin1) }),
	EncodingCP1252:     sync.OnceValue(func() *Charset { return buildCharset(EncodingCP1252) }),
	EncodingEBCDIC037:  sync.OnceValue(func() *Charset { return buildCharset(EncodingEBCDIC037) }),
	EncodingEBCDIC1047: sync.OnceValue(func() *Charset { return buildCharset(EncodingEBCDIC1047) }),
	EncodingASCII:      sync.OnceValue(func() *Charset { return buildCharset(EncodingASCII) }),
}

// CharsetOf returns the tables of encoding e (not EncodingAuto).
func CharsetOf(e Encoding) (*Charset, error) {
	if e == EncodingAuto || e >= numEncodings {
		return nil, fmt.Errorf("cfonb: no character tables for encoding %s", e)
	}
	return charsets[e](), nil
}

func buildCharset(e Encoding) *Charset {
	c := &Charset{enc: e, lf: '\n', nel: '\n', cr: '\r', digit0: '0', space: ' '}
	var cm *charmap.Charmap
	switch e {
	case EncodingLatin1:
		cm = charmap.ISO8859_1
	case EncodingCP1252, EncodingUTF8:
		cm = charmap.Windows1252 // UTF-8: for invalid bytes only
	case EncodingEBCDIC037:
		cm = charmap.CodePage037
	case EncodingEBCDIC1047:
		cm = charmap.CodePage1047
	}
	for b := 0; b < 256; b++ {
		var r rune
		switch {
		case cm != nil && (e != EncodingUTF8 || b >= 0x80):
			r = cm.DecodeByte(byte(b))
		case b < 0x80:
			r = rune(b)
		default: // ASCII: a high byte is not a character
			r = utf8.RuneError
		}
		c.dec[b] = r
		c.out[b], c.kind[b] = transliterate(r)
	}
	if e.IsEBCDIC() {
		c.lf, c.nel, c.cr, c.digit0, c.space = 0x25, 0x15, 0x0D, 0xF0, 0x40
	}
	return c
}

// Encoding returns the encoding the tables decode.
func (c *Charset) Encoding() Encoding { return c.enc }

// Decode returns raw bytes of this encoding as UTF-8 text, without
// transliteration (for display, e.g. in a diff). Control characters other
// than TAB are shown as Unicode control pictures (␀, ␍ ...).
func (c *Charset) Decode(raw []byte) string {
	var sb strings.Builder
	sb.Grow(len(raw))
	bytewise := c.enc != EncodingUTF8 || utf8LineAsCP1252(raw)
	for i := 0; i < len(raw); {
		r, size := c.dec[raw[i]], 1
		if !bytewise {
			r, size = c.decodeRune(raw[i:])
		}
		i += size
		switch {
		case r < 0x20 && r != '\t':
			r += 0x2400
		case r == 0x7F:
			r = 0x2421
		case r >= 0x80 && r < 0xA0:
			r = replacement
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// utf8LineAsCP1252 reports whether a line of a UTF-8 file is read as
// Windows-1252 as a whole: it is not valid UTF-8, and reading only its
// invalid bytes as Windows-1252 does not give exactly 120 characters (a
// Windows-1252 line in a UTF-8 file may hold byte pairs that look like
// UTF-8, such as É° = C9 B0: read as UTF-8 they would shift the columns).
func utf8LineAsCP1252(raw []byte) bool {
	if utf8.Valid(raw) {
		return false
	}
	n := 0
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		i += size
		if size == 1 || !isZeroWidth(r) {
			n++
		}
	}
	return n != cfonb.RecordLen
}

// decodeRune decodes the first character of p (len(p) > 0) and its size in
// bytes, independently of the transliteration tables.
func (c *Charset) decodeRune(p []byte) (rune, int) {
	if c.enc == EncodingUTF8 && p[0] >= 0x80 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size <= 1 {
			return c.dec[p[0]], 1 // invalid UTF-8: Windows-1252
		}
		return r, size
	}
	return c.dec[p[0]], 1
}

// Detection is the outcome of encoding detection.
type Detection struct {
	// Encoding is the encoding decided on (never EncodingAuto).
	Encoding Encoding
	// Reason says why, e.g. "valid UTF-8" or "not UTF-8; no EBCDIC digits".
	Reason string
}

// DetectSample is how many bytes DetectEncoding needs to decide well.
const DetectSample = 64 << 10

// DetectEncoding decides the encoding of a file from its first bytes (up
// to DetectSample; the whole file if shorter, with atEOF set): a UTF-8
// byte-order mark or valid UTF-8 means UTF-8; else mostly EBCDIC digits
// (0xF0-0xF9) and spaces (0x40) mean EBCDIC, code page 037 unless 1047 reads
// more of the sample as printable ASCII; else UTF-8 if the sample holds
// more valid multi-byte characters than half its invalid bytes (a UTF-8
// file with some Windows-1252 lines: those bytes are read as Windows-1252);
// else Windows-1252 (a superset of the printable part of ISO-8859-1).
func DetectEncoding(sample []byte, atEOF bool) Detection {
	if bytes.HasPrefix(sample, []byte(cfonb.UTF8BOM)) {
		return Detection{EncodingUTF8, "UTF-8 byte-order mark"}
	}
	valid := sample
	if !atEOF {
		// A multi-byte character may be cut at the end of the sample.
		for i := 0; i < utf8.UTFMax-1 && i < len(valid); i++ {
			if utf8.RuneStart(valid[len(valid)-1-i]) {
				if !utf8.FullRune(valid[len(valid)-1-i:]) {
					valid = valid[:len(valid)-1-i]
				}
				break
			}
		}
	}
	if utf8.Valid(valid) {
		for _, b := range sample {
			if b >= 0x80 {
				return Detection{EncodingUTF8, "valid UTF-8"}
			}
		}
		return Detection{EncodingUTF8, "valid UTF-8 (only ASCII in the first bytes)"}
	}
	var ebcdic, ascii int
	for _, b := range sample {
		switch {
		case b == 0x40 || b >= 0xF0 && b <= 0xF9:
			ebcdic++
		case b == 0x20 || b >= '0' && b <= '9':
			ascii++
		}
	}
	if ebcdic*2 >= len(sample) && ebcdic > ascii {
		pct := ebcdic * 100 / len(sample)
		s037 := printableCount(charsets[EncodingEBCDIC037](), sample)
		s1047 := printableCount(charsets[EncodingEBCDIC1047](), sample)
		if s1047 > s037 {
			return Detection{EncodingEBCDIC1047, fmt.Sprintf("EBCDIC digits and spaces make %d%% of the first bytes; code page 1047 reads more of them as ASCII than 037", pct)}
		}
		return Detection{EncodingEBCDIC037, fmt.Sprintf("EBCDIC digits and spaces make %d%% of the first bytes", pct)}
	}
	if multi, invalid := utf8Counts(valid); multi >= 2 && 2*multi >= invalid {
		bytesWord := "bytes"
		if invalid == 1 {
			bytesWord = "byte"
		}
		return Detection{EncodingUTF8, fmt.Sprintf("mostly UTF-8 (%d multi-byte characters, %d %s of invalid UTF-8 read as Windows-1252)", multi, invalid, bytesWord)}
	}
	return Detection{EncodingCP1252, "not UTF-8, not EBCDIC"}
}

// utf8Counts counts the valid multi-byte characters and the bytes that are
// not valid UTF-8 in p.
func utf8Counts(p []byte) (multi, invalid int) {
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			invalid++
		} else {
			multi++
		}
		i += size
	}
	return multi, invalid
}

// printableCount counts the bytes of p that c decodes to printable ASCII.
func printableCount(c *Charset, p []byte) int {
	n := 0
	for _, b := range p {
		if r := c.dec[b]; r >= 0x20 && r < 0x7F {
			n++
		}
	}
	return n
}
