package normalize

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// The test files of `cfonb fmt` (../testdata/fmt) are written by this file
// from a statement spelled out below, field by field: each NAME.txt is a
// legacy export of it, each NAME.golden the exact canonical bytes expected.
// Regenerate them with
//
//	go test ./normalize -run TestFmtTestdataUpToDate -update-fmt
//
// The goldens are built from the canonical records, not by the Normalizer.

var updateFmt = flag.Bool("update-fmt", false, "rewrite ../testdata/fmt from the cases in fmtdata_test.go")

const fmtDir = "../testdata/fmt"

// fmtRecord builds a 120-character record from (column, text) pairs.
func fmtRecord(parts ...any) string {
	b := []rune(strings.Repeat(" ", cfonb.RecordLen))
	for i := 0; i < len(parts); i += 2 {
		col, s := parts[i].(int), []rune(parts[i+1].(string))
		if col-1+len(s) > cfonb.RecordLen {
			panic(fmt.Sprintf("field at column %d overflows: %q", col, string(s)))
		}
		copy(b[col-1:], s)
	}
	return string(b)
}

// fmtStatement is one statement of account 30006 00001 12345678901 EUR: old
// balance 1234.56, a debit of 100.00, a credit of 250.00, new balance
// 1384.56. The text zones are given as a legacy export holds them
// (accented); accented=false gives the canonical transliteration. extra adds
// characters only Windows-1252 and UTF-8 can hold.
func fmtStatement(accented, extra bool) []string {
	pick := func(legacy, canonical string) string {
		if accented {
			return legacy
		}
		return canonical
	}
	acct := []any{3, "30006", 12, "00001", 17, "EUR", 20, "2", 22, "12345678901"}
	with := func(parts ...any) string { return fmtRecord(append(append([]any{}, acct...), parts...)...) }
	lines := []string{
		with(1, "01", 35, "020326", 91, "0000000012345F"),
		with(1, "04", 8, "0123", 33, "01", 35, "030326", 43, "030326",
			49, pick("PRLV SEPA ÉLECTRICITÉ DE FRANCE", "PRLV SEPA ELECTRICITE DE FRANCE"),
			82, "0000042", 91, "0000000001000}", 105, pick("RÉF 123", "REF 123")),
		with(1, "05", 8, "0123", 33, "01", 35, "030326", 46, "LIB",
			49, pick("Prélèvement n° 42 échéance mars «ok»", `Prelevement no 42 echeance mars "ok"`)),
		with(1, "04", 8, "0456", 33, "05", 35, "030326", 43, "040326",
			49, pick("VIR REÇU DE M. GARÇON", "VIR RECU DE M. GARCON"),
			82, "0000043", 91, "0000000002500{", 105, "FACT 2026-117"),
	}
	if extra {
		lines = append(lines, with(1, "05", 8, "0456", 33, "05", 35, "030326", 46, "LIB",
			49, pick("Cœur d’Alène – 12 € … fin", "Cour d'Alene - 12 E . fin")))
	}
	return append(lines, with(1, "07", 35, "040326", 91, "0000000013845F"))
}

// fmtCanonical is the canonical file of a statement: records and CRLF.
func fmtCanonical(extra bool) []byte { return fmtJoin(fmtStatement(false, extra), "\r\n", true) }

func fmtJoin(lines []string, sep string, final bool) []byte {
	s := strings.Join(lines, sep)
	if final {
		s += sep
	}
	return []byte(s)
}

