package fmtrun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// outcome is what a run of File gives, for comparison.
type outcome struct {
	Report     *normalize.Report
	Validation *validate.Report
	Refused    *normalize.RefusedError
	Err        string
	Head       []byte
	Out        string
}

// output is where a test run writes.
type output int

const (
	toFile      output = iota // a new regular file (Direct)
	toEnd                     // a regular file holding bytes already, written from its end (Direct)
	toAppend                  // a regular file in append mode (Direct: not split)
	toNull                    // the null device (Direct)
	listOnly                  // -l
	toWriteOnly               // a new regular file opened for writing only, as the shell opens > (Direct)
)

// runFile formats path as cfg says, to out, and returns what came of it.
func runFile(t *testing.T, cfg Config, path string, out output) outcome {
	t.Helper()
	var f *os.File
	var err error
	prefix := []byte("kept\n")
	switch out {
	case toFile, toEnd, toAppend, toWriteOnly:
		name := filepath.Join(t.TempDir(), "out.txt")
		switch out {
		case toAppend:
			f = openAppend(t, name)
		case toWriteOnly:
			f, err = os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o600)
			require.NoError(t, err)
		default:
			f, err = os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
			require.NoError(t, err)
		}
		if out != toFile {
			_, err = f.Write(prefix)
			require.NoError(t, err)
		}
	case toNull:
		f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		require.NoError(t, err)
	case listOnly:
		cfg.Mode = List
	}
	if f != nil {
		defer func() { require.NoError(t, f.Close()) }()
		cfg.Mode, cfg.Direct, cfg.Stdout = Stdout, spool.Direct(f), f
	}
	res := File(context.Background(), &cfg, path)
	if res.Out != nil && f != nil {
		// Held (not written as it was made, see spool.Direct): written
		// now, as the command does.
		require.NoError(t, res.Out.CopyTo(f))
		res.Out.Close()
		res.Out = nil
	}
	o := outcome{Report: res.Report, Validation: res.Validation, Refused: res.Refused, Head: res.Head}
	if res.Err != nil {
		o.Err = res.Err.Error()
	}
	if f != nil && out != toNull {
		b, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		before := int64(0)
		if out == toEnd || out == toAppend {
			require.True(t, bytes.HasPrefix(b, prefix), "the bytes before the output are kept")
			b = b[len(prefix):]
			before = int64(len(prefix))
		}
		if out != toAppend {
			at, err := f.Seek(0, io.SeekCurrent)
			require.NoError(t, err)
			require.Equal(t, int64(len(b)), at-before, "standard output's offset is after the output")
		}
		o.Out = string(b)
	}
	return o
}

// splitInputs are generated files in Latin-1, CRLF and LF, and copies of
// them with one change near their middle: a figure transliterated
// (refused), a blank line, a short line, a line end changed or removed,
// an unknown record code, a broken statement (validation errors), a
// trailing end-of-file byte. mid is the offset of the change.
func splitInputs(t *testing.T) (inputs [][]byte, mids []int) {
	for _, eol := range []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF} {
		var buf bytes.Buffer
		_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 3, Size: 1 << 20, Accounts: 3, EOL: eol, Latin1: true})
		require.NoError(t, err)
		base := buf.Bytes()
		stride := bytes.IndexByte(base, '\n') + 1
		mid := len(base) / 2 / stride * stride // a line start
		inputs, mids = append(inputs, base), append(mids, mid)
		edits := []func(b []byte) []byte{
			func(b []byte) []byte { b[mid+100] = 0xC9; return b }, // in the amount: refused
			func(b []byte) []byte { return append(append(b[:mid:mid], "\r\n"...), b[mid:]...) },
			func(b []byte) []byte { return append(b[:mid+100:mid+100], b[mid+stride-2:]...) },
			func(b []byte) []byte { return append(b[:mid+cfonb.RecordLen:mid+cfonb.RecordLen], b[mid+stride-1:]...) },
			func(b []byte) []byte { return append(b[:mid+cfonb.RecordLen:mid+cfonb.RecordLen], b[mid+stride:]...) },
			func(b []byte) []byte { b[mid], b[mid+1] = '9', '9'; return b },
			func(b []byte) []byte { copy(b[mid+cfonb.OffBookingDate:], "9999"); return b },
			func(b []byte) []byte { return append(b, 0x1A) },
			func(b []byte) []byte { return append([]byte(cfonb.UTF8BOM), b...) },
			func(b []byte) []byte {
				return append(b[:mid:mid], bytes.ReplaceAll(b[mid:], []byte("\r\n"), []byte("\n"))...)
			},
		}
		for _, e := range edits {
			inputs, mids = append(inputs, e(bytes.Clone(base))), append(mids, mid)
		}
	}
	return inputs, mids
}

