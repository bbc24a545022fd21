package cfonb

// The statement model: one statement (a 01, its 04 movements with their 05
// complements, a 07) as every command reads it. Package validate checks
// it, inspect summarises it, export writes it and upload identifies it;
// none of them keeps a statement of its own, so they cannot disagree about
// a statement's decimals, currency, totals or reconciliation.

// Statement is a statement being read, or read. The zero value is no
// statement; Open starts one. It holds no slice: a Statement is a value
// that costs no allocation.
type Statement struct {
	// Line is the line of the 01, or 0 for a statement opened by a 04 or
	// 07 with no 01 before it.
	Line int
	// Account is the statement's account; its Currency is the 01's, or,
	// when the 01 leaves it blank, that of the first other record that
	// gives one (see Adopt).
	Account Account
	// Decimals is the number of decimals of the statement's amounts (see
	// StatementDecimals).
	Decimals int
	// Opening is the 01's balance; OpeningOK reports that its date and
	// amount decoded.
	Opening   Balance
	OpeningOK bool
	// Movements counts the 04 records; Debits and Credits sum their
	// negative and positive amounts; SumOK reports that every amount
	// decoded.
	Movements int
	Debits    Sum
	Credits   Sum
	SumOK     bool
	// Closing is the 07's balance, once Close was called with one;
	// ClosingLine is its line (0 when the statement ended without a 07).
	Closing     Balance
	ClosingOK   bool
	ClosingLine int
	// Pending reports that the 01 left its currency or decimals blank and
	// no record of the statement has given them yet.
	Pending bool
	// AdoptedLine is the line of the record that gave the currency and
	// decimals a 01 left blank (0 if none did).
	AdoptedLine int
}

// currencyOf returns the currency and decimals a record states, with ok
// false when either is blank or malformed.
func currencyOf(data []byte) (cur [3]byte, dec int, ok bool) {
	c, d := FieldCurrency.Of(data), FieldDecimals.Of(data)
	if len(c) != 3 || len(d) != 1 || !isDigit(d[0]) || c[0] == ' ' || c[1] == ' ' || c[2] == ' ' {
		return cur, 0, false
	}
	copy(cur[:], c)
	return cur, int(d[0] - '0'), true
}

// StatementDecimals is the one rule for the number of decimals of a
// statement's amounts, given its first record: the record's decimals digit
// when it is one; otherwise the usual decimals of its currency (EUR 2, JPY
// 0, ...); otherwise 2 (also for a currency without a minor unit, such as
// XAU). A statement whose 01 leaves them blank takes them
// later from its other records (Statement.Adopt).
func StatementDecimals(data []byte) int {
	if d := FieldDecimals.Of(data); len(d) == 1 && isDigit(d[0]) {
		return int(d[0] - '0')
	}
	if n, ok := CurrencyDecimals(FieldCurrency.Of(data)); ok && n != NoMinorUnit {
		return n
	}
	return 2
}

// Open starts a statement at a 01 (line > 0), or, for a 04 or 07 met
// outside any statement, an implicit one with no opening balance (line 0;
// data is that record).
func (s *Statement) Open(line int, data []byte) {
	*s = Statement{Line: line, Account: AccountOf(data), Decimals: StatementDecimals(data), SumOK: true}
	if _, _, ok := currencyOf(data); !ok {
		s.Pending = true
	}
	if line > 0 {
		s.Opening, s.OpeningOK = balanceOf(data)
	} else {
		s.Pending = false
	}
}

// Adopt gives a statement whose 01 left its currency or decimals blank
// those of a later record of the statement (a 04, 05 or 07 at line) that
// states both. It returns true when it adopted them. Callers that check
// (package validate) compare the following records with the adopted
// values.
func (s *Statement) Adopt(line int, data []byte) bool {
	if !s.Pending {
		return false
	}
	cur, dec, ok := currencyOf(data)
	if !ok {
		return false
	}
	s.Pending = false
	s.Account.Currency = cur
	s.Decimals = dec
	s.Opening.Account.Currency = cur
	s.Opening.Decimals = dec
	s.AdoptedLine = line
	return true
}

// AddMovement adds a 04's amount; ok false means it did not decode.
func (s *Statement) AddMovement(amount int64, ok bool) {
	s.Movements++
	if !ok {
		s.SumOK = false
		return
	}
	// Both sums, one of them by 0: no branch on the sign, which is as
	// random as the amounts.
	neg := amount >> 63 // -1 for a debit, 0 for a credit
	s.Debits.Add(amount & neg)
	s.Credits.Add(amount &^ neg)
}

// Close ends the statement at a 07 (line > 0), or without one (line 0).
func (s *Statement) Close(line int, data []byte) {
	s.ClosingLine = line
	if line == 0 {
		return
	}
	s.Closing, s.ClosingOK = balanceOf(data)
}

// Expected returns the opening balance plus the movements: what the
// closing balance must be.
func (s *Statement) Expected() Sum {
	var want Sum
	want.Add(s.Opening.Amount)
	want.AddSum(s.Debits)
	want.AddSum(s.Credits)
	return want
}

// Reconciles reports whether the statement was closed by a 07 and its
// opening balance plus its movements equal its closing balance, exactly.
func (s *Statement) Reconciles() bool {
	if s.Line == 0 || s.ClosingLine == 0 || !s.OpeningOK || !s.ClosingOK || !s.SumOK {
		return false
	}
	var got Sum
	got.Add(s.Closing.Amount)
	return got.Cmp(s.Expected()) == 0
}
