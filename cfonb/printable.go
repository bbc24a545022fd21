package cfonb

import "encoding/binary"

// PrintableASCII reports whether every byte of data is printable ASCII
// (0x20-0x7E). Eight bytes are tested at a time, without a branch per
// word: for a byte b, b+0x01 has its high bit set for 0x7F to 0xFE, and
// b-0x20 has it set below 0x20 and from 0xA0 (0xFF included); neither
// carries nor borrows across bytes for a good byte, so the lowest bad byte
// of a word is always caught, and a word of good bytes sets no high bit.
// Printable bytes hold no line end: the Reader frames records by their
// stride with this test (see Reader.Printable).
func PrintableASCII(data []byte) bool {
	if len(data) == RecordLen {
		return printableRecord((*[RecordLen]byte)(data))
	}
	var acc uint64
	i := 0
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		acc |= (w + ones) | (w - ones*0x20)
	}
	for ; i < len(data); i++ {
		// One byte: a borrow reaches the bytes above it, which are
		// not data.
		c := uint64(data[i])
		acc |= ((c + 1) | (c - 0x20)) & 0xFF
	}
	return acc&high == 0
}

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// printableRecord is PrintableASCII for the common case, unrolled over a
// fixed-size array: constant offsets (no bounds checks, no loop), and
// independent words for the CPU to overlap.
func printableRecord(p *[RecordLen]byte) bool {
	le := binary.LittleEndian
	bad := func(w uint64) uint64 { return (w + ones) | (w - ones*0x20) }
	a0 := bad(le.Uint64(p[0:8])) | bad(le.Uint64(p[24:32])) | bad(le.Uint64(p[48:56])) | bad(le.Uint64(p[72:80])) | bad(le.Uint64(p[96:104]))
	a1 := bad(le.Uint64(p[8:16])) | bad(le.Uint64(p[32:40])) | bad(le.Uint64(p[56:64])) | bad(le.Uint64(p[80:88])) | bad(le.Uint64(p[104:112]))
	a2 := bad(le.Uint64(p[16:24])) | bad(le.Uint64(p[40:48])) | bad(le.Uint64(p[64:72])) | bad(le.Uint64(p[88:96])) | bad(le.Uint64(p[112:120]))
	return (a0|a1|a2)&high == 0
}

// The unrolled test takes 15 words: it fails to compile (a negative
// constant) if RecordLen were not 120.
const _ = uint(RecordLen-120) + uint(120-RecordLen)