// TestSplitAgrees: formatting a file in two parts (split.go) gives the
// same output, reports, refusals and errors as on one goroutine, to a
// regular file (new, or holding bytes before the output, or in append
// mode), to the null device and with -l, with the seam at every line
// around a change and beyond; and the clean files are formatted in two
// parts.
func TestSplitAgrees(t *testing.T) {
	inputs, mids := splitInputs(t)
	if racedetect.Enabled {
		// The race detector's run: the clean files only.
		inputs, mids = [][]byte{inputs[0], inputs[9]}, []int{mids[0], mids[9]}
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	parted := 0
	for i, in := range inputs {
		path := filepath.Join(dir, fmt.Sprintf("in%d.txt", i))
		require.NoError(t, os.WriteFile(path, in, 0o600))
		for _, eol := range []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF} {
			cfg := Config{EOL: eol, Encoding: normalize.EncodingLatin1, Validate: validate.Options{Summary: true}}
			if i%3 == 1 {
				cfg.Encoding = normalize.EncodingAuto
			}
			one := cfg
			one.oneCore = true
			want := map[output]outcome{}
			for _, out := range []output{toFile, toEnd, toNull, listOnly, toWriteOnly} {
				want[out] = runFile(t, one, path, out)
			}
			for k := range 8 {
				// Seams before the change, at it, after it, anywhere.
				from := int64(mids[i] - 300 + k*120 + rng.IntN(20))
				if k >= 6 {
					from = int64(1 + rng.IntN(len(in)-1))
				}
				two := cfg
				two.splitMin, two.seamFrom, two.parted = 1, from, &parted
				out := []output{toFile, toEnd, toAppend, toNull, listOnly, toWriteOnly}[rng.IntN(6)]
				w := want[out]
				if out == toAppend {
					w = want[toEnd]
				}
				before := parted
				got := runFile(t, two, path, out)
				require.Equal(t, w, got, "input %d, %s, seam after %d, output %d", i, eol, from, out)
				if out == toAppend {
					require.Equal(t, before, parted, "a file in append mode is not written in two parts")
				}
			}
		}
	}
	t.Logf("%d formatted in two parts", parted)
	require.Greater(t, parted, 4*len(inputs)/3)
}

// TestFindSeam: the seam is the first line after from that starts with
// 01, wherever the chunks read end, and whether the line before it ends
// with CR LF; there is none beyond seamWindow, nor before from.
func TestFindSeam(t *testing.T) {
	line := func(code string) string { return code + strings.Repeat("x", cfonb.RecordLen-2) }
	lines := func(size int) []byte {
		var b bytes.Buffer
		for b.Len() < size {
			b.WriteString(line("04") + "\r\n")
		}
		return b.Bytes()
	}
	data := lines(3 * (64 << 10))
	far := int64(len(data))
	data = append(data, line("01")+"\n"...)
	beyond := lines(seamWindow + 100<<10) // the window, and its last chunk
	beyond = append(beyond, line("01")+"\n"...)
	type seamCase struct {
		name string
		data []byte
		from int64
		at   int64 // 0: none
		crlf bool
	}
	tests := []seamCase{
		{"far, CR LF before", data, 1, far, true},
		{"from just before", data, far - 1, far, true},
		{"from at it", data, far, 0, false},
		{"none", data[:far], 1, 0, false},
		{"beyond the window", beyond, 1, 0, false},
		{"LF before", append(bytes.Clone(data[:far-2]), "\n"+line("01")+"\n"...), 1, far - 1, false},
	}
	// A CR LF 0 1 across the end of the first chunk read (64 KiB from
	// the byte before from; the next starts 3 bytes before its end).
	for lf := int64(64<<10) - 6; lf <= 64<<10; lf++ {
		d := bytes.Clone(data)
		copy(d[lf-1:], "\r\n01")
		tests = append(tests, seamCase{fmt.Sprintf("LF at %d", lf), d, 1, lf + 1, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, crlf := findSeam(bytes.NewReader(tt.data), int64(len(tt.data)), tt.from)
			require.Equal(t, tt.at, at)
			require.Equal(t, tt.crlf, crlf)
		})
	}
}

// TestSplitDefault: with the defaults (a file of splitMin bytes or more,
// cut at a 01 after its middle), a generated Latin-1 file is formatted in
// two parts to a regular file and to the null device, with the outcome of
// one goroutine; a file just under splitMin is not cut.
func TestSplitDefault(t *testing.T) {
	racedetect.SkipUnderRace(t) // TestSplitAgrees runs there
	if splitCores() < 2 {
		t.Skip("one CPU: files are not cut")
	}
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 8, Size: splitMin + 64<<10, Accounts: 4, EOL: cfonb.EOLCRLF, Latin1: true})
	require.NoError(t, err)
	big := buf.Bytes()
	require.GreaterOrEqual(t, len(big), splitMin)
	dir := t.TempDir()
	tests := []struct {
		name  string
		data  []byte
		split int
	}{
		{"large", big, 1},
		{"just under", big[:splitMin-1], 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".txt")
			require.NoError(t, os.WriteFile(path, tt.data, 0o600))
			cfg := Config{EOL: cfonb.EOLCRLF, Encoding: normalize.EncodingLatin1}
			one := cfg
			one.oneCore = true
			for _, out := range []output{toFile, toNull} {
				parted := 0
				two := cfg
				two.parted = &parted
				require.Equal(t, runFile(t, one, path, out), runFile(t, two, path, out), "output %d", out)
				require.Equal(t, tt.split, parted, "output %d", out)
			}
		})
	}
}
