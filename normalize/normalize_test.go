package normalize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// normalizeBytes runs a Normalizer on in.
func normalizeBytes(t testing.TB, in []byte, enc Encoding, eol cfonb.EOL) ([]byte, *Report, error) {
	t.Helper()
	n := New()
	n.Encoding = enc
	n.EOL = eol
	var out bytes.Buffer
	rep, err := n.Normalize(&out, bytes.NewReader(in))
	require.NotNil(t, rep)
	return out.Bytes(), rep, err
}

func eolOf(s string) cfonb.EOL {
	switch s {
	case "lf":
		return cfonb.EOLLF
	case "none":
		return cfonb.EOLNone
	}
	return cfonb.EOLCRLF
}

// repairMap returns the non-zero repair counts.
func repairMap(r *Report) map[Repair]int {
	m := map[Repair]int{}
	for k, v := range r.Repairs {
		if v != 0 {
			m[Repair(k)] = v
		}
	}
	return m
}

// TestNormalizeGolden formats every file of ../testdata/fmt and compares
// with its golden, byte for byte; the refused ones must fail with their
// message. Each output, formatted again, must not change (idempotence).
func TestNormalizeGolden(t *testing.T) {
	for _, c := range fmtCases() {
		t.Run(c.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(fmtDir, c.name+".txt"))
			require.NoError(t, err)
			out, rep, err := normalizeBytes(t, in, c.encoding, eolOf(c.eol))
			if c.refused != "" {
				var re *RefusedError
				require.ErrorAs(t, err, &re)
				assert.Contains(t, err.Error(), c.refused)
				return
			}
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join(fmtDir, c.name+".golden"))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(out))
			assert.Equal(t, c.wantEnc, rep.Encoding)
			assert.Equal(t, c.repairs, repairMap(rep))
			assert.Equal(t, c.problems, rep.ProblemCount)
			assert.Equal(t, !bytes.Equal(in, want), rep.Changed)

			again, rep2, err := normalizeBytes(t, out, EncodingAuto, eolOf(c.eol))
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "not idempotent")
			assert.False(t, rep2.Changed)
			assert.Empty(t, repairMap(rep2))
		})
	}
}

// TestNormalizeEBCDICRoundTrip: canonical ASCII → EBCDIC (golang.org/x/text
// encoder) → fmt gives the canonical bytes back, and encoding fmt's output
// again gives the EBCDIC bytes back.
func TestNormalizeEBCDICRoundTrip(t *testing.T) {
	canon := fmtCanonical(false)
	for _, tt := range []struct {
		enc Encoding
		cm  *charmap.Charmap
	}{{EncodingEBCDIC037, charmap.CodePage037}, {EncodingEBCDIC1047, charmap.CodePage1047}} {
		t.Run(tt.enc.String(), func(t *testing.T) {
			ebcdic := fmtEncode(tt.cm, string(canon))
			require.NotEqual(t, canon, ebcdic)
			out, rep, err := normalizeBytes(t, ebcdic, tt.enc, cfonb.EOLCRLF)
			require.NoError(t, err)
			assert.Equal(t, string(canon), string(out))
			assert.True(t, rep.Changed)
			assert.Empty(t, repairMap(rep))
			assert.Equal(t, ebcdic, fmtEncode(tt.cm, string(out)))
		})
	}
}

