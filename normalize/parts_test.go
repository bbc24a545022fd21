package normalize

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// partsAgree normalises in whole (Normalize) and cut at cuts
// (NormalizeParts), each part read in pieces of random sizes when maxRead
// is not zero, and fails unless the parts, when joined, give the same
// bytes, report and error. It returns whether they were joined.
func partsAgree(t *testing.T, in []byte, enc Encoding, eol cfonb.EOL, cuts []int, seed uint64, maxRead, bufSize int) bool {
	t.Helper()
	newN := func() *Normalizer {
		n := New()
		n.Encoding, n.EOL, n.bufSize = enc, eol, bufSize
		n.MaxLine = 4 << 10
		return n
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	// The whole file and the first part are read in the same pieces (up
	// to the part's end): the first reads decide the encoding. Each reader
	// has its own generator (the parts are read on their own goroutines).
	reader := func(p []byte) io.Reader {
		if maxRead > 0 {
			return &chunkReader{data: p, rng: rand.New(rand.NewPCG(seed, 12)), max: maxRead}
		}
		return bytes.NewReader(p)
	}
	var want bytes.Buffer
	wantRep, wantErr := newN().Normalize(&want, reader(in))

	outs := make([]bytes.Buffer, len(cuts)+1)
	handed := make([][]byte, len(cuts)+1)
	parts := make([]Part, len(cuts)+1)
	from := 0
	for i := range parts {
		to := len(in)
		if i < len(cuts) {
			to = cuts[i]
		}
		parts[i] = Part{Src: reader(in[from:to]), Dst: &outs[i], Handoff: func(b []byte) []byte {
			handed[i] = append(handed[i], b...)
			return make([]byte, 0, cap(b))
		}}
		if i > 0 && rng.IntN(2) == 0 {
			parts[i].Handoff = nil
		}
		from = to
	}
	rep, ok, err := newN().NormalizeParts(parts)
	if !ok {
		require.Nil(t, rep)
		return false
	}
	require.Equal(t, wantRep, rep, "report, %s %s, cuts %v, input %q", enc, eol, cuts, in)
	require.Equal(t, errString(wantErr), errString(err), "error, %s %s, cuts %v, input %q", enc, eol, cuts, in)
	if err == nil {
		var got bytes.Buffer
		for i := range outs {
			got.Write(outs[i].Bytes())
			if parts[i].Handoff != nil {
				require.Equal(t, outs[i].String(), string(handed[i]), "part %d handed over", i)
			}
		}
		require.Equal(t, want.String(), got.String(), "output, %s %s, cuts %v", enc, eol, cuts)
	}
	return true
}

// lineStarts returns the offsets of in where a line starts (after a LF),
// except 0.
func lineStarts(in []byte) []int {
	var at []int
	for i, c := range in {
		if c == '\n' && i+1 < len(in) {
			at = append(at, i+1)
		}
	}
	return at
}

// TestNormalizePartsAgrees checks NormalizeParts against Normalize: on the
// test files of cfonb fmt cut every 7 bytes, on canonical files with one
// byte changed, added or removed in a line, cut at every line start around
// it, and on whole files of lines of every kind cut in two or three at
// random places and at line starts, read whole and in pieces, in every
// encoding and with every line end written. Every join must give what
// Normalize gives, and the canonical files must be joined at every line
// start.
func TestNormalizePartsAgrees(t *testing.T) {
	racedetect.SkipUnderRace(t)
	encs := []Encoding{EncodingAuto, EncodingLatin1, EncodingCP1252, EncodingUTF8, EncodingASCII, EncodingEBCDIC037}
	eols := []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF, cfonb.EOLNone}
	joined := 0

	// Any part of them that is joined must give what Normalize gives.
	files, err := filepath.Glob("../testdata/fmt/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		for cut := 1 + len(in)%7; cut < len(in); cut += 7 {
			eol := eols[cut%2]
			if partsAgree(t, in, EncodingAuto, eol, []int{cut}, uint64(cut), 0, DetectSample+4) {
				joined++
			}
		}
	}
	// (They are shorter than the first reads: never joined.)

	canon := fmtStatement(false, true)
	rng := rand.New(rand.NewPCG(5, 6))
	// Files longer than the first reads (DetectSample and more).
	var many []string
	for len(many) < 640 {
		many = append(many, canon...)
	}
	for _, base := range [][]byte{fmtJoin(many, "\r\n", true), fmtJoin(many, "\n", true)} {
		lineLen := bytes.IndexByte(base, '\n') + 1
		// Unchanged: joined at every line start after the first reads.
		for _, cut := range lineStarts(base) {
			if cut < DetectSample+lineLen || cut%(3*lineLen) != 0 && cut < len(base)-10*lineLen {
				continue
			}
			for _, eol := range eols[:2] {
				require.True(t, partsAgree(t, base, EncodingLatin1, eol, []int{cut}, 1, 0, DetectSample+4), "cut %d", cut)
				joined++
			}
			require.True(t, partsAgree(t, base, EncodingAuto, cfonb.EOLCRLF, []int{cut}, 2, 1+rng.IntN(300), DetectSample+4), "cut %d", cut)
		}
		subs := []byte{'\r', '\n', 0x85, 0x1A, ' ', 0xE9, 0xC3, 0xA9, '9', 'A', 0x00, 0x7F, 0xFF}
		line := 580 + rng.IntN(len(canon))
		for pos := 0; pos < lineLen+1; pos++ {
			at := line*lineLen + pos
			for _, c := range subs {
				if rng.IntN(3) != 0 {
					continue
				}
				for op := range 3 {
					var m []byte
					switch op {
					case 0:
						m = bytes.Clone(base)
						m[at] = c
					case 1:
						m = append(append(bytes.Clone(base[:at]), c), base[at:]...)
					default:
						if c != subs[0] {
							continue
						}
						m = append(bytes.Clone(base[:at]), base[at+1:]...)
					}
					// A line start around the change, or anywhere.
					cut := (line-2+rng.IntN(5))*lineLen + rng.IntN(3)
					if rng.IntN(4) == 0 {
						cut = 1 + rng.IntN(len(m)-1)
					}
					enc := encs[rng.IntN(len(encs))]
					eol := eols[rng.IntN(len(eols))]
					if partsAgree(t, m, enc, eol, []int{cut}, uint64(at), rng.IntN(2)*(1+rng.IntN(300)), DetectSample+4) {
						joined++
					}
				}
			}
		}
	}

	// Whole files of lines of every kind, long enough to fill the
	// Normalizer's buffers several times.
	blank := strings.Repeat(" ", cfonb.RecordLen)
	unknown := "99" + canon[1][2:]
	latin1 := string(fmtEncode(charmap.ISO8859_1, fmtStatement(true, true)[2]))
	utf8 := fmtStatement(true, true)[2]
	kinds := []string{canon[0], canon[1], canon[2], canon[3], canon[4], blank, unknown, latin1, utf8,
		canon[1] + canon[2], canon[1][:100], canon[1] + "   ", canon[1] + "x", "", "\x1a", "\ufeff" + canon[1]}
	for iter := range 24 {
		in := mixedLines(rng, 1+rng.IntN(5000), canon, kinds)
		enc := encs[rng.IntN(len(encs)-1)]
		eol := eols[rng.IntN(len(eols))]
		starts := lineStarts(in)
		var cuts []int
		for range 1 + rng.IntN(2) {
			c := 1 + rng.IntN(len(in)-1)
			if len(starts) > 0 && rng.IntN(4) != 0 {
				c = starts[rng.IntN(len(starts))]
			}
			if len(cuts) > 0 && c <= cuts[len(cuts)-1] {
				continue
			}
			cuts = append(cuts, c)
		}
		if partsAgree(t, in, enc, eol, cuts, uint64(iter), 0, 0) {
			joined++
		}
		if partsAgree(t, in, enc, eol, cuts, uint64(iter), 1+rng.IntN(5000), DetectSample+4+rng.IntN(1000)) {
			joined++
		}
	}
	t.Logf("%d joins", joined)
}

