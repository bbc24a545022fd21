package cfonb

import "bytes"

// The framing rules of CFONB120, in one place: how the records of an input
// are delimited (DetectFraming) and when one line holds several records
// (Concatenated). The Reader and the normaliser (package normalize) both
// frame with these functions, so that no command reads a file differently
// from another.

// DetectWindow is how much of an input DetectFraming looks at: the same
// bytes whatever the size of the reads that brought them.
const DetectWindow = 4 << 10

// isRecordCode reports whether p starts with one of the four record codes.
func isRecordCode(p []byte) bool { return len(p) >= 2 && ParseCode(p) != CodeUnknown }

// recordCodesEvery120 reports whether p holds at least two records' worth
// of bytes and a record code (01, 04, 05 or 07) starts p and every
// 120-byte slice of it that is long enough to hold one.
func recordCodesEvery120(p []byte) bool {
	if len(p) < RecordLen+2 {
		return false
	}
	for i := 0; i+2 <= len(p); i += RecordLen {
		if !isRecordCode(p[i:]) {
			return false
		}
	}
	return true
}

// MaxConcatenatedLine is the longest line (without its line end) of
// several concatenated records that is read as its records: 4 MiB, 34,952
// records. It is the one limit of both a Reader and a normalizer (fmt),
// whatever their buffer and line end: a longer line is one record, too
// long, and fmt refuses it. Some EBICS exports write a whole day's
// movements on one line.
const MaxConcatenatedLine = 4 << 20

// ConcatenatedLineBuf is the size of a buffer that holds whole the
// longest line read as its records (MaxConcatenatedLine bytes) and what
// tells where it ends: its CRLF, or its CR and the byte after it (an LF of
// the same line end, or not). A Reader's buffer grows up to it, and no
// further, when a line that does not fit starts as such a line; a
// normalizer's too.
const ConcatenatedLineBuf = MaxConcatenatedLine + 2

// Concatenated returns k when the line holds k >= 2 records with no line
// end between them: its length is a multiple of 120 and each 120-byte slice
// starts with a record code (01, 04, 05 or 07). It returns 0 otherwise.
// Some EBICS exports write a statement's 01 on its own line, then lines of
// several records, then the 07: such lines are read as their records.
func Concatenated(line []byte) int {
	if len(line) < 2*RecordLen || len(line)%RecordLen != 0 || !recordCodesEvery120(line) {
		return 0
	}
	return len(line) / RecordLen
}

// FramesAsRecords reports whether the first bytes of an input (a few KiB)
// frame as CFONB120 records: a first line (or the first bytes, with no
// line end) that is one record of 120 characters starting with a record
// code, or a run of 120-byte slices that each start with a record code.
// Format detection prefers CFONB120 over CSV whenever this holds: labels
// may contain commas and semicolons.
func FramesAsRecords(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte(UTF8BOM))
	first := head
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		first = head[:i]
	}
	if len(first) == RecordLen && isRecordCode(first) {
		return true
	}
	return recordCodesEvery120(first)
}

// DetectFraming decides how the records of an input are delimited from its
// first bytes p; only the first DetectWindow bytes count, so that the
// answer does not depend on how the input was read. atEOF says that p is
// the whole input. In order, with "the body" being those bytes without the
// CR, LF and 0x1A bytes that end the input:
//   - an LF in the body: FramingLines;
//   - no LF at all, and a CR among the first 121 bytes: FramingCR;
//   - a body of at least 122 bytes with record codes (two digits) at
//     offsets 0 and 120: FramingContinuous, except for a whole input that
//     ends with line ends and whose body is not a whole number of
//     records: that is one long line, read as such (and a line that fmt
//     leaves as it is reads back the same way);
//   - no LF at all and a CR: FramingCR;
//   - otherwise FramingLines (a single record, an empty input, a file with
//     one over-long line).
func DetectFraming(p []byte, atEOF bool) Framing {
	if len(p) > DetectWindow {
		p, atEOF = p[:DetectWindow], false
	}
	body := p
	if atEOF {
		body = bytes.TrimRight(body, "\r\n\x1a")
	}
	if bytes.IndexByte(body, '\n') >= 0 {
		return FramingLines
	}
	noLF := bytes.IndexByte(p, '\n') < 0
	cr := bytes.IndexByte(p, '\r')
	if noLF && cr >= 0 && cr <= RecordLen {
		return FramingCR
	}
	if len(body) >= RecordLen+2 && isDigit(body[0]) && isDigit(body[1]) &&
		isDigit(body[RecordLen]) && isDigit(body[RecordLen+1]) &&
		!(atEOF && bytes.ContainsAny(p[len(body):], "\r\n") && len(body)%RecordLen != 0) {
		return FramingContinuous
	}
	if noLF && cr >= 0 {
		return FramingCR
	}
	return FramingLines
}

// UTF8BOM is the UTF-8 byte-order mark that editors put at the start of a
// file; it is no part of a CFONB120 record.
const UTF8BOM = "\xEF\xBB\xBF"