func TestNormalizeRepairs(t *testing.T) {
	canon := fmtStatement(false, false)
	r01, r04, r05, r07 := canon[0], canon[1], canon[2], canon[4]
	pad := func(s string) string { return s + strings.Repeat(" ", cfonb.RecordLen-len(s)) }
	tests := []struct {
		name    string
		enc     Encoding
		in      string
		want    string
		repairs map[Repair]int
	}{
		{"lone CR at the end", EncodingAuto, r01 + "\r\n" + r07 + "\r", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairLineEnd: 1}},
		{"double CR", EncodingAuto, r01 + "\r\r\n" + r07 + "\r\n", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairLineEnd: 1}},
		{"0x1A line in the middle", EncodingAuto, r01 + "\r\n\x1a\x1a\r\n" + r07 + "\r\n", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairEOF: 2}},
		{"0x1A after the last record", EncodingAuto, r01 + "\r\n" + r07 + "\x1a", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairEOF: 1, RepairLineEnd: 1}},
		{"NBSP and tab after column 120", EncodingUTF8, r01 + "\u00a0\t \r\n" + r07 + "\r\n", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairTrimmed: 1, RepairSpace: 2}},
		{"byte-order mark inside the file", EncodingAuto, r01 + "\r\n\uFEFF" + r07 + "\r\n", r01 + "\r\n" + r07 + "\r\n",
			map[Repair]int{RepairBOM: 1}},
		{"byte-order mark with latin1 forced", EncodingLatin1, "\xEF\xBB\xBF" + r01 + "\r\n", r01 + "\r\n",
			map[Repair]int{RepairBOM: 1}},
		{"05 cut before its qualifier", EncodingAuto, r05[:45] + "\r\n", pad(r05[:45]) + "\r\n",
			map[Repair]int{RepairPadded: 1}},
		{"04 cut after its amount", EncodingAuto, r04[:104] + "\n", r04[:104] + strings.Repeat(" ", 16) + "\r\n",
			map[Repair]int{RepairPadded: 1, RepairLineEnd: 1}},
		{"line of NULs", EncodingAuto, r01 + "\r\n" + strings.Repeat("\x00", 120) + "\r\n", r01 + "\r\n",
			map[Repair]int{RepairBlankLine: 1}},
		{"EBCDIC 0x15 and 0x25 and CR 0x25", EncodingEBCDIC037,
			string(fmtEncode(charmap.CodePage037, r01+"\u0085"+r04+"\n"+r07+"\r\n")),
			r01 + "\r\n" + r04 + "\r\n" + r07 + "\r\n", map[Repair]int{RepairLineEnd: 2}},
		{"cp1252 undefined byte", EncodingCP1252, strings.Replace(r04, "PRLV", "PR\x81V", 1) + "\r\n",
			strings.Replace(r04, "PRLV", "PR?V", 1) + "\r\n", map[Repair]int{RepairReplaced: 1}},
		{"ascii high byte", EncodingASCII, strings.Replace(r04, "PRLV", "PR\xc9V", 1) + "\r\n",
			strings.Replace(r04, "PRLV", "PR?V", 1) + "\r\n", map[Repair]int{RepairReplaced: 1}},
		{"latin1 C1 control", EncodingLatin1, strings.Replace(r04, "PRLV", "PR\x85V", 1) + "\r\n",
			strings.Replace(r04, "PRLV", "PR?V", 1) + "\r\n", map[Repair]int{RepairReplaced: 1}},
		{"cp1252 0x85 is an ellipsis", EncodingCP1252, strings.Replace(r04, "PRLV", "PR\x85V", 1) + "\r\n",
			strings.Replace(r04, "PRLV", "PR.V", 1) + "\r\n", map[Repair]int{RepairTranslit: 1}},
		{"empty input", EncodingAuto, "", "", map[Repair]int{}},
		// U+FF1F (fullwidth ?) is transliterated to '?', not replaced by
		// it: a character met twice (the second time from the cache) is
		// counted the same both times.
		{"fullwidth question marks", EncodingUTF8, strings.Replace(r04, "PRLV", "P？？V", 1) + "\r\n",
			strings.Replace(r04, "PRLV", "P??V", 1) + "\r\n", map[Repair]int{RepairTranslit: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep, err := normalizeBytes(t, []byte(tt.in), tt.enc, cfonb.EOLCRLF)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
			assert.Equal(t, tt.repairs, repairMap(rep))
			assert.Equal(t, tt.in != tt.want, rep.Changed)
		})
	}
}

func TestNormalizeProblems(t *testing.T) {
	canon := fmtStatement(false, false)
	tests := []struct {
		name string
		line string
		want Problem
	}{
		{"amount cut", canon[1][:97], Problem{Line: 1, Column: 98,
			Message: "line is 97 characters; the amount (columns 91-104) is incomplete: left as it is, not padded"}},
		{"01 cut in its date", canon[0][:38], Problem{Line: 1, Column: 39,
			Message: "line is 38 characters; the balance date (columns 35-40) is incomplete: left as it is, not padded"}},
		{"text after column 120", canon[0] + "  X", Problem{Line: 1, Column: 121,
			Message: "line is 123 characters, with text after column 120: left as it is"}},
		{"unknown code, short", "0" + canon[0][2:50], Problem{Line: 1, Column: 50,
			Message: `line is 49 characters and its record code "03" is unknown: left as it is, not padded`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := canon[0] + "\r\n" + tt.line + "\r\n"
			out, rep, err := normalizeBytes(t, []byte(in), EncodingAuto, cfonb.EOLCRLF)
			require.NoError(t, err)
			assert.Equal(t, in, string(out), "left as it is")
			want := tt.want
			want.Line, want.OutLine = 2, 2
			assert.Equal(t, []Problem{want}, rep.Problems)
			assert.Equal(t, 1, rep.ProblemCount)
			assert.False(t, rep.Changed)
		})
	}
}

