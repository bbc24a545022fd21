package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// namedInput is one file of an export.
type namedInput struct {
	name string
	data []byte
	fail bool // the input fails after data, as a disk or an interrupt does
}

// exportOutcome is everything an export gives: its output, the error of
// each Export and of Close, and the counts.
type exportOutcome struct {
	out                   []byte
	errs                  []string
	statements, movements int
}

// runExport exports inputs as one export, going on after an Export that
// fails (as a library user may), with opts and, when batch > 0, that
// batch size; self > 0 has every self-th batch formatted by the exporter's
// goroutine (as when the workers are busy).
func runExport(t testing.TB, opts Options, batch, self int, inputs []namedInput) exportOutcome {
	t.Helper()
	var out bytes.Buffer
	e, err := New(&out, opts)
	require.NoError(t, err)
	if batch > 0 {
		e.batchSize = batch
	}
	e.selfEvery = self
	var o exportOutcome
	for _, in := range inputs {
		var r io.Reader = bytes.NewReader(in.data)
		if in.fail {
			r = io.MultiReader(r, &failingReader{})
		}
		o.errs = append(o.errs, errString(e.Export(in.name, r)))
	}
	o.errs = append(o.errs, errString(e.Close()))
	o.out = out.Bytes()
	o.statements, o.movements = e.Counts()
	return o
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if errors.Is(err, ErrTooManyComplements) {
		s += " [ErrTooManyComplements]"
	}
	return s
}

// mutated returns data (CFONB120 lines) with random damage of the kinds a
// parallel export must carry over from one goroutine to the workers: quotes,
// backslashes, control and Latin-1 bytes and multi-byte UTF-8 in the
// records, 01s with blank currency and decimals (adopted from the next
// record), 04s with blank decimals (the statement's), missing 01s
// (movements outside statements), 01s with other decimals, blank and unknown lines, line ends of
// every kind, runs of complements, and a byte order mark.
func mutated(data []byte, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
	var b strings.Builder
	if r.IntN(3) == 0 {
		b.WriteString("\uFEFF")
	}
	eol := "\r\n"
	for _, l := range lines {
		rec := []byte(l)
		if strings.HasPrefix(l, "01") && len(rec) > 20 && r.IntN(2) == 0 {
			rec[19] = byte('0' + r.IntN(4)) // other decimals, which a 04 without its own takes
		}
		switch k := r.IntN(32); {
		case k == 0 && len(rec) > 60:
			rec[50] = '"'
		case k == 1 && len(rec) > 60:
			rec[60] = '\\'
		case k == 2 && len(rec) > 60:
			rec[55] = 0xE9 // é in Latin-1
		case k == 3 && len(rec) > 60:
			rec[57] = 0x01
		case k == 4 && strings.HasPrefix(l, "01") && len(rec) > 20:
			copy(rec[16:20], "    ") // blank currency and decimals
		case k == 5 && strings.HasPrefix(l, "01"):
			continue // movements outside any statement
		case k == 6:
			b.WriteString(eol) // a blank line
		case k == 7:
			b.WriteString("99 UNKNOWN" + eol)
		case (k == 8 || k == 14 || k == 15) && strings.HasPrefix(l, "04") && len(rec) > 20:
			rec[19] = ' ' // the statement's decimals
		case k == 9 && strings.HasPrefix(l, "05"):
			for range r.IntN(6) {
				b.Write(rec)
				b.WriteString(eol)
			}
		case k == 10:
			eol = []string{"\r\n", "\n", ""}[r.IntN(3)]
		case k == 11 && len(rec) > 60:
			rec = slices.Concat(rec[:52], []byte("é€"), rec[52:])
		case k == 12 && len(rec) > 2:
			rec = rec[:r.IntN(len(rec))] // a short record
		}
		b.Write(rec)
		b.WriteString(eol)
	}
	return []byte(b.String())
}

// agreeInputs are the files TestWorkersAgree exports: the package's test
// files, the repository's shared ones and damaged copies of the generated
// file.
func agreeInputs(t *testing.T) []namedInput {
	t.Helper()
	var ins []namedInput
	add := func(dir string) {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				ins = append(ins, namedInput{name: path, data: data})
			}
			return err
		}))
	}
	add("testdata")
	add(filepath.Join("..", "testdata"))
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	for seed := range uint64(4) {
		ins = append(ins, namedInput{name: fmt.Sprintf("gen-%d \"q\\.txt", seed), data: mutated(gen, seed)})
	}
	ins = append(ins, namedInput{name: "fails.txt", data: mutated(gen, 9), fail: true})
	return ins
}

// TestWorkersAgree: with 2 or 3 workers, and batches that end after every
// movement, after a few or at the default size, an export gives the same
// bytes, errors and counts as with one goroutine, in JSONL and CSV, for
// each file alone and for all of them in one export.
func TestWorkersAgree(t *testing.T) {
	ins := agreeInputs(t)
	for _, opts := range []Options{
		{Format: JSONL},
		{Format: JSONL, MaxComplements: 3},
		{Format: CSV},
		{Format: CSV, Comma: ';', DecimalComma: true, BOM: true, MaxComplements: 2},
	} {
		name := fmt.Sprintf("%v-max%d-bom%v", opts.Format, opts.MaxComplements, opts.BOM)
		t.Run(name, func(t *testing.T) {
			one := runExport(t, opts, 0, 0, ins)
			alone := make([]exportOutcome, len(ins))
			for i := range ins {
				alone[i] = runExport(t, opts, 0, 0, ins[i:i+1])
			}
			for _, workers := range []int{2, 3} {
				for _, size := range []int{1, 700, 0} {
					par := opts
					par.Workers, par.Background = workers, size != 700
					self := workers // every second or third batch formatted by the exporter
					got := runExport(t, par, size, self, ins)
					assertSameOutcome(t, one, got, "all files, %d workers, batch %d", workers, size)
					if size != 1 {
						continue
					}
					for i := range ins {
						got := runExport(t, par, size, 0, ins[i:i+1])
						assertSameOutcome(t, alone[i], got, "%s, %d workers, batch %d", ins[i].name, workers, size)
					}
				}
			}
		})
	}
}

