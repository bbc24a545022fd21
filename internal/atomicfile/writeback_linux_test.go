//go:build linux

package atomicfile

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWritebackAsks: what goes through a writeback reaches the file as it
// is, and the kernel is asked to start writing it every writebackEvery
// bytes, each request covering the bytes since the last one.
func TestWritebackAsks(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	w := newWriteback(f)
	data := make([]byte, 2*writebackEvery+12345)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	wantAsked, wantRequests := int64(0), 0
	for p := data; len(p) > 0; {
		k := min(len(p), 1+rng.IntN(700<<10))
		n, err := w.Write(p[:k])
		require.NoError(t, err)
		require.Equal(t, k, n)
		p = p[k:]
		if off := int64(len(data) - len(p)); off-wantAsked >= writebackEvery {
			wantAsked, wantRequests = off, wantRequests+1
		}
		require.Equal(t, wantAsked, w.asked)
		require.Equal(t, wantRequests, w.requests)
	}
	assert.Positive(t, w.requests)
	assert.Equal(t, int64(len(data)), w.off)
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got), "the file holds what was written")
}

// TestWritebackStart: the request reaches the kernel (it fails on a closed
// file), and a write error is the file's.
func TestWritebackStart(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	w := newWriteback(f)
	_, err = w.Write([]byte("some data"))
	require.NoError(t, err)
	require.NoError(t, w.start(0, 9))
	require.NoError(t, f.Close())
	assert.Error(t, w.start(0, 9))
	_, err = w.Write([]byte("more"))
	assert.ErrorIs(t, err, os.ErrClosed)
}

// TestWriteLarge: a file larger than writebackEvery written with Write
// reads back whole.
func TestWriteLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	data := bytes.Repeat([]byte("0123456789abcdef"), (writebackEvery+writebackEvery/2)/16+7)
	require.NoError(t, Write(p, 0, func(w io.Writer) error {
		for q := data; len(q) > 0; {
			k := min(len(q), 256<<10)
			if _, err := w.Write(q[:k]); err != nil {
				return err
			}
			q = q[k:]
		}
		return nil
	}))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got))
	assertNoTemp(t, filepath.Dir(p))
}
