package normalize

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// chunkReader returns its data in pieces of random sizes, so that lines
// are cut at every place by the ends of the Normalizer's reads.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(c.max))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// normalizeBoth formats in with and without canonicalRun (in read in the
// same pieces) and fails unless both give the same bytes, the same report
// and the same error. A bufSize other than zero is the Normalizer's
// buffer size (see normState.fillSample: at least DetectSample and a
// byte-order mark).
func normalizeBoth(t *testing.T, in []byte, enc Encoding, eol cfonb.EOL, seed uint64, maxRead, bufSize int) {
	t.Helper()
	run := func(slow bool) ([]byte, *Report, error) {
		n := New()
		n.Encoding, n.EOL, n.slow, n.bufSize = enc, eol, slow, bufSize
		n.MaxLine = 4 << 10
		var out bytes.Buffer
		var src io.Reader = bytes.NewReader(in)
		if maxRead > 0 {
			src = &chunkReader{data: in, rng: rand.New(rand.NewPCG(seed, 7)), max: maxRead}
		}
		rep, err := n.Normalize(&out, src)
		return out.Bytes(), rep, err
	}
	fastOut, fastRep, fastErr := run(false)
	slowOut, slowRep, slowErr := run(true)
	require.NotContains(t, errString(slowErr), "internal error")
	require.Equal(t, slowRep, fastRep, "report, %s %s, input %q", enc, eol, in)
	require.Equal(t, errString(slowErr), errString(fastErr), "error, %s %s, input %q", enc, eol, in)
	if slowErr == nil {
		require.Equal(t, string(slowOut), string(fastOut), "output, %s %s, input %q", enc, eol, in)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	var re *RefusedError
	if errors.As(err, &re) {
		return "refused: " + re.Error()
	}
	return err.Error()
}

// TestCanonicalRunAgrees checks the run of canonical records
// (canonicalRun) against the general path, line by line: on the test
// files of cfonb fmt, on canonical files with one byte changed, removed
// or added at every place of a line (line ends, NEL, end-of-file bytes,
// Latin-1 and UTF-8 text, spaces, an unknown record code), with blank and
// concatenated lines, read whole and in pieces of random sizes, in every
// encoding that reads ASCII as itself and with every line end written.
func TestCanonicalRunAgrees(t *testing.T) {
	encs := []Encoding{EncodingAuto, EncodingLatin1, EncodingCP1252, EncodingUTF8, EncodingASCII}
	eols := []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF, cfonb.EOLNone}

	files, err := filepath.Glob("../testdata/fmt/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, eol := range eols {
			normalizeBoth(t, in, EncodingAuto, eol, 1, 0, 0)
			normalizeBoth(t, in, EncodingAuto, eol, 2, 97, 0)
			normalizeBoth(t, in, EncodingAuto, eol, 3, 97, DetectSample+4)
		}
	}

	canon := fmtStatement(false, true)
	lf := fmtJoin(canon, "\n", true)
	crlf := fmtJoin(canon, "\r\n", true)
	subs := []byte{'\r', '\n', 0x85, 0x1A, ' ', 0xE9, 0xC3, 0xA9, '9', 'A', 0x00, 0x7F, '\t', 0xFF}
	rng := rand.New(rand.NewPCG(3, 4))
	mutants := 0
	for _, base := range [][]byte{crlf, lf} {
		lineLen := bytes.IndexByte(base, '\n') + 1
		line := 1 + rng.IntN(len(canon)-2) // a line in the middle
		for pos := 0; pos < lineLen+1; pos++ {
			at := line*lineLen + pos
			for _, c := range subs {
				for op := 0; op < 3; op++ {
					var m []byte
					switch op {
					case 0: // change
						m = bytes.Clone(base)
						m[at] = c
					case 1: // insert
						if rng.IntN(4) != 0 {
							continue
						}
						m = append(append(bytes.Clone(base[:at]), c), base[at:]...)
					default: // remove
						if c != subs[0] {
							continue
						}
						m = append(bytes.Clone(base[:at]), base[at+1:]...)
					}
					enc := encs[rng.IntN(len(encs))]
					eol := eols[rng.IntN(len(eols))]
					if rng.IntN(2) == 0 {
						normalizeBoth(t, m, enc, eol, uint64(mutants), 0, DetectSample+4)
					} else {
						normalizeBoth(t, m, enc, eol, uint64(mutants), 1+rng.IntN(300), DetectSample+4)
					}
					mutants++
				}
			}
		}
	}
	require.Greater(t, mutants, 3000)

	// Whole files of lines of every kind, long enough to fill the
	// Normalizer's buffers several times.
	blank := strings.Repeat(" ", cfonb.RecordLen)
	unknown := "99" + canon[1][2:]
	latin1 := string(fmtEncode(charmap.ISO8859_1, fmtStatement(true, true)[2]))
	kinds := []string{canon[0], canon[1], canon[2], canon[3], canon[4], blank, unknown, latin1,
		canon[1] + canon[2], canon[1][:100], canon[1] + "   ", "", "\x1a"}
	for iter := 0; iter < 12; iter++ {
		in := mixedLines(rng, 1+rng.IntN(6000), canon, kinds)
		enc := encs[rng.IntN(len(encs))]
		eol := eols[rng.IntN(len(eols))]
		normalizeBoth(t, in, enc, eol, uint64(iter), 0, 0)
		normalizeBoth(t, in, enc, eol, uint64(iter), 1000+rng.IntN(70000), 0)
		normalizeBoth(t, in, enc, eol, uint64(iter), 1+rng.IntN(2000), DetectSample+4+rng.IntN(1000))
	}
}

