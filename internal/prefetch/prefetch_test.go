package prefetch

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadsEverythingInOrder(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, tt := range []struct {
		name string
		r    func() io.Reader
	}{
		{"plain", func() io.Reader { return bytes.NewReader(data) }},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:5000])) }},
		{"half reads", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.r()
			want := data
			if tt.name == "one byte at a time" {
				want = data[:5000]
			}
			p := New(src, 3, 4096)
			defer p.Close()
			got, err := io.ReadAll(iotest.HalfReader(p))
			require.NoError(t, err)
			assert.True(t, bytes.Equal(want, got))
		})
	}
}

func TestPropagatesErrors(t *testing.T) {
	boom := errors.New("boom")
	p := New(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom)), 2, 2)
	defer p.Close()
	got, err := io.ReadAll(p)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, "abc", string(got))
}

func TestCloseEarlyDoesNotBlock(t *testing.T) {
	p := New(bytes.NewReader(make([]byte, 1<<20)), 2, 1024)
	buf := make([]byte, 10)
	_, err := p.Read(buf)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
}
