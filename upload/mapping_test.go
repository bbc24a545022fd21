package upload

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping("clients.csv", strings.NewReader(""+
		"account,dossier,bank_name\n"+
		"# the LCL account of client A\n"+
		"FR70 3000 2005 5000 0015 7845 Z02,1001,LCL\n"+
		"30004 00823 00010000156,1002\n"))
	require.NoError(t, err)
	assert.Equal(t, 2, m.Len())
	e, ok := m.Lookup(lclIBAN)
	require.True(t, ok)
	assert.Equal(t, MappingEntry{IBAN: lclIBAN, Dossier: 1001, BankName: "LCL", Line: 3}, e)
	e, ok = m.Lookup(bnpIBAN)
	require.True(t, ok)
	assert.Equal(t, MappingEntry{IBAN: bnpIBAN, Dossier: 1002, Line: 4}, e)

	tests := []struct{ in, want string }{
		{"FR7630004008230001000015612,1", "clients.csv:1: account \"FR7630004008230001000015612\""},
		{"30004 00823 0001000015,1", "neither an IBAN nor bank, branch and account number"},
		{lclIBAN + ",0", `clients.csv:1: dossier "0" is not a positive integer`},
		{lclIBAN + ",x", `dossier "x" is not a positive integer`},
		{lclIBAN, "clients.csv:1: 1 fields (want account,dossier,bank_name)"},
		{lclIBAN + ",1\n" + lclIBAN + ",2", "clients.csv:2: account " + lclIBAN + " is already on line 1"},
	}
	for _, tt := range tests {
		_, err := ParseMapping("clients.csv", strings.NewReader(tt.in))
		require.Error(t, err, tt.in)
		assert.Contains(t, err.Error(), tt.want, tt.in)
	}
}

// Issue 10, firm-wide batches: each account goes to its dossier; a file
// with an unmapped account is held back, named, with what to add.
func TestRunFirmWideMapping(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "client-a.txt", lclMarch)
	b := f.file(t, "client-b.txt", bnpMarch)
	c := f.file(t, "unknown.txt", unknownBank)
	m, err := ParseMapping("clients.csv", strings.NewReader(lclIBAN+",1001,Crédit Lyonnais\n30004 00823 00010000156,1002,\n"))
	require.NoError(t, err)
	opts := f.opts()
	opts.Dossier, opts.Mapping = 0, m
	sum, err := f.run(t, opts, a, b, c)
	require.ErrorIs(t, err, ErrSetup, "only a local fix is missing")
	assert.Equal(t, []string{"imported", "imported", "held no-dossier"}, f.outcomes())
	assert.Equal(t, 2, sum.Registered)
	reqs := f.sb.Requests()
	assert.Equal(t, "/api/app/banking/enterprises/1001/manual/ebics/accounts", reqs[1].Path)
	assert.JSONEq(t, `{"Iban":"`+lclIBAN+`","BankName":"Crédit Lyonnais","IsCfonbControlActive":true}`, string(reqs[1].Body))
	assert.Equal(t, "/api/app/banking/enterprises/1002/manual/ebics/accounts", reqs[2].Path)
	assert.JSONEq(t, `{"Iban":"`+bnpIBAN+`","BankName":"BNP Paribas","IsCfonbControlActive":true}`, string(reqs[2].Body))
	assert.Equal(t, []int64{1001}, f.rep.Files[0].Dossiers)
	held := f.rep.Files[2].HeldBy
	require.Len(t, held, 1)
	assert.Equal(t, AccountNoDossier, held[0].Outcome)
	assert.Equal(t, "99999 00001 12345678901 EUR", held[0].Account)
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	assert.Equal(t, int64(1001), st.Entries("")[0].Dossier)
	assert.NotNil(t, st.Registration(RegistrationKey{Platform: f.rep.Platform, Dossier: 1002, IBAN: bnpIBAN}))

	// Both a dossier and a mapping: refused.
	opts.Dossier = 7
	_, err = f.run(t, opts, a)
	require.ErrorIs(t, err, ErrSetup)
}