func TestNormalizeRefusals(t *testing.T) {
	canon := fmtStatement(false, false)
	tests := []struct {
		name string
		enc  Encoding
		in   string
		want string
	}{
		{"NUL in a date", EncodingAuto, strings.Replace(canon[0], "020326", "02\x00326", 1),
			"line 1, column 37: the balance date (columns 35-40) holds the control character U+0000, which would become ' '"},
		{"accent in the bank code (UTF-8)", EncodingAuto, "01É" + canon[0][3:],
			"line 1, column 3: the bank code (columns 3-7) holds 'É' (U+00C9), which would become 'E'"},
		{"accent in the record code", EncodingAuto, canon[0] + "\r\n0É" + canon[4][2:],
			"line 2, column 2: the record code (columns 1-2) holds 'É' (U+00C9), which would become 'E'"},
		{"non-ASCII in a currency (EBCDIC)", EncodingEBCDIC037,
			string(fmtEncode(charmap.CodePage037, strings.Replace(canon[0], "EUR", "EÜR", 1))),
			"line 1, column 18: the currency (columns 17-19) holds 'Ü' (U+00DC)"},
		{"line too long", EncodingAuto, canon[0] + "\r\n" + strings.Repeat("x", DefaultMaxLine+1),
			"line 2: line is longer than 65536 bytes: this is not a CFONB120 file"},
		{"too many concatenated records", EncodingAuto, canon[0] + "\r\n" + strings.Repeat(canon[1]+canon[2], cfonb.MaxConcatenatedLine/240+1) + "\r\n" + canon[4],
			"line 2: line of concatenated records is longer than 4194304 bytes (34952 records), the most cfonb splits: add line ends"},
		{"concatenated records, one short", EncodingAuto, canon[0] + "\r\n" + strings.Repeat(canon[1]+canon[2], 1000) + canon[3][:119] + "\r\n" + canon[4],
			"line 2: line of 240119 bytes holds concatenated records, but not a whole number of records of 120: find the damaged one"},
		{"UTF-16 big endian", EncodingAuto, "\xFE\xFF\x000\x001", "UTF-16"},
		{"only blank lines", EncodingAuto, "\r\n  \r\n\x00\x00", "the file holds no record, only blank lines: it would become empty"},
		{"garbage lines", EncodingAuto, canon[0] + "\r\n" + strings.Repeat("xx\r\n", 2000),
			"line 1024: 1023 of the first 1024 records have no CFONB120 record code: this is not a CFONB120 file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := normalizeBytes(t, []byte(tt.in), tt.enc, cfonb.EOLCRLF)
			var re *RefusedError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, err.Error(), tt.want)
			// The same refusal, read as the one positioned error type.
			var pe *cfonb.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, [2]int{re.Line, re.Column}, [2]int{pe.Line, pe.Column})
			assert.Equal(t, re.Error(), pe.Error())
		})
	}
}

// TestNormalizeReadErrors: an I/O error is returned wrapped, not refused.
func TestNormalizeReadErrors(t *testing.T) {
	boom := errors.New("boom")
	n := New()
	_, err := n.Normalize(io.Discard, iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "cfonb: reading: boom", err.Error())

	// A reader that returns one byte at a time gives the same output.
	in := fmtCanonical(true)
	var out bytes.Buffer
	_, err = n.Normalize(&out, iotest.OneByteReader(bytes.NewReader(in)))
	require.NoError(t, err)
	assert.Equal(t, string(in), out.String())

	// A write error.
	_, err = n.Normalize(errWriter{boom}, bytes.NewReader(in))
	require.ErrorIs(t, err, boom)
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// TestNormalizeOnLine checks the events used for diffs.
func TestNormalizeOnLine(t *testing.T) {
	canon := fmtStatement(false, false)
	legacy := fmtStatement(true, false)
	in := fmtEncode(charmap.ISO8859_1, canon[0]+"\r\n\r\n"+legacy[1]+"\n")
	n := New()
	var got []string
	n.OnLine = func(ev *LineEvent) {
		got = append(got, strings.Join([]string{
			string(rune('0' + ev.Line)), string(rune('0' + ev.OutLine)),
			map[bool]string{true: "C", false: "-"}[ev.ContentChanged],
			map[bool]string{true: "E", false: "-"}[ev.EOLChanged],
			ev.InText(), string(ev.Out),
		}, "|"))
	}
	_, err := n.Normalize(io.Discard, bytes.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"1|1|-|-|" + canon[0] + "|" + canon[0],
		"2|0|C|E||",
		"3|2|C|E|" + legacy[1] + "|" + canon[1],
	}, got)
}

