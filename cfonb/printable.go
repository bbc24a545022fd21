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
// fixed-size array: no bounds checks, and independent words for the CPU to
// overlap.
func printableRecord(p *[RecordLen]byte) bool {
	var a0, a1, a2 uint64
	for i := 0; i < RecordLen; i += 24 {
		w0 := binary.LittleEndian.Uint64(p[i : i+8])
		w1 := binary.LittleEndian.Uint64(p[i+8 : i+16])
		w2 := binary.LittleEndian.Uint64(p[i+16 : i+24])
		a0 |= (w0 + ones) | (w0 - ones*0x20)
		a1 |= (w1 + ones) | (w1 - ones*0x20)
		a2 |= (w2 + ones) | (w2 - ones*0x20)
	}
	return (a0|a1|a2)&high == 0
}

// The unrolled loop takes 24 bytes at a time: it fails to compile (a
// negative constant) if RecordLen were not a multiple of 24.
const _ = uint(0 - RecordLen%24)