// TestCanonicalRunRefusesAlike: a run of canonical records that reaches a
// multiple of checkEvery after many lines without a record code is refused
// at the same line as by the general path.
func TestCanonicalRunRefusesAlike(t *testing.T) {
	canon := fmtStatement(false, false)
	unknown := "99" + canon[1][2:]
	for _, bad := range []int{511, 512, 513, 600, 1023} {
		var b bytes.Buffer
		for i := range 3000 {
			l := canon[i%len(canon)]
			if i < bad {
				l = unknown
			}
			b.WriteString(l + "\r\n")
		}
		normalizeBoth(t, b.Bytes(), EncodingLatin1, cfonb.EOLCRLF, 1, 0, 0)
		normalizeBoth(t, b.Bytes(), EncodingLatin1, cfonb.EOLCRLF, 1, 0, DetectSample+4)
		_, _, err := normalizeBytes(t, b.Bytes(), EncodingLatin1, cfonb.EOLCRLF)
		if bad >= 512 {
			var re *RefusedError
			require.ErrorAs(t, err, &re, "%d bad lines", bad)
			require.Equal(t, checkEvery, re.Line)
		} else {
			require.NoError(t, err)
		}
	}
}

// TestHandoff: with a Handoff, the buffers handed over hold exactly the
// output written to dst, in order, and the Normalizer never touches a
// buffer once given: they are read only at the end, so a Normalizer that
// wrote to a buffer again would change what an earlier one holds.
func TestHandoff(t *testing.T) {
	canon := fmtStatement(false, true)
	latin1 := fmtEncode(charmap.ISO8859_1, strings.Join(fmtStatement(true, false), "\r\n")+"\r\n")
	var in bytes.Buffer
	for i := range 5000 {
		if i%3 == 0 {
			in.Write(latin1)
		}
		in.WriteString(canon[i%len(canon)] + "\n")
	}
	want, _, err := normalizeBytes(t, in.Bytes(), EncodingLatin1, cfonb.EOLCRLF)
	require.NoError(t, err)
	for _, slow := range []bool{false, true} {
		n := New()
		n.Encoding, n.slow = EncodingLatin1, slow
		var out bytes.Buffer
		var given [][]byte
		n.Handoff = func(b []byte) []byte {
			given = append(given, b)
			if len(given)%2 == 0 {
				return make([]byte, 0, cap(b)/2) // too small: replaced
			}
			return make([]byte, 0, cap(b))
		}
		_, err = n.Normalize(&out, &chunkReader{data: in.Bytes(), rng: rand.New(rand.NewPCG(1, 2)), max: 100 << 10})
		require.NoError(t, err)
		require.Greater(t, len(given), 3)
		require.True(t, bytes.Equal(want, out.Bytes()), "slow %v: dst", slow)
		require.True(t, bytes.Equal(want, bytes.Join(given, nil)), "slow %v: handed over", slow)
	}
}

// FuzzCanonicalRun compares the runs of canonical records with the
// line-by-line path on any input, encoding and line end written (see
// normalizeBoth).
func FuzzCanonicalRun(f *testing.F) {
	canon := fmtStatement(false, true)
	f.Add(fmtJoin(canon, "\r\n", true), uint8(0), uint8(0), uint16(0))
	f.Add(fmtJoin(canon, "\n", false), uint8(1), uint8(1), uint16(7))
	f.Add(fmtEncode(charmap.ISO8859_1, strings.Join(fmtStatement(true, false), "\r\n")), uint8(1), uint8(0), uint16(300))
	f.Add([]byte(canon[0]+"\r\n"+strings.Repeat(" ", cfonb.RecordLen)+"\r\n"+canon[1]+canon[2]+"\r\n\x1a"), uint8(3), uint8(2), uint16(1))
	encs := []Encoding{EncodingAuto, EncodingLatin1, EncodingCP1252, EncodingUTF8, EncodingASCII}
	eols := []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF, cfonb.EOLNone}
	f.Fuzz(func(t *testing.T, in []byte, enc, eol uint8, maxRead uint16) {
		normalizeBoth(t, in, encs[int(enc)%len(encs)], eols[int(eol)%len(eols)], uint64(maxRead), int(maxRead), 0)
	})
}

// mixedLines returns n lines, each a canonical record (canon) or, for a
// random share of the file, one of kinds, most ending with CR LF and some
// with LF; a quarter of the files are cut in their last line.
func mixedLines(rng *rand.Rand, n int, canon, kinds []string) []byte {
	var b bytes.Buffer
	canonicalShare := rng.IntN(101)
	for range n {
		l := canon[rng.IntN(len(canon))]
		if rng.IntN(100) >= canonicalShare {
			l = kinds[rng.IntN(len(kinds))]
		}
		b.WriteString(l)
		if rng.IntN(10) == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString("\r\n")
		}
	}
	in := b.Bytes()
	if rng.IntN(4) == 0 {
		in = in[:len(in)-1-rng.IntN(130)] // cut in the last line
	}
	return in
}
