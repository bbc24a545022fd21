package validate

// Rule ids. They are part of the interface: CI users filter on them, so an
// id never changes meaning once published.
const (
	RuleEmpty          = "empty"
	RuleFormat         = "format"
	RuleEncoding       = "encoding"
	RuleRecordLength   = "record-length"
	RuleBlankLine      = "blank-line"
	RuleRecordCode     = "record-code"
	RuleFieldFormat    = "field-format"
	RuleDate           = "date"
	RuleAmount         = "amount"
	RuleCurrency       = "currency"
	RuleBlankCurrency  = "blank-currency"
	RuleSequence       = "sequence"
	RuleAccountMatch   = "account-mismatch"
	RuleBalance        = "balance"
	RuleReservedZone   = "reserved-zone"
	RuleIBAN           = "iban"
	RuleDateRange      = "date-range"
	RuleOpeningBalance = "opening-balance"
	RuleStatementOrder = "statement-order"
	RuleQualifier      = "qualifier"
	RuleInterbankCode  = "interbank-code"
	RuleTooMany        = "too-many"
	RuleFraming        = "framing"
)

// RuleInfo describes a rule for documentation and `cfonb validate --rules`.
type RuleInfo struct {
	ID       string
	Severity Severity
	Summary  string
}

// Rules lists every rule in a stable order. account-mismatch is an error for
// the account number, currency and decimals, and a warning for a bank or
// branch code that alone differs.
func Rules() []RuleInfo {
	return []RuleInfo{
		{RuleEmpty, SeverityError, "the file holds no record"},
		{RuleFormat, SeverityError, "the file is another format: CFONB240, CFONB160, MT940, camt.053 XML, CSV"},
		{RuleEncoding, SeverityError, "a byte outside printable ASCII: Latin-1 or UTF-8 accents, control bytes, NUL, a byte-order mark"},
		{RuleRecordLength, SeverityError, "a record that is not exactly 120 characters"},
		{RuleRecordCode, SeverityError, "a record code other than 01, 04, 05, 07"},
		{RuleFieldFormat, SeverityError, "a field of the wrong kind: letters in a numeric field, a bad decimals digit, a blank where a value is required"},
		{RuleDate, SeverityError, "a balance, booking or value date that is not a calendar date"},
		{RuleAmount, SeverityError, "an amount that is not 13 digits and a valid sign character"},
		{RuleCurrency, SeverityError, "a currency that is not an ISO 4217 code, or whose decimals disagree with the record's decimals field"},
		{RuleSequence, SeverityError, "04/05 outside a statement, 05 not after a 04/05, 07 with no open 01, 01 while one is open, file ending inside a statement"},
		{RuleAccountMatch, SeverityError, "a 04/05/07 whose account number, currency or decimals differ from its statement's 01 (warning when only the bank or branch code differs)"},
		{RuleBalance, SeverityError, "old balance + sum of movements != new balance"},
		{RuleFraming, SeverityWarning, "a line holding several records with no line end between them (read as its records; --pedantic only)"},
		{RuleBlankLine, SeverityWarning, "an empty line between records"},
		{RuleReservedZone, SeverityWarning, "text in a reserved (blank) zone"},
		{RuleBlankCurrency, SeverityWarning, "a 04/05/07 with a blank currency or decimals field: the statement's are assumed (a 01's: --pedantic only)"},
		{RuleIBAN, SeverityWarning, "a 05 CBE/CPY account whose IBAN fails its checksum or RIB key"},
		{RuleDateRange, SeverityWarning, "a movement booked outside its statement's dates, or a new balance dated before its old balance"},
		{RuleOpeningBalance, SeverityWarning, "an opening balance that differs from the previous closing balance of the same account"},
		{RuleStatementOrder, SeverityWarning, "statements of one account out of date order"},
		{RuleQualifier, SeverityWarning, "an unknown 05 qualifier, a bank's own (kept as text; --pedantic only)"},
		{RuleInterbankCode, SeverityWarning, "a blank or unknown interbank operation code on a movement"},
		{RuleTooMany, SeverityError, "reading a pipe stopped at the --max-errors cap (the input may never end)"},
	}
}
