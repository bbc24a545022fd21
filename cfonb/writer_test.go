package cfonb

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriterRoundTrip writes records with each line end and reads them
// back: the same records, with the line end written.
func TestWriterRoundTrip(t *testing.T) {
	recs := []string{rec01, rec04, rec05, rec05, rec04, rec07, rec01, rec07}
	tests := []struct {
		eol     EOL
		sep     string
		framing Framing
	}{
		{EOLCRLF, "\r\n", FramingLines},
		{EOLLF, "\n", FramingLines},
		{EOLNone, "", FramingContinuous},
		{EOLCR, "\r", FramingCR},
	}
	for _, tt := range tests {
		t.Run(tt.eol.String(), func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.EOL = tt.eol
			for _, r := range recs {
				require.NoError(t, w.Write([]byte(r)))
			}
			require.NoError(t, w.Flush())
			assert.Equal(t, strings.Join(recs, tt.sep)+tt.sep, out.String())

			r := NewReader(&out)
			var got []Record
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				got = append(got, rec.Clone())
			}
			assert.Equal(t, tt.framing, r.Framing)
			require.Len(t, got, len(recs))
			step := int64(RecordLen + len(tt.sep))
			for i, rec := range got {
				assert.Equal(t, Record{Line: i + 1, Offset: int64(i) * step, Data: []byte(recs[i]), Length: RecordLen, EOL: tt.eol}, rec)
			}
		})
	}
}

func TestWriterDefaultsToCRLF(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	assert.Equal(t, EOLCRLF, w.EOL)
	require.NoError(t, w.Write([]byte(rec01)))
	assert.Zero(t, out.Len(), "buffered until Flush")
	require.NoError(t, w.Flush())
	assert.Equal(t, rec01+"\r\n", out.String())
}

func TestWriterRejects(t *testing.T) {
	tests := []struct {
		rec string
		err error
		msg string
	}{
		{rec01[:119], ErrRecordLength, "cfonb: record is 119 bytes: record is not 120 bytes"},
		{rec01 + " ", ErrRecordLength, "cfonb: record is 121 bytes: record is not 120 bytes"},
		{"", ErrRecordLength, "cfonb: record is 0 bytes: record is not 120 bytes"},
		{rec01[:50] + "\n" + rec01[51:], ErrRecordLineEnd, "cfonb: column 51: record holds a CR or LF byte"},
		{rec01[:119] + "\r", ErrRecordLineEnd, "cfonb: column 120: record holds a CR or LF byte"},
		{"\r" + rec01[1:119] + "\n", ErrRecordLineEnd, "cfonb: column 120: record holds a CR or LF byte"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		w := NewWriter(&out)
		err := w.Write([]byte(tt.rec))
		assert.ErrorIs(t, err, tt.err)
		assert.EqualError(t, err, tt.msg)
		require.NoError(t, w.Flush())
		assert.Zero(t, out.Len(), "nothing written")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBoom }

func TestWriterError(t *testing.T) {
	w := NewWriter(failWriter{})
	require.NoError(t, w.Write([]byte(rec01)))
	assert.ErrorIs(t, w.Flush(), errBoom)
	// A full buffer reports the error on Write.
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = w.Write([]byte(rec01))
	}
	assert.True(t, errors.Is(err, errBoom))
}

func TestWriterAllocs(t *testing.T) {
	w := NewWriter(io.Discard)
	rec := []byte(rec04)
	allocs := testing.AllocsPerRun(1000, func() {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
