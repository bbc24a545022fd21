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
	raw  [6]byte
	date cfonb.Date
}

func (c *dateCache) parse(b []byte) (cfonb.Date, bool) {
	if c.date != 0 && string(b) == string(c.raw[:]) {
		return c.date, true
	}
	d, err := cfonb.ParseDate(b)
	if err != nil {
		return 0, false
	}
	copy(c.raw[:], b)
	c.date = d
	return d, true
}

// sameHead reports whether columns 3-7 and 12-32 (bank, branch, currency,
// decimals, reserved 21, account) of a 120-byte record equal those of the
// statement's 01.
func (v *Validator) sameHead(data []byte) bool {
	s := v.st.data[:]
	return string(data[2:7]) == string(s[2:7]) && string(data[11:32]) == string(s[11:32])
}

// blank2 reports whether two bytes are spaces.
func blank2(b []byte) bool { return b[0] == ' ' && b[1] == ' ' }

// fastMovement handles a clean 04 of the open, clean statement.
func (v *Validator) fastMovement(data []byte) bool {
	if !v.sameHead(data) || !blank2(data[79:81]) {
		return false
	}
	if _, ok := cfonb.InterbankLabel(data[32:34]); !ok {
		return false
	}
	booking, ok := v.bookingCache.parse(data[34:40])
	if !ok {
		return false
	}
	if _, ok := v.valueCache.parse(data[42:48]); !ok {
		return false
	}
	amount, err := cfonb.ParseAmount(data[90:104])
	if err != nil {
		return false
	}
	st := &v.st
	st.movements++
	if amount < 0 {
		st.debits.Add(amount)
	} else {
		st.credits.Add(amount)
	}
	if st.minBooking == 0 || booking < st.minBooking {
		st.minBooking, st.minLine = booking, v.last
	}
	if booking > st.maxBooking {
		st.maxBooking, st.maxLine = booking, v.last
	}
	return true
}

// fastComplement handles a clean 05 that follows a 04 or 05.
func (v *Validator) fastComplement(data []byte) bool {
	if v.prev != cfonb.CodeMovement && v.prev != cfonb.CodeComplement {
		return false
	}
	if !v.sameHead(data) || !blank2(data[118:120]) ||
		binary.LittleEndian.Uint32(data[40:44]) != 0x20202020 || data[44] != ' ' {
		return false
	}
	q := data[45:48]
	if !cfonb.KnownQualifier(q) {
		return false
	}
	if q[0] == 'C' && (string(q) == cfonb.QualifierCBE || string(q) == cfonb.QualifierCPY) {
		if _, _, err := complementIBAN(data[48:118]); err != nil {
			return false
		}
	}
	if !isBlank(data[34:40]) {
		if _, ok := v.bookingCache.parse(data[34:40]); !ok {
			return false
		}
	}
	return true
}
