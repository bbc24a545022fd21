package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOtherFormatsNamed (issue 12): inspect and fmt name CFONB240, MT940,
// camt and a PDF as validate does.
func TestOtherFormatsNamed(t *testing.T) {
	pdf := filepath.Join(t.TempDir(), "releve.pdf")
	require.NoError(t, os.WriteFile(pdf, []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), 0o644))
	tests := []struct{ path, name string }{
		{td + "invalid/format-cfonb240.txt", "CFONB240 (transfers)"},
		{td + "invalid/format-mt940.txt", "MT940 (SWIFT)"},
		{td + "invalid/format-camt053.xml", "camt.053 (ISO 20022 XML bank statement)"},
		{pdf, "a PDF document (a printed statement: ask the bank for the CFONB120 file)"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			want := "this file is " + tt.name + ", not CFONB120"
			r := cliRun(t, "", "validate", tt.path)
			assert.Equal(t, exitInvalid, r.code)
			assert.Contains(t, r.stdout, tt.path+":1:1: error: "+want+" [format]\n")

			r = cliRun(t, "", "inspect", tt.path)
			assert.Equal(t, exitInvalid, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, "cfonb inspect: "+tt.path+": "+want+"\n", r.stderr)

			r = cliRun(t, "", "fmt", tt.path)
			assert.Equal(t, exitInvalid, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.path+": error: refused, nothing written: "+want+" [fmt-refused]\n")
		})
	}
}

// TestInspectJSON (issue 12): inspect --format json, one object per file.
func TestInspectJSON(t *testing.T) {
	r := cliRun(t, "", "inspect", "-f", "json", td+"valid/multi-lf.txt", td+"invalid/balance.txt")
	assert.Equal(t, exitInvalid, r.code)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	var doc struct {
		Path       string
		Records    int
		Errors     int
		Statements []struct {
			Line           int
			ClosingLine    int    `json:"closing_line"`
			Account        string `json:"account"`
			IBAN           string `json:"iban"`
			OpeningBalance string `json:"opening_balance"`
			ClosingBalance string `json:"closing_balance"`
			TotalDebits    string `json:"total_debits"`
			Reconciles     bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &doc))
	assert.Equal(t, td+"valid/multi-lf.txt", doc.Path)
	assert.Equal(t, 22, doc.Records)
	require.Len(t, doc.Statements, 5)
	s := doc.Statements[0]
	assert.Equal(t, 1, s.Line)
	assert.Equal(t, "12345678901", s.Account)
	assert.Equal(t, "FR7630006000011234567890189", s.IBAN)
	assert.Equal(t, "1500.00", s.OpeningBalance)
	assert.Equal(t, "-84.52", s.TotalDebits)
	assert.Equal(t, "13761.15", s.ClosingBalance)
	assert.True(t, s.Reconciles)
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &doc))
	assert.Equal(t, 1, doc.Errors)
	assert.False(t, doc.Statements[0].Reconciles)

	r = cliRun(t, "", "inspect", "-f", "xml", td+"valid/multi-lf.txt")
	assert.Equal(t, exitUsage, r.code)
}

// TestExportSkipsNonBankFiles: export walks like validate, and says what
// it passed over; a dangling link stops it before any output.
func TestExportSkipsNonBankFiles(t *testing.T) {
	dir := t.TempDir()
	copyTo(t, dir, map[string]string{"a.txt": "valid/multi-lf.txt"})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("# statements\n"), 0o644))
	r := cliRun(t, "", "export", dir)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "cfonb export: skipped 1 file that is not a bank statement (name a file to check it anyway)\n")
	assert.NotEmpty(t, r.stdout)

	require.NoError(t, os.Symlink("gone.txt", filepath.Join(dir, "b.txt")))
	r = cliRun(t, "", "export", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "cfonb export: "+dir+"/b.txt: dangling symbolic link (to gone.txt)\n")
}
