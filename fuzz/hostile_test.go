package fuzz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/cfonb-dev/cfonb/validate"
)

// patternReader produces n bytes repeating pattern, without holding them.
type patternReader struct {
	pattern []byte
	n, off  int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = p.pattern[(p.off+int64(i))%int64(len(p.pattern))]
	}
	p.off += int64(len(b))
	return len(b), nil
}

// allocated runs f and returns the bytes it allocated on the heap (all of
// them, freed or not: an upper bound of its peak heap).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// checkReport checks what every report must satisfy, hostile input or not.
func checkReport(t *testing.T, rep *validate.Report) {
	t.Helper()
	assert.Equal(t, rep.Errors+rep.Warnings, len(rep.Diagnostics)+rep.Omitted, "counts")
	assert.LessOrEqual(t, len(rep.Diagnostics), validate.DefaultMaxDiagnostics, "the default cap")
	for _, d := range rep.Diagnostics {
		assert.True(t, printableMessage(d.Message), "message %q", d.Message)
	}
}

// where lists a report's diagnostics as "line:column rule".
func where(rep *validate.Report) []string {
	var out []string
	for _, d := range rep.Diagnostics {
		out = append(out, fmt.Sprintf("%d:%d %s", d.Line, d.Column, d.Rule))
	}
	return out
}

// TestHostileLongLine validates 64 MiB without a line end nor a valid
// record: one record, a few diagnostics, and memory that does not grow with
// the input (checked against a 1 MiB input).
func TestHostileLongLine(t *testing.T) {
	var smallRep, bigRep *validate.Report
	run := func(n int64, rep **validate.Report) uint64 {
		return allocated(func() {
			r, err := validate.Stream("long.txt", &patternReader{pattern: []byte("NOTARECORDANDNONEWLINE"), n: n}, validate.Options{})
			require.NoError(t, err)
			*rep = r
		})
	}
	allocSmall := run(1<<20, &smallRep)
	// 64 MiB shows that the heap does not grow with the line. Under the
	// race detector (10x slower, and its shadow memory blurs heap figures)
	// 8 MiB goes through the same code, one record and one hand-off: the
	// plain `go test ./...` pass keeps the 64 MiB.
	big := int64(64 << 20)
	if racedetect.Enabled {
		big = 8 << 20
	}
	allocBig := run(big, &bigRep)
	for _, rep := range []*validate.Report{smallRep, bigRep} {
		checkReport(t, rep)
		assert.Equal(t, 1, rep.Records)
		assert.NotZero(t, rep.Errors)
		assert.Less(t, len(rep.Diagnostics), 10)
	}
	assert.Equal(t, where(smallRep), where(bigRep), "the same diagnostics whatever the length")
	assert.Contains(t, where(bigRep), "1:121 record-length")
	assert.Less(t, allocBig, uint64(4<<20), "heap allocated for 64 MiB")
	assert.Less(t, allocBig, allocSmall+(256<<10), "the heap does not grow with the input: %d bytes for 1 MiB, %d for 64 MiB", allocSmall, allocBig)

	// The reader alone keeps MaxKeep bytes of it.
	r := cfonb.NewReader(&patternReader{pattern: []byte("x"), n: 64 << 20})
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, 64<<20, rec.Length)
	assert.Len(t, rec.Data, cfonb.DefaultMaxKeep)
	_, err = r.Read()
	assert.ErrorIs(t, err, io.EOF)
}

// TestHostileNUL validates a NUL-filled file.
func TestHostileNUL(t *testing.T) {
	var rep *validate.Report
	alloc := allocated(func() {
		var err error
		rep, err = validate.Stream("nul.bin", &patternReader{pattern: []byte{0}, n: 16 << 20}, validate.Options{})
		require.NoError(t, err)
	})
	checkReport(t, rep)
	// NULs are binary data: one format error, and nothing more is read.
	assert.Equal(t, 0, rep.Records)
	require.Len(t, rep.Diagnostics, 1)
	assert.Equal(t, validate.RuleFormat, rep.Diagnostics[0].Rule)
	assert.Equal(t, "this file is binary data, not CFONB120", rep.Diagnostics[0].Message)
	assert.Less(t, alloc, uint64(4<<20))
}

