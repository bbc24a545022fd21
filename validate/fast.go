package validate

import (
	"encoding/binary"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The fast path. Most records of a real file are movements and complements
// that repeat their statement's bank, branch, currency and account, and
// dates seen on the record before. For such a record, fastMovement and
// fastComplement decide with direct indexing and a few word comparisons
// that the full checks would report nothing, and update the statement as
// they would. When they cannot tell, they return false and the full checks
// run: every diagnostic comes from the full checks, so the fast path can
// only change speed, never a report (TestFastPathAgrees checks it).

// dateCache remembers the last date field decoded, as most records repeat
// the date of the record before.
type dateCache struct {
	// key is the complement of the field's six bytes, packed: never 0,
	// so that the zero dateCache matches no field.
	key  uint64
	date cfonb.Date
}

// dateKey packs the six bytes of b and complements them.
func dateKey(b *[6]byte) uint64 {
	return ^(uint64(binary.LittleEndian.Uint32(b[:4])) | uint64(binary.LittleEndian.Uint16(b[4:]))<<32)
}

// A date field b is valid when dateKey(b) == c.key (the date of the
// record before: c.date) || c.miss(b), written out at each use for the
// compiler to inline the first test.

// miss decodes b and, if it is a date, remembers it in c.
func (c *dateCache) miss(b *[6]byte) bool {
	d, err := cfonb.ParseDate(b[:])
	if err != nil {
		return false
	}
	c.key, c.date = dateKey(b), d
	return true
}

// sameHead reports whether columns 3-7 and 12-32 (bank, branch, currency,
// decimals, reserved 21, account) of a 120-byte record equal those of the
// statement's 01.
//
// It compares four 64-bit words instead of two strings: bytes 2-6 of the
// first word (the record code, bytes 0-1, differs), then 11-18, 19-26 and
// 24-31 (which overlaps the word before, to stay within column 32): the
// offsets are fields.go's constants.
func (v *Validator) sameHead(data []byte) bool {
	s := &v.st.data
	d := (*[cfonb.RecordLen]byte)(data[:cfonb.RecordLen])
	le := binary.LittleEndian
	return (le.Uint64(d[0:8])^le.Uint64(s[0:8]))&bankMask == 0 &&
		le.Uint64(d[cfonb.OffBranch:cfonb.OffBranch+8]) == le.Uint64(s[cfonb.OffBranch:cfonb.OffBranch+8]) &&
		le.Uint64(d[cfonb.OffBranch+8:cfonb.OffBranch+16]) == le.Uint64(s[cfonb.OffBranch+8:cfonb.OffBranch+16]) &&
		le.Uint64(d[cfonb.EndAccount-8:cfonb.EndAccount]) == le.Uint64(s[cfonb.EndAccount-8:cfonb.EndAccount])
}

// bankMask keeps bytes OffBank to EndBank-1 (2-6) of a little-endian word
// read at the record's start.
const bankMask = (1<<(8*cfonb.EndBank) - 1) &^ (1<<(8*cfonb.OffBank) - 1)

// The word comparisons of sameHead and complement rely on the layout; each
// of these fails to compile (a negative constant) if it moved.
const (
	_ = uint(8 - cfonb.EndBank)                             // the bank code is in the first word
	_ = uint(cfonb.OffBranch + 16 - (cfonb.EndAccount - 8)) // the words from the branch meet or overlap
	_ = uint(cfonb.EndAccount - (cfonb.OffBranch + 16))     // and stay within the account
	_ = uint(cfonb.EndReserved41C - cfonb.OffReserved41C - 5)
	_ = uint(5 - (cfonb.EndReserved41C - cfonb.OffReserved41C)) // a word and a byte: 5 bytes
)

// sameHeadSlow is sameHead as written in the specification: the
// definition the tests compare it with.
func (v *Validator) sameHeadSlow(data []byte) bool {
	s := v.st.data[:]
	return string(data[cfonb.OffBank:cfonb.EndBank]) == string(s[cfonb.OffBank:cfonb.EndBank]) &&
		string(data[cfonb.OffBranch:cfonb.EndAccount]) == string(s[cfonb.OffBranch:cfonb.EndAccount])
}

// blank2 reports whether two bytes are spaces.
func blank2(b []byte) bool { return b[0] == ' ' && b[1] == ' ' }

// precheck is the verdict of the record-local part of the fast path on a
// 120-byte record: for a 04, its amount and booking date; for a 05, only
// whether it is clean. It needs no statement.
type precheck struct {
	clean   bool
	amount  int64
	booking cfonb.Date
}

// prechecker holds the date caches of the record-local checks.
type prechecker struct {
	booking, value dateCache
	iban           ibanCache
}

// ibanCache remembers the last IBAN of a CBE/CPY complement found valid:
// the complements of a statement often name the same account again, and
// the same bytes need not be checked twice.
type ibanCache struct {
	n int // 0: none
	b [34]byte
}

// valid reports whether tok, an IBAN-shaped word, is a valid IBAN.
func (c *ibanCache) valid(tok []byte) bool {
	if c.n > 0 && string(tok) == string(c.b[:c.n]) {
		return true
	}
	if cfonb.CheckIBANBytes(tok) != nil {
		return false
	}
	if len(tok) <= len(c.b) {
		c.n = copy(c.b[:], tok)
	}
	return true
}

// movement checks the fields of a 04 that need no statement: reserved
// zone 80-81, a known interbank code, calendar booking and value dates and
// a well-formed amount.
func (c *prechecker) movement(data []byte) precheck {
	if !blank2(data[cfonb.OffReserved80:cfonb.EndReserved80]) {
		return precheck{}
	}
	if _, ok := cfonb.InterbankLabel(data[cfonb.OffInterbankCode:cfonb.EndInterbankCode]); !ok {
		return precheck{}
	}
	bk, vl := (*[6]byte)(data[cfonb.OffBookingDate:cfonb.EndBookingDate]), (*[6]byte)(data[cfonb.OffValueDate:cfonb.EndValueDate])
	if dateKey(bk) != c.booking.key && !c.booking.miss(bk) || dateKey(vl) != c.value.key && !c.value.miss(vl) {
		return precheck{}
	}
	booking := c.booking.date
	amount, err := cfonb.ParseAmount(data[cfonb.OffAmount:cfonb.EndAmount])
	if err != nil {
		return precheck{}
	}
	return precheck{clean: true, amount: amount, booking: booking}
}

// complement checks the fields of a 05 that need no statement: reserved
// zones, a known qualifier (with a valid IBAN for CBE and CPY) and a blank
// or calendar booking date.
func (c *prechecker) complement(data []byte) precheck {
	if !blank2(data[cfonb.OffReserved119:cfonb.EndReserved119]) ||
		binary.LittleEndian.Uint32(data[cfonb.OffReserved41C:cfonb.OffReserved41C+4]) != 0x20202020 || data[cfonb.EndReserved41C-1] != ' ' {
		return precheck{}
	}
	q := data[cfonb.OffQualifier:cfonb.EndQualifier]
	if !cfonb.KnownQualifier(q) {
		return precheck{}
	}
	if q[0] == 'C' && (string(q) == cfonb.QualifierCBE || string(q) == cfonb.QualifierCPY) {
		if tok, _, shaped := complementIBANWord(data[cfonb.OffInformation:cfonb.EndInformation]); shaped && !c.iban.valid(tok) {
			return precheck{}
		}
	}
	if !isBlank(data[cfonb.OffBookingDate:cfonb.EndBookingDate]) {
		if bk := (*[6]byte)(data[cfonb.OffBookingDate:cfonb.EndBookingDate]); dateKey(bk) != c.booking.key && !c.booking.miss(bk) {
			return precheck{}
		}
	}
	return precheck{clean: true}
}

// precheck runs the record-local checks for a record of code.
func (c *prechecker) precheck(code cfonb.Code, data []byte) precheck {
	switch code {
	case cfonb.CodeMovement:
		return c.movement(data)
	case cfonb.CodeComplement:
		return c.complement(data)
	}
	return precheck{}
}

// fastRecord is record for a record that the reader framed by its stride
// (cfonb.Reader.ReadStride: 120 printable bytes, at the start of its line)
// at line line, when the fast path takes it: a 04 or 05 of the open clean
// statement that the full checks would find nothing in. It returns false,
// having changed nothing that a report shows, when record must take it.
func (v *Validator) fastRecord(data *[cfonb.RecordLen]byte, line int) bool {
	if !v.open || !v.stmtClean || v.st.m.Pending || v.stopped || v.noFast {
		return false
	}
	var code cfonb.Code
	switch d := data[:]; cfonb.ParseCode(d) {
	case cfonb.CodeMovement:
		p := v.checker.movement(d)
		if !p.clean || !v.sameHead(d) {
			v.declined = true
			return false
		}
		v.addMovement(p, line)
		code = cfonb.CodeMovement
	case cfonb.CodeComplement:
		if !v.applyComplement(d, v.checker.complement(d)) {
			v.declined = true
			return false
		}
		code = cfonb.CodeComplement
	default:
		return false
	}
	// What record does for such a record besides the checks.
	v.last = line
	v.colBase = 0
	v.rep.Records++
	v.prev = code
	return true
}

// applyMovement is the statement part of the fast path for a 04 whose
// precheck is clean: it repeats its statement's account, and it is added
// to the statement.
func (v *Validator) applyMovement(data []byte, p precheck) bool {
	if !p.clean || !v.sameHead(data) {
		return false
	}
	v.addMovement(p, v.last)
	return true
}

// addMovement adds the movement of line, whose precheck is clean, to the
// open statement.
func (v *Validator) addMovement(p precheck, line int) {
	st := &v.st
	st.m.AddMovement(p.amount, true)
	if st.minBooking == 0 || p.booking < st.minBooking {
		st.minBooking, st.minLine = p.booking, line
	}
	if p.booking > st.maxBooking {
		st.maxBooking, st.maxLine = p.booking, line
	}
}

// applyComplement is the statement part of the fast path for a 05 whose
// precheck is clean: it follows a 04 or 05 and repeats its statement's
// account.
func (v *Validator) applyComplement(data []byte, p precheck) bool {
	return p.clean && (v.prev == cfonb.CodeMovement || v.prev == cfonb.CodeComplement) && v.sameHead(data)
}