func TestNormalizeFramingDetection(t *testing.T) {
	canon := fmtStatement(false, false)
	tests := []struct {
		name string
		in   string
		want cfonb.Framing
	}{
		{"lines", strings.Join(canon, "\n"), cfonb.FramingLines},
		{"continuous", strings.Join(canon, ""), cfonb.FramingContinuous},
		{"continuous with a final line end", strings.Join(canon, "") + "\r\n", cfonb.FramingContinuous},
		{"one record", canon[0], cfonb.FramingLines},
		{"a long first line", canon[0] + canon[1] + "\n" + canon[2], cfonb.FramingLines},
		{"one line of 124 characters", canon[0] + "0000\r\n", cfonb.FramingLines},
		{"CR-only line ends", canon[0] + "\r" + canon[1] + "\r", cfonb.FramingCR},
		{"CR-only line ends, one record", canon[0] + "\r", cfonb.FramingCR},
		{"one line of 240 characters", canon[0] + canon[1] + "\r\n", cfonb.FramingContinuous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rep, _ := normalizeBytes(t, []byte(tt.in), EncodingAuto, cfonb.EOLCRLF)
			assert.Equal(t, tt.want, rep.Framing)
		})
	}
}

// TestNormalizeProperty formats random legacy variants of a statement: the
// text zones get random characters and bytes, the file random encodings,
// line ends, blank lines and stripped spaces. Every run must keep every
// figure of every record, and formatting the output again must change
// nothing (idempotence).
func TestNormalizeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	canon := fmtStatement(false, true)
	textRunes := "abcXYZ 0123456789éèÉçÇàùÜœŒ€’«»°ß–…\u00a0\t\x00\x01\u0301\uFEFF中Ж"
	encs := []struct {
		enc Encoding
		cm  *charmap.Charmap
	}{{EncodingUTF8, nil}, {EncodingLatin1, charmap.ISO8859_1}, {EncodingCP1252, charmap.Windows1252},
		{EncodingEBCDIC037, charmap.CodePage037}, {EncodingEBCDIC1047, charmap.CodePage1047}}
	for iter := 0; iter < 300; iter++ {
		e := encs[rng.IntN(len(encs))]
		// The characters this encoding can hold.
		var pool []rune
		for _, r := range textRunes {
			if e.cm == nil {
				pool = append(pool, r)
			} else if _, ok := e.cm.EncodeRune(r); ok && !isZeroWidth(r) {
				pool = append(pool, r)
			}
		}
		var lines []string
		for _, l := range canon {
			var sb strings.Builder
			cols := &columnFields()[cfonb.ParseCode([]byte(l))]
			for i, r := range l {
				if isFigure(cols[i].Kind()) || rng.IntN(8) != 0 {
					sb.WriteRune(r)
					continue
				}
				c := pool[rng.IntN(len(pool))]
				if isZeroWidth(c) {
					// A combining mark or a zero-width character
					// follows the character of its column.
					sb.WriteRune(r)
				}
				sb.WriteRune(c)
			}
			s := sb.String()
			if rng.IntN(4) == 0 {
				s = strings.TrimRight(s, " ")
			}
			lines = append(lines, s)
			if rng.IntN(6) == 0 {
				lines = append(lines, "")
			}
		}
		seps := []string{"\r\n", "\n"}
		if e.enc.IsEBCDIC() {
			seps = append(seps, "\u0085")
		}
		text := strings.Join(lines, seps[rng.IntN(len(seps))])
		in := []byte(text)
		if e.cm != nil {
			in = fmtEncode(e.cm, text)
		}
		enc := e.enc
		if rng.IntN(2) == 0 && (e.enc == EncodingUTF8 || e.enc == EncodingEBCDIC037) {
			// Detection cannot tell 1047 from 037 on these characters,
			// nor Windows-1252 byte pairs from UTF-8 in general.
			enc = EncodingAuto
		}
		out, rep, err := normalizeBytes(t, in, enc, cfonb.EOLCRLF)
		if err != nil {
			// Random text may put a zero-width mark on a figure's
			// neighbour, never in a figure: nothing may be refused.
			t.Fatalf("iteration %d (%s, %q): %v", iter, e.enc, in, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
		require.Len(t, got, len(canon), "iteration %d: %s", iter, rep.Detected)
		for i, l := range got {
			require.Len(t, l, cfonb.RecordLen)
			code := cfonb.ParseCode([]byte(l))
			require.Equal(t, cfonb.ParseCode([]byte(canon[i])), code)
			for _, f := range cfonb.Layout(code) {
				if isFigure(f.Kind()) {
					require.Equal(t, string(f.Of([]byte(canon[i]))), string(f.Of([]byte(l))), "iteration %d line %d %s", iter, i+1, f)
				}
			}
			require.True(t, printableASCII([]byte(l)), "iteration %d line %d: %q", iter, i+1, l)
		}
		again, rep2, err := normalizeBytes(t, out, EncodingAuto, cfonb.EOLCRLF)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again), "iteration %d: not idempotent", iter)
		require.False(t, rep2.Changed)
	}
}

