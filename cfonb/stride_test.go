package cfonb

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readEvery reads every record of in with a buffer of size bytes, through
// the fast paths of Read or (general) only through the general one, with
// what Printable said of each.
func readEvery(t *testing.T, in string, size int, general bool) (recs []got, printable []bool, framing Framing, sub bool) {
	t.Helper()
	r := newReaderSize(strings.NewReader(in), size)
	r.general = general
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, printable, r.Framing, r.TrailingSUB()
		}
		require.NoError(t, err)
		recs = append(recs, got{rec.Line, rec.Offset, string(rec.Data), rec.Length, rec.EOL})
		printable = append(printable, r.Printable())
		if r.Printable() {
			require.True(t, PrintableASCII(rec.Data), "Printable() on a record that is not printable: %q", rec.Data)
			require.Equal(t, RecordLen, rec.Length)
		}
	}
}

// TestReaderStride: framing by the stride (a printable 120-byte record
// followed by its line end) gives the records the general path gives,
// whatever byte is put anywhere in the first records (a line end, a
// control byte, a non-ASCII byte), in every framing, with buffers that cut
// the records anywhere.
func TestReaderStride(t *testing.T) {
	recs := []string{rec01, rec04, rec05, rec04, rec07, rec01, rec07}
	bases := map[string]string{
		"CRLF":       join(recs, "\r\n"),
		"LF":         join(recs, "\n"),
		"mixed":      rec01 + "\r\n" + rec04 + "\n" + rec05 + "\r\n" + rec07 + "\n",
		"continuous": strings.Join(recs, ""),
	}
	subst := []byte{'\n', '\r', 0, 0x1A, 0x7F, 0x1F, 0xE9, ' ', 'A'}
	for name, base := range bases {
		for pos := 0; pos < min(len(base), 3*(RecordLen+2)+1); pos++ {
			for _, c := range subst {
				in := []byte(base)
				in[pos] = c
				for _, size := range []int{minBufSize, 250, 4096} {
					want, _, wantFraming, wantSub := readEvery(t, string(in), size, true)
					gotRecs, printable, framing, sub := readEvery(t, string(in), size, false)
					require.Equal(t, want, gotRecs, "%s pos %d byte %#x size %d", name, pos, c, size)
					require.Equal(t, wantFraming, framing)
					require.Equal(t, wantSub, sub)
					if size == 4096 && c == 'A' && pos >= 2 && pos < RecordLen {
						// The stride framed the other records.
						require.Contains(t, printable[1:], true, "%s pos %d", name, pos)
					}
				}
			}
		}
	}
}
