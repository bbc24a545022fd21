package fuzz

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/normalize"
)

// fmtEncodings are the encodings FuzzFmt forces (or detects).
var fmtEncodings = []normalize.Encoding{normalize.EncodingAuto, normalize.EncodingUTF8, normalize.EncodingLatin1,
	normalize.EncodingCP1252, normalize.EncodingEBCDIC037, normalize.EncodingEBCDIC1047, normalize.EncodingASCII}

var fmtEOLs = []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF, cfonb.EOLNone}

// FuzzFmt checks the invariants of `cfonb fmt` (normalize.Normalizer) on any
// input, in any encoding and line end: it never panics; what it refuses is
// a *normalize.RefusedError; what it writes is printable ASCII records and line
// ends; formatting its output again changes nothing (idempotence); and no
// record code, number, code, date or amount of any record differs from the
// input line it comes from, decoded here independently with
// golang.org/x/text's decoders.
func FuzzFmt(f *testing.F) {
	paths, err := filepath.Glob("../testdata/fmt/*")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed in ../testdata/fmt: %v", err)
	}
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0), uint8(0))
		f.Add(data, uint8(i%len(fmtEncodings)), uint8(i%len(fmtEOLs)))
	}
	f.Fuzz(func(t *testing.T, data []byte, encIdx, eolIdx uint8) {
		enc := fmtEncodings[int(encIdx)%len(fmtEncodings)]
		eol := fmtEOLs[int(eolIdx)%len(fmtEOLs)]
		type line struct{ in, out []byte }
		var lines []line
		n := normalize.New()
		n.Encoding, n.EOL = enc, eol
		n.OnLine = func(ev *normalize.LineEvent) {
			if ev.Out != nil {
				lines = append(lines, line{bytes.Clone(ev.In), bytes.Clone(ev.Out)})
			}
		}
		var out bytes.Buffer
		rep, err := n.Normalize(&out, bytes.NewReader(data))
		if err != nil {
			var re *normalize.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if rep.Records != len(lines) {
			t.Fatalf("%d records, %d events", rep.Records, len(lines))
		}

		// The output: the records, each followed by the line end.
		sep := map[cfonb.EOL]string{cfonb.EOLCRLF: "\r\n", cfonb.EOLLF: "\n", cfonb.EOLNone: ""}[eol]
		var want bytes.Buffer
		for _, l := range lines {
			for i, c := range l.out {
				if c < 0x20 || c > 0x7E {
					t.Fatalf("output byte 0x%02X at column %d of %q", c, i+1, l.out)
				}
			}
			if eol == cfonb.EOLNone && len(l.out) != cfonb.RecordLen {
				t.Fatalf("a record of %d characters without line ends", len(l.out))
			}
			want.Write(l.out)
			want.WriteString(sep)
		}
		if !bytes.Equal(want.Bytes(), out.Bytes()) {
			t.Fatalf("output is not the records and line ends:\n%q\n%q", out.Bytes(), want.Bytes())
		}

		// Figures: identical to the input's characters.
		for _, l := range lines {
			checkFigures(t, rep.Encoding, l.in, l.out)
		}

		// Idempotence.
		n2 := normalize.New()
		n2.EOL = eol
		var again bytes.Buffer
		rep2, err := n2.Normalize(&again, bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("formatting the output again: %v\ninput %q\noutput %q", err, data, out.Bytes())
		}
		if !bytes.Equal(again.Bytes(), out.Bytes()) || rep2.Changed {
			t.Fatalf("not idempotent (%s then %s):\ninput %q\nonce  %q\ntwice %q", rep.Encoding, rep2.Encoding, data, out.Bytes(), again.Bytes())
		}
	})
}

// checkFigures decodes a line independently and checks that the record
// code and every figure field of out hold the same characters.
func checkFigures(t *testing.T, enc normalize.Encoding, in, out []byte) {
	t.Helper()
	chars := decodeLine(enc, in)
	code := cfonb.ParseCode(out)
	if len(chars) >= 2 && cfonb.ParseCode([]byte(string(chars[:2]))) != code || len(chars) < 2 && code != cfonb.CodeUnknown {
		t.Fatalf("record code of %q became %q", string(chars), out)
	}
	if len(out) != cfonb.RecordLen && len(out) != len(chars) {
		t.Fatalf("a line of %d characters became %d: %q -> %q", len(chars), len(out), string(chars), out)
	}
	for _, f := range cfonb.Layout(code) {
		switch f.Kind() {
		case cfonb.KindText, cfonb.KindBlank:
			continue
		}
		got := string(f.Of(out))
		lo, hi := min(f.Start()-1, len(chars)), min(f.End(), len(chars))
		in := string(chars[lo:hi])
		if len(in) < len(got) {
			// Padding: only a field that may be blank, with spaces.
			if f.Kind() != cfonb.KindAlnum || got[len(in):] != string(bytes.Repeat([]byte{' '}, len(got)-len(in))) {
				t.Fatalf("the %s %q became %q", f, in, got)
			}
			got = got[:len(in)]
		}
		if in != got {
			t.Fatalf("the %s %q became %q (%s)", f, in, got, enc)
		}
	}
}

// decodeLine decodes one line as the encoding says, with golang.org/x/text
// for the single-byte code pages, into its characters (columns).
func decodeLine(enc normalize.Encoding, in []byte) []rune {
	var cm *charmap.Charmap
	switch enc {
	case normalize.EncodingLatin1:
		cm = charmap.ISO8859_1
	case normalize.EncodingCP1252:
		cm = charmap.Windows1252
	case normalize.EncodingEBCDIC037:
		cm = charmap.CodePage037
	case normalize.EncodingEBCDIC1047:
		cm = charmap.CodePage1047
	case normalize.EncodingASCII:
		r := make([]rune, len(in))
		for i, b := range in {
			r[i] = rune(b)
			if b >= 0x80 {
				r[i] = utf8.RuneError
			}
		}
		return r
	case normalize.EncodingUTF8:
		return decodeUTF8Line(in)
	}
	s, err := cm.NewDecoder().Bytes(in)
	if err != nil {
		panic(err)
	}
	return []rune(string(s))
}

// decodeUTF8Line reads a line of a UTF-8 file: combining marks and
// zero-width characters take no column; a line that is not valid UTF-8 is
// read as Windows-1252, as a whole unless reading only its invalid bytes so
// gives exactly 120 characters.
func decodeUTF8Line(in []byte) []rune {
	zeroWidth := func(r rune) bool {
		return unicode.In(r, unicode.Mn, unicode.Me) || r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF
	}
	var perByte []rune
	for i := 0; i < len(in); {
		r, size := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError && size == 1 {
			r = charmap.Windows1252.DecodeByte(in[i])
		} else if size > 1 && zeroWidth(r) {
			i += size
			continue
		}
		perByte = append(perByte, r)
		i += size
	}
	if utf8.Valid(in) || len(perByte) == cfonb.RecordLen {
		return perByte
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(in)
	if err != nil {
		panic(err)
	}
	return []rune(string(s))
}