// normBenchInput repeats a statement to about 4 MiB.
func normBenchInput(lines []string, enc func(string) []byte) []byte {
	one := enc(strings.Join(lines, "\r\n") + "\r\n")
	return bytes.Repeat(one, (4<<20)/len(one)+1)
}

func benchmarkNormalize(b *testing.B, in []byte, e Encoding) {
	n := New()
	n.Encoding = e
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	r := bytes.NewReader(in)
	for b.Loop() {
		r.Reset(in)
		if _, err := n.Normalize(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalizeLatin1 formats a Latin-1 file where 3 records in 5 have
// accented text: the single-byte table path.
func BenchmarkNormalizeLatin1(b *testing.B) {
	benchmarkNormalize(b, normBenchInput(fmtStatement(true, false), func(s string) []byte { return fmtEncode(charmap.ISO8859_1, s) }), EncodingAuto)
}

// BenchmarkNormalizeASCII formats a file that is already canonical.
func BenchmarkNormalizeASCII(b *testing.B) {
	benchmarkNormalize(b, normBenchInput(fmtStatement(false, false), func(s string) []byte { return []byte(s) }), EncodingAuto)
}

// BenchmarkNormalizeUTF8 formats a UTF-8 file with accented text.
func BenchmarkNormalizeUTF8(b *testing.B) {
	benchmarkNormalize(b, normBenchInput(fmtStatement(true, true), func(s string) []byte { return []byte(s) }), EncodingAuto)
}

// BenchmarkNormalizeEBCDIC formats an EBCDIC 037 file.
func BenchmarkNormalizeEBCDIC(b *testing.B) {
	benchmarkNormalize(b, normBenchInput(fmtStatement(true, false), func(s string) []byte { return fmtEncode(charmap.CodePage037, s) }), EncodingEBCDIC037)
}

// TestSpecial8 checks the 8-byte test against the byte test, for every
// byte value at every position of a word of printable bytes.
func TestSpecial8(t *testing.T) {
	for b := 0; b < 256; b++ {
		for pos := 0; pos < 8; pos++ {
			w := []byte("ABCDEFGH")
			w[pos] = byte(b)
			want := b < 0x20 || b > 0x7E
			assert.Equal(t, want, special8(binary.LittleEndian.Uint64(w)), "byte 0x%02X at %d", b, pos)
			assert.Equal(t, !want, printableASCII(append(w, "abc"...)), "byte 0x%02X at %d", b, pos)
		}
	}
}

// TestNormalizeFramesTransliterated checks that the framing is decided on
// the characters as they will be written, the bytes a second pass frames,
// so that formatting the output again changes nothing. Each input is
// refused: either a record code that only transliteration turns into
// digits, or one line that would read back as continuous records.
func TestNormalizeFramesTransliterated(t *testing.T) {
	canon := fmtStatement(false, false)
	ebc037 := func(s string) []byte {
		b, err := charmap.CodePage037.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	// The input FuzzFmt found (fuzz/testdata/fuzz/FuzzFmt/4d74a2641fa21fcf),
	// byte for byte: EBCDIC 037 records with no line ends; the second
	// one's record code is 0xF0 0xFA, '0' and '³'.
	fuzzFound := []byte("\xf0\xf1\xf3\xf0\xf0\xf0\xf6@@@@\xf0\xf0\xf0\xf0\xf1\xc5\xe4\xd9\xf2@\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xf0\xf1@@\xf0\xf2\xf0\xf3\xf2\xf6@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf1\xf2\xf3\xf4\xf5\xc6@@@@@@@@@@@@@@@@\xf0\xfa\x00\x00\xfa\xf0\xf6\xf0\xf1\xf2\xf3\xf0\xf0\xf0\xf0\xf1\xc5\xe4\xd9\xf2@\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xf0\xf1\xf0\xf1\xf0\xf3\xf0\xf3\xf2\xf6@@\xf0\xf3\xf0\xf3\xf2\xf6\xd7\xd9\xd3\xe5@\xe2\xc5\xd7\xc1@q\xd3\xc5\xc3\xe3\xd9\xc9\xc3\xc9\xe3q@\xc4\xc5@\xc6\xd9\xc1\xd5\xc3\xc5@@\xf0\xf0\xf0\xf0\xf0\xf4\xf2@@\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf1\xf0\xf0\xf0\xd0\xd9q\xc6@\xf1\xf2\xf3@@@@@@@@@\xf0\xf5\xf3\xf0\xf0\xf0\xf6\xf0\xf1\xf2\xf3\xf0\xf0\xf0\xf0\xf1\xc5\xe4\xd9\xf2@\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xf0\xf1\xf0\xf1\xf0\xf3\xf0\xf3\xf2\xf6@@@@@\xd3\xc9\xc2\xd7\x99Q\x93T\xa5\x85\x94\x85\x95\xa3@\x95\x90@\xf4\xf2@Q\x83\x88Q\x81\x95\x83\x85@\x94\x81\x99\xa2@\x8a\x96\x92\x8b@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\xf0\xf4\xf3\xf0\xf0\xf0\xf6\xf0\xf4\xf5\xf6\xf0\xf0\xf0\xf0\xf1\xc5\xe4\xd9\xf2@\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xf0\xf1\xf0\xf5\xf0\xf3\xf0\xf3\xf2\xf6@@\xf0\xf4\xf0\xf3\xf2\xf6\xe5\xc9\xd9@\xd9\xc5h\xe4@\xc4\xc5@\xd4K@\xc7\xc1\xd9h\xd6\xd5@@@@@@@@@@@@\xf0\xf0\xf0\xf0\xf0\xf4\xf3@@\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf2\xf5\xf0\xf0\xc0\xc6\xc1\xc3\xe3@\xf2\xf0\xf2\xf6`\xf1\xf1\xf7@@@\xf0\xf7\xf3\xf0\xf0\xf0\xf6@@@@\xf0\xf0\xf0\xf0\xf1\xc5\xe4\xd9\xf2@\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xf0\xf1@@\xf0\xf4\xf0\xf3\xf2\xf6@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\x80@@@@@@@@@@@@@\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf1\xf3\xf8\xf4\xf5\xc6@@@@@@@@@@@@@@@@")
	require.Len(t, fuzzFound, 5*cfonb.RecordLen)
	const codeSup3 = "the record code (columns 1-2) holds '³' (U+00B3), which would become '3': a figure cannot be transliterated safely; fix the file or give the right --encoding"
	tests := []struct {
		name string
		in   []byte
		enc  Encoding
		eol  cfonb.EOL
		want RefusedError
	}{
		{"found by FuzzFmt: EBCDIC, '³' in the second record code", fuzzFound, EncodingAuto, cfonb.EOLLF,
			RefusedError{Line: 2, Column: 2, Reason: codeSup3}},
		{"EBCDIC, '³' in the second record code, CRLF", ebc037(canon[0] + "0³" + canon[1][2:]), EncodingEBCDIC037, cfonb.EOLCRLF,
			RefusedError{Line: 2, Column: 2, Reason: codeSup3}},
		{"Latin-1, '³' in the second record code", []byte(canon[0] + "0\xb3" + canon[1][2:] + "\r\n"), EncodingLatin1, cfonb.EOLLF,
			RefusedError{Line: 2, Column: 2, Reason: codeSup3}},
		{"Latin-1, '¹' in the first record code", []byte("\xb9" + canon[0][1:] + canon[1]), EncodingLatin1, cfonb.EOLCRLF,
			RefusedError{Line: 1, Column: 1, Reason: "the record code (columns 1-2) holds '¹' (U+00B9), which would become '1': a figure cannot be transliterated safely; fix the file or give the right --encoding"}},
		{"UTF-8 continuous records, 'É' making them 241 bytes", []byte(canon[0][:50] + "É" + canon[0][51:] + canon[1] + "\n"), EncodingAuto, cfonb.EOLLF,
			RefusedError{Line: 1, Reason: "the line is 240 characters: it holds 2 records of 120 characters with no line end between them, in a file whose records end with line ends; add the missing line ends"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := normalizeBytes(t, tt.in, tt.enc, tt.eol)
			var re *RefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.want, *re)
		})
	}
}

// TestNormalizeSplitsConcatenated: a line of several records with no line
// end between them, in a file with line ends (as some EBICS exports write
// them, or after a blank line), is written as its records, as the Reader
// reads it, and the output formats to itself.
func TestNormalizeSplitsConcatenated(t *testing.T) {
	canon := fmtStatement(false, false)
	tests := []struct {
		name string
		in   []byte
		enc  Encoding
		eol  cfonb.EOL
		want string
	}{
		{"a blank line before continuous records", []byte("\r\n" + canon[0] + canon[1] + "\r\n"), EncodingAuto, cfonb.EOLCRLF,
			canon[0] + "\r\n" + canon[1] + "\r\n"},
		{"continuous records after a NUL-filled line", []byte("\x00\x00\n" + canon[0] + canon[1]), EncodingLatin1, cfonb.EOLLF,
			canon[0] + "\n" + canon[1] + "\n"},
		{"mixed: the 01 on its line, then concatenated records, then the 07", []byte(canon[0] + "\n" + canon[1] + canon[2] + "\n" + canon[3] + "\n"), EncodingAuto, cfonb.EOLCRLF,
			canon[0] + "\r\n" + canon[1] + "\r\n" + canon[2] + "\r\n" + canon[3] + "\r\n"},
		{"mixed with CR line ends", []byte(canon[0] + "\r" + canon[1] + canon[2] + "\r" + canon[3] + "\r"), EncodingAuto, cfonb.EOLCRLF,
			canon[0] + "\r\n" + canon[1] + "\r\n" + canon[2] + "\r\n" + canon[3] + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep, err := normalizeBytes(t, tt.in, tt.enc, tt.eol)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
			again, _, err := normalizeBytes(t, out, tt.enc, tt.eol)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "idempotent")
			assert.Positive(t, rep.Repairs[RepairSplit])
		})
	}
}

// TestNormalizeCROnly: classic Mac OS line ends (CR alone) are line ends,
// as the Reader reads them: each record on its own line, no '?' for a CR.
func TestNormalizeCROnly(t *testing.T) {
	canon := fmtStatement(false, false)
	in := canon[0] + "\r" + canon[1] + "\r" + canon[2] + "\r" + canon[3] + "\r"
	out, rep, err := normalizeBytes(t, []byte(in), EncodingAuto, cfonb.EOLCRLF)
	require.NoError(t, err)
	assert.Equal(t, cfonb.FramingCR, rep.Framing)
	assert.Equal(t, canon[0]+"\r\n"+canon[1]+"\r\n"+canon[2]+"\r\n"+canon[3]+"\r\n", string(out))
	assert.Equal(t, 4, rep.Repairs[RepairLineEnd])
	assert.Zero(t, rep.Repairs[RepairReplaced])
	// A CR-only file whose last line has no line end.
	in = canon[0] + "\r" + canon[1] + "\r" + canon[2] + "\r" + canon[3]
	out, _, err = normalizeBytes(t, []byte(in), EncodingAuto, cfonb.EOLLF)
	require.NoError(t, err)
	assert.Equal(t, canon[0]+"\n"+canon[1]+"\n"+canon[2]+"\n"+canon[3]+"\n", string(out))
}

// TestNormalizeLongConcatenatedLine: a line of concatenated records longer
// than MaxLine (some EBICS exports write a day's movements on one line) is
// split into its records, up to cfonb.MaxConcatenatedLine, in every
// encoding and line end, through small buffers and one-byte reads, as
// cfonb's Reader reads it.
func TestNormalizeLongConcatenatedLine(t *testing.T) {
	canon := fmtStatement(false, false)
	legacy := fmtStatement(true, false)
	const n = 1500 // pairs of records: 360,000 bytes on one line
	want := canon[0] + "\r\n" + strings.Repeat(canon[1]+"\r\n"+canon[2]+"\r\n", n) + canon[4] + "\r\n"
	for _, tt := range []struct {
		name string
		enc  Encoding
		in   []byte
	}{
		{"ASCII, CRLF", EncodingAuto, []byte(canon[0] + "\r\n" + strings.Repeat(canon[1]+canon[2], n) + "\r\n" + canon[4] + "\r\n")},
		{"ASCII, LF", EncodingAuto, []byte(canon[0] + "\n" + strings.Repeat(canon[1]+canon[2], n) + "\n" + canon[4] + "\n")},
		{"ASCII, CR", EncodingAuto, []byte(canon[0] + "\r" + strings.Repeat(canon[1]+canon[2], n) + "\r" + canon[4] + "\r")},
		{"Latin-1", EncodingLatin1, fmtEncode(charmap.ISO8859_1, legacy[0]+"\r\n"+strings.Repeat(legacy[1]+legacy[2], n)+"\r\n"+legacy[4]+"\r\n")},
		{"EBCDIC 037", EncodingEBCDIC037, fmtEncode(charmap.CodePage037, canon[0]+"\n"+strings.Repeat(canon[1]+canon[2], n)+"\n"+canon[4]+"\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, read := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
				nz := New()
				nz.Encoding = tt.enc
				var out bytes.Buffer
				rep, err := nz.Normalize(&out, read(bytes.NewReader(tt.in)))
				require.NoError(t, err)
				assert.Equal(t, want, out.String())
				assert.Equal(t, 1, rep.Repairs[RepairSplit])
				assert.Equal(t, 2*n+2, rep.Records)
			}
		})
	}
}

