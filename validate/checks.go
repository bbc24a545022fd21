package validate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/normalize"
)

// emit adds a diagnostic, counting it whether or not it is kept.
func (v *Validator) emit(line, col int, sev Severity, rule, msg string) {
	if v.off[rule] {
		return
	}
	if sev == SeverityError {
		v.rep.Errors++
	} else {
		v.rep.Warnings++
	}
	if v.opts.MaxDiagnostics >= 0 && len(v.rep.Diagnostics) >= v.opts.MaxDiagnostics {
		v.rep.Omitted++
		return
	}
	if sev == SeverityWarning && v.opts.MaxPerRule > 0 {
		if v.perRule == nil {
			v.perRule = make(map[string]int)
		}
		v.perRule[rule]++
		if v.perRule[rule] > v.opts.MaxPerRule {
			v.rep.Omitted++
			return
		}
	}
	if line == v.last {
		col += v.colBase
	}
	v.rep.Diagnostics = append(v.rep.Diagnostics, Diagnostic{
		File: v.rep.Path, Line: line, Column: col, Severity: sev, Rule: rule, Message: msg,
	})
}

// summariseCapped lists in Report.Repeated the rules whose warnings passed
// Options.MaxPerRule, with how many were not kept.
func (v *Validator) summariseCapped() {
	for rule, n := range v.perRule {
		if n > v.opts.MaxPerRule {
			v.rep.Repeated = append(v.rep.Repeated, Repeated{Rule: rule, Shown: v.opts.MaxPerRule, NotShown: n - v.opts.MaxPerRule})
		}
	}
	sort.Slice(v.rep.Repeated, func(i, j int) bool { return v.rep.Repeated[i].Rule < v.rep.Repeated[j].Rule })
}

// full reports whether no more diagnostics will be kept, so that the
// (allocating) message formatting can be skipped.
func (v *Validator) full() bool {
	return v.opts.MaxDiagnostics >= 0 && len(v.rep.Diagnostics) >= v.opts.MaxDiagnostics
}

func (v *Validator) errorf(line, col int, rule, format string, args ...any) {
	if v.full() {
		v.emit(line, col, SeverityError, rule, "")
		return
	}
	v.emit(line, col, SeverityError, rule, fmt.Sprintf(format, args...))
}

func (v *Validator) warnf(line, col int, rule, format string, args ...any) {
	if v.full() {
		v.emit(line, col, SeverityWarning, rule, "")
		return
	}
	v.emit(line, col, SeverityWarning, rule, fmt.Sprintf(format, args...))
}

func (v *Validator) warn(line, col int, rule, msg string) {
	v.emit(line, col, SeverityWarning, rule, msg)
}

// isBlank reports whether data holds only spaces (or nothing).
func isBlank(data []byte) bool {
	for len(data) >= 8 {
		if binary.LittleEndian.Uint64(data) != 0x2020202020202020 {
			return false
		}
		data = data[8:]
	}
	for _, c := range data {
		if c != ' ' {
			return false
		}
	}
	return true
}

// printable reports whether every byte of data is printable ASCII
// (0x20-0x7E) (cfonb.PrintableASCII); if not, it returns the 1-based
// column of the first other byte.
func printable(data []byte) (int, bool) {
	if cfonb.PrintableASCII(data) {
		return 0, true
	}
	for i, c := range data {
		if c < 0x20 || c > 0x7E {
			return i + 1, false
		}
	}
	return 0, true // unreachable
}

// controlName names a control byte for messages.
func controlName(c byte) string {
	switch c {
	case 0x00:
		return "NUL"
	case 0x09:
		return "TAB"
	case 0x0A:
		return "LF"
	case 0x0C:
		return "form feed"
	case 0x0D:
		return "CR without LF"
	case 0x15:
		return "NAK, the EBCDIC line end NEL?"
	case 0x1A:
		return "SUB, the DOS end-of-file mark"
	case 0x1B:
		return "ESC"
	case 0x7F:
		return "DEL"
	}
	return "control character"
}

