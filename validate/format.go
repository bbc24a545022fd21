package validate

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/regfile"
)

// DetectFormat names the format of a file from its first bytes (a few KiB)
// when it is a known format other than CFONB120, and returns "" otherwise.
func DetectFormat(head []byte) string {
	name, _ := detectFormat(head)
	return name
}

// IsBankStatement reports whether head, the first bytes of a file (a few
// KiB, as for DetectFormat), look like a bank statement format that cfonb
// recognises: CFONB120, also in the legacy forms cfonb fmt repairs (Latin-1
// or UTF-8 accents, EBCDIC, trailing spaces stripped), CFONB240, CFONB160,
// MT940 or camt XML. Directory walks use it to pass over the other files
// of a folder (a README, a licence, a spreadsheet); a file named
// explicitly is checked whatever it holds.
func IsBankStatement(head []byte) bool {
	name, bank := detectFormat(head)
	return isBankStatement(head, name, bank)
}

// isBankStatement is IsBankStatement with what detectFormat says of head.
func isBankStatement(head []byte, name string, bank bool) bool {
	if name != "" {
		return bank
	}
	if looksEBCDIC(head) {
		return true
	}
	// CFONB120: the first record that is not blank starts with a record
	// code and a 5-digit bank code.
	for line := range bytes.Lines(bytes.TrimPrefix(head, []byte(cfonb.UTF8BOM))) {
		line = bytes.TrimRight(line, "\r\n\x1a")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(line) < cfonb.EndBank {
			return false
		}
		if cfonb.ParseCode(line) == cfonb.CodeUnknown {
			return false
		}
		for _, c := range line[cfonb.OffBank:cfonb.EndBank] {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	return false
}

// SniffFile reads the first bytes of the file at path and reports whether
// they look like a bank statement (see IsBankStatement).
//
// It reads with three system calls (see regfile.ReadHead): walking a
// directory of many small files sniffs each of them before validating it.
func SniffFile(path string) (bool, error) {
	var head [4096]byte
	n, err := regfile.ReadHead(path, head[:])
	if err != nil {
		return false, err
	}
	return IsBankStatement(head[:n]), nil
}

// detectFormat is DetectFormat, and whether the format is one of the bank
// statement formats.
func detectFormat(head []byte) (name string, bank bool) {
	head = bytes.TrimPrefix(head, []byte(cfonb.UTF8BOM))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	first := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		first = head[:i]
	}
	first = bytes.TrimSuffix(first, []byte{'\r'})
	code := ""
	if len(first) >= 2 {
		code = string(first[:2])
	}
	switch {
	case bytes.HasPrefix(trimmed, []byte("%PDF-")):
		return "a PDF document (a printed statement: ask the bank for the CFONB120 file)", false
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a ZIP archive (or an Excel .xlsx or OpenDocument file)", false
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "an Excel .xls (OLE2) document", false
	case isBinary(head):
		return "binary data", false
	case bytes.HasPrefix(trimmed, []byte("<")):
		switch {
		case bytes.Contains(head, []byte("camt.053")):
			return "camt.053 (ISO 20022 XML bank statement)", true
		case bytes.Contains(head, []byte("camt.052")):
			return "camt.052 (ISO 20022 XML account report)", true
		}
		return "XML", false
	case bytes.HasPrefix(trimmed, []byte("{1:")) || bytes.HasPrefix(trimmed, []byte(":20:")) ||
		bytes.Contains(head, []byte("\n:20:")) && bytes.Contains(head, []byte(":25:")):
		return "MT940 (SWIFT)", true
	case len(first) == 240 && (code == "31" || code == "34" || code == "39"):
		return "CFONB240 (transfers)", true
	case len(first) >= 480 && code == "31" && (string(first[240:242]) == "34" || string(first[240:242]) == "39"):
		return "CFONB240 (transfers, without line ends)", true
	case len(first) == 160 && (code == "03" || code == "06" || code == "08"):
		return "CFONB160 (LCR / direct debits)", true
	case len(first) != 120 && !cfonb.FramesAsRecords(head):
		if sep, ok := csvSeparator(head); ok {
			return fmt.Sprintf("CSV (separator %q)", sep), false
		}
	}
	return "", false
}

// csvSeparator reports whether the first lines of head look like CSV: the
// same count (at least 2) of one separator on each of the first two lines.
func csvSeparator(head []byte) (byte, bool) {
	lines := bytes.SplitN(head, []byte{'\n'}, 3)
	for _, sep := range []byte{';', ',', '\t'} {
		n := bytes.Count(lines[0], []byte{sep})
		if n < 2 {
			continue
		}
		if len(lines) < 2 || len(bytes.TrimSpace(lines[1])) == 0 || bytes.Count(lines[1], []byte{sep}) == n {
			return sep, true
		}
	}
	return 0, false
}

// formatError records that the file is another format.
func (v *Validator) formatError(name string) {
	v.stopped = true
	v.errorf(1, 1, RuleFormat, "this file is %s, not CFONB120", name)
}

// isBinary reports whether head looks like binary data: at least a tenth of
// its bytes are neither printable ASCII nor line ends, and it does not start
// like an EBCDIC record (which the encoding rule explains better).
func isBinary(head []byte) bool {
	if len(head) == 0 || looksEBCDIC(head) {
		return false
	}
	return oddBytes(head)*10 >= len(head)
}

// oddBytes counts the bytes of p that are neither printable ASCII nor a
// line end or tab. Eight bytes at a time skip the printable words (all
// of a text file but those holding a line end); the others are counted a
// byte at a time.
func oddBytes(p []byte) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	odd, i := 0, 0
	for ; i+8 <= len(p); i += 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		// A byte below 0x20, 0x7F or from 0x80 sets its high bit (as in
		// printable).
		if (w|(w+ones)|^(w+ones*0x60))&high == 0 {
			continue
		}
		odd += oddBytesSlow(p[i : i+8])
	}
	return odd + oddBytesSlow(p[i:])
}

// oddBytesSlow is oddBytes a byte at a time: the definition.
func oddBytesSlow(p []byte) int {
	odd := 0
	for _, c := range p {
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7F {
			odd++
		}
	}
	return odd
}
