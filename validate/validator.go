package validate

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Validator checks a stream of records one at a time. Feed it every record
// in order with Record, then call Finish. A Validator allocates nothing for
// a valid record; its memory grows only with the number of distinct
// accounts (and statements, with Options.Summary).
type Validator struct {
	rep  Report
	opts Options

	seen    bool // a non-blank record was seen
	stopped bool // the file is another format
	last    int  // line of the last record

	open bool      // a statement is open
	st   statement // the open statement
	// stmtClean: the open statement's 01 has well-formed bank, branch,
	// currency, decimals and account fields and a blank column 21, so that
	// a record repeating them needs no check of its own (see fast.go).
	stmtClean bool
	noFast    bool // tests: always take the full checks
	checker   prechecker
	// pre, when set by Stream's pipeline, is the precheck of the record
	// being checked, made by the reading goroutine.
	pre  *precheck
	prev cfonb.Code
	// accounts remembers, per account, the last closed statement.
	accounts map[cfonb.Account]closed
}

// MaxAccounts caps the accounts a Validator remembers for the checks
// across statements (opening-balance, statement-order), so that a hostile
// file of millions of accounts cannot grow memory past a few MiB. The
// statements whose account could not be looked up are counted in
// Report.Unchecked.
const MaxAccounts = 1 << 16

// statement is what a Validator keeps of the open statement.
type statement struct {
	line       int
	data       [cfonb.RecordLen]byte // the 01 record, for field comparisons
	acct       cfonb.Account
	decimals   int
	date       cfonb.Date
	opening    int64
	openingOK  bool
	sumOK      bool // every movement amount decoded
	movements  int
	debits     cfonb.Sum
	credits    cfonb.Sum
	minBooking cfonb.Date
	minLine    int
	maxBooking cfonb.Date
	maxLine    int
}

// closed is the last closed statement of an account whose new balance and
// date decoded.
type closed struct {
	line    int
	date    cfonb.Date
	balance int64
}

// New returns a Validator for the file called name.
func New(name string, opts Options) *Validator {
	if opts.MaxDiagnostics == 0 {
		opts.MaxDiagnostics = DefaultMaxDiagnostics
	}
	return &Validator{
		rep:      Report{Path: name, Diagnostics: []Diagnostic{}},
		opts:     opts,
		accounts: make(map[cfonb.Account]closed),
	}
}

// Record checks one record. framing is the reader's framing. It returns true
// when the file turned out to be another format and reading further is
// pointless.
func (v *Validator) Record(rec *cfonb.Record, framing cfonb.Framing) (stop bool) {
	col, ok := printable(rec.Data)
	return v.record(rec, framing, col, ok)
}

// record is Record with the printable check of rec.Data already made (by
// the reading goroutine of Stream's pipeline): col and ok as printable
// returns them.
func (v *Validator) record(rec *cfonb.Record, framing cfonb.Framing, col int, ok bool) (stop bool) {
	if v.stopped {
		return true
	}
	v.rep.Framing = framing
	v.last = rec.Line
	data := rec.Data
	if (len(data) == 0 || data[0] == ' ') && isBlank(data) && rec.Length == len(data) {
		v.warn(rec.Line, 1, RuleBlankLine, "blank line")
		return false
	}
	v.rep.Records++
	if !v.seen {
		v.seen = true
		if name := DetectFormat(rec.Data); name != "" {
			v.rep.Records = 0
			v.formatError(name)
			return true
		}
		if bytes.HasPrefix(data, []byte(cfonb.UTF8BOM)) {
			v.errorf(rec.Line, 1, RuleEncoding, "UTF-8 byte-order mark at the start of the file (cfonb fmt removes it)")
			v.rep.Charset++
			data = data[len(cfonb.UTF8BOM):]
			rec.Length -= len(cfonb.UTF8BOM)
			col, ok = printable(data)
		}
	}
	if !ok {
		if len(bytes.Trim(data, "\x1a")) == 0 {
			v.rep.Records-- // not a record
			v.errorf(rec.Line, 1, RuleEncoding, "DOS end-of-file mark (0x1A) after the last record (cfonb fmt removes it)")
			return false
		}
		v.encodingDiag(rec.Line, data, col)
	}
	code := cfonb.ParseCode(data)
	if rec.Length != cfonb.RecordLen {
		v.lengthDiag(rec, data, code)
	}
	if code == cfonb.CodeUnknown {
		v.errorf(rec.Line, 1, RuleRecordCode, "record code %q is not 01, 04, 05 or 07", cfonb.FieldCode.Of(data))
		v.prev = code
		return false
	}
	if len(data) > cfonb.RecordLen {
		data = data[:cfonb.RecordLen]
	}
	if rec.Length == cfonb.RecordLen && len(data) == cfonb.RecordLen && v.open && v.stmtClean && !v.noFast {
		p := v.pre
		if p == nil {
			pc := v.checker.precheck(code, data)
			p = &pc
		}
		switch {
		case code == cfonb.CodeMovement && v.applyMovement(data, *p),
			code == cfonb.CodeComplement && v.applyComplement(data, *p):
			v.prev = code
			return false
		}
	}
	switch code {
	case cfonb.CodeOldBalance:
		v.oldBalance(rec.Line, data)
	case cfonb.CodeMovement:
		v.movement(rec.Line, data)
	case cfonb.CodeComplement:
		v.complement(rec.Line, data)
	case cfonb.CodeNewBalance:
		v.newBalance(rec.Line, data)
	}
	v.prev = code
	return false
}