// TestNormalizePartsRefusesAlike: a file whose first lines have no record
// code is refused where Normalize refuses it (at record 1,024, the first
// check), whichever part that record falls in; a later part starts from a
// fresh state, so its records are joined only if the check passes where
// the parts meet.
func TestNormalizePartsRefusesAlike(t *testing.T) {
	canon := fmtStatement(false, false)
	unknown := "99" + canon[1][2:]
	for _, bad := range []int{0, 511, 512, 513, 600, 1023} {
		var b bytes.Buffer
		for i := range 3000 {
			l := canon[i%len(canon)]
			if i < bad {
				l = unknown
			}
			b.WriteString(l + "\r\n")
		}
		in := b.Bytes()
		for _, line := range []int{1, 100, 511, 512, 513, 700, 1023, 1024, 1025, 2047, 2048, 2999} {
			cut := line * (cfonb.RecordLen + 2)
			partsAgree(t, in, EncodingLatin1, cfonb.EOLCRLF, []int{cut}, 1, 0, 0)
			partsAgree(t, in, EncodingLatin1, cfonb.EOLCRLF, []int{cut / 2, cut}, 1, 0, DetectSample+4)
		}
	}
}

// TestNormalizePartsNeedsLines: NormalizeParts joins nothing without line
// ends written, with OnLine set, or with one part.
func TestNormalizePartsNeedsLines(t *testing.T) {
	in := fmtCanonical(true)
	cut := bytes.IndexByte(in, '\n') + 1
	parts := func() []Part {
		return []Part{{Src: bytes.NewReader(in[:cut]), Dst: io.Discard}, {Src: bytes.NewReader(in[cut:]), Dst: io.Discard}}
	}
	tests := []struct {
		name  string
		set   func(*Normalizer)
		parts []Part
	}{
		{"no line ends", func(n *Normalizer) { n.EOL = cfonb.EOLNone }, parts()},
		{"OnLine", func(n *Normalizer) { n.OnLine = func(*LineEvent) {} }, parts()},
		{"one part", func(*Normalizer) {}, parts()[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := New()
			tt.set(n)
			rep, ok, err := n.NormalizeParts(tt.parts)
			require.False(t, ok)
			require.Nil(t, rep)
			require.NoError(t, err)
		})
	}
}

