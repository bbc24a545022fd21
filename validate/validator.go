package validate

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/plural"
)

// Validator checks a stream of records one at a time. Feed it every record
// in order with Record, then call Finish. A Validator allocates nothing for
// a valid record; its memory grows only with the number of distinct
// accounts (and statements, with Options.Summary).
type Validator struct {
	rep  Report
	opts Options
	off  map[string]bool // rules turned off by Options.Select and Ignore

	seen    bool // a non-blank record was seen
	stopped bool // the file is another format
	last    int  // line of the last record
	// colBase is how many characters of its line come before the record
	// being checked (a line of concatenated records): added to the
	// columns of its diagnostics.
	colBase int
	split   bool // a line of concatenated records was reported

	open bool      // a statement is open
	st   statement // the open statement
	// stmtClean: the open statement's 01 has well-formed bank, branch,
	// currency, decimals and account fields and a blank column 21, so that
	// a record repeating them needs no check of its own (see fast.go).
	stmtClean bool
	noFast    bool // tests: always take the full checks
	// declined: fastRecord checked the record that record gets next and
	// turned it away, so record's own fast block, which would check it
	// the same way, is skipped (a 04 carrying another bank code, a real
	// banks' convention, was checked twice).
	declined bool
	checker  prechecker
	prev     cfonb.Code
	// accounts remembers, per account, the last closed statement.
	accounts map[cfonb.Account]closed
	// accountsPeak is the most accounts held (the map's size, which
	// clearing it does not shrink: see init).
	accountsPeak int
	// perRule counts the warnings of each rule, for Options.MaxPerRule.
	perRule map[string]int
	// spec is set in a worker of a split file (see split.go).
	spec *spec
}

// MaxAccounts caps the accounts a Validator remembers for the checks
// across statements (opening-balance, statement-order), so that a hostile
// file of millions of accounts cannot grow memory past a few MiB. The
// statements whose account could not be looked up are counted in
// Report.Unchecked.
const MaxAccounts = 1 << 16

// statement is what a Validator keeps of the open statement.
type statement struct {
	m          cfonb.Statement       // the statement model every command shares
	line       int                   // line of the 01
	data       [cfonb.RecordLen]byte // the 01 record, for field comparisons
	date       cfonb.Date            // the 01's date (0 if it does not decode)
	minBooking cfonb.Date
	minLine    int
	maxBooking cfonb.Date
	maxLine    int
	// The continuity with the account's statement before it in the file
	// (see order.go).
	prev      closed
	hasPrev   bool
	deferred  bool // decided at the 07: the statement may precede prev in date
	dir       int8 // +1 after prev in date, -1 before it, 0 unknown
	currency1 bool // the 01 left its currency or decimals blank
	// orderPending: the continuity check of the opening (openOrder) waits
	// for the currency that a later record gives (adopt), because the
	// account's earlier statement is remembered under its full account,
	// currency included; openAmount is the 01's balance for it.
	orderPending bool
	openAmount   int64
}

// closed is the last closed statement of an account whose new balance and
// date decoded, with its opening.
type closed struct {
	line        int // line of the 07
	date        cfonb.Date
	balance     int64
	openLine    int
	openDate    cfonb.Date
	openBalance int64
	openOK      bool
	dir         int8 // the order in which the account's statements come: +1 date order, -1 newest first
}

// New returns a Validator for the file called name.
func New(name string, opts Options) *Validator {
	v := new(Validator)
	v.init(name, opts)
	return v
}

// reuseAccounts is how many accounts a validator may have remembered for
// init to keep its map for the next file (cleared) rather than make a new
// one: clearing a map costs what it grew to.
const reuseAccounts = 64

// init makes v what New(name, opts) returns. A validator used before
// keeps the memory of its maps (cleared); its report must have been
// copied, if it is still needed.
func (v *Validator) init(name string, opts Options) {
	if opts.MaxDiagnostics == 0 {
		opts.MaxDiagnostics = DefaultMaxDiagnostics
	}
	if opts.MaxSummaries == 0 {
		opts.MaxSummaries = DefaultMaxSummaries
	}
	if opts.MaxPerRule == 0 {
		opts.MaxPerRule = DefaultMaxPerRule
		if opts.MaxDiagnostics < 0 {
			opts.MaxPerRule = -1 // no cap at all
		}
	}
	accounts, peak, perRule := v.accounts, v.accountsPeak, v.perRule
	if accounts == nil || peak > reuseAccounts {
		accounts, peak = make(map[cfonb.Account]closed), 0
	} else {
		clear(accounts)
	}
	clear(perRule) // a few rules
	*v = Validator{
		rep:          Report{Path: name, Diagnostics: []Diagnostic{}},
		opts:         opts,
		off:          opts.disabled(),
		accounts:     accounts,
		accountsPeak: peak,
		perRule:      perRule,
	}
}

