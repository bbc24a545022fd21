package upload

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestReview4MappingBankNameInWindows1252: French Excel saves "CSV
// (séparateur : point-virgule)", the ';' mapping read since today, in
// Windows-1252. Its accented bank names reach the API as U+FFFD (Go's JSON)
// and, with a PostgreSQL journal, every run stops after the registration:
// "recording an account: invalid byte sequence for encoding UTF8", the
// files "not attempted", run after run (the file-name fix quoted only the
// entries' File and Detail). ParseMapping must decode such a name or refuse
// the file, naming the line; never return a bank name that is not UTF-8.
func TestReview4MappingBankNameInWindows1252(t *testing.T) {
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
}