func assertSameOutcome(t testing.TB, want, got exportOutcome, msg string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(msg, args...)
	if !bytes.Equal(want.out, got.out) {
		i := 0
		for i < len(want.out) && i < len(got.out) && want.out[i] == got.out[i] {
			i++
		}
		t.Errorf("%s: the outputs differ at byte %d of %d/%d:\nwant …%q…\n got …%q…", what, i, len(want.out), len(got.out),
			want.out[max(0, i-40):min(len(want.out), i+40)], got.out[max(0, i-40):min(len(got.out), i+40)])
	}
	assert.Equal(t, want.errs, got.errs, "%s: errors", what)
	assert.Equal(t, [2]int{want.statements, want.movements}, [2]int{got.statements, got.movements}, "%s: counts", what)
}

// FuzzWorkersAgree: on any input, alone and twice in one export, 2 workers
// with batches of one movement and of a few give what one goroutine gives.
func FuzzWorkersAgree(f *testing.F) {
	for _, name := range append(inputs, "gen.txt") {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(data)
	}
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(f, err)
	f.Add(mutated(gen[:8000], 7))
	f.Add([]byte("05\n04\n07\n01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{Format: JSONL, MaxComplements: 4}, {Format: CSV}} {
			a, b := namedInput{name: "a", data: data}, namedInput{name: "b\"\\", data: data}
			for _, ins := range [][]namedInput{{a}, {a, b}} {
				want := runExport(t, opts, 0, 0, ins)
				for _, size := range []int{1, 500} {
					par := opts
					par.Workers = 2
					assertSameOutcome(t, want, runExport(t, par, size, 2, ins), "%v, batch %d, %d files", opts.Format, size, len(ins))
				}
			}
		}
	})
}

// waitGoroutines waits a little for the goroutines to be back to n at
// most, and reports whether they are.
func waitGoroutines(n int) bool {
	for range 200 {
		if runtime.NumGoroutine() <= n {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// TestWorkersEnd: Close, Discard (in the middle of an export) and a write
// error end every goroutine of a parallel export, and the write error is
// the one a single goroutine returns.
func TestWorkersEnd(t *testing.T) {
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	big := bytes.Repeat(gen, 8)
	for _, end := range []string{"close", "discard", "write error"} {
		t.Run(end, func(t *testing.T) {
			base := runtime.NumGoroutine()
			w := io.Discard
			if end == "write error" {
				w = &failAfter{n: 2}
			}
			e, err := New(w, Options{Format: JSONL, Workers: 3})
			require.NoError(t, err)
			e.batchSize = 4096
			err = e.Export("big", bytes.NewReader(big))
			switch end {
			case "close":
				require.NoError(t, err)
				assert.NotNil(t, e.pool, "the workers run")
				require.NoError(t, e.Close())
			case "discard":
				require.NoError(t, err)
				assert.NotNil(t, e.pool, "the workers run")
				e.Discard()
			case "write error":
				if err == nil {
					err = e.Close()
				}
				require.Error(t, err)
				assert.Equal(t, "writing the export: disk full", err.Error())
				assert.Nil(t, e.pool, "a write error stops the workers")
				e.Discard()
			}
			assert.True(t, waitGoroutines(base), "%d goroutines left, %d before", runtime.NumGoroutine(), base)
		})
	}
}

// TestWorkersCancel: an export whose input fails (as the command's reader
// does when it is interrupted) returns that error, and Discard ends its
// goroutines.
func TestWorkersCancel(t *testing.T) {
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	base := runtime.NumGoroutine()
	e, err := New(io.Discard, Options{Format: CSV, Workers: 2})
	require.NoError(t, err)
	e.batchSize = 1024
	r := io.MultiReader(bytes.NewReader(bytes.Repeat(gen, 4)), &failingReader{})
	err = e.Export("f", r)
	require.Error(t, err)
	assert.NotNil(t, e.pool, "the workers run")
	e.Discard()
	assert.True(t, waitGoroutines(base), "%d goroutines left, %d before", runtime.NumGoroutine(), base)
}

// TestBatchGivesBackGrownBuffers: a batch that held a movement of
// thousands of long complements gives its grown buffers back when reset,
// or each batch going round would keep the largest movement it ever held
// (found by a review: 94 MB of peak memory with 8 workers against 53 MB
// with one); the usual growth of an append is kept.
func TestBatchGivesBackGrownBuffers(t *testing.T) {
	b := newBatch(batchSize)
	recs0, out0 := cap(b.recs), cap(b.out)
	b.recs = append(b.recs, make([]byte, recs0+1)...) // grown a little
	b.reset()
	assert.Greater(t, cap(b.recs), recs0, "kept")
	b.recs = append(b.recs, make([]byte, 10<<20)...)
	b.out = append(b.out, make([]byte, 30<<20)...)
	b.reset()
	assert.Equal(t, recs0, cap(b.recs), "given back")
	assert.Equal(t, out0, cap(b.out), "given back")
	assert.Equal(t, batchSize, b.size)
	assert.NotNil(t, b.ready)
	assert.Empty(t, b.mvs)
}
