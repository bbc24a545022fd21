package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/atomicfile"
)

// SampleStatement describes one statement of a sample file: an old
// balance, one movement per amount, and a new balance that reconciles.
type SampleStatement struct {
	Bank, Branch, Account string // 5 digits, 5 digits, 11 digits or capitals
	Currency              string // ISO 4217 code; empty means EUR
	From, To              cfonb.Date
	Opening               int64   // minor units (2 decimals)
	Movements             []int64 // minor units, negative for a debit
}

// Closing returns the statement's new balance.
func (s SampleStatement) Closing() int64 {
	c := s.Opening
	for _, m := range s.Movements {
		c += m
	}
	return c
}

// SampleFile returns a valid CFONB120 file (two decimals, 120-character
// records, eol after each) holding the statements. It returns an error
// for a field that does not fit its record.
func SampleFile(eol string, stmts ...SampleStatement) ([]byte, error) {
	var buf bytes.Buffer
	for _, s := range stmts {
		cur := s.Currency
		if cur == "" {
			cur = "EUR"
		}
		if len(s.Bank) != 5 || len(s.Branch) != 5 || len(s.Account) != 11 || len(cur) != 3 {
			return nil, fmt.Errorf("sample statement: bank %q, branch %q, account %q, currency %q do not have 5, 5, 11 and 3 characters", s.Bank, s.Branch, s.Account, cur)
		}
		head := func(code string) []byte {
			r := bytes.Repeat([]byte{' '}, cfonb.RecordLen)
			copy(r[cfonb.OffCode:], code)
			copy(r[cfonb.OffBank:], s.Bank)
			copy(r[cfonb.OffBranch:], s.Branch)
			copy(r[cfonb.OffCurrency:], cur)
			r[cfonb.OffDecimals] = '2'
			copy(r[cfonb.OffAccount:], s.Account)
			return r
		}
		balance := func(code string, d cfonb.Date, amount int64) error {
			r := head(code)
			copy(r[cfonb.OffBalanceDate:], d.AppendJJMMAA(nil))
			a, err := cfonb.AppendAmount(nil, amount)
			if err != nil {
				return err
			}
			copy(r[cfonb.OffBalance:], a)
			buf.Write(r)
			buf.WriteString(eol)
			return nil
		}
		if err := balance("01", s.From, s.Opening); err != nil {
			return nil, err
		}
		for i, m := range s.Movements {
			r := head("04")
			copy(r[cfonb.OffInternalCode:], "0001")
			op := "05" // virement reçu
			if m < 0 {
				op = "06" // virement émis
			}
			copy(r[cfonb.OffInterbankCode:], op)
			copy(r[cfonb.OffBookingDate:], s.To.AppendJJMMAA(nil))
			copy(r[cfonb.OffValueDate:], s.To.AppendJJMMAA(nil))
			copy(r[cfonb.OffLabel:cfonb.EndLabel], fmt.Sprintf("SAMPLE MOVEMENT %d", i+1))
			copy(r[cfonb.OffEntryNumber:cfonb.EndEntryNumber], fmt.Sprintf("%07d", i+1))
			a, err := cfonb.AppendAmount(nil, m)
			if err != nil {
				return nil, err
			}
			copy(r[cfonb.OffAmount:], a)
			copy(r[cfonb.OffReference:cfonb.EndReference], fmt.Sprintf("REF%013d", i+1))
			buf.Write(r)
			buf.WriteString(eol)
		}
		if err := balance("07", s.To, s.Closing()); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// Samples are the statements of the files WriteSamples writes: March 2026
// for an LCL account and a BNP Paribas account, and April 2026 for the
// LCL account.
var sampleFiles = []struct {
	name  string
	stmts []SampleStatement
}{
	{"lcl-2026-03.txt", []SampleStatement{{Bank: "30002", Branch: "00550", Account: "0000157845Z",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: 1_250_000, Movements: []int64{-45_990, 310_000, -12_050}}}},
	{"bnp-2026-03.txt", []SampleStatement{{Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: -20_000, Movements: []int64{150_000}}}},
	{"lcl-2026-04.txt", []SampleStatement{{Bank: "30002", Branch: "00550", Account: "0000157845Z",
		From: cfonb.NewDate(2026, 3, 31), To: cfonb.NewDate(2026, 4, 30), Opening: 1_501_960, Movements: []int64{-99_900}}}},
}

// WriteSamples writes three small valid statement files into dir (created
// if needed) for a rehearsal, and returns their paths.
func WriteSamples(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var paths []string
	for _, sf := range sampleFiles {
		data, err := SampleFile("\r\n", sf.stmts...)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, sf.name)
		if err := atomicfile.WriteFile(p, data, 0o644); err != nil {
			return nil, fmt.Errorf("samples: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
