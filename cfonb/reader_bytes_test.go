package cfonb

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readerState is what a Reader tells about its input once it has read it.
type readerState struct {
	Recs    []got
	Err     error
	Framing Framing
	SUB     bool
	Splits  int
}

func readState(r *Reader) readerState {
	recs, err := readAll(r)
	return readerState{recs, err, r.Framing, r.TrailingSUB(), r.SplitLines()}
}

// TestReaderBytesAgrees checks that NewReaderBytes gives what a Reader of
// a bytes.Reader with a buffer of the data's capacity gives, on random
// mixes of records, line ends, SUB bytes, blank, short, long and
// concatenated lines, with every spare capacity from 0 to 5 bytes (and
// capacities below the smallest buffer).
func TestReaderBytesAgrees(t *testing.T) {
	pieces := []string{rec01, rec04, rec05, rec07, rec01 + rec04, rec04 + rec05 + rec07,
		"\n", "\r\n", "\r", "\x1a", "", "x", strings.Repeat("y", 121), strings.Repeat("z", 300), "\n\n", "\r\r\n"}
	rng := rand.New(rand.NewPCG(15, 16))
	for i := range 3000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := b.String()
		if i%7 == 0 && len(in) > 0 { // a random byte changed
			p := []byte(in)
			p[rng.IntN(len(p))] = byte(rng.IntN(256))
			in = string(p)
		}
		for spare := range 6 {
			size := len(in) + spare
			if i%11 == 0 {
				size = min(size, rng.IntN(minBufSize)+1) // too small: NewReaderBytes copies
				if size < len(in) {
					continue
				}
			}
			want := readState(newReaderSize(bytes.NewReader([]byte(in)), size))
			data := make([]byte, len(in), size)
			copy(data, in)
			got := readState(NewReaderBytes(data))
			require.Equal(t, want, got, "input %q, capacity %d", in, size)
		}
	}
}

func TestReaderBytesAllocs(t *testing.T) {
	data := make([]byte, 0, 8<<10)
	for range 30 {
		data = append(data, rec04+"\r\n"...)
	}
	allocs := testing.AllocsPerRun(100, func() {
		r := NewReaderBytes(data)
		for {
			if _, err := r.Read(); err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				break
			}
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "only the Reader itself is allocated")
}
