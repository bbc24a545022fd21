package export

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// randomText returns n bytes drawn mostly from printable ASCII, with the
// bytes that need care (controls, '"', '\\', DEL, bytes above 0x7F, whole
// UTF-8 sequences) mixed in.
func randomText(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n)
	for len(b) < n {
		switch k := r.IntN(20); {
		case k < 14:
			b = append(b, byte(0x20+r.IntN(0x5F)))
		case k == 14:
			b = append(b, byte(r.IntN(0x20)))
		case k == 15:
			b = append(b, `"\`[r.IntN(2)], 0x7F)
		case k == 16:
			b = append(b, byte(0x80+r.IntN(0x80)))
		default:
			b = utf8.AppendRune(b, rune(0x80+r.IntN(0x3000)))
		}
	}
	return b
}

// stdJSON is encoding/json's encoding of s, without its HTML escapes
// (the export writes '<', '>' and '&' as they are).
func stdJSON(t *testing.T, s []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(string(s)))
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestAppendJSONStringAgreesWithEncodingJSON: on random valid UTF-8 text,
// appendJSONString writes the same bytes as encoding/json, except for
// the characters encoding/json writes in another (equivalent) way: '\b'
// and '\f' (short escapes there, \u0008 and \u000c here, as the goldens
// have them) and U+2028, U+2029 (escaped there, as they are here). Every
// output decodes back to the input.
func TestAppendJSONStringAgreesWithEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	differ := func(s []byte) bool {
		return bytes.ContainsAny(s, "\b\f\u2028\u2029")
	}
	compared := 0
	for range 20000 {
		s := randomText(r, r.IntN(80))
		if !utf8.Valid(s) {
			s = bytes.ToValidUTF8(s, []byte("?"))
		}
		got := appendJSONString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%q", got)
		require.Equal(t, string(s), back)
		if !differ(s) {
			require.Equal(t, string(stdJSON(t, s)), string(got), "%q", s)
			compared++
		}
	}
	assert.Greater(t, compared, 10000)
}

// TestJSONPlain: a string jsonPlain accepts is its own JSON text, and
// jsonPlain rejects a string exactly when a byte of it is not printable
// ASCII, or is '"' or '\\'.
func TestJSONPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	plain := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	for range 50000 {
		s := make([]byte, r.IntN(130))
		for i := range s {
			s[i] = byte(0x20 + r.IntN(0x5F))
		}
		if r.IntN(2) == 0 && len(s) > 0 {
			s[r.IntN(len(s))] = byte(r.IntN(256)) // one byte anywhere, of any value
		}
		require.Equal(t, plain(s), jsonPlain(s), "%q", s)
		if jsonPlain(s) {
			require.Equal(t, string(s), string(appendJSONText(nil, s)))
		}
	}
}

// TestAppendAmountFieldJSON: appendAmountFieldJSON, which copies the
// digits of the amount's zone, writes what cfonb.AppendDecimal and
// strconv.AppendInt write, for every number of decimals, on the zone
// cfonb.AppendAmount writes and on a zero with a debit sign.
func TestAppendAmountFieldJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	amounts := []int64{0, 1, -1, 9, 10, 99, 100, -100, 12345, -12345, 10000000, 100000000, -1000000000000,
		cfonb.MaxAmount, -cfonb.MaxAmount, 99999999999999, -99999999999999, 10000000000000, 1e13 + 1}
	for range 5000 {
		amounts = append(amounts, r.Int64N(2*cfonb.MaxAmount+1)-cfonb.MaxAmount, r.Int64N(cfonb.MaxAmount)>>r.IntN(47))
	}
	check := func(field []byte, a int64) {
		t.Helper()
		got, err := cfonb.ParseAmount(field)
		require.NoError(t, err, "%q", field)
		require.Equal(t, a, got, "%q", field)
		for d := -1; d <= 20; d++ {
			want := cfonb.AppendDecimal(nil, a, d)
			want = append(want, `","amount_minor":`...)
			want = strconv.AppendInt(want, a, 10)
			require.Equal(t, string(want), string(appendAmountFieldJSON(nil, field, a, d)), "%d, %d decimals", a, d)
		}
	}
	for _, a := range amounts {
		field, err := cfonb.AppendAmount(nil, a)
		require.NoError(t, err)
		check(field, a)
	}
	check([]byte("0000000000000}"), 0) // a debit of zero
}

// TestLineCounter: the line counter writes what strconv.AppendInt
// writes, on runs that count up by 0-9 (across every carry) and jumps
// of any size, back too.
func TestLineCounter(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	var c lineCounter
	n := 1
	for range 200000 {
		switch k := r.IntN(100); {
		case k < 90:
			n += r.IntN(10)
		case k < 95:
			n = r.IntN(1 << r.IntN(40))
		case k < 97:
			n = int(math.Pow10(r.IntN(12))) - r.IntN(3) // just below a power of ten
		default:
			n -= r.IntN(20)
		}
		require.Equal(t, strconv.Itoa(n), string(c.append(nil, n)), "%d", n)
	}
}

