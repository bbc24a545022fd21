package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// reference validates data as File does on one goroutine.
func reference(t *testing.T, data []byte, opts Options) *Report {
	t.Helper()
	rep, err := stream("f", bytes.NewReader(data), opts, splitBufSize(int64(len(data))))
	require.NoError(t, err)
	return rep
}

// split validates data with File's split engine, cut at cuts, with at
// most cores goroutines at once.
func split(t *testing.T, data []byte, opts Options, cores int, cuts []int64, taken *int) *Report {
	t.Helper()
	rep, err := splitFile("f", bytes.NewReader(data), int64(len(data)), opts, cores, cuts, taken, true)
	require.NoError(t, err)
	return rep
}

// splitNow is split with the owner asking each worker to stop when it
// reaches its range, as File does: the seams then fall wherever the
// workers were.
func splitNow(t *testing.T, data []byte, opts Options, cores int, cuts []int64) *Report {
	t.Helper()
	rep, err := splitFile("f", bytes.NewReader(data), int64(len(data)), opts, cores, cuts, nil, false)
	require.NoError(t, err)
	return rep
}

// recordStarts returns the offset of every record of data, and of the
// bytes just after and before it.
func recordStarts(t *testing.T, data []byte) (starts, near []int64) {
	r := cfonb.NewReader(bytes.NewReader(data))
	for {
		rec, err := r.Read()
		if err != nil {
			return starts, near
		}
		starts = append(starts, rec.Offset)
		near = append(near, rec.Offset-1, rec.Offset+1, rec.Offset+int64(rec.Length))
	}
}