// TestHostileManyBlankRecords validates 2 MiB, then 8 MiB, of CR bytes:
// millions of empty records, whose diagnostics are counted but capped. The
// memory allocated is the fixed cost of the validator (its reading
// pipeline's batches), the same for both sizes.
func TestHostileManyBlankRecords(t *testing.T) {
	run := func(n int64) (*validate.Report, uint64) {
		var rep *validate.Report
		alloc := allocated(func() {
			var err error
			// Pedantic: blank lines are reported only then, and this test
			// is about millions of diagnostics that are counted, not kept.
			rep, err = validate.Stream("cr.txt", &patternReader{pattern: []byte("\r"), n: n}, validate.Options{Pedantic: true})
			require.NoError(t, err)
		})
		return rep, alloc
	}
	rep, small := run(2 << 20)
	checkReport(t, rep)
	// One error (no record), then the first blank-line warnings.
	assert.Len(t, rep.Diagnostics, 1+validate.DefaultMaxPerRule)
	assert.Greater(t, rep.Omitted, 2<<20-validate.DefaultMaxDiagnostics-10)
	require.Len(t, rep.Repeated, 1)
	assert.Equal(t, validate.Repeated{Rule: validate.RuleBlankLine, Shown: validate.DefaultMaxPerRule, NotShown: 2<<20 - validate.DefaultMaxPerRule}, rep.Repeated[0])
	// 8 MiB of blank records in the plain pass; 4 MiB (still twice the
	// first run, millions of records through the same pipeline) under the
	// race detector, which checks the hand-offs, not the size.
	size := int64(8 << 20)
	if racedetect.Enabled {
		size = 4 << 20
	}
	_, large := run(size)
	assert.Less(t, large, small+(1<<20), "memory does not grow with the diagnostics not kept: %d bytes for 2 MiB, %d for 8 MiB", small, large)
	assert.Less(t, large, uint64(16<<20))
}

// TestHostileBinary validates random bytes, alone (the validator may give
// up at once: another format) and after a valid first record (then every
// garbage line is checked: many diagnostics, capped).
func TestHostileBinary(t *testing.T) {
	data := make([]byte, 8<<20)
	r := rand.New(rand.NewPCG(7, 8))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	rep, err := validate.Stream("random.bin", bytes.NewReader(data), validate.Options{})
	require.NoError(t, err)
	checkReport(t, rep)
	require.Len(t, rep.Diagnostics, 1)
	assert.Equal(t, validate.RuleFormat, rep.Diagnostics[0].Rule)

	// Enough valid-looking records first that the start of the file is
	// text: then every garbage line is checked.
	first := strings.Repeat("0130004    00823EUR2 00010000156  060420                                                  0000000166956E                \n", 40)
	data = append([]byte(first), data...)
	lines := bytes.Count(data, []byte("\n")) - 40
	for _, cap := range []int{0, 5, -1} {
		var rep *validate.Report
		alloc := allocated(func() {
			var err error
			rep, err = validate.Stream("random.bin", bytes.NewReader(data), validate.Options{MaxDiagnostics: cap})
			require.NoError(t, err)
		})
		assert.Equal(t, rep.Errors+rep.Warnings, len(rep.Diagnostics)+rep.Omitted)
		assert.GreaterOrEqual(t, rep.Errors, lines, "at least one error a garbage line")
		switch cap {
		case 0:
			checkReport(t, rep)
			assert.Len(t, rep.Diagnostics, validate.DefaultMaxDiagnostics)
			assert.Less(t, alloc, uint64(8<<20), "capped report")
		case 5:
			assert.Len(t, rep.Diagnostics, 5)
		case -1:
			assert.Zero(t, rep.Omitted)
		}
	}
}

// TestHostileGarbageReportSize checks that the JSON report of a garbage
// file stays small: the cap bounds the output, not the input.
func TestHostileGarbageReportSize(t *testing.T) {
	line := strings.Repeat("Z", 119) + "\n"
	rep, err := validate.Stream("garbage.txt", &patternReader{pattern: []byte(line), n: 8 << 20}, validate.Options{})
	require.NoError(t, err)
	checkReport(t, rep)
	var out bytes.Buffer
	require.NoError(t, validate.WriteJSON(&out, []*validate.Report{rep}))
	assert.Less(t, out.Len(), 512<<10, "JSON report of %d diagnostics (%d omitted)", len(rep.Diagnostics), rep.Omitted)
	assert.Greater(t, rep.Omitted, 0)
}

// trickleReader gives its data in irregular pieces, with runs of empty
// reads (fewer than the 100 that mean no progress), like a pipe or a file
// that grows while it is read.
type trickleReader struct {
	data  []byte
	r     *rand.Rand
	empty int
}

func (t *trickleReader) Read(p []byte) (int, error) {
	if t.empty > 0 {
		t.empty--
		return 0, nil
	}
	if len(t.data) == 0 {
		return 0, io.EOF
	}
	if t.r.IntN(8) == 0 {
		t.empty = t.r.IntN(50)
	}
	n := copy(p[:min(len(p), 1+t.r.IntN(300))], t.data)
	t.data = t.data[n:]
	return n, nil
}