// TestSpecialMask: specialMask marks exactly the bytes outside 0x20-0x7E,
// whatever their neighbours (a byte of 0xA0 or more must not carry into
// the next one): every byte at every place among printable, high and
// control neighbours, and random words, against a byte loop.
func TestSpecialMask(t *testing.T) {
	want := func(w []byte) uint64 {
		var m uint64
		for i, b := range w {
			if b < 0x20 || b > 0x7E {
				m |= 0x80 << (8 * i)
			}
		}
		return m
	}
	for _, fill := range []byte{'A', 0xFF, 0xE9, 0x1F, 0x7F, 0x00, ' ', '~'} {
		for b := range 256 {
			for pos := range 8 {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(b)
				require.Equal(t, want(w), specialMask(binary.LittleEndian.Uint64(w)), "byte 0x%02X at %d among 0x%02X", b, pos, fill)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		x := rng.Uint64()
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], x)
		require.Equal(t, want(w[:]), specialMask(x), "%x", w)
		require.Equal(t, want(w[:]) != 0, special8(x), "%x", w)
	}
}

// TestVerbatimExact: translateBytes reports a line as copied as it is
// (verbatim) exactly when its output is its input, in every encoding it
// serves, so that record may skip comparing them: lines of printable
// ASCII with one to three bytes of every other value, at every place.
func TestVerbatimExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, enc := range []Encoding{EncodingLatin1, EncodingCP1252, EncodingUTF8, EncodingASCII} {
		cs, err := CharsetOf(enc)
		require.NoError(t, err)
		st := &normState{cs: cs, ascii: true}
		for n := range 3000 {
			raw := make([]byte, 1+rng.IntN(130))
			for i := range raw {
				raw[i] = byte(0x20 + rng.IntN(0x5F))
			}
			for range rng.IntN(4) {
				raw[rng.IntN(len(raw))] = byte(rng.IntN(256))
			}
			if n < 256 {
				raw[rng.IntN(len(raw))] = byte(n)
			}
			out := make([]byte, len(raw))
			st.translateBytes(out, raw)
			require.True(t, st.bytewise)
			require.Equal(t, bytes.Equal(out, raw), st.verbatim, "%s: %q", enc, raw)
			for i, b := range raw {
				require.Equal(t, cs.out[b], out[i], "%s: byte %d of %q", enc, i, raw)
			}
		}
	}
}
