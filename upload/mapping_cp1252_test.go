package upload

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMappingBankNameInWindows1252: French Excel saves "CSV (séparateur :
// point-virgule)", the ';' mapping, in Windows-1252. Its accented bank
// names reached the API as U+FFFD (Go's JSON) and, with a PostgreSQL
// journal, every run stopped after the registration: "recording an
// account: invalid byte sequence for encoding UTF8" (found by a review). A
// bank name that is not UTF-8 is now read as Windows-1252.
func TestMappingBankNameInWindows1252(t *testing.T) {
	text := "account;dossier;bank_name\r\n" + bnpIBAN + ";1234;Soci\xe9t\xe9 G\xe9n\xe9rale\r\n"
	m, err := ParseMapping("clients.csv", strings.NewReader(text))
	if err != nil {
		if !strings.Contains(err.Error(), "clients.csv:2") {
			t.Errorf("the refusal names the line: %v", err)
		}
		return
	}
	e, ok := m.Lookup(bnpIBAN)
	if !ok {
		t.Fatal("the account is in the mapping")
	}
	if !utf8.ValidString(e.BankName) {
		t.Errorf("bank name %q is not UTF-8: the API gets U+FFFD, PostgreSQL refuses to record the account", e.BankName)
	}
	if e.BankName != "Société Générale" {
		t.Errorf("bank name %q, want Société Générale", e.BankName)
	}
}
