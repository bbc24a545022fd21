package validate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// TestIsBankStatement: what a directory walk keeps and passes over.
func TestIsBankStatement(t *testing.T) {
	files := []struct {
		path string
		bank bool
	}{
		{"../testdata/valid/multi-lf.txt", true},
		{"../testdata/samples/complex-test.txt", true},
		{"../testdata/invalid/balance.txt", true},
		{"../testdata/invalid/encoding-latin1.txt", true},
		{"../testdata/invalid/encoding-bom.txt", true},
		{"../testdata/invalid/record-length.txt", true},
		{"../testdata/invalid/format-cfonb240.txt", true},
		{"../testdata/invalid/format-cfonb160.txt", true},
		{"../testdata/invalid/format-mt940.txt", true},
		{"../testdata/invalid/format-camt053.xml", true},
		{"../testdata/invalid/format-csv.csv", false},
		{"../testdata/invalid/format-binary.bin", false},
		{"../testdata/invalid/empty.txt", false},
		{"../testdata/samples/README.md", false},
		{"../testdata/samples/LICENSE.silarhi", false},
	}
	for _, f := range files {
		bank, err := SniffFile(f.path)
		require.NoError(t, err)
		assert.Equal(t, f.bank, bank, f.path)
	}
	heads := []struct {
		name string
		head string
		bank bool
	}{
		{"ebcdic", "\xF0\xF1\xF3\xF0\xF0\xF0\xF4", true},
		{"blank lines first", "\r\n\r\n0130004", true},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", false},
		{"zip", "PK\x03\x04\x14\x00", false},
		{"code without bank", "01 is the first line\n", false},
		{"short", "01\n", false},
		{"go source", "package main\n", false},
	}
	for _, h := range heads {
		assert.Equal(t, h.bank, IsBankStatement([]byte(h.head)), h.name)
	}
	_, err := SniffFile(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestDetectFormatNamesDocuments (issue 12): a PDF is named as a PDF, not
// as "binary data" or CFONB120 errors.
func TestDetectFormatNamesDocuments(t *testing.T) {
	assert.Equal(t, "a PDF document (a printed statement: ask the bank for the CFONB120 file)", DetectFormat([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj")))
	assert.Equal(t, "a ZIP archive (or an Excel .xlsx or OpenDocument file)", DetectFormat([]byte("PK\x03\x04\x14\x00\x06\x00")))
	dir := t.TempDir()
	p := filepath.Join(dir, "releve.pdf")
	require.NoError(t, os.WriteFile(p, []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), 0o644))
	rep, err := File(p, Options{})
	require.NoError(t, err)
	require.Len(t, rep.Diagnostics, 1)
	assert.Equal(t, p+":1:1: error: this file is a PDF document (a printed statement: ask the bank for the CFONB120 file), not CFONB120 [format]", rep.Diagnostics[0].String())
}

// TestIsBankStatementCodes: a first record is a bank statement's when
// its record code is one of the format's four, for every two printable
// bytes. The oracle is the list written here from the format (01, 04, 05,
// 07), not cfonb.ParseCode, which IsBankStatement calls: compared with
// itself the test could not fail.
func TestIsBankStatementCodes(t *testing.T) {
	rec := readValid(t)[:cfonb.RecordLen]
	head := append([]byte(nil), rec...)
	for c0 := byte(0x20); c0 < 0x7F; c0++ {
		for c1 := byte(0x20); c1 < 0x7F; c1++ {
			if c0 == '<' || c0 == ' ' {
				continue // XML; a first byte that TrimSpace skips
			}
			head[0], head[1] = c0, c1
			code := string(head[:2])
			want := code == "01" || code == "04" || code == "05" || code == "07"
			require.Equal(t, want, IsBankStatement(head), "%q", head[:2])
		}
	}
}
