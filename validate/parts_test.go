package validate

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// partsAgree validates in with StreamParts, cut at cuts, each part read
// in pieces of random sizes, and fails unless a join gives Stream's
// report. It returns whether the parts were joined.
func partsAgree(t *testing.T, in []byte, opts Options, cuts []int64, rng *rand.Rand) bool {
	t.Helper()
	want, err := Stream("f", bytes.NewReader(in), opts)
	require.NoError(t, err)
	var parts []io.Reader
	from := int64(0)
	for i := 0; i <= len(cuts); i++ {
		to := int64(len(in))
		if i < len(cuts) {
			to = cuts[i]
		}
		var r io.Reader = bytes.NewReader(in[from:to])
		if rng.IntN(2) == 0 {
			r = &pieces{data: in[from:to], rng: rand.New(rand.NewPCG(rng.Uint64(), 1))} // one per goroutine
		}
		parts = append(parts, r)
		from = to
	}
	got, ok := StreamParts("f", parts, opts)
	for i, r := range parts {
		n, err := r.Read(make([]byte, 1))
		require.Equal(t, 0, n, "part %d not read to its end", i)
		require.ErrorIs(t, err, io.EOF)
	}
	if !ok {
		require.Nil(t, got)
		return false
	}
	require.Equal(t, want, got, "cuts %v, options %+v:\n%s", cuts, opts, in)
	return true
}

// pieces reads data in pieces of random sizes.
type pieces struct {
	data []byte
	rng  *rand.Rand
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.data[:min(len(p.data), 1+p.rng.IntN(5000))])
	p.data = p.data[n:]
	return n, nil
}

// lineStarts01 returns the offsets of the lines of in that start with 01,
// and of the bytes next to them.
func lineStarts01(in []byte) (starts, near []int64) {
	for i := 1; i+2 < len(in); i++ {
		if in[i-1] == '\n' && in[i] == '0' && in[i+1] == '1' {
			starts = append(starts, int64(i))
			near = append(near, int64(i-1), int64(i+1))
		}
	}
	return starts, near
}

// TestStreamPartsAgrees: validating a file given in parts never changes
// its report. The inputs of TestSplitAgrees and the statements of
// TestSplitAgreesAcrossStatements (several accounts, in date order or
// newest first, a statement dropped, two swapped, one twice, a 07
// missing, an impossible date) are cut at each 01 that starts a line,
// next to them, and at several at once; every join must give Stream's
// report, and the valid files must be joined.
func TestStreamPartsAgrees(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(7, 8))
	joined := 0
	inputs := splitInputs(t)
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 9, Size: 96 << 10, Accounts: 3, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	sts := statementsOf(buf.Bytes(), 2)
	reversed := make([][]byte, len(sts))
	for i, s := range sts {
		reversed[len(sts)-1-i] = s
	}
	for _, order := range [][][]byte{sts, reversed} {
		inputs = append(inputs, bytes.Join(order, nil))
		for _, i := range []int{2, len(sts) / 2, len(sts) - 4} {
			dropped := append(append([][]byte{}, order[:i]...), order[i+1:]...)
			swapped := append([][]byte{}, order...)
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			twice := append(append(append([][]byte{}, order[:i+3]...), order[i]), order[i+3:]...)
			unclosed := append([][]byte{}, order...)
			unclosed[i] = unclosed[i][:len(unclosed[i])-(cfonb.RecordLen+2)]
			broken := append([][]byte{}, order...)
			broken[i] = bytes.Clone(broken[i])
			copy(broken[i][2*(cfonb.RecordLen+2)+cfonb.OffBookingDate:], "9999")
			for _, v := range [][][]byte{dropped, swapped, twice, unclosed, broken} {
				inputs = append(inputs, bytes.Join(v, nil))
			}
		}
	}
	for i, in := range inputs {
		starts, near := lineStarts01(in)
		if len(starts) == 0 {
			continue
		}
		for _, opts := range []Options{{MaxDiagnostics: -1, Summary: true}, {Pedantic: true, MaxDiagnostics: 3, MaxPerRule: 1, MaxSummaries: 1, Summary: true}} {
			cuts := starts
			if len(in) > 8<<10 && i%5 != 0 {
				cuts = nil
				for range 12 {
					cuts = append(cuts, starts[rng.IntN(len(starts))])
				}
			}
			for _, at := range cuts {
				if partsAgree(t, in, opts, []int64{at}, rng) {
					joined++
				}
			}
			for range 3 {
				at := near[rng.IntN(len(near))]
				partsAgree(t, in, opts, []int64{at}, rng)
				a, b := starts[rng.IntN(len(starts))], starts[rng.IntN(len(starts))]
				if a > b {
					a, b = b, a
				}
				if a < b {
					partsAgree(t, in, opts, []int64{a, b}, rng)
				}
			}
		}
	}
	t.Logf("%d joins", joined)
	require.Greater(t, joined, 200)
}

// TestStreamPartsRefuses: StreamParts joins nothing without parts, with
// StopAtMax, or when a later part does not start with a 01, and reads
// every part to its end.
func TestStreamPartsRefuses(t *testing.T) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 3, Size: 32 << 10, Accounts: 2, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	in := buf.Bytes()
	starts, _ := lineStarts01(in)
	require.Greater(t, len(starts), 2)
	at := starts[len(starts)/2]
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		opts Options
		cut  int64
		ok   bool
	}{
		{"at a 01", Options{}, at, true},
		{"StopAtMax", Options{StopAtMax: true}, at, false},
		{"at a 04", Options{}, at + cfonb.RecordLen + 2, false},
		{"within a line", Options{}, at + 1, false},
		{"in the first bytes", Options{}, starts[0], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.ok, partsAgree(t, in, tt.opts, []int64{tt.cut}, rng))
		})
	}
	rep, ok := StreamParts("f", nil, Options{})
	require.False(t, ok)
	require.Nil(t, rep)
}

// FuzzStreamParts: a generated file of several statements and accounts,
// with any bytes written over it anywhere, cut at any of its 01 (or next
// to one), with or without pedantic checks: if the parts are joined, they
// give Stream's report.
func FuzzStreamParts(f *testing.F) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 4, Size: 24 << 10, Accounts: 3, EOL: cfonb.EOLCRLF})
	require.NoError(f, err)
	base := buf.Bytes()
	f.Add([]byte{}, uint16(0), uint16(5), false)
	f.Add([]byte("0"), uint16(9000), uint16(20), true)
	f.Add([]byte("01"), uint16(12000), uint16(7), false)
	f.Add([]byte("9999"), uint16(12000+cfonb.OffBookingDate), uint16(30), false)
	f.Fuzz(func(t *testing.T, data []byte, at, cut uint16, pedantic bool) {
		in := bytes.Clone(base)
		copy(in[int(at)%len(in):], data)
		starts, near := lineStarts01(in)
		all := append(starts, near...)
		if len(all) == 0 {
			return
		}
		opts := Options{Summary: true, Pedantic: pedantic}
		partsAgree(t, in, opts, []int64{all[int(cut)%len(all)]}, rand.New(rand.NewPCG(uint64(at), uint64(cut))))
	})
}