// Record checks one record. framing is the reader's framing. It returns true
// when the file turned out to be another format and reading further is
// pointless.
func (v *Validator) Record(rec *cfonb.Record, framing cfonb.Framing) (stop bool) {
	return v.record(rec, framing, false)
}

// newRange returns a Validator for a range of a file that starts at a
// statement's 01, from a fresh state (the split engine's workers, a later
// part of StreamParts): the file's start was seen, and the checks across
// statements start with no account.
func newRange(name string, opts Options) *Validator {
	v := New(name, opts)
	v.seen = true
	v.spec = &spec{accounts: make(map[cfonb.Account]*specAccount)}
	return v
}

// record is Record; printed reports that the reader found rec.Data
// printable already (cfonb.Reader.Printable), which is then not tested
// again.
func (v *Validator) record(rec *cfonb.Record, framing cfonb.Framing, printed bool) (stop bool) {
	if v.stopped {
		return true
	}
	col, ok := 0, true
	if !printed {
		col, ok = printable(rec.Data)
	}
	v.rep.Framing = framing
	v.last = rec.Line
	v.colBase = 0
	if rec.Column > 0 {
		v.colBase = rec.ColumnOffset()
		if !v.split && v.opts.Pedantic { // a real banks' convention (EBICS exports)
			v.split = true
			v.warnf(rec.Line, 1, RuleFraming, "line %d holds several records with no line end between them: read as records of %d characters (cfonb fmt splits them)", rec.Line, cfonb.RecordLen)
		}
	}
	data := rec.Data
	if (len(data) == 0 || data[0] == ' ') && isBlank(data) && rec.Length == len(data) {
		if v.opts.Pedantic { // real banks send them (CIC): no meaning is lost
			v.warn(rec.Line, 1, RuleBlankLine, "blank line")
		}
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
	if v.open && v.st.m.Pending && code != cfonb.CodeOldBalance {
		v.adopt(rec.Line, data)
	}
	declined := v.declined
	v.declined = false
	if rec.Length == cfonb.RecordLen && len(data) == cfonb.RecordLen && v.open && v.stmtClean && !v.noFast && !declined {
		p := v.checker.precheck(code, data)
		switch {
		case code == cfonb.CodeMovement && v.applyMovement(data, p),
			code == cfonb.CodeComplement && v.applyComplement(data, p):
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

// adopt gives the open statement, whose 01 left its currency or decimals
// blank, those of its record data at line when it states them (see
// cfonb.Statement.Adopt), and says so: the following records are compared
// with them.
func (v *Validator) adopt(line int, data []byte) {
	st := &v.st
	if !st.m.Adopt(line, data) {
		return
	}
	copy(st.data[cfonb.OffCurrency:cfonb.EndDecimals], data[cfonb.OffCurrency:cfonb.EndDecimals])
	if v.opts.Pedantic { // a real banks' convention: nothing is lost
		v.warnf(st.line, cfonb.FieldCurrency.Start(), RuleBlankCurrency,
			"currency or number of decimals blank on the old balance (01): %s%d taken from line %d", SafeText(string(st.m.Account.Currency[:])), st.m.Decimals, line)
	}
	v.pendingOrder()
}

// pendingOrder makes the open statement's continuity check if it waited
// for its currency (see statement.orderPending).
func (v *Validator) pendingOrder() {
	if st := &v.st; st.orderPending {
		st.orderPending = false
		v.openOrder(st.line, st.date, st.openAmount)
	}
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
//
// A final 0x1A is a common, harmless convention (the reader drops it): it
// is reported, as a warning, only with Options.Pedantic.
func (v *Validator) TrailingSUB() {
	if v.opts.Pedantic {
		v.warn(v.last+1, 1, RuleEncoding, "DOS end-of-file mark (0x1A) after the last record (cfonb fmt removes it)")
	}
}

// Finish ends the file's checks and returns its report, its diagnostics in
// line and column order.
func (v *Validator) Finish() *Report {
	if !v.stopped {
		if v.rep.Records == 0 {
			v.errorf(1, 1, RuleEmpty, "file holds no record")
		} else if v.open {
			v.errorf(v.last, 1, RuleSequence, "file ends inside the statement opened at line %d: no new balance (07)", v.st.line)
			v.closeStatement(0, nil)
		}
	}
	v.summariseCapped()
	// slices.SortStableFunc: sort.SliceStable allocated its swapper for
	// every file, even one without diagnostics.
	slices.SortStableFunc(v.rep.Diagnostics, func(a, b Diagnostic) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Column, b.Column)
	})
	return &v.rep
}

// oldBalance checks a 01 and opens a statement.
func (v *Validator) oldBalance(line int, data []byte) {
	if v.open {
		v.errorf(line, 1, RuleSequence, "old balance (01) while the statement opened at line %d is not closed (no new balance 07)", v.st.line)
		v.closeStatement(0, nil)
	}
	before := v.rep.Errors + v.rep.Warnings
	v.checkCommon(line, data, nil)
	headClean := v.rep.Errors+v.rep.Warnings == before && len(data) == cfonb.RecordLen && data[cfonb.OffReserved21] == ' '
	v.checkReserved(line, data, cfonb.FieldReserved8, cfonb.FieldReserved21, cfonb.FieldReserved33, cfonb.FieldReserved41, cfonb.FieldReserved105)
	date, dateOK := v.checkDate(line, data, cfonb.FieldBalanceDate, true)
	amount, amountOK := v.checkAmount(line, data, cfonb.FieldBalance)

	v.open = true
	st := &v.st
	*st = statement{line: line, date: date}
	st.m.Open(line, data)
	st.m.OpeningOK = amountOK && dateOK
	st.currency1 = st.m.Pending
	copy(st.data[:], data)
	v.stmtClean = headClean
	if st.m.Pending {
		st.orderPending, st.openAmount = true, amount
		return
	}
	v.openOrder(line, date, amount)
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
	st.m.AddMovement(amount, amountOK)
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
	if !v.open || !v.stmtClean || v.noFast || len(data) != cfonb.RecordLen || !v.sameHead(data) {
		// Otherwise the 07 repeats the fields of its clean 01, in which
		// checkCommon finds nothing (see fast.go).
		v.checkCommon(line, data, v.stmtData())
	}
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
	m := &st.m
	if amountOK && m.OpeningOK && m.SumOK {
		want := m.Expected()
		var got cfonb.Sum
		got.Add(amount)
		if got.Cmp(want) != 0 {
			var moves cfonb.Sum
			moves.AddSum(m.Debits)
			moves.AddSum(m.Credits)
			diff := got
			diff.AddSum(want.Neg())
			d := m.Decimals
			v.errorf(line, cfonb.FieldBalance.Start(), RuleBalance,
				"new balance %s does not reconcile: old balance %s (line %d) + %s %s = %s (difference %s)",
				cfonb.FormatDecimal(amount, d), cfonb.FormatDecimal(m.Opening.Amount, d), st.line, plural.Count(m.Movements, "movement"),
				moves.Decimal(d), want.Decimal(d), diff.Decimal(d))
		}
	}
	v.closeStatement(line, data)
	v.closeOrder(line, date, amount, amountOK && dateOK)
}

// closeStatement counts the open statement and, with Options.Summary,
// records its summary. data is its 07, or nil when it was never closed.
func (v *Validator) closeStatement(endLine int, data []byte) {
	v.pendingOrder() // no record gave the currency: the check is made with the 01's
	st := &v.st
	m := &st.m
	v.open = false
	v.rep.Statements++
	if st.currency1 && m.Pending {
		v.errorf(st.line, cfonb.FieldCurrency.Start(), RuleFieldFormat,
			"currency or number of decimals is blank, and no record of the statement gives them; expected an ISO 4217 code such as EUR and a digit")
	}
	m.Close(endLine, data)
	if !v.opts.Summary {
		return
	}
	if v.opts.MaxSummaries >= 0 && len(v.rep.Summaries) >= v.opts.MaxSummaries {
		v.rep.SummariesOmitted++
		return
	}
	s := StatementSummary{
		Account: m.Account, Decimals: m.Decimals, StartLine: st.line, EndLine: endLine,
		OpenDate: st.date, Opening: m.Opening.Amount, Movements: m.Movements,
		Debits: m.Debits, Credits: m.Credits,
	}
	if endLine != 0 {
		s.CloseDate, s.Closing = m.Closing.Date, m.Closing.Amount
	}
	if iban, err := m.Account.IBAN(); err == nil {
		s.IBAN = iban
	}
	s.Reconciles = m.Reconciles()
	v.rep.Summaries = append(v.rep.Summaries, s)
}

// stmtData returns the open statement's 01 record, or nil.
func (v *Validator) stmtData() []byte {
	if !v.open {
		return nil
	}
	return v.st.data[:]
}