// charAt names the character at b[i] for a message: quoted when it is
// printable ASCII or a whole UTF-8 character ('é', not its first byte
// read as 'Ã'), as a byte in hexadecimal otherwise.
func charAt(b []byte, i int) string {
	c := b[i]
	if c >= 0x20 && c <= 0x7E {
		return fmt.Sprintf("%q", rune(c))
	}
	if r, n := utf8.DecodeRune(b[i:]); c >= 0x80 && r != utf8.RuneError && n > 1 && unicode.IsPrint(r) {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// encodingDiag reports the first byte of data that is not printable ASCII,
// at column col, explaining what it most likely is.
func (v *Validator) encodingDiag(line int, data []byte, col int) {
	if onlyCharset(data[col-1:]) {
		v.rep.Charset++
	}
	if v.full() {
		v.emit(line, col, SeverityError, RuleEncoding, "")
		return
	}
	i := col - 1
	c := data[i]
	var what string
	size := 1
	switch r, n := utf8.DecodeRune(data[i:]); {
	case c >= 0x80 && r != utf8.RuneError && n > 1:
		size = n
		what = fmt.Sprintf("UTF-8 character %q (bytes % X)", r, data[i:i+n])
	case c >= 0x80:
		what = fmt.Sprintf("byte 0x%02X (%q in Latin-1/Windows-1252)", c, cp1252Rune(c))
	default:
		what = fmt.Sprintf("byte 0x%02X (%s)", c, controlName(c))
	}
	more := 0
	for j := i + size; j < len(data); j++ {
		if d := data[j]; d < 0x20 || d > 0x7E {
			more++
			if r, n := utf8.DecodeRune(data[j:]); d >= 0x80 && r != utf8.RuneError && n > 1 {
				j += n - 1
			}
		}
	}
	msg := what + " is not printable ASCII"
	if more > 0 {
		msg += fmt.Sprintf(" (and %d more on this line)", more)
	}
	if looksEBCDIC(data) {
		msg += "; the record looks like EBCDIC (cfonb fmt --encoding ebcdic-037 converts it)"
	} else if c >= 0x80 {
		msg += "; cfonb fmt transliterates it"
	}
	v.emit(line, col, SeverityError, RuleEncoding, msg)
}

// onlyCharset reports whether every byte of data outside printable ASCII
// is part of a UTF-8 character or a defined Windows-1252 (Latin-1) one:
// text that a reader decodes without loss. Control bytes (NUL, CR, SUB...)
// are not.
func onlyCharset(data []byte) bool {
	utf8OK := utf8.Valid(data)
	for _, c := range data {
		if c >= 0x20 && c <= 0x7E {
			continue
		}
		if c < 0x80 || (!utf8OK && cp1252Rune(c) == utf8.RuneError) {
			return false
		}
	}
	return true
}

// cp1252Rune decodes one Windows-1252 byte with the charset of package
// normalize (bytes that Windows-1252 leaves undefined give U+FFFD).
func cp1252Rune(c byte) rune {
	cs, err := normalize.CharsetOf(normalize.EncodingCP1252)
	if err != nil {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRuneInString(cs.Decode([]byte{c}))
	return r
}

// looksEBCDIC reports whether data looks like an EBCDIC record: EBCDIC
// digits (0xF0-0xF9) at its start.
func looksEBCDIC(data []byte) bool {
	return len(data) >= 2 && data[0] == 0xF0 && data[1] >= 0xF1 && data[1] <= 0xF9
}

// lengthDiag reports a record that is not 120 characters.
func (v *Validator) lengthDiag(rec *cfonb.Record, data []byte, code cfonb.Code) {
	n := rec.Length
	whole := data[:len(data)/cfonb.RecordLen*cfonb.RecordLen]
	if n > cfonb.MaxConcatenatedLine && n%cfonb.RecordLen == 0 && cfonb.Concatenated(whole) > 0 {
		// Records, it seems, but more on one line than the reader splits.
		v.errorf(rec.Line, cfonb.RecordLen+1, RuleRecordLength,
			"line of %d characters holds %d concatenated records, it seems: more than the %d read as records on one line; add line ends",
			n, n/cfonb.RecordLen, cfonb.MaxConcatenatedLine/cfonb.RecordLen)
		return
	}
	if n > cfonb.RecordLen {
		v.errorf(rec.Line, cfonb.RecordLen+1, RuleRecordLength, "record is %s long, expected %d", plural.Count(n, "character"), cfonb.RecordLen)
		return
	}
	hint := ""
	if code != cfonb.CodeUnknown && n >= 90 {
		hint = " (were trailing spaces stripped? cfonb fmt pads them back)"
	}
	v.errorf(rec.Line, n+1, RuleRecordLength, "record is %s long, expected %d%s", plural.Count(n, "character"), cfonb.RecordLen, hint)
}

// present reports whether the whole field is within data.
func present(data []byte, f cfonb.FieldID) bool { return f.End() <= len(data) }

// checkCommon checks the fields every record has (bank, branch, currency,
// decimals, account) and, when stmt holds the statement's 01, that they
// agree with it.
func (v *Validator) checkCommon(line int, data []byte, stmt []byte) {
	v.checkDigits(line, data, cfonb.FieldBank)
	v.checkDigits(line, data, cfonb.FieldBranch)
	v.checkAccount(line, data)
	isOpen := cfonb.ParseCode(data) == cfonb.CodeOldBalance
	if stmt != nil && present(data, cfonb.FieldDecimals) &&
		bytes.Equal(data[cfonb.OffCurrency:cfonb.EndDecimals], stmt[cfonb.OffCurrency:cfonb.EndDecimals]) {
		// Same currency and decimals as the 01, which was checked already.
	} else {
		v.checkCurrency(line, data, isOpen || stmt == nil)
	}
	if stmt == nil {
		return
	}
	v.checkMatch(line, data, stmt)
}

// checkDigits checks a required numeric field.
func (v *Validator) checkDigits(line int, data []byte, f cfonb.FieldID) bool {
	if !present(data, f) {
		return false
	}
	b := f.Of(data)
	for _, c := range b {
		if c < '0' || c > '9' {
			if isBlank(b) {
				v.errorf(line, f.Start(), RuleFieldFormat, "%s is blank; expected %d digits", f, f.Len())
			} else {
				v.errorf(line, f.Start(), RuleFieldFormat, "%s %q is not %d digits", f, b, f.Len())
			}
			return false
		}
	}
	return true
}

// checkAccount checks the account number: digits and upper-case letters.
func (v *Validator) checkAccount(line int, data []byte) {
	f := cfonb.FieldAccount
	if !present(data, f) {
		return
	}
	b := f.Of(data)
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			if isBlank(b) {
				v.errorf(line, f.Start(), RuleFieldFormat, "account number is blank; expected 11 digits or upper-case letters")
			} else {
				v.errorf(line, f.Start(), RuleFieldFormat, "account number %q is not 11 digits or upper-case letters", b)
			}
			return
		}
	}
}

// checkCurrency checks the currency code and the decimals digit. required
// is false for the records of a statement, where a blank currency or
// decimals field inherits the statement's.
func (v *Validator) checkCurrency(line int, data []byte, required bool) {
	cur, dec := cfonb.FieldCurrency, cfonb.FieldDecimals
	if !present(data, dec) {
		return
	}
	cb, db := cur.Of(data), dec.Of(data)
	curBlank, decBlank := isBlank(cb), isBlank(db)
	if (curBlank || decBlank) && cfonb.ParseCode(data) == cfonb.CodeOldBalance {
		// Some banks leave them blank on the 01: the statement takes them
		// from its other records (Validator.adopt), or closeStatement
		// reports them missing.
		return
	}
	switch {
	case (curBlank || decBlank) && !required:
		which := "currency"
		if curBlank && decBlank {
			which = "currency and number of decimals"
		} else if decBlank {
			which = "number of decimals"
		}
		v.warnf(line, cur.Start(), RuleBlankCurrency, "%s blank; the statement's are assumed", which)
		if curBlank || decBlank {
			return
		}
	case curBlank:
		v.errorf(line, cur.Start(), RuleFieldFormat, "currency is blank; expected an ISO 4217 code such as EUR")
	case decBlank:
		v.errorf(line, dec.Start(), RuleFieldFormat, "number of decimals is blank; expected a digit")
	}
	decOK := !decBlank && db[0] >= '0' && db[0] <= '9'
	if !decBlank && !decOK {
		v.errorf(line, dec.Start(), RuleFieldFormat, "number of decimals %q is not a digit", db)
	}
	if curBlank {
		return
	}
	n, known := cfonb.CurrencyDecimals(cb)
	switch {
	case !known:
		v.errorf(line, cur.Start(), RuleCurrency, "currency %q is not an ISO 4217 code", cb)
	case decOK && n != cfonb.NoMinorUnit && int(db[0]-'0') != n:
		v.errorf(line, dec.Start(), RuleCurrency, "number of decimals %c disagrees with currency %s, which has %d", db[0], cb, n)
	}
}

// checkMatch compares a 04/05/07 with its statement's 01. Fields that are
// malformed (already reported) or blank on either side are not compared.
func (v *Validator) checkMatch(line int, data, stmt []byte) {
	for _, f := range [...]cfonb.FieldID{cfonb.FieldAccount, cfonb.FieldCurrency, cfonb.FieldDecimals, cfonb.FieldBank, cfonb.FieldBranch} {
		if !present(data, f) {
			continue
		}
		b, s := f.Of(data), f.Of(stmt)
		if bytes.Equal(b, s) || !wellFormed(f, b) || !wellFormed(f, s) {
			continue
		}
		if f == cfonb.FieldBank || f == cfonb.FieldBranch {
			if !v.opts.Pedantic {
				continue // real files carry another bank's code on a 04 or 05
			}
			v.warnf(line, f.Start(), RuleAccountMatch, "%s %q differs from its statement's %q (line %d)", f, b, s, v.st.line)
		} else {
			v.errorf(line, f.Start(), RuleAccountMatch, "%s %q differs from its statement's %q (line %d)", f, b, s, v.st.line)
		}
	}
}

// wellFormed reports whether a field compared by checkMatch holds a value
// of its kind: digits, or digits and upper-case letters.
func wellFormed(f cfonb.FieldID, b []byte) bool {
	for _, c := range b {
		digit := c >= '0' && c <= '9'
		upper := c >= 'A' && c <= 'Z'
		if !digit && !(upper && (f == cfonb.FieldAccount || f == cfonb.FieldCurrency)) {
			return false
		}
	}
	return true
}

// checkReserved warns about text in reserved zones, with Options.Pedantic
// only: real bank files put dates, sequence numbers, an E in column 21,
// "** PAS DE MOUVEMENT CE JOUR **" or zeros there.
func (v *Validator) checkReserved(line int, data []byte, fields ...cfonb.FieldID) {
	if !v.opts.Pedantic {
		return
	}
	for _, f := range fields {
		b := f.Of(data)
		if len(b) == 0 || isBlank(b) {
			continue
		}
		v.warnf(line, f.Start(), RuleReservedZone, "%s holds %q; expected blanks",
			f, clip(strings.TrimSpace(string(b)), 40))
	}
}

// checkDate checks a JJMMAA field. A blank optional field is accepted.
func (v *Validator) checkDate(line int, data []byte, f cfonb.FieldID, required bool) (cfonb.Date, bool) {
	if !present(data, f) {
		return 0, false
	}
	b := f.Of(data)
	d, err := cfonb.ParseDate(b)
	if err == nil {
		return d, true
	}
	var de *cfonb.DateError
	switch {
	case isBlank(b) && !required:
		return 0, false
	case isBlank(b):
		v.errorf(line, f.Start(), RuleFieldFormat, "%s is blank; expected a date JJMMAA", f)
	case errors.As(err, &de):
		v.errorf(line, f.Start(), RuleDate, "%s %q is not a calendar date (%s)", f, b, dateProblem(de))
	default:
		v.errorf(line, f.Start(), RuleFieldFormat, "%s %q is not a date JJMMAA (6 digits)", f, b)
	}
	return 0, false
}

func dateProblem(e *cfonb.DateError) string { return e.Reason() }

// checkAmount checks an amount field.
func (v *Validator) checkAmount(line int, data []byte, f cfonb.FieldID) (int64, bool) {
	if !present(data, f) {
		return 0, false
	}
	b := f.Of(data)
	a, err := cfonb.ParseAmount(b)
	if err == nil {
		return a, true
	}
	var ae *cfonb.AmountError
	why := err.Error()
	if errors.As(err, &ae) && ae.Offset < len(b) {
		switch {
		case errors.Is(err, cfonb.ErrAmountDigit):
			why = fmt.Sprintf("%s at column %d is not a digit", charAt(b, ae.Offset), f.Start()+ae.Offset)
		case errors.Is(err, cfonb.ErrAmountSign):
			why = fmt.Sprintf("last character %s is not a sign character ({, A-I for credits; }, J-R for debits)", charAt(b, ae.Offset))
		}
	}
	if isBlank(b) {
		v.errorf(line, f.Start(), RuleAmount, "%s is blank; expected 13 digits and a sign character", f)
	} else {
		v.errorf(line, f.Start(), RuleAmount, "%s %q is not 13 digits and a sign character: %s", f, b, why)
	}
	return 0, false
}

// checkInterbankCode warns about a blank interbank operation code on a 04.
func (v *Validator) checkInterbankCode(line int, data []byte) {
	f := cfonb.FieldInterbankCode
	if !present(data, f) {
		return
	}
	code := f.Of(data)
	if _, known := cfonb.InterbankLabel(code); known {
		return
	}
	if isBlank(code) {
		if v.opts.Pedantic { // fee lines and factoring banks leave it blank
			v.warn(line, f.Start(), RuleInterbankCode, "interbank operation code is blank")
		}
	} else {
		v.warnf(line, f.Start(), RuleInterbankCode, "interbank operation code %q is not in the CFONB list", code)
	}
}

// checkQualifier checks a 05's qualifier and, for the account qualifiers
// CBE and CPY, the IBAN the information carries.
func (v *Validator) checkQualifier(line int, data []byte) {
	f := cfonb.FieldQualifier
	if !present(data, f) {
		return
	}
	q := f.Of(data)
	// Banks send their own qualifiers, kept as text (shared/cfonb120.md:
	// never reject a file for one): said only with Options.Pedantic.
	if v.opts.Pedantic && !cfonb.KnownQualifier(q) && !isBlank(q) && !valueDateNoQualifier(data) {
		v.warnf(line, f.Start(), RuleQualifier, "qualifier %q is not a CFONB qualifier (its information is kept as text)", q)
	}
	if string(q) == cfonb.QualifierCBE || string(q) == cfonb.QualifierCPY {
		v.checkComplementIBAN(line, data, q)
	}
}

// valueDateNoQualifier reports whether a 05 holds, in place of a
// qualifier, a value date at columns 43-48 (as a factoring bank writes its
// complements): its "qualifier" is the date's last three digits.
func valueDateNoQualifier(data []byte) bool {
	_, ok := cfonb.ComplementValueDate(data)
	return ok
}

// checkComplementIBAN checks the IBAN at the start of a CBE/CPY complement.
func (v *Validator) checkComplementIBAN(line int, data, qualifier []byte) {
	f := cfonb.FieldInformation
	tok, start, err := complementIBAN(f.Of(data))
	if err == nil {
		return
	}
	var ie *cfonb.IBANError
	reason := err.Error()
	if errors.As(err, &ie) {
		reason = ie.Reason
	}
	v.warnf(line, f.Start()+start, RuleIBAN, "%s account IBAN %q is not valid: %s", qualifier, tok, reason)
}

// complementIBAN finds the IBAN at the start of a CBE/CPY complement's
// information (before a space or a slash and the BIC) and checks it. It
// returns a nil error when there is no IBAN-shaped word (a BIC alone, a
// national account number) or when the IBAN is valid.
func complementIBAN(info []byte) (tok []byte, start int, err error) {
	tok, start, shaped := complementIBANWord(info)
	if !shaped {
		return tok, start, nil
	}
	return tok, start, cfonb.CheckIBANBytes(tok)
}

// complementIBANWord finds the first word of a CBE/CPY complement's
// information (before a space or a slash) and whether it is IBAN-shaped
// (two letters, two digits).
func complementIBANWord(info []byte) (tok []byte, start int, shaped bool) {
	for start < len(info) && info[start] == ' ' {
		start++
	}
	end := start
	for end < len(info) && info[end] != ' ' && info[end] != '/' {
		end++
	}
	tok = info[start:end]
	return tok, start, len(tok) >= 4 && isUpper(tok[0]) && isUpper(tok[1]) && isDigit(tok[2]) && isDigit(tok[3])
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// clip shortens s to n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
