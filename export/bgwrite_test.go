package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exportAll exports the inputs, in order, as one export with opts.
func exportAll(t *testing.T, w *bytes.Buffer, opts Options, inputs ...[]byte) {
	t.Helper()
	e, err := New(w, opts)
	require.NoError(t, err)
	for i, in := range inputs {
		require.NoError(t, e.Export(filepath.Join("dir", string(rune('a'+i))), bytes.NewReader(in)))
	}
	require.NoError(t, e.Close())
}

// TestBackgroundSameOutput: with Options.Background the output is the
// same bytes, in every format, for exports that never fill a buffer and
// for exports of many buffers over several files.
func TestBackgroundSameOutput(t *testing.T) {
	sepa, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	big := bytes.Repeat(gen, 1+(1<<20)/len(gen)) // several buffers of output
	for _, opts := range []Options{
		{Format: JSONL}, {Format: JSON}, {Format: CSV}, {Format: CSV, Columns: ColumnsFR},
		{Format: OFX, Now: ofxTestNow},
	} {
		for name, inputs := range map[string][][]byte{
			"small": {sepa},
			"big":   {big, sepa, big},
		} {
			t.Run(opts.Format.String()+"-"+opts.Columns.String()+"-"+name, func(t *testing.T) {
				var want, got bytes.Buffer
				exportAll(t, &want, opts, inputs...)
				opts.Background = true
				exportAll(t, &got, opts, inputs...)
				assert.Equal(t, want.Len(), got.Len())
				assert.True(t, bytes.Equal(want.Bytes(), got.Bytes()), "the outputs differ")
			})
		}
	}
}

// failAfter fails every write after the first n.
type failAfter struct {
	n      int
	writes atomic.Int32
}

func (w *failAfter) Write(p []byte) (int, error) {
	if int(w.writes.Add(1)) > w.n {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestBackgroundWriteError: a write error of the background writer is
// returned by Export or Close, and nothing more is written after it.
func TestBackgroundWriteError(t *testing.T) {
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	big := bytes.Repeat(gen, 1+(4<<20)/len(gen))
	for _, n := range []int{0, 1, 2} {
		w := &failAfter{n: n}
		e, err := New(w, Options{Background: true})
		require.NoError(t, err)
		err = e.Export("big.txt", bytes.NewReader(big))
		if err == nil {
			err = e.Close()
		}
		require.Error(t, err, "failing after %d writes", n)
		assert.Contains(t, err.Error(), "disk full")
		assert.Equal(t, int32(n+1), w.writes.Load(), "no write after the failure")
		assert.Equal(t, err, e.Close(), "Close repeats the error")
	}
}

// TestBackgroundDiscard: Discard ends the background writer of an
// abandoned export; what was handed over is written, nothing after.
func TestBackgroundDiscard(t *testing.T) {
	gen, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	big := bytes.Repeat(gen, 1+(1<<20)/len(gen))
	var out bytes.Buffer
	e, err := New(&out, Options{Background: true})
	require.NoError(t, err)
	require.NoError(t, e.Export("big.txt", bytes.NewReader(big)))
	require.NotNil(t, e.bg, "the background writer started")
	bg := e.bg
	e.Discard()
	assert.Nil(t, e.bg)
	select {
	case <-bg.done:
	default:
		t.Fatal("the background goroutine still runs after Discard")
	}
	n := out.Len()
	assert.NoError(t, e.Close())
	assert.Equal(t, n, out.Len(), "nothing written after Discard")
}