// fmtEncode encodes UTF-8 text with a golang.org/x/text charmap.
func fmtEncode(cm *charmap.Charmap, s string) []byte {
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// fmtCase is one test file of `cfonb fmt`.
type fmtCase struct {
	name     string
	encoding Encoding // forced encoding; EncodingAuto detects
	eol      string   // line end written: "" (CRLF), "lf" or "none"
	input    []byte
	golden   []byte // nil: refused
	// wantEnc is the encoding used; repairs the exact repair counts;
	// problems the lines left as they are.
	wantEnc  Encoding
	repairs  map[Repair]int
	problems int
	refused  string // part of the refusal message
}

// fmtCases lists every test file. The count of each repair is exact.
func fmtCases() []fmtCase {
	legacy := fmtStatement(true, false)
	legacyX := fmtStatement(true, true)
	canon := fmtStatement(false, false)
	golden := fmtCanonical(false)
	goldenX := fmtCanonical(true)
	latin1 := func(s string) []byte { return fmtEncode(charmap.ISO8859_1, s) }
	cp1252 := func(s string) []byte { return fmtEncode(charmap.Windows1252, s) }
	ebc037 := func(s string) []byte { return fmtEncode(charmap.CodePage037, s) }
	ebc1047 := func(s string) []byte { return fmtEncode(charmap.CodePage1047, s) }
	// The transliterated characters of the statement: É É É (3), é è é é «
	// ° » ç ç (…): counted from the text rather than by hand.
	translit := func(lines []string) int {
		n := 0
		for _, l := range lines {
			for _, r := range l {
				if r >= 0x80 {
					n++
				}
			}
		}
		return n
	}
	stripped := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = strings.TrimRight(l, " ")
		}
		return out
	}
	nTrans, nTransX := translit(legacy), translit(legacyX)

	var cases []fmtCase
	add := func(c fmtCase) { cases = append(cases, c) }

	add(fmtCase{name: "canonical", input: golden, golden: golden, wantEnc: EncodingUTF8, repairs: map[Repair]int{}})
	add(fmtCase{name: "latin1-lf", input: latin1(string(fmtJoin(legacy, "\n", true))), golden: golden,
		wantEnc: EncodingCP1252, repairs: map[Repair]int{RepairTranslit: nTrans, RepairLineEnd: 5}})
	add(fmtCase{name: "latin1-forced", encoding: EncodingLatin1, input: latin1(string(fmtJoin(legacy, "\r\n", true))), golden: golden,
		wantEnc: EncodingLatin1, repairs: map[Repair]int{RepairTranslit: nTrans}})
	add(fmtCase{name: "cp1252-crlf", input: cp1252(string(fmtJoin(legacyX, "\r\n", true))), golden: goldenX,
		wantEnc: EncodingCP1252, repairs: map[Repair]int{RepairTranslit: nTransX}})
	add(fmtCase{name: "utf8-lf", input: fmtJoin(legacyX, "\n", true), golden: goldenX,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairTranslit: nTransX, RepairLineEnd: 6}})
	add(fmtCase{name: "utf8-bom-crlf", input: append([]byte("\xEF\xBB\xBF"), fmtJoin(legacyX, "\r\n", true)...), golden: goldenX,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairBOM: 1, RepairTranslit: nTransX}})
	// Decomposed accents (NFD, as macOS writes file names): É is E + U+0301.
	nfd := norm.NFD.String(string(fmtJoin(legacy, "\r\n", true)))
	marks := 0
	for _, r := range nfd {
		if unicode.Is(unicode.Mn, r) {
			marks++
		}
	}
	add(fmtCase{name: "utf8-nfd", input: []byte(nfd), golden: golden, wantEnc: EncodingUTF8,
		repairs: map[Repair]int{RepairZeroWidth: marks, RepairTranslit: nTrans - marks}})
	// A Windows-1252 line inside a UTF-8 file.
	mixed := append(fmtJoin(legacy[:2], "\r\n", true), cp1252(legacy[2]+"\r\n")...)
	mixed = append(mixed, fmtJoin(legacy[3:], "\r\n", true)...)
	add(fmtCase{name: "utf8-mixed-cp1252", input: mixed, golden: golden, wantEnc: EncodingUTF8,
		repairs: map[Repair]int{RepairTranslit: nTrans, RepairInvalidUTF8: 1}})
	add(fmtCase{name: "ebcdic037-nel", input: ebc037(string(fmtJoin(legacy, "\u0085", true))), golden: golden,
		wantEnc: EncodingEBCDIC037, repairs: map[Repair]int{RepairTranslit: nTrans, RepairLineEnd: 5}})
	add(fmtCase{name: "ebcdic1047-continuous", encoding: EncodingEBCDIC1047, input: ebc1047(strings.Join(legacy, "")), golden: golden,
		wantEnc: EncodingEBCDIC1047, repairs: map[Repair]int{RepairTranslit: nTrans, RepairLineEnd: 5}})
	add(fmtCase{name: "ebcdic037-roundtrip", input: ebc037(string(fmtJoin(canon, "\r\n", true))), golden: golden,
		wantEnc: EncodingEBCDIC037, repairs: map[Repair]int{}})
	add(fmtCase{name: "stripped-lf", input: fmtJoin(stripped(canon), "\n", true), golden: golden,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairPadded: 5, RepairLineEnd: 5}})
	add(fmtCase{name: "continuous", input: fmtJoin(canon, "", false), golden: golden,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairLineEnd: 5}})
	add(fmtCase{name: "no-final-eol", input: fmtJoin(canon, "\r\n", false), golden: golden,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairLineEnd: 1}})
	// Blank lines (CIC), spaces after column 120, a line of spaces and
	// tabs, and a DOS end-of-file byte.
	var messy []string
	for i, l := range canon {
		switch i {
		case 1:
			messy = append(messy, "", l+"     ")
		case 3:
			messy = append(messy, " \t ", l)
		default:
			messy = append(messy, l)
		}
	}
	add(fmtCase{name: "blank-lines-sub", input: append(fmtJoin(messy, "\r\n", true), 0x1A), golden: golden,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairBlankLine: 2, RepairTrimmed: 1, RepairEOF: 1}})
	// NUL-filled reserved zones and a tab in a label (mainframe exports).
	nul := append([]string(nil), canon...)
	nul[0] = nul[0][:104] + strings.Repeat("\x00", 16)
	nul[1] = strings.Replace(nul[1], "PRLV SEPA", "PRLV\tSEPA", 1)
	add(fmtCase{name: "nul-tab", input: fmtJoin(nul, "\r\n", true), golden: golden,
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairSpace: 17}})
	add(fmtCase{name: "eol-lf", eol: "lf", input: fmtJoin(canon, "\r\n", true), golden: fmtJoin(canon, "\n", true),
		wantEnc: EncodingUTF8, repairs: map[Repair]int{RepairLineEnd: 5}})
	add(fmtCase{name: "eol-none", eol: "none", input: latin1(string(fmtJoin(legacy, "\n", true))), golden: fmtJoin(canon, "", false),
		wantEnc: EncodingCP1252, repairs: map[Repair]int{RepairTranslit: nTrans, RepairLineEnd: 5}})
	// Not repaired: the amount of the second line is cut (data missing),
	// the fifth line holds text after column 120. Both stay as they are.
	short := append([]string(nil), canon...)
	short[1] = short[1][:97]
	short[4] = short[4] + "EXTRA"
	add(fmtCase{name: "left-as-is", input: fmtJoin(short, "\r\n", true), golden: fmtJoin(short, "\r\n", true),
		wantEnc: EncodingUTF8, repairs: map[Repair]int{}, problems: 2})

	// Refused: nothing may be written.
	badAmount := append([]string(nil), canon...)
	badAmount[1] = badAmount[1][:96] + "É" + badAmount[1][97:]
	add(fmtCase{name: "refused-amount", input: latin1(string(fmtJoin(badAmount, "\r\n", true))),
		refused: `line 2, column 97: the amount (columns 91-104) holds 'É' (U+00C9)`})
	badAcct := append([]string(nil), canon...)
	badAcct[0] = strings.Replace(badAcct[0], "12345678901", "1234567890°", 1)
	add(fmtCase{name: "refused-account", input: latin1(string(fmtJoin(badAcct, "\n", true))),
		refused: `line 1, column 32: the account number (columns 22-32) holds '°' (U+00B0)`})
	add(fmtCase{name: "refused-utf16", input: append([]byte{0xFF, 0xFE}, []byte("0\x001\x00")...),
		refused: "UTF-16"})
	add(fmtCase{name: "refused-not-cfonb", input: []byte("date;label;amount\r\n2026-03-02;Café;-3.50\r\n"),
		refused: "not a CFONB120 file"})
	add(fmtCase{name: "refused-eol-none-short", eol: "none", input: fmtJoin(short, "\r\n", true),
		refused: "line 2: line is 97 characters: records without line ends must all be 120 characters"})
	return cases
}

// TestFmtTestdataUpToDate checks that ../testdata/fmt holds exactly what
// fmtCases describes (or rewrites it with -update-fmt).
func TestFmtTestdataUpToDate(t *testing.T) {
	for _, c := range fmtCases() {
		files := map[string][]byte{c.name + ".txt": c.input}
		if c.golden != nil {
			files[c.name+".golden"] = c.golden
		}
		for name, want := range files {
			path := filepath.Join(fmtDir, name)
			if *updateFmt {
				require.NoError(t, os.MkdirAll(fmtDir, 0o755))
				require.NoError(t, os.WriteFile(path, want, 0o644))
				continue
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err, "run: go test ./normalize -run TestFmtTestdataUpToDate -update-fmt")
			assert.True(t, bytes.Equal(want, got), "%s is out of date: run go test ./normalize -run TestFmtTestdataUpToDate -update-fmt", path)
		}
	}
}