// splitInputs are the testdata files, a generated file with errors, and
// mutations of valid files with several statements and accounts.
func splitInputs(t *testing.T) [][]byte {
	inputs := testdataFiles(t)
	for _, o := range []gen.Options{
		{Seed: 5, Size: 24 << 10, Accounts: 3, EOL: cfonb.EOLCRLF},
		{Seed: 6, Size: 24 << 10, Accounts: 2, EOL: cfonb.EOLNone},
		{Seed: 7, Size: 24 << 10, Accounts: 4, ErrorRate: 0.01, EOL: cfonb.EOLLF},
	} {
		var buf bytes.Buffer
		_, err := gen.Write(context.Background(), &buf, o)
		require.NoError(t, err)
		inputs = append(inputs, buf.Bytes())
	}
	base, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-lf.txt"))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = " 0123456789AZaz{}JR-./*\n\r\x1a"
	for range 100 {
		b := bytes.Clone(base)
		for n := 1 + rng.IntN(3); n > 0; n-- {
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, b)
	}
	return inputs
}

// TestSplitAgrees: splitting a file between goroutines never changes its
// report. Every input is cut at every record, next to every record, at
// every record at once, and at random offsets, with the report compared
// whole (diagnostics, counts, summaries) with the one-goroutine run's.
func TestSplitAgrees(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(5, 6))
	taken := 0
	for i, in := range splitInputs(t) {
		starts, near := recordStarts(t, in)
		for _, opts := range []Options{{MaxDiagnostics: -1, Summary: true}, {Pedantic: true, MaxDiagnostics: 3, MaxPerRule: 1, MaxSummaries: 1, Summary: true}} {
			want := reference(t, in, opts)
			check := func(cores int, cuts []int64) {
				t.Helper()
				got := split(t, in, opts, cores, cuts, &taken)
				require.Equal(t, want, got, "input %d, cuts %v, options %+v:\n%s", i, cuts, opts, in)
				got = splitNow(t, in, opts, cores, cuts)
				require.Equal(t, want, got, "input %d, cuts %v, options %+v, owner not waiting:\n%s", i, cuts, opts, in)
			}
			if i%7 != 0 && len(in) > 8<<10 {
				// A big input: some cuts only.
				for range 20 {
					check(2, []int64{starts[rng.IntN(len(starts))]})
				}
				check(3, starts[min(1, len(starts)):])
				continue
			}
			for _, at := range append(starts, near...) {
				check(2, []int64{at})
			}
			check(3, starts[min(1, len(starts)):])
			check(2, near)
			for range 5 {
				cuts := []int64{}
				for at := int64(0); at < int64(len(in)); at += 1 + rng.Int64N(700) {
					cuts = append(cuts, at)
				}
				check(4, cuts)
			}
		}
	}
	// The workers' work was taken, not only done again by the owner.
	t.Logf("taken %d", taken)
	require.Greater(t, taken, 1000)
}

// statementsOf cuts data, lines of 120 characters and a line end each,
// into its statements (a 01 to the line before the next 01).
func statementsOf(data []byte, eol int) [][]byte {
	var sts [][]byte
	line := cfonb.RecordLen + eol
	for i := 0; i+line <= len(data); i += line {
		if data[i] == '0' && data[i+1] == '1' || len(sts) == 0 {
			sts = append(sts, nil)
		}
		sts[len(sts)-1] = append(sts[len(sts)-1], data[i:i+line]...)
	}
	return sts
}

// TestSplitAgreesAcrossStatements: the checks between the statements of
// an account (opening balance, order) come out the same when the seam
// falls between them. Generated files of several accounts are written in
// date order, newest first, with a statement dropped (a gap in the
// balances) or two swapped, and cut at every statement, at all of them at
// once, and at every pair.
func TestSplitAgreesAcrossStatements(t *testing.T) {
	racedetect.SkipUnderRace(t)
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 9, Size: 96 << 10, Accounts: 3, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	sts := statementsOf(buf.Bytes(), 2)
	require.Greater(t, len(sts), 12)
	reversed := make([][]byte, len(sts))
	for i, s := range sts {
		reversed[len(sts)-1-i] = s
	}
	variants := [][][]byte{sts, reversed}
	for _, order := range [][][]byte{sts, reversed} {
		for _, i := range []int{2, len(sts) / 2, len(sts) - 4} {
			dropped := append(append([][]byte{}, order[:i]...), order[i+1:]...)
			swapped := append([][]byte{}, order...)
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			variants = append(variants, dropped, swapped)
			// The gap, and an impossible date in the statement after
			// it: the worker leaves that statement to the owner.
			broken := append([][]byte{}, dropped...)
			broken[i] = bytes.Clone(broken[i])
			copy(broken[i][2*(cfonb.RecordLen+2)+cfonb.OffBookingDate:], "9999")
			variants = append(variants, broken)
			// Two statements opened at once (a 07 missing).
			unclosed := append([][]byte{}, order...)
			unclosed[i] = unclosed[i][:len(unclosed[i])-(cfonb.RecordLen+2)]
			variants = append(variants, unclosed)
			// The statement again after the account's next one: it
			// goes back in date, and the account's order decides.
			for j := i + 1; j < len(order); j++ {
				if string(order[j][2:32]) == string(order[i][2:32]) {
					again := append(append(append([][]byte{}, order[:j+1]...), order[i]), order[j+1:]...)
					variants = append(variants, again)
					break
				}
			}
		}
	}
	taken := 0
	for vi, variant := range variants {
		in := bytes.Join(variant, nil)
		var at []int64
		off := int64(0)
		for _, s := range variant {
			at = append(at, off)
			off += int64(len(s))
		}
		for _, opts := range []Options{{MaxDiagnostics: -1, Summary: true}, {MaxPerRule: 1}} {
			want := reference(t, in, opts)
			check := func(cores int, cuts []int64) {
				t.Helper()
				got := split(t, in, opts, cores, cuts, &taken)
				require.Equal(t, want, got, "variant %d, cuts %v, options %+v", vi, cuts, opts)
				got = splitNow(t, in, opts, cores, cuts)
				require.Equal(t, want, got, "variant %d, cuts %v, options %+v, owner not waiting", vi, cuts, opts)
			}
			check(4, at[1:])
			for i := 1; i < len(at); i++ {
				check(2, []int64{at[i]})
				for j := i + 1; j < len(at); j += 5 {
					check(3, []int64{at[i], at[j]})
				}
			}
		}
	}
	require.Greater(t, taken, 1000)
}

// TestSplitFile: File splits a large file between the cores (when there
// are several) and reports it as one goroutine does, and so does a cut at
// each statement of a smaller one (this test also runs under the race
// detector).
func TestSplitFile(t *testing.T) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 11, Size: splitMin + 1<<20, Accounts: 5, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	data := buf.Bytes()
	path := filepath.Join(t.TempDir(), "big.txt")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	opts := Options{Summary: true, MaxSummaries: -1}
	want := reference(t, data, opts)
	want.Path = path
	got, err := File(path, opts)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, 0, got.Errors+got.Warnings)

	small := data[:64<<10]
	want = reference(t, small, opts)
	taken := 0
	var cuts []int64
	for i := 0; i+2 < len(small); i += 2 + cfonb.RecordLen {
		if small[i] == '0' && small[i+1] == '1' {
			cuts = append(cuts, int64(i))
		}
	}
	require.Equal(t, want, split(t, small, opts, 3, cuts, &taken))
	require.Greater(t, taken, 2)
}

// FuzzSplit: on any input, cut anywhere (at one or two offsets, with two
// or three goroutines), the split engine's report is the one-goroutine
// run's.
func FuzzSplit(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", dir, "*.txt"))
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil && len(b) < 16<<10 {
				f.Add(b, uint16(len(b)/2), uint16(len(b)*3/4), false)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16, pedantic bool) {
		opts := Options{Pedantic: pedantic, MaxPerRule: 2, MaxDiagnostics: 20, Summary: true, MaxSummaries: 2}
		want := reference(t, data, opts)
		cuts := []int64{int64(cut1)}
		if cut2 > cut1 {
			cuts = append(cuts, int64(cut2))
		}
		got := split(t, data, opts, 1+len(cuts), cuts, nil)
		require.Equal(t, want, got, "cuts %v", cuts)
		got = splitNow(t, data, opts, 1+len(cuts), cuts)
		require.Equal(t, want, got, "cuts %v, owner not waiting", cuts)
	})
}

// failingAt is an io.ReaderAt whose bytes from offset bad on cannot be
// read.
type failingAt struct {
	data []byte
	bad  int64
}

var errDisk = errors.New("disk on fire")

func (f failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.bad {
		return 0, errDisk
	}
	n := copy(p, f.data[off:min(int64(len(f.data)), f.bad)])
	if n < len(p) {
		return n, errDisk
	}
	return n, nil
}

// TestSplitReadError: a read error in any range is returned, with the
// line it happened at, as on one goroutine.
func TestSplitReadError(t *testing.T) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 12, Size: 2 << 20, Accounts: 4, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	data := buf.Bytes()
	for _, bad := range []int64{int64(len(data)) / 4, int64(len(data)) * 3 / 4} {
		line := bytes.Count(data[:bad], []byte("\n"))
		f := failingAt{data: data, bad: bad}
		_, err := splitFile("f", f, int64(len(data)), Options{}, 2, nil, nil, false)
		require.ErrorIs(t, err, errDisk)
		require.Contains(t, err.Error(), "line ")
		_, want := stream("f", io.NewSectionReader(f, 0, int64(len(data))), Options{}, splitBufSize(int64(len(data))))
		require.Equal(t, want.Error(), err.Error(), "the line of the error (about %d)", line)
	}
}

// TestSplitLongConcatenatedLines: statements whose movements are written
// on one line of concatenated records longer than the readers' buffer
// (some EBICS exports) come out of the split engine as from one
// goroutine, wherever the seams fall, in the line or between lines.
func TestSplitLongConcatenatedLines(t *testing.T) {
	racedetect.SkipUnderRace(t)
	lines := strings.Split(strings.TrimRight(string(generated(t, 64<<10)), "\r\n"), "\r\n")
	// Each statement: its 01, its movements on one line, its 07.
	var b strings.Builder
	for i := 0; i < len(lines); {
		b.WriteString(lines[i] + "\r\n")
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "07") {
			j++
		}
		// Repeat the statement's movements so that the line outgrows
		// the 256 KiB buffer; the balance then fails, the same way.
		b.WriteString(strings.Repeat(strings.Join(lines[i+1:j], ""), 1+(300<<10)/max(1, (j-i-1)*cfonb.RecordLen)) + "\r\n")
		if j < len(lines) {
			b.WriteString(lines[j] + "\r\n")
		}
		i = j + 1
	}
	in := []byte(b.String())
	require.Greater(t, len(in), 1<<20)
	rng := rand.New(rand.NewPCG(9, 10))
	opts := Options{MaxDiagnostics: -1, Summary: true}
	want := reference(t, in, opts)
	assert.Equal(t, 0, strings.Count(fmt.Sprint(want.Diagnostics), RuleRecordLength), "the long lines are read as their records")
	starts, _ := recordStarts(t, in)
	for range 10 {
		cuts := []int64{starts[rng.IntN(len(starts))], int64(rng.IntN(len(in)))}
		slices.Sort(cuts)
		require.Equal(t, want, split(t, in, opts, 3, cuts, nil), "cuts %v", cuts)
		require.Equal(t, want, splitNow(t, in, opts, 3, cuts), "cuts %v", cuts)
	}
}

// TestTooManyConcatenatedRecords: a line of more concatenated records
// than the reader splits is one record, whose diagnostic says why.
func TestTooManyConcatenatedRecords(t *testing.T) {
	lines := strings.Split(strings.TrimRight(string(generated(t, 4<<10)), "\r\n"), "\r\n")
	n := cfonb.MaxConcatenatedLine/cfonb.RecordLen + 1
	in := lines[0] + "\r\n" + strings.Repeat(lines[1], n) + "\r\n"
	rep, err := Stream("f", strings.NewReader(in), Options{})
	require.NoError(t, err)
	var got []string
	for _, d := range rep.Diagnostics {
		if d.Rule == RuleRecordLength {
			got = append(got, d.String())
		}
	}
	assert.Equal(t, []string{"f:2:121: error: line of 4194360 characters holds 34953 concatenated records, it seems: more than the 34952 read as records on one line; add line ends [record-length]"}, got)
}
