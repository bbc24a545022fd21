package upload

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// banksCSV is the table of French bank codes; its header cites its source
// (Banque de France's "Fichier des implantations bancaires", also listed by
// the ACPR's REGAFI register).
//
//go:embed banks.csv
var banksCSV string

// bankTable is the parsed banksCSV, built once and never modified.
var bankTable = sync.OnceValue(func() map[string]string {
	m, err := parseBankTable(banksCSV)
	if err != nil {
		// The table is embedded and checked by a test: this cannot happen
		// in a released binary.
		panic(err)
	}
	return m
})

// parseBankTable reads "code;name" lines; '#' starts a comment line.
func parseBankTable(s string) (map[string]string, error) {
	m := make(map[string]string)
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, ";")
		if !ok || len(code) != 5 || strings.Trim(code, "0123456789") != "" || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("banks.csv line %d: want CODE;NAME with a 5-digit code, got %q", i+1, line)
		}
		if _, dup := m[code]; dup {
			return nil, fmt.Errorf("banks.csv line %d: code %s listed twice", i+1, code)
		}
		m[code] = strings.TrimSpace(name)
	}
	return m, nil
}

// BankName returns the name of the French bank whose five-digit code
// ("code établissement") is code, from the embedded table, and whether the
// code is listed.
func BankName(code string) (string, bool) {
	name, ok := bankTable()[code]
	return name, ok
}

// BankNames chooses the BankName sent when an account is registered. The
// zero value uses the embedded table only.
type BankNames struct {
	// ByCode overrides the table for the given bank codes.
	ByCode map[string]string
	// Default names the banks whose code is neither in ByCode nor in the
	// table. Empty means such a bank is an error.
	Default string
}

// ParseBankNames reads --bank-name values: "CODE=NAME" names the bank of one
// five-digit code, a bare "NAME" names every bank the table does not list.
// A value with '=' but no five-digit code before it is refused rather than
// taken as a name: "3000=Foo" is a mistyped code, not the name of a bank.
func ParseBankNames(values []string) (BankNames, error) {
	var b BankNames
	for _, v := range values {
		if !utf8.ValidString(v) {
			// Sent garbled to the API, and refused by a PostgreSQL journal.
			return b, fmt.Errorf("--bank-name %q is not UTF-8 text (is the terminal's character set UTF-8?)", v)
		}
		code, name, ok := strings.Cut(v, "=")
		if ok && (len(code) != 5 || strings.Trim(code, "0123456789") != "") {
			return b, fmt.Errorf("--bank-name %q: CODE=NAME needs a five-digit bank code before '=', e.g. 30004=BNP Paribas", v)
		}
		if ok {
			name = strings.TrimSpace(name)
			if name == "" {
				return b, fmt.Errorf("--bank-name %q: empty name", v)
			}
			if b.ByCode == nil {
				b.ByCode = make(map[string]string)
			}
			b.ByCode[code] = name
			continue
		}
		name = strings.TrimSpace(v)
		if name == "" {
			return b, fmt.Errorf("--bank-name: empty name")
		}
		if b.Default != "" && b.Default != name {
			return b, fmt.Errorf("--bank-name given twice without a bank code (%q and %q): use CODE=NAME", b.Default, name)
		}
		b.Default = name
	}
	return b, nil
}

// Lookup returns the name to send for the bank of code, or an error that
// tells the user how to supply one. It never returns an empty name.
func (b BankNames) Lookup(code string) (string, error) {
	if name := b.ByCode[code]; name != "" {
		return name, nil
	}
	if name, ok := BankName(code); ok {
		return name, nil
	}
	if b.Default != "" {
		return b.Default, nil
	}
	return "", fmt.Errorf("bank code %s is not in cfonb's table of French banks: name the bank with --bank-name NAME or --bank-name %s=NAME", code, code)
}
