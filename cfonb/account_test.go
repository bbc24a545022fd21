package cfonb

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func acct(bank, branch, number, currency string) Account {
	var a Account
	copy(a.Bank[:], bank)
	copy(a.Branch[:], branch)
	copy(a.Number[:], number)
	copy(a.Currency[:], currency)
	return a
}

func TestAccountOf(t *testing.T) {
	tests := []struct {
		data string
		want Account
		str  string
	}{
		{rec01, acct("10278", "02204", "00012345603", "EUR"), "10278 02204 00012345603 EUR"},
		{rec04, acct("10556", "02204", "00012345603", "EUR"), "10556 02204 00012345603 EUR"},
		{rec05, acct("10556", "02204", "00012345603", "EUR"), "10556 02204 00012345603 EUR"},
		{rec07, acct("10278", "02204", "00012345603", "EUR"), "10278 02204 00012345603 EUR"},
		{rec01[:25], acct("10278", "02204", "0001", "EUR"), "10278 02204 0001\x00\x00\x00\x00\x00\x00\x00 EUR"},
		{"", Account{}, "\x00\x00\x00\x00\x00 \x00\x00\x00\x00\x00 \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00 \x00\x00\x00"},
	}
	for _, tt := range tests {
		a := AccountOf([]byte(tt.data))
		assert.Equal(t, tt.want, a)
		assert.Equal(t, tt.str, a.String())
	}
	// Comparable: records of one account give one map key, whatever
	// their type.
	m := map[Account]int{}
	for _, r := range statement {
		m[AccountOf([]byte(r))]++
	}
	assert.Equal(t, map[Account]int{
		acct("10278", "02204", "00012345603", "EUR"): 2,
		acct("10556", "02204", "00012345603", "EUR"): 2,
	}, m)

	allocs := testing.AllocsPerRun(1000, func() { m[AccountOf([]byte(rec04))]++ })
	assert.Zero(t, allocs)
}

func TestAccountIBAN(t *testing.T) {
	a := AccountOf([]byte(rec01))
	key, err := a.RIBKey()
	require.NoError(t, err)
	assert.Equal(t, refRIBKey("10278", "02204", "00012345603"), key)
	ib, err := a.IBAN()
	require.NoError(t, err)
	assert.Equal(t, IBAN(refIBAN("FR", fmt.Sprintf("102780220400012345603%02d", key))), ib)
	assert.NoError(t, CheckIBAN(string(ib)))

	short := AccountOf([]byte(rec01[:25]))
	_, err = short.IBAN()
	assert.ErrorIs(t, err, ErrRIBInput)
}

func TestParseBalance(t *testing.T) {
	b, err := ParseBalance([]byte(rec01))
	require.NoError(t, err)
	assert.Equal(t, Balance{Account: acct("10278", "02204", "00012345603", "EUR"), Decimals: 2,
		Date: NewDate(2020, 4, 6), Amount: 1669565}, b)

	b, err = ParseBalance([]byte(rec07))
	require.NoError(t, err)
	assert.Equal(t, NewDate(2020, 4, 7), b.Date)
	// The statement balances: 16695.65 - 22.79 = 16672.86.
	assert.Equal(t, int64(1669565-2279), b.Amount)
	assert.Equal(t, "16672.86", FormatDecimal(b.Amount, b.Decimals))
}

func TestParseBalanceErrors(t *testing.T) {
	with := func(col int, s string) string { return rec01[:col-1] + s + rec01[col-1+len(s):] }
	tests := []struct {
		name  string
		data  string
		field FieldID
		err   error
		msg   string
	}{
		{"blank decimals", with(20, " "), FieldDecimals, ErrNotDigits, "number of decimals (column 20): not digits"},
		{"letter decimals", with(20, "X"), FieldDecimals, ErrNotDigits, "number of decimals (column 20): not digits"},
		{"no decimals", rec01[:19], FieldDecimals, ErrNotDigits, "number of decimals (column 20): not digits"},
		{"30 February", with(35, "300220"), FieldBalanceDate, &DateError{}, "balance date (column 35): 30 February 2020 does not exist"},
		{"blank date", with(35, "      "), FieldBalanceDate, ErrDateDigits, "balance date (column 35): date is not 6 digits JJMMAA"},
		{"short in the date", rec01[:38], FieldBalanceDate, ErrDateDigits, "balance date (column 35): date is not 6 digits JJMMAA"},
		{"bad sign", with(104, " "), FieldBalance, ErrAmountSign, "balance (column 91): " + ErrAmountSign.Error()},
		{"blank amount", with(91, "              "), FieldBalance, ErrAmountDigit, "balance (column 91): " + ErrAmountDigit.Error()},
		{"short in the amount", rec01[:100], FieldBalance, ErrAmountLength, "balance (column 91): " + ErrAmountLength.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBalance([]byte(tt.data))
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			if de, ok := tt.err.(*DateError); ok {
				assert.ErrorAs(t, err, &de)
			} else {
				assert.ErrorIs(t, err, tt.err)
			}
			assert.EqualError(t, err, tt.msg)
		})
	}
}

func TestParseError(t *testing.T) {
	err := error(&ParseError{Line: 3, Column: 35, Err: ErrDateDigits})
	assert.EqualError(t, err, "line 3, column 35: date is not 6 digits JJMMAA")
	assert.True(t, errors.Is(err, ErrDateDigits))
	wrapped := fmt.Errorf("file.txt: %w", err)
	var pe *ParseError
	require.ErrorAs(t, wrapped, &pe)
	assert.Equal(t, 35, pe.Column)

	// The whole line, the whole input.
	assert.EqualError(t, &ParseError{Line: 3, Err: ErrDateDigits}, "line 3: date is not 6 digits JJMMAA")
	assert.EqualError(t, &ParseError{Err: ErrDateDigits}, "date is not 6 digits JJMMAA")
}