// TestISOCache: the cache of the last ISO date writes what appendDateJSON
// writes, on runs of repeated and changing dates.
func TestISOCache(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var c isoCache
	for range 20000 {
		d := cfonb.NewDate(1961+r.IntN(100), 1+r.IntN(12), 1+r.IntN(28))
		for range r.IntN(3) + 1 {
			ok := r.IntN(10) > 0
			require.Equal(t, string(appendDateJSON(nil, d, ok)), string(c.appendJSON(nil, d, ok)))
		}
	}
}

// TestQuoteOrBackslash: the word-at-a-time test agrees with a byte loop
// on strings of any bytes, and on printable ASCII it is the complement of
// jsonPlain (what Exporter.plain relies on when the reader found the
// record printable).
func TestQuoteOrBackslash(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 50000 {
		s := make([]byte, r.IntN(130))
		printable := r.IntN(2) == 0
		for i := range s {
			if printable {
				s[i] = byte(0x20 + r.IntN(0x5F))
			} else {
				s[i] = byte(r.IntN(256))
			}
		}
		if r.IntN(3) == 0 && len(s) > 0 {
			s[r.IntN(len(s))] = `"\`[r.IntN(2)]
		}
		want := bytes.ContainsAny(s, `"\`)
		require.Equal(t, want, quoteOrBackslash(s), "%q", s)
		if printable {
			require.Equal(t, !want, jsonPlain(s), "%q", s)
		}
	}
}

// TestLastQuoteOrBackslash: the index of the last '"' or '\\' is what a
// byte loop finds, on strings of any bytes with few or many of them.
func TestLastQuoteOrBackslash(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for range 20000 {
		s := make([]byte, r.IntN(300))
		for i := range s {
			s[i] = byte(r.IntN(256))
		}
		for range r.IntN(4) {
			if len(s) > 0 {
				s[r.IntN(len(s))] = `"\`[r.IntN(2)]
			}
		}
		want := -1
		for i, c := range s {
			if c == '"' || c == '\\' {
				want = i
			}
		}
		require.Equal(t, want, lastQuoteOrBackslash(s), "%q", s)
	}
}

// chunkReader returns its data in chunks of random sizes.
type chunkReader struct {
	data []byte
	r    *rand.Rand
	max  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.data[:min(len(c.data), 1+c.r.IntN(c.max))])
	c.data = c.data[n:]
	return n, nil
}

// TestQuotesAnywhere: with '"' and '\\' put in the labels and the
// complements of random records of gen.txt, read in chunks of random
// sizes (so that a quote falls before, in and after the record being
// exported, and at every place in the reader's buffer), every JSON line
// is valid and gives back each record's text: the records the exporter
// takes for quote-free (after the last quote read) are.
func TestQuotesAnywhere(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(21, 22))
	for round := range 20 {
		lines := bytes.SplitAfter(bytes.Clone(base), []byte("\n"))
		for range 1 + r.IntN(30) {
			l := lines[r.IntN(len(lines))]
			switch cfonb.ParseCode(l) {
			case cfonb.CodeMovement:
				l[cfonb.OffLabel+r.IntN(cfonb.EndLabel-cfonb.OffLabel)] = `"\`[r.IntN(2)]
			case cfonb.CodeComplement:
				l[cfonb.OffInformation+r.IntN(cfonb.EndInformation-cfonb.OffInformation)] = `"\`[r.IntN(2)]
			}
		}
		in := bytes.Join(lines, nil)
		var out bytes.Buffer
		e, err := New(&out, Options{Format: JSONL})
		require.NoError(t, err)
		require.NoError(t, e.Export("q.txt", &chunkReader{data: in, r: r, max: 1 + r.IntN(3000)}))
		require.NoError(t, e.Close())
		recs := bytes.Split(in, []byte("\n"))
		for _, l := range bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n")) {
			var m struct {
				Line        int
				Label04     string `json:"label_04"`
				Complements []struct{ Text string }
			}
			require.NoError(t, json.Unmarshal(l, &m), "round %d: %s", round, l)
			rec := bytes.TrimSuffix(recs[m.Line-1], []byte("\r"))
			require.Equal(t, string(cfonb.TrimSpaces(rec[cfonb.OffLabel:cfonb.EndLabel])), m.Label04, "round %d, line %d", round, m.Line)
			for i, c := range m.Complements {
				comp := bytes.TrimSuffix(recs[m.Line+i], []byte("\r"))
				require.Equal(t, string(cfonb.TrimSpaces(comp[cfonb.OffInformation:cfonb.EndInformation])), c.Text, "round %d, line %d", round, m.Line+i)
			}
		}
	}
}
