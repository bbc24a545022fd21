package validate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// TestStrideFastPathAgrees: the records the reader frames by their stride
// and the fast path takes without a Record (fastRecord, in validateFrom
// and both loops of the split engine) change no report. Every byte of a
// valid file of several statements, in each framing, is replaced in turn
// by bytes that break a field, a line or the framing, and the report of
// Stream, of a file held whole, and of the split engine cut at the second
// statement, equals the one of the full checks alone; so does the file
// cut short at bytes all along.
func TestStrideFastPathAgrees(t *testing.T) {
	racedetect.SkipUnderRace(t)
	subst := []byte(" 09AZa}{J\n\r\x00\xe9")
	opts := Options{MaxDiagnostics: -1, Summary: true}
	fast := 0
	for _, file := range []string{"multi-lf.txt", "multi-crlf.txt", "multi-none.txt"} {
		base, err := os.ReadFile(filepath.Join("..", "testdata", "valid", file))
		require.NoError(t, err)
		second := int64(bytes.Index(base[1:], []byte("01"+string(base[2:7]))) + 1) // the second 01 of the same bank
		for pos := range base {
			for k, c := range subst {
				if (pos+k)%4 != 0 || c == base[pos] {
					continue // a quarter of the bytes at each position, all of them over four
				}
				in := bytes.Clone(base)
				in[pos] = c
				want := fullChecks(t, in, opts)
				got, err := stream("f", bytes.NewReader(in), opts, splitBufSize(int64(len(in))))
				require.NoError(t, err)
				require.Equal(t, want, got, "%s: byte %d set to %q", file, pos, c)
				whole := append(bytes.Clone(in), make([]byte, wholeSpare)...)
				got, err = streamBytes("f", whole[:len(in)], opts, nil)
				require.NoError(t, err)
				require.Equal(t, want, got, "%s: byte %d set to %q, held whole", file, pos, c)
				if pos%4 == 0 {
					require.Equal(t, want, split(t, in, opts, 2, []int64{second}, nil), "%s: byte %d set to %q, split", file, pos, c)
					require.Equal(t, want, splitNow(t, in, opts, 2, []int64{second}), "%s: byte %d set to %q, split", file, pos, c)
				}
			}
		}
		// The file cut short anywhere: it ends inside a statement, after
		// records the fast path took.
		for n := 0; n < len(base); n += 1 + n%5 {
			in := base[:n]
			want := fullChecks(t, in, opts)
			got, err := stream("f", bytes.NewReader(in), opts, splitBufSize(int64(len(in))))
			require.NoError(t, err)
			require.Equal(t, want, got, "%s: cut at byte %d", file, n)
		}
		// The fast path takes records (all the 04 and 05 of this valid
		// file but those of a statement whose 01 is not clean).
		v := New("f", opts)
		cr := cfonb.NewReaderSize(bytes.NewReader(base), len(base)+4)
		for {
			if data, ok := cr.ReadStride(); ok {
				if v.fastRecord(data, cr.Line()) {
					fast++
					continue
				}
				rec := cr.StrideRecord()
				v.Record(&rec, cr.Framing)
				continue
			}
			rec, err := cr.Read()
			if err != nil {
				break
			}
			v.Record(&rec, cr.Framing)
		}
		require.Equal(t, fullChecks(t, base, opts), v.Finish())
	}
	require.GreaterOrEqual(t, fast, 3*10)
}

// fullChecks is the report of data by the full checks alone, with a
// reader's buffer of the data's size (as the stream of split's reference).
func fullChecks(t *testing.T, data []byte, opts Options) *Report {
	t.Helper()
	return recordByRecord(t, "f", cfonb.NewReaderSize(bytes.NewReader(data), splitBufSize(int64(len(data)))), opts, true)
}

// TestDateCache: a dateCache says of a sequence of date fields (repeated,
// changed by one byte, invalid, all zero bytes, the zero cache's first)
// what ParseDate says, with the same date.
func TestDateCache(t *testing.T) {
	fields := []string{"010126", "010126", "020126", "310226", "310226", "\x00\x00\x00\x00\x00\x00", "010126", "01012A", "      ", "290224", "290225", "290224", "\xff\xff\xff\xff\xff\xff"}
	rng := rand.New(rand.NewPCG(8, 8))
	for range 20_000 {
		f := []byte(fields[rng.IntN(len(fields))])
		if rng.IntN(4) == 0 {
			f[rng.IntN(6)] = byte('0' + rng.IntN(12))
		}
		fields = append(fields, string(f))
	}
	for _, zeroFirst := range []bool{true, false} {
		var c dateCache
		for i, f := range fields {
			switch {
			case i == 0 && zeroFirst:
				f = "\x00\x00\x00\x00\x00\x00" // packs to 0
			case i == 0:
				f = "\xff\xff\xff\xff\xff\xff" // the complement of the zero key
			}
			b := (*[6]byte)([]byte(f))
			ok := dateKey(b) == c.key || c.miss(b)
			d, err := cfonb.ParseDate(b[:])
			require.Equal(t, err == nil, ok, "%q", f)
			if ok {
				require.Equal(t, d, c.date, "%q", f)
			}
		}
	}
}
