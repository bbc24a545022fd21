package export

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// liveHeap is the heap in use after a collection: what is still
// referenced.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heapWriter is an output that measures the live heap as it is written:
// at its first write and every 256 KiB after, it keeps the largest.
type heapWriter struct {
	w     io.Writer
	since int
	peak  uint64
	first bool
}

func (h *heapWriter) Write(p []byte) (int, error) {
	h.since += len(p)
	if !h.first || h.since >= 256<<10 {
		h.first, h.since = true, 0
		h.peak = max(h.peak, liveHeap())
	}
	return h.w.Write(p)
}

// xlsxWriteOverhead exports copies of gen.txt (271 movements each) as
// xlsx and returns the movements exported, the workbook, and how much the
// live heap grew while the workbook was written (Close) over what the
// export held before it.
func xlsxWriteOverhead(t *testing.T, copies int) (int, []byte, uint64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "gen.txt"))
	require.NoError(t, err)
	in := bytes.Repeat(data, copies)
	var out bytes.Buffer
	out.Grow(len(in)) // the test's own buffer grows no more while it is measured
	hw := &heapWriter{w: &out}
	e, err := New(hw, Options{Format: XLSX})
	require.NoError(t, err)
	require.NoError(t, e.Export("gen.txt", bytes.NewReader(in)))
	before := liveHeap()
	require.NoError(t, e.Close())
	_, movements := e.Counts()
	require.NotZero(t, hw.peak, "nothing was written")
	return movements, out.Bytes(), hw.peak - min(hw.peak, before)
}

// TestXLSXWriteMemoryDoesNotGrow is the regression test of the xlsx
// export's memory growing with its input (found by a review: 122 MiB of
// peak resident memory for 1 MiB of input, 358 MiB for 60 MiB): writing
// the workbook out took a copy of it, zipped, in memory (excelize's
// File.Write), and SetActiveSheet, called after the rows, parsed every
// sheet back into memory. What writing the workbook adds to the heap is
// now the same for N and 4N movements. The rows themselves stay in
// excelize's stream buffers, which hold at most 16 MiB a sheet
// (excelize.StreamChunkSize) before they go to a temporary file: both
// exports here are below that, so what they hold is not measured.
func TestXLSXWriteMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 12,000 movements")
	}
	n, small, overN := xlsxWriteOverhead(t, 10)
	n4, big, over4N := xlsxWriteOverhead(t, 40)
	require.Equal(t, 4*n, n4)
	t.Logf("writing the workbook added %d KiB to the live heap for %d movements (%d KiB of xlsx), %d KiB for %d (%d KiB)",
		overN>>10, n, len(small)>>10, over4N>>10, n4, len(big)>>10)
	// Before the fix: 4.3 MiB for N, 14.9 MiB for 4N (the sheets parsed
	// back and the zipped copy); with only the zipped copy, 1.3 and 2.7 MiB.
	assert.Less(t, over4N, overN+512<<10, "writing the workbook holds memory that grows with its movements")

	// The workbook is whole: every movement is a row.
	f, err := excelize.OpenReader(bytes.NewReader(big))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	rows, err := f.Rows("Movements")
	require.NoError(t, err)
	count := 0
	for rows.Next() {
		count++
	}
	require.NoError(t, rows.Error())
	require.NoError(t, rows.Close())
	assert.Equal(t, n4+1, count) // and the header
}

// TestXLSXWriteError checks that a failed write of the workbook is an
// error of Close.
func TestXLSXWriteError(t *testing.T) {
	e, err := New(&failWriter{}, Options{Format: XLSX})
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join("testdata", "sepa.txt"))
	require.NoError(t, err)
	require.NoError(t, e.Export("sepa.txt", bytes.NewReader(data)))
	err = e.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
}

// TestXLSXPartOf4GiB checks that a part of the workbook that reaches 4
// GiB is refused: the zip would need ZIP64 in its local header, which
// archive/zip does not write and Excel requires.
func TestXLSXPartOf4GiB(t *testing.T) {
	var out bytes.Buffer
	p := &xlsxPart{w: &out, n: xlsxZipMax - 3}
	n, err := p.Write([]byte("abc"))
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	n, err = p.Write([]byte("d"))
	assert.True(t, errors.Is(err, errXLSXPartTooBig))
	assert.Zero(t, n)
	assert.Equal(t, "abc", out.String())
}
