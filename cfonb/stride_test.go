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

// readStrides reads every record of in with a buffer of size bytes, with
// ReadStride where it takes the record (then StrideRecord) and Read
// otherwise, as the validator does (or, with useStride false, with Read
// alone), with what Printable and InputOffset said after each and how many
// ReadStride took.
func readStrides(t *testing.T, in string, size, maxKeep int, useStride bool) (recs []got, printable []bool, offsets []int64, framing Framing, sub bool, strided int) {
	t.Helper()
	r := newReaderSize(strings.NewReader(in), size)
	r.MaxKeep = maxKeep
	for {
		var rec Record
		var data *[RecordLen]byte
		ok := false
		if useStride {
			data, ok = r.ReadStride()
		}
		if ok {
			strided++
			rec = r.StrideRecord()
			require.Equal(t, string(data[:]), string(rec.Data))
			require.True(t, r.Printable())
		} else {
			var err error
			rec, err = r.Read()
			if errors.Is(err, io.EOF) {
				return recs, printable, offsets, r.Framing, r.TrailingSUB(), strided
			}
			require.NoError(t, err)
		}
		recs = append(recs, got{rec.Line, rec.Offset, string(rec.Data), rec.Length, rec.EOL})
		printable = append(printable, r.Printable())
		offsets = append(offsets, r.InputOffset())
		require.Equal(t, rec.Line, r.Line())
	}
}

// TestReadStride: reading with ReadStride where it takes a record gives
// the records that the general path gives, and the Printable and
// InputOffset that Read alone gives, whatever byte is put anywhere in the
// first records, in every framing, with buffers that cut the records
// anywhere and with a MaxKeep below a record's length.
func TestReadStride(t *testing.T) {
	recs := []string{rec01, rec04, rec05, rec04, rec07, rec01, rec07}
	bases := map[string]string{
		"CRLF":       join(recs, "\r\n"),
		"LF":         join(recs, "\n"),
		"CR":         join(recs, "\r"),
		"mixed":      rec01 + "\r\n" + rec04 + "\n" + rec05 + "\r\n" + rec07 + "\n",
		"continuous": strings.Join(recs, ""),
		"two on one": rec01 + rec04 + "\r\n" + rec05 + "\r\n" + rec07 + "\r\n",
	}
	subst := []byte{'\n', '\r', 0, 0x1A, 0x7F, 0x1F, 0xE9, ' ', 'A'}
	strided := 0
	for name, base := range bases {
		for pos := 0; pos < min(len(base), 3*(RecordLen+2)+1); pos++ {
			for _, c := range subst {
				in := []byte(base)
				in[pos] = c
				for _, size := range []int{minBufSize, 250, 4096} {
					if size == 250 && pos%3 != 0 {
						continue // a third of the positions with this cut of the buffer
					}
					for _, maxKeep := range []int{0, 100} {
						if maxKeep > 0 && (size != 4096 || pos%5 != 0) {
							continue // enough to see ReadStride decline
						}
						msg := []any{"%s pos %d byte %#x size %d MaxKeep %d", name, pos, c, size, maxKeep} // formatted on a failure only
						want, _, wantFraming, wantSub := readEvery(t, string(in), size, true)
						if maxKeep > 0 {
							want = keep(want, maxKeep)
						}
						gotRecs, printable, offsets, framing, sub, n := readStrides(t, string(in), size, maxKeep, true)
						strided += n
						require.Equal(t, want, gotRecs, msg...)
						require.Equal(t, wantFraming, framing, msg...)
						require.Equal(t, wantSub, sub, msg...)
						_, wantPrintable, wantOffsets, _, _, _ := readStrides(t, string(in), size, maxKeep, false)
						require.Equal(t, wantOffsets, offsets, msg...)
						// Printable as Read alone says, or true where Read
						// did not test the record (it searched for the
						// line end).
						for i := range printable {
							if printable[i] != wantPrintable[i] {
								require.True(t, printable[i] && PrintableASCII([]byte(gotRecs[i].Data)) && gotRecs[i].Length == RecordLen, msg...)
							}
						}
						if maxKeep > 0 {
							require.Zero(t, n, "no record by the stride when MaxKeep cuts it")
						}
					}
				}
			}
		}
	}
	require.Greater(t, strided, 10000, "ReadStride took records")
}

// keep cuts the data of recs to maxKeep bytes, as a Reader of that
// MaxKeep keeps them.
func keep(recs []got, maxKeep int) []got {
	out := make([]got, len(recs))
	for i, r := range recs {
		if len(r.Data) > maxKeep {
			r.Data = r.Data[:maxKeep]
		}
		out[i] = r
	}
	return out
}