// TestParseMappingByteOrderMark: a mapping saved by Excel as "CSV UTF-8"
// starts with a UTF-8 byte order mark; its header was then taken for an
// account ("\ufeffaccount" is neither an IBAN nor...), and without a
// header the first IBAN was refused. cfonb export --bom writes exactly
// such files for Excel. One leading mark is skipped; line numbers stay
// those of the file. Found by a review.
func TestParseMappingByteOrderMark(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		line       int
	}{
		{"header", "\ufeffaccount,dossier,bank_name\r\nFR76 3000 4008 2300 0100 0015 611,1234,BNP Paribas\r\n", 2},
		{"quoted header", "\ufeff\"account\",\"dossier\",\"bank_name\"\r\n\"FR76 3000 4008 2300 0100 0015 611\",1234,BNP Paribas\r\n", 2},
		{"no header", "\ufeffFR76 3000 4008 2300 0100 0015 611,1234,BNP Paribas\r\n", 1},
		{"comment", "\ufeff# account,dossier,bank_name\nFR76 3000 4008 2300 0100 0015 611,1234,BNP Paribas\n", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping("clients.csv", strings.NewReader(tt.text))
			require.NoError(t, err)
			assert.Equal(t, 1, m.Len())
			e, ok := m.Lookup(bnpIBAN)
			require.True(t, ok)
			assert.Equal(t, MappingEntry{IBAN: bnpIBAN, Dossier: 1234, BankName: "BNP Paribas", Line: tt.line}, e)
		})
	}
	// Only one mark is skipped, and only at the start.
	_, err := ParseMapping("clients.csv", strings.NewReader("\ufeff\ufeffaccount,dossier\n"))
	require.Error(t, err)
	assert.Equal(t, `clients.csv:1: account "\ufeffaccount" is neither an IBAN nor bank, branch and account number (5+5+11 characters) (want account,dossier,bank_name)`, err.Error())
	_, err = ParseMapping("clients.csv", strings.NewReader("account,dossier\n\ufeff"+bnpIBAN+",1\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "clients.csv:2: account ")
}

// TestParseMappingSemicolon: a mapping saved by French Excel (or written
// like cfonb export --csv-sep ';') separates its columns with ';'; it was
// refused with "clients.csv:1: 1 fields". The separator is the first ',' or
// ';' of the first line that is not a comment; ',' files read as before.
// Found by a review.
func TestParseMappingSemicolon(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		line       int
		bank       string
	}{
		{"header", "account;dossier;bank_name\r\nFR76 3000 4008 2300 0100 0015 611;1234;BNP Paribas\r\n", 2, "BNP Paribas"},
		{"bom and header", "\ufeffaccount;dossier;bank_name\r\nFR76 3000 4008 2300 0100 0015 611;1234;BNP Paribas\r\n", 2, "BNP Paribas"},
		{"comment with commas first", "# account,dossier,bank_name\n\nFR76 3000 4008 2300 0100 0015 611;1234;BNP Paribas\n", 3, "BNP Paribas"},
		{"comma in a quoted bank name", "FR76 3000 4008 2300 0100 0015 611;1234;\"BNP Paribas, agence\"\n", 1, "BNP Paribas, agence"},
		{"comma file keeps working", "account,dossier,bank_name\nFR76 3000 4008 2300 0100 0015 611,1234,BNP Paribas\n", 2, "BNP Paribas"},
		{"semicolon in a quoted comma file", "\"FR76 3000 4008 2300 0100 0015 611\",1234,\"BNP; Paribas\"\n", 1, "BNP; Paribas"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping("clients.csv", strings.NewReader(tt.text))
			require.NoError(t, err)
			assert.Equal(t, 1, m.Len())
			e, ok := m.Lookup(bnpIBAN)
			require.True(t, ok)
			assert.Equal(t, MappingEntry{IBAN: bnpIBAN, Dossier: 1234, BankName: tt.bank, Line: tt.line}, e)
		})
	}
	// Errors name the separator of the file.
	_, err := ParseMapping("clients.csv", strings.NewReader("account;dossier\n"+bnpIBAN+";0\n"))
	require.Error(t, err)
	assert.Equal(t, `clients.csv:2: dossier "0" is not a positive integer (want account;dossier;bank_name)`, err.Error())
	_, err = ParseMapping("clients.csv", strings.NewReader(bnpIBAN+";1;BNP;x\n"))
	require.Error(t, err)
	assert.Equal(t, `clients.csv:1: 4 fields (want account;dossier;bank_name)`, err.Error())
}
