package validate

import "github.com/cfonb-dev/cfonb/cfonb"

// The continuity of an account's statements: each opening balance equals
// the closing balance of the account's statement before it in date (rule
// opening-balance), and the statements of an account come in one date
// order (rule statement-order). Banks write them oldest first or newest
// first; both chain. The validator remembers, per account, the last
// statement closed (at most MaxAccounts accounts).

// openOrder checks a new statement's opening against the account's last
// statement, when it follows it in date. A statement that starts before
// the last one ended may precede it (a file written newest first): that is
// decided at its 07 (closeOrder).
func (v *Validator) openOrder(line int, date cfonb.Date, amount int64) {
	st := &v.st
	if v.spec != nil {
		v.spec.opened(v, line, date, amount)
	}
	prev, ok := v.accounts[st.m.Account]
	if !ok && len(v.accounts) >= MaxAccounts {
		// Beyond the cap, an account's earlier statement is not
		// remembered: say so rather than pass in silence.
		v.rep.Unchecked++
	}
	if !ok || !st.m.OpeningOK {
		return
	}
	st.prev, st.hasPrev = prev, true
	if date < prev.date {
		st.deferred = true
		return
	}
	st.dir = +1
	if prev.balance != amount {
		d := st.m.Decimals
		v.warnf(line, cfonb.FieldBalance.Start(), RuleOpeningBalance,
			"opening balance %s differs from the closing balance %s of the previous statement of this account (line %d)",
			cfonb.FormatDecimal(amount, d), cfonb.FormatDecimal(prev.balance, d), prev.line)
	}
	if prev.dir < 0 {
		v.warnf(line, cfonb.FieldBalanceDate.Start(), RuleStatementOrder,
			"statement starts on %s, after the statement of line %d, but this account's statements were in newest-first order until then", date, prev.line)
	}
}

// closeOrder ends the continuity checks of the statement closed at line
// (its 07) and remembers it for the account's next statement.
func (v *Validator) closeOrder(line int, date cfonb.Date, amount int64, ok bool) {
	st := &v.st
	m := &st.m
	if v.spec != nil {
		v.spec.closed(v, line, date, amount, ok)
	}
	if st.deferred {
		prev := st.prev
		if ok && date <= prev.openDate && prev.openOK && prev.dir <= 0 {
			// Newest first: this statement precedes prev in date, and its
			// closing balance is prev's opening.
			st.dir = -1
			if amount != prev.openBalance {
				d := m.Decimals
				v.warnf(line, cfonb.FieldBalance.Start(), RuleOpeningBalance,
					"closing balance %s differs from the opening balance %s of the next statement of this account by date (line %d)",
					cfonb.FormatDecimal(amount, d), cfonb.FormatDecimal(prev.openBalance, d), prev.openLine)
			}
		} else {
			v.warnf(st.line, cfonb.FieldBalanceDate.Start(), RuleStatementOrder,
				"statement starts on %s, before the previous statement of this account ended (%s, line %d)", st.date, prev.date, prev.line)
		}
	}
	if _, known := v.accounts[m.Account]; !known && len(v.accounts) >= MaxAccounts {
		// Memory stays bounded: accounts beyond the cap get no
		// cross-statement checks.
		return
	}
	if !ok {
		delete(v.accounts, m.Account)
		return
	}
	dir := st.dir
	if dir == 0 && st.hasPrev {
		dir = st.prev.dir
	}
	v.accounts[m.Account] = closed{line: line, date: date, balance: amount,
		openLine: st.line, openDate: st.date, openBalance: m.Opening.Amount, openOK: m.OpeningOK, dir: dir}
	v.accountsPeak = max(v.accountsPeak, len(v.accounts))
}
