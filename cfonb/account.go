package cfonb

// Account identifies a bank account as a CFONB record carries it: bank code,
// branch code, account number and currency. It is comparable, so it serves
// as a map key, and holds its bytes inline (no allocation).
type Account struct {
	Bank     [5]byte
	Branch   [5]byte
	Number   [11]byte
	Currency [3]byte
}

// AccountOf returns the account of a record's data (positions 3-7, 12-16,
// 22-32 and 17-19). Missing bytes of a short record are left zero.
func AccountOf(data []byte) Account {
	if len(data) >= EndAccount {
		// Every zone is there: array copies, no call per zone.
		return Account{
			Bank:     [5]byte(data[OffBank:EndBank]),
			Branch:   [5]byte(data[OffBranch:EndBranch]),
			Number:   [11]byte(data[OffAccount:EndAccount]),
			Currency: [3]byte(data[OffCurrency:EndCurrency]),
		}
	}
	var a Account
	copy(a.Bank[:], FieldBank.Of(data))
	copy(a.Branch[:], FieldBranch.Of(data))
	copy(a.Number[:], FieldAccount.Of(data))
	copy(a.Currency[:], FieldCurrency.Of(data))
	return a
}

// IBAN derives the account's French IBAN through its RIB key.
func (a *Account) IBAN() (IBAN, error) {
	return FrenchIBAN(a.Bank[:], a.Branch[:], a.Number[:])
}

// RIBKey returns the account's RIB key.
func (a *Account) RIBKey() (int, error) {
	return RIBKey(a.Bank[:], a.Branch[:], a.Number[:])
}

// String returns "bank branch number currency", e.g. "30006 00001 12345678901 EUR".
func (a Account) String() string {
	return string(a.Bank[:]) + " " + string(a.Branch[:]) + " " + string(a.Number[:]) + " " + string(a.Currency[:])
}

// Balance is the decoded content of a 01 or 07 record.
type Balance struct {
	Account  Account // bank, branch, account number and currency
	Decimals int     // number of decimals (position 20), or -1 when it is not a digit
	Date     Date    // balance date
	Amount   int64   // minor units
}

// ParseBalance decodes a 01 or 07 record. Like ParseMovement, it decodes
// every field it can: on error the returned Balance holds all the fields
// that did decode (the others are zero, and Decimals -1 if it did not), and
// the error, a *FieldError, names the first field that did not (decimals,
// date or amount, in column order). Package validate reports every
// problem; a statement's decimals follow StatementDecimals.
func ParseBalance(data []byte) (Balance, error) {
	var b Balance
	b.Account = AccountOf(data)
	var first error
	b.Decimals = -1
	if d := FieldDecimals.Of(data); len(d) == 1 && isDigit(d[0]) {
		b.Decimals = int(d[0] - '0')
	} else {
		first = &FieldError{Field: FieldDecimals, Err: ErrNotDigits}
	}
	var err error
	if b.Date, err = ParseDate(FieldBalanceDate.Of(data)); err != nil && first == nil {
		first = &FieldError{Field: FieldBalanceDate, Err: err}
	}
	if b.Amount, err = ParseAmount(FieldBalance.Of(data)); err != nil && first == nil {
		first = &FieldError{Field: FieldBalance, Err: err}
	}
	return b, first
}

// balanceOf is ParseBalance without the error, and whether the date and
// the amount decode (balanceOK): each field decoded once, for the
// statement model (TestBalanceOfAgrees compares).
func balanceOf(data []byte) (b Balance, ok bool) {
	b.Account = AccountOf(data)
	b.Decimals = -1
	if d := FieldDecimals.Of(data); len(d) == 1 && isDigit(d[0]) {
		b.Decimals = int(d[0] - '0')
	}
	var derr, aerr error
	b.Date, derr = ParseDate(FieldBalanceDate.Of(data))
	b.Amount, aerr = ParseAmount(FieldBalance.Of(data))
	return b, derr == nil && aerr == nil
}

// balanceOK reports whether the date and the amount of a 01 or 07 decode.
func balanceOK(data []byte) bool {
	if _, err := ParseDate(FieldBalanceDate.Of(data)); err != nil {
		return false
	}
	_, err := ParseAmount(FieldBalance.Of(data))
	return err == nil
}