// stopEarly records that reading stopped at line because the diagnostics
// cap was reached (Options.StopAtMax). Its diagnostic is always kept.
func (v *Validator) stopEarly(line int) {
	v.stopped = true
	v.rep.Truncated = true
	v.rep.Errors++
	v.rep.Diagnostics = append(v.rep.Diagnostics, Diagnostic{File: v.rep.Path, Line: line, Column: 1,
		Severity: SeverityError, Rule: RuleTooMany,
		Message: fmt.Sprintf("too many problems: stopped reading after line %d (this input may never end; raise --max-errors to see more)", line)})
}

// TrailingSUB reports the DOS end-of-file mark (0x1A) that the reader found
// after the last record.
func (v *Validator) TrailingSUB() {
	v.errorf(v.last+1, 1, RuleEncoding, "DOS end-of-file mark (0x1A) after the last record (cfonb fmt removes it)")
	v.rep.Charset++
}

// Finish ends the file's checks and returns its report, its diagnostics in
// line and column order.
func (v *Validator) Finish() *Report {
	if !v.stopped {
		if v.rep.Records == 0 {
			v.errorf(1, 1, RuleEmpty, "file holds no record")
		} else if v.open {
			v.errorf(v.last, 1, RuleSequence, "file ends inside the statement opened at line %d: no new balance (07)", v.st.line)
			v.closeStatement(0, 0, 0, false)
		}
	}
	sort.SliceStable(v.rep.Diagnostics, func(i, j int) bool {
		a, b := &v.rep.Diagnostics[i], &v.rep.Diagnostics[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &v.rep
}

// oldBalance checks a 01 and opens a statement.
func (v *Validator) oldBalance(line int, data []byte) {
	if v.open {
		v.errorf(line, 1, RuleSequence, "old balance (01) while the statement opened at line %d is not closed (no new balance 07)", v.st.line)
		v.closeStatement(0, 0, 0, false)
	}
	before := v.rep.Errors + v.rep.Warnings
	v.checkCommon(line, data, nil)
	headClean := v.rep.Errors+v.rep.Warnings == before && len(data) == cfonb.RecordLen && data[20] == ' '
	v.checkReserved(line, data, cfonb.FieldReserved8, cfonb.FieldReserved21, cfonb.FieldReserved33, cfonb.FieldReserved41, cfonb.FieldReserved105)
	date, dateOK := v.checkDate(line, data, cfonb.FieldBalanceDate, true)
	amount, amountOK := v.checkAmount(line, data, cfonb.FieldBalance)

	v.open = true
	st := &v.st
	*st = statement{line: line, acct: cfonb.AccountOf(data), date: date, opening: amount, openingOK: amountOK && dateOK, sumOK: true}
	copy(st.data[:], data)
	st.decimals = decimalsOf(data)
	v.stmtClean = headClean

	prev, ok := v.accounts[st.acct]
	if !ok && len(v.accounts) >= MaxAccounts {
		// Beyond the cap, an account's earlier statement is not
		// remembered: say so rather than pass in silence.
		v.rep.Unchecked++
	}
	if ok && st.openingOK {
		if prev.balance != amount {
			v.warnf(line, cfonb.FieldBalance.Start(), RuleOpeningBalance,
				"opening balance %s differs from the closing balance %s of the previous statement of this account (line %d)",
				cfonb.FormatDecimal(amount, st.decimals), cfonb.FormatDecimal(prev.balance, st.decimals), prev.line)
		}
		if date < prev.date {
			v.warnf(line, cfonb.FieldBalanceDate.Start(), RuleStatementOrder,
				"statement starts on %s, before the previous statement of this account ended (%s, line %d)", date, prev.date, prev.line)
		}
	}
}

// movement checks a 04.
func (v *Validator) movement(line int, data []byte) {
	if !v.open {
		v.errorf(line, 1, RuleSequence, "movement (04) outside a statement (no open old balance 01)")
	}
	v.checkCommon(line, data, v.stmtData())
	v.checkReserved(line, data, cfonb.FieldReserved21, cfonb.FieldReserved80)
	booking, bookingOK := v.checkDate(line, data, cfonb.FieldBookingDate, true)
	v.checkDate(line, data, cfonb.FieldValueDate, true)
	amount, amountOK := v.checkAmount(line, data, cfonb.FieldAmount)
	v.checkInterbankCode(line, data)
	if !v.open {
		return
	}
	st := &v.st
	st.movements++
	if !amountOK {
		st.sumOK = false
	} else if amount < 0 {
		st.debits.Add(amount)
	} else {
		st.credits.Add(amount)
	}
	if bookingOK {
		if st.minBooking == 0 || booking < st.minBooking {
			st.minBooking, st.minLine = booking, line
		}
		if booking > st.maxBooking {
			st.maxBooking, st.maxLine = booking, line
		}
	}
}

// complement checks a 05.
func (v *Validator) complement(line int, data []byte) {
	switch {
	case !v.open:
		v.errorf(line, 1, RuleSequence, "complement (05) outside a statement (no open old balance 01)")
	case v.prev != cfonb.CodeMovement && v.prev != cfonb.CodeComplement:
		v.errorf(line, 1, RuleSequence, "complement (05) does not follow a movement (04) or another complement")
	}
	v.checkCommon(line, data, v.stmtData())
	v.checkReserved(line, data, cfonb.FieldReserved21, cfonb.FieldReserved41C, cfonb.FieldReserved119)
	v.checkDate(line, data, cfonb.FieldBookingDate, false)
	v.checkQualifier(line, data)
}

// newBalance checks a 07 and closes the statement.
func (v *Validator) newBalance(line int, data []byte) {
	if !v.open {
		v.errorf(line, 1, RuleSequence, "new balance (07) with no open statement (no old balance 01 before it)")
	}
	v.checkCommon(line, data, v.stmtData())
	v.checkReserved(line, data, cfonb.FieldReserved8, cfonb.FieldReserved21, cfonb.FieldReserved33, cfonb.FieldReserved41, cfonb.FieldReserved105)
	date, dateOK := v.checkDate(line, data, cfonb.FieldBalanceDate, true)
	amount, amountOK := v.checkAmount(line, data, cfonb.FieldBalance)
	if !v.open {
		return
	}
	st := &v.st
	if dateOK && st.date != 0 {
		if date < st.date {
			v.warnf(line, cfonb.FieldBalanceDate.Start(), RuleDateRange,
				"new balance date %s is before the old balance date %s (line %d)", date, st.date, st.line)
		} else {
			if st.minBooking != 0 && st.minBooking < st.date {
				v.warnf(st.minLine, cfonb.FieldBookingDate.Start(), RuleDateRange,
					"booking date %s is before its statement's old balance date %s (line %d)", st.minBooking, st.date, st.line)
			}
			if st.maxBooking > date {
				v.warnf(st.maxLine, cfonb.FieldBookingDate.Start(), RuleDateRange,
					"booking date %s is after its statement's new balance date %s (line %d)", st.maxBooking, date, line)
			}
		}
	}
	if amountOK && st.openingOK && st.sumOK {
		var want cfonb.Sum
		want.Add(st.opening)
		want.AddSum(st.debits)
		want.AddSum(st.credits)
		var got cfonb.Sum
		got.Add(amount)
		if got.Cmp(want) != 0 {
			var moves cfonb.Sum
			moves.AddSum(st.debits)
			moves.AddSum(st.credits)
			diff := got
			diff.AddSum(want.Neg())
			d := st.decimals
			v.errorf(line, cfonb.FieldBalance.Start(), RuleBalance,
				"new balance %s does not reconcile: old balance %s (line %d) + %d movements %s = %s (difference %s)",
				cfonb.FormatDecimal(amount, d), cfonb.FormatDecimal(st.opening, d), st.line, st.movements,
				moves.Decimal(d), want.Decimal(d), diff.Decimal(d))
		}
	}
	v.closeStatement(line, date, amount, amountOK && dateOK)
	if _, known := v.accounts[st.acct]; !known && len(v.accounts) >= MaxAccounts {
		// Memory stays bounded: accounts beyond the cap get no
		// cross-statement checks.
	} else if amountOK && dateOK {
		v.accounts[st.acct] = closed{line: line, date: date, balance: amount}
	} else {
		delete(v.accounts, st.acct)
	}
}

// closeStatement counts the open statement and, with Options.Summary,
// records its summary. endLine is 0 when the statement was never closed.
func (v *Validator) closeStatement(endLine int, closeDate cfonb.Date, closing int64, closingOK bool) {
	st := &v.st
	v.open = false
	v.rep.Statements++
	if !v.opts.Summary {
		return
	}
	s := StatementSummary{
		Account: st.acct, Decimals: st.decimals, StartLine: st.line, EndLine: endLine,
		OpenDate: st.date, CloseDate: closeDate, Opening: st.opening, Movements: st.movements,
		Debits: st.debits, Credits: st.credits,
	}
	if iban, err := st.acct.IBAN(); err == nil {
		s.IBAN = iban
	}
	s.Closing = closing
	var want cfonb.Sum
	want.Add(s.Opening)
	want.AddSum(s.Debits)
	want.AddSum(s.Credits)
	var got cfonb.Sum
	got.Add(s.Closing)
	s.Reconciles = endLine != 0 && closingOK && st.openingOK && st.sumOK && got.Cmp(want) == 0
	v.rep.Summaries = append(v.rep.Summaries, s)
}

// stmtData returns the open statement's 01 record, or nil.
func (v *Validator) stmtData() []byte {
	if !v.open {
		return nil
	}
	return v.st.data[:]
}

func decimalsOf(data []byte) int {
	d := cfonb.FieldDecimals.Of(data)
	if len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
		return int(d[0] - '0')
	}
	return 0
}