// TestHostileGrowingInput validates input that arrives in pieces or grows
// while it is read: the report is that of the whole input.
func TestHostileGrowingInput(t *testing.T) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 9, Size: 2 << 20, EOL: cfonb.EOLCRLF, ErrorRate: 0.001})
	require.NoError(t, err)
	data := buf.Bytes()
	want, err := validate.Stream("in.txt", bytes.NewReader(data), validate.Options{})
	require.NoError(t, err)
	require.NotZero(t, want.Errors)

	got, err := validate.Stream("in.txt", &trickleReader{data: data, r: rand.New(rand.NewPCG(1, 1))}, validate.Options{})
	require.NoError(t, err)
	assert.Equal(t, want, got, "input in pieces")

	// A file that grows: the first half is there when reading starts, the
	// rest is appended after the first read (O_APPEND keeps the file's
	// content where the reader expects it).
	path := filepath.Join(t.TempDir(), "in.txt")
	half := len(data) / 2
	require.NoError(t, os.WriteFile(path, data[:half], 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	appendFile := func() {
		a, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = a.Write(data[half:])
		require.NoError(t, err)
		require.NoError(t, a.Close())
	}
	gr := &appendOnce{r: f, do: appendFile}
	got, err = validate.Stream("in.txt", gr, validate.Options{})
	require.NoError(t, err)
	assert.Equal(t, want, got, "a file that grew while read")
}

// appendOnce calls do after the first Read of r.
type appendOnce struct {
	r    io.Reader
	do   func()
	done bool
}

func (a *appendOnce) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if !a.done {
		a.done = true
		a.do()
	}
	return n, err
}

// stuckReader returns nothing, for ever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

var errDevice = errors.New("input/output error")

// TestHostileReadersEnd checks that an input that never progresses, or
// fails, ends the validation with an error instead of a hang.
func TestHostileReadersEnd(t *testing.T) {
	var err error
	noHang(t, 10*time.Second, "validate.Stream of a reader that never progresses", func() {
		_, err = validate.Stream("stuck", stuckReader{}, validate.Options{})
	})
	assert.ErrorIs(t, err, io.ErrNoProgress)

	var buf bytes.Buffer
	_, err = gen.Write(context.Background(), &buf, gen.Options{Seed: 1, Size: 1 << 20, EOL: cfonb.EOLLF})
	require.NoError(t, err)
	noHang(t, 10*time.Second, "validate.Stream of a failing reader", func() {
		_, err = validate.Stream("failing", io.MultiReader(bytes.NewReader(buf.Bytes()), iotestErr{errDevice}), validate.Options{})
	})
	assert.ErrorIs(t, err, errDevice)
	assert.Contains(t, err.Error(), "failing: line ")
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

// TestSumCannotOverflow proves that amount sums are exact at any file size:
// a million maximal amounts (far beyond int64 overflow) against math/big,
// then sums doubled up to 2^70 maximal amounts (more records than any file
// can hold).
func TestSumCannotOverflow(t *testing.T) {
	const n = 1_000_000
	for _, sign := range []int64{1, -1} {
		var s cfonb.Sum
		want := new(big.Int)
		v := sign * cfonb.MaxAmount
		bv := big.NewInt(v)
		for range n {
			s.Add(v)
			want.Add(want, bv)
		}
		assert.Equal(t, want.String(), s.Big().String())
		_, fits := s.Int64()
		assert.False(t, fits, "10^6 maximal amounts do not fit an int64")
		assert.Equal(t, bigDecimal(want, 2), s.Decimal(2))

		// Doubling: 2^70 maximal amounts.
		for range 50 {
			s.AddSum(s)
			want.Add(want, want)
		}
		assert.Equal(t, want.String(), s.Big().String())
		assert.Equal(t, bigDecimal(want, 2), s.Decimal(2))
		assert.Equal(t, new(big.Int).Neg(want).String(), s.Neg().Big().String())
	}

	// Mixed signs: random amounts over the whole range.
	r := rand.New(rand.NewPCG(11, 12))
	var s cfonb.Sum
	want := new(big.Int)
	for range n {
		v := r.Int64N(2*cfonb.MaxAmount+1) - cfonb.MaxAmount
		s.Add(v)
		want.Add(want, big.NewInt(v))
	}
	assert.Equal(t, want.String(), s.Big().String())
	if want.IsInt64() {
		got, ok := s.Int64()
		assert.True(t, ok)
		assert.Equal(t, want.Int64(), got)
	}
}

// bigDecimal formats v minor units with the given decimals.
func bigDecimal(v *big.Int, decimals int) string {
	return new(big.Rat).SetFrac(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)).FloatString(decimals)
}
