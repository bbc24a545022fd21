package spool

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuffer(t *testing.T) {
	var s Buffer
	defer s.Close()
	chunk := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB
	for range Memory/len(chunk) + 2 {
		_, err := s.Write(chunk)
		require.NoError(t, err)
	}
	require.NotNil(t, s.f, "spilled to a temporary file")
	var out bytes.Buffer
	require.NoError(t, s.CopyTo(&out))
	n := Memory/len(chunk) + 2
	assert.Equal(t, n*len(chunk), out.Len())
	assert.Equal(t, bytes.Repeat(chunk, n), out.Bytes())
}

// TestPipe: what is written comes out in order, whatever the sizes of
// the writes (smaller and larger than a chunk) and of the reads, then the
// writer's error, or io.EOF.
func TestPipe(t *testing.T) {
	data := make([]byte, 3*PipeChunks*PipeChunkSize+12345)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	for _, tt := range []struct {
		name  string
		write []int // sizes of the writes, in turn
		read  int   // size of the reads
		err   error
	}{
		{"small writes", []int{1, 119, 4096}, 1000, nil},
		{"chunk-sized", []int{PipeChunkSize}, 64 << 10, nil},
		{"larger than a chunk", []int{5*PipeChunkSize/2 + 3}, 300 << 10, nil},
		{"error", []int{1000, 70000}, 4096, errors.New("boom")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPipe()
			go func() {
				rest := data
				for i := 0; len(rest) > 0; i++ {
					n := min(tt.write[i%len(tt.write)], len(rest))
					k, err := p.Write(rest[:n])
					if k != n || err != nil {
						panic("short write")
					}
					rest = rest[n:]
				}
				p.CloseWithError(tt.err)
			}()
			var got []byte
			buf := make([]byte, tt.read)
			var err error
			for {
				var n int
				n, err = p.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					break
				}
			}
			if tt.err != nil {
				assert.Equal(t, tt.err, err)
			} else {
				assert.Equal(t, io.EOF, err)
			}
			assert.True(t, bytes.Equal(data, got), "data differs")
			assert.LessOrEqual(t, p.made, PipeChunks)
			n, err := p.Read(buf)
			assert.Equal(t, 0, n)
			assert.Error(t, err, "still closed")
		})
	}
}

// TestPipeGive: buffers given (mixed with writes) reach the reader as they
// are, in order, without copying; the writer gets back buffers of the
// capacity it gave, and no more than PipeChunks+1 buffers go round.
func TestPipeGive(t *testing.T) {
	data := make([]byte, 5*PipeChunks*PipeChunkSize+777)
	for i := range data {
		data[i] = byte(i * 5 / 3)
	}
	p := NewPipe()
	given := map[*byte]bool{} // the first byte of each buffer given
	var seen int
	go func() {
		buf := make([]byte, 0, 100<<10)
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := min(1+(i*7919)%(100<<10), len(rest))
			if i%5 == 4 {
				if _, err := p.Write(rest[:n]); err != nil {
					panic(err)
				}
			} else {
				buf = append(buf[:0], rest[:n]...)
				given[&buf[0]] = true
				seen++
				buf = p.Give(buf)
				if len(buf) != 0 || cap(buf) < 100<<10 {
					panic("Give returned a buffer that is not empty or too small")
				}
			}
			rest = rest[n:]
		}
		p.CloseWithError(nil)
	}()
	got, err := io.ReadAll(p)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got), "data differs")
	assert.LessOrEqual(t, p.made, PipeChunks)
	assert.Greater(t, seen, 50)
	assert.LessOrEqual(t, len(given), PipeChunks+1+1, "buffers given are reused, not made anew")
}
