package fuzz

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// framings are the framings a fuzzed Reader is given (index: fuzz input).
var framings = []cfonb.Framing{cfonb.FramingAuto, cfonb.FramingLines, cfonb.FramingContinuous, cfonb.FramingCR}

// eolBytes is the line end a record's EOL stands for.
func eolBytes(e cfonb.EOL) []byte {
	switch e {
	case cfonb.EOLLF:
		return []byte("\n")
	case cfonb.EOLCRLF:
		return []byte("\r\n")
	case cfonb.EOLCR:
		return []byte("\r")
	}
	return nil
}

// readAll reads every record of data (cloned) with the given framing and
// MaxKeep, and returns them with the framing the reader used and whether
// it dropped a trailing 0x1A.
func readAll(data []byte, framing cfonb.Framing, maxKeep int) (recs []cfonb.Record, used cfonb.Framing, sub bool, offset int64, err error) {
	r := cfonb.NewReader(bytes.NewReader(data))
	r.Framing = framing
	r.MaxKeep = maxKeep
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, r.Framing, r.TrailingSUB(), r.InputOffset(), nil
		}
		if err != nil {
			return recs, r.Framing, false, r.InputOffset(), err
		}
		recs = append(recs, rec.Clone())
	}
}

// FuzzReader checks the reader on any input: it never panics nor hangs, it
// numbers lines 1, 2, 3... (the records of a line of concatenated records
// share its number), each record's data is what the input holds at
// its offset, records follow each other without overlap and account for
// every byte, and the 120-byte printable records of an input, written again
// by cfonb.Writer with any line end, read back identical.
func FuzzReader(f *testing.F) {
	for _, s := range allSeeds(f) {
		f.Add(s, uint8(0), uint16(0))
	}
	f.Add([]byte("01\r\n04"), uint8(3), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, framingIndex uint8, maxKeep uint16) {
		framing := framings[int(framingIndex)%len(framings)]
		keep := int(maxKeep % 2048) // 0: cfonb.DefaultMaxKeep
		var (
			recs   []cfonb.Record
			used   cfonb.Framing
			sub    bool
			offset int64
			err    error
		)
		noHang(t, 20*time.Second, "Reader.Read", func() {
			recs, used, sub, offset, err = readAll(data, framing, keep)
		})
		if err != nil {
			t.Fatalf("a bytes.Reader never fails, yet Read returned %v", err)
		}
		if framing != cfonb.FramingAuto && used != framing {
			t.Fatalf("framing %v became %v", framing, used)
		}
		if used == cfonb.FramingAuto {
			t.Fatal("the framing is still auto after reading")
		}
		if keep == 0 {
			keep = cfonb.DefaultMaxKeep
		}
		if offset != int64(len(data)) {
			t.Fatalf("InputOffset is %d at the end of a %d-byte input", offset, len(data))
		}
		next := int64(0) // the first byte after the previous record and its line end
		line, col := 0, 0
		for i, rec := range recs {
			if rec.Column == 0 {
				line, col = line+1, 1
			} else {
				// A record split out of a line of concatenated records.
				col += cfonb.RecordLen
				if used == cfonb.FramingContinuous || rec.Column != col || rec.Offset != next || rec.Length != cfonb.RecordLen {
					t.Fatalf("record %d: column %d, offset %d, length %d: not the next record of line %d", i+1, rec.Column, rec.Offset, rec.Length, line)
				}
			}
			if rec.Line != line {
				t.Fatalf("record %d has line %d, want %d", i+1, rec.Line, line)
			}
			if rec.Offset < next {
				t.Fatalf("line %d: offset %d overlaps the previous record (ends at %d)", rec.Line, rec.Offset, next)
			}
			if used != cfonb.FramingContinuous && rec.Offset != next {
				t.Fatalf("line %d: offset %d, but the previous line ended at %d", rec.Line, rec.Offset, next)
			}
			// Only CR and LF may lie between records (continuous framing).
			if gap := data[next:rec.Offset]; len(bytes.Trim(gap, "\r\n")) != 0 {
				t.Fatalf("line %d: skipped bytes %q before the record", rec.Line, gap)
			}
			end := rec.Offset + int64(rec.Length)
			if end > int64(len(data)) {
				t.Fatalf("line %d: offset %d + length %d is past the input's %d bytes", rec.Line, rec.Offset, rec.Length, len(data))
			}
			if len(rec.Data) > rec.Length || len(rec.Data) > keep {
				t.Fatalf("line %d: %d bytes of data for a length of %d (MaxKeep %d)", rec.Line, len(rec.Data), rec.Length, keep)
			}
			if len(rec.Data) < min(rec.Length, keep) {
				t.Fatalf("line %d: only %d bytes kept of %d (MaxKeep %d)", rec.Line, len(rec.Data), rec.Length, keep)
			}
			if !bytes.Equal(rec.Data, data[rec.Offset:rec.Offset+int64(len(rec.Data))]) {
				t.Fatalf("line %d: data %q is not the input's bytes at offset %d", rec.Line, rec.Data, rec.Offset)
			}
			if used == cfonb.FramingContinuous && rec.Length > cfonb.RecordLen {
				t.Fatalf("line %d: a continuous record of %d bytes", rec.Line, rec.Length)
			}
			eol := eolBytes(rec.EOL)
			if !bytes.HasPrefix(data[end:], eol) {
				t.Fatalf("line %d: line end %v, but the input has %q", rec.Line, rec.EOL, data[end:min(end+2, int64(len(data)))])
			}
			next = end + int64(len(eol))
		}
		// The rest of the input: CR/LF (continuous framing) and a 0x1A,
		// which is the last byte, or in continuous framing the last byte
		// before the line ends that framing skips.
		rest := data[next:]
		if sub {
			last := rest
			if used == cfonb.FramingContinuous {
				last = bytes.TrimRight(rest, "\r\n")
			}
			if len(last) == 0 || last[len(last)-1] != 0x1a {
				t.Fatalf("TrailingSUB, but the input ends with %q", rest)
			}
			rest = append(bytes.Clone(last[:len(last)-1]), rest[len(last):]...)
		}
		if len(bytes.Trim(rest, "\r\n")) != 0 {
			t.Fatalf("bytes %q after the last record were not returned", rest)
		}

		// Round trip of the well-formed records.
		var good [][]byte
		for _, rec := range recs {
			if rec.Length == cfonb.RecordLen && len(rec.Data) == cfonb.RecordLen && printableASCII(rec.Data) {
				good = append(good, rec.Data)
			}
		}
		if len(good) == 0 {
			return
		}
		for _, eol := range []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF, cfonb.EOLNone} {
			var buf bytes.Buffer
			w := cfonb.NewWriter(&buf)
			w.EOL = eol
			for _, g := range good {
				if err := w.Write(g); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			want := cfonb.FramingLines
			if eol == cfonb.EOLNone {
				want = cfonb.FramingContinuous
			}
			back, _, _, _, err := readAll(buf.Bytes(), want, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(good) {
				t.Fatalf("EOL %v: %d records written, %d read back", eol, len(good), len(back))
			}
			for i := range good {
				if !bytes.Equal(back[i].Data, good[i]) || back[i].EOL != eol || back[i].Length != cfonb.RecordLen {
					t.Fatalf("EOL %v: record %d written as %q, read back as %q (%v)", eol, i+1, good[i], back[i].Data, back[i].EOL)
				}
			}
			// Auto framing finds the same records when they start with a
			// record code.
			if isDigit(good[0][0]) && isDigit(good[0][1]) && (len(good) == 1 || isDigit(good[1][0]) && isDigit(good[1][1])) {
				auto, _, _, _, _ := readAll(buf.Bytes(), cfonb.FramingAuto, 0)
				if len(auto) != len(good) {
					t.Fatalf("EOL %v, auto framing: %d records written, %d read back", eol, len(good), len(auto))
				}
			}
		}
	})
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// printableASCII reports whether b holds only bytes 0x20 to 0x7E.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