// FuzzNormalizeParts: any bytes, between canonical lines long enough for
// the parts to be joined (more than the first reads), cut anywhere among
// them, in any encoding and line end written, read whole or in pieces:
// if the parts are joined, they give what Normalize gives.
func FuzzNormalizeParts(f *testing.F) {
	canon := fmtStatement(false, true)
	var many []string
	for len(many) < 600 {
		many = append(many, canon...)
	}
	prefix := fmtJoin(many, "\r\n", true)
	suffix := fmtJoin(canon, "\r\n", true)
	f.Add(fmtJoin(canon, "\r\n", true), uint16(0), uint8(1), uint8(0), uint16(0))
	f.Add(fmtJoin(canon, "\n", true), uint16(122), uint8(0), uint8(1), uint16(77))
	f.Add(fmtEncode(charmap.ISO8859_1, strings.Join(fmtStatement(true, false), "\r\n")+"\r\n"), uint16(300), uint8(2), uint8(0), uint16(0))
	f.Add([]byte(strings.Repeat(" ", cfonb.RecordLen)+"\r\n"+canon[1]+canon[2]+"\r\n\x1a"), uint16(1), uint8(3), uint8(0), uint16(5))
	encs := []Encoding{EncodingAuto, EncodingLatin1, EncodingCP1252, EncodingUTF8, EncodingASCII, EncodingEBCDIC037}
	eols := []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, enc, eol uint8, maxRead uint16) {
		in := append(append(bytes.Clone(prefix), data...), suffix...)
		at := len(prefix) + int(cut)%(len(data)+1)
		partsAgree(t, in, encs[int(enc)%len(encs)], eols[int(eol)%len(eols)], []int{at}, uint64(cut), int(maxRead), DetectSample+4)
	})
}

// TestNormalizePartsLongFirstLine: a later part whose first line is long
// enough to read back as continuous records were it the output's first
// (record codes at columns 1 and 121, no line end in the first 4 KiB) is
// not refused for it: it is not the output's first line, which is in the
// first part. Its parts are joined, with Normalize's report (the line is
// left as it is, a problem).
func TestNormalizePartsLongFirstLine(t *testing.T) {
	canon := fmtStatement(false, true)
	var many []string
	for len(many) < 640 {
		many = append(many, canon...)
	}
	head := fmtJoin(many, "\r\n", true)
	long := canon[1] + canon[2][:2] + strings.Repeat("x", 4095-cfonb.RecordLen-2)
	in := append(append(bytes.Clone(head), long+"\r\n"...), fmtJoin(canon, "\r\n", true)...)
	require.True(t, partsAgree(t, in, EncodingLatin1, cfonb.EOLCRLF, []int{len(head)}, 1, 0, DetectSample+4))
	_, rep, err := normalizeBytes(t, in, EncodingLatin1, cfonb.EOLCRLF)
	require.NoError(t, err)
	require.Equal(t, 1, rep.ProblemCount)
}
