package cfonb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Movement is the decoded content of a 04 record (mouvement). Its byte-slice
// fields are sub-slices of the record's data, never copies: they are valid
// as long as the data is (for a Record from a Reader, until the next Read).
// Text and code fields are trimmed of leading and trailing spaces, so a
// blank zone is an empty slice.
type Movement struct {
	// Account holds the bank code (3-7), branch code (12-16), account number
	// (22-32) and currency (17-19) as the record carries them, untrimmed.
	Account Account
	// InternalCode is the bank's internal operation code (8-11).
	InternalCode []byte
	// Decimals is the number of decimals of the amount (20), or -1 when the
	// field is not a digit (some banks leave it blank).
	Decimals int
	// InterbankCode is the interbank operation code (33-34); see
	// [InterbankLabel].
	InterbankCode []byte
	// BookingDate is the date of booking (35-40, date de comptabilisation).
	BookingDate Date
	// RejectCode is the rejection reason code (41-42), empty if none.
	RejectCode []byte
	// ValueDate is the value date (43-48, date de valeur).
	ValueDate Date
	// Label is the label (49-79, libellé).
	Label []byte
	// EntryNumber is the entry number (82-88, numéro d'écriture).
	EntryNumber []byte
	// Exemption is the commission exemption index (89), a space if none.
	Exemption byte
	// Unavailability is the unavailability index (90), a space if none.
	Unavailability byte
	// Amount is the amount in minor units (91-104): negative for a debit.
	Amount int64
	// Reference is the reference zone (105-120).
	Reference []byte
}

// ErrWrongRecord is returned when a record given to ParseMovement or
// ParseComplement does not have the expected record code.
var ErrWrongRecord = errors.New("wrong record code")

// ParseMovement decodes a 04 record. It decodes every field it can: on
// error the returned Movement holds all the fields that did decode (the
// others are zero, and Decimals -1 if it did not), and the error, a
// *FieldError, names the first field that did not (decimals, booking date,
// value date or amount, in column order). Package validate reports every
// problem; this is for callers that read valid files, or that want the
// best of a damaged one. It does not allocate on success.
func ParseMovement(data []byte) (Movement, error) {
	var m Movement
	err := ParseMovementTo(&m, data)
	return m, err
}

// ParseMovementTo is ParseMovement decoding into *m, every field of which
// it sets: a caller that decodes many records keeps one Movement instead
// of copying a new one out of each call.
func ParseMovementTo(m *Movement, data []byte) error {
	if ParseCode(data) != CodeMovement {
		*m = Movement{}
		return fmt.Errorf("cfonb: movement: %w: %q is not 04", ErrWrongRecord, FieldCode.Of(data))
	}
	if len(data) >= RecordLen {
		return parseMovement(m, (*[RecordLen]byte)(data))
	}
	var err error
	*m, err = parseMovementShort(data)
	return err
}

// parseMovementShort is ParseMovement field by field, for a record that
// may be too short to hold them all.
func parseMovementShort(data []byte) (Movement, error) {
	var m Movement
	m.Account = AccountOf(data)
	m.InternalCode = TrimSpaces(FieldInternalCode.Of(data))
	m.InterbankCode = TrimSpaces(FieldInterbankCode.Of(data))
	m.RejectCode = TrimSpaces(FieldRejectCode.Of(data))
	m.Label = TrimSpaces(FieldLabel.Of(data))
	m.EntryNumber = TrimSpaces(FieldEntryNumber.Of(data))
	m.Reference = TrimSpaces(FieldReference.Of(data))
	m.Exemption, m.Unavailability = ' ', ' '
	if b := FieldExemption.Of(data); len(b) == 1 {
		m.Exemption = b[0]
	}
	if b := FieldUnavailability.Of(data); len(b) == 1 {
		m.Unavailability = b[0]
	}
	var first error
	m.Decimals = -1
	if d := FieldDecimals.Of(data); len(d) == 1 && isDigit(d[0]) {
		m.Decimals = int(d[0] - '0')
	} else {
		first = &FieldError{Field: FieldDecimals, Err: ErrNotDigits}
	}
	var err error
	if m.BookingDate, err = ParseDate(FieldBookingDate.Of(data)); err != nil && first == nil {
		first = &FieldError{Field: FieldBookingDate, Err: err}
	}
	if m.ValueDate, err = ParseDate(FieldValueDate.Of(data)); err != nil && first == nil {
		first = &FieldError{Field: FieldValueDate, Err: err}
	}
	if m.Amount, err = ParseAmount(FieldAmount.Of(data)); err != nil && first == nil {
		first = &FieldError{Field: FieldAmount, Err: err}
	}
	return m, first
}

// parseMovement is ParseMovementTo for a record that holds every field:
// the zones are taken at their constant offsets, without a bounds check
// each, and every field of *m is set in place (TestParseMovementAgrees
// compares it with the general path).
func parseMovement(m *Movement, p *[RecordLen]byte) error {
	m.Account = AccountOf(p[:])
	m.InternalCode = TrimSpaces(p[OffInternalCode:EndInternalCode])
	m.InterbankCode = TrimSpaces(p[OffInterbankCode:EndInterbankCode])
	m.RejectCode = TrimSpaces(p[OffRejectCode:EndRejectCode])
	m.Label = TrimSpaces(p[OffLabel:EndLabel])
	m.EntryNumber = TrimSpaces(p[OffEntryNumber:EndEntryNumber])
	m.Reference = TrimSpaces(p[OffReference:EndReference])
	m.Exemption = p[OffExemption]
	m.Unavailability = p[OffUnavailability]
	m.Decimals = -1
	var first error
	if d := p[OffDecimals]; isDigit(d) {
		m.Decimals = int(d - '0')
	} else {
		first = &FieldError{Field: FieldDecimals, Err: ErrNotDigits}
	}
	var err error
	if m.BookingDate, err = ParseDate(p[OffBookingDate:EndBookingDate]); err != nil && first == nil {
		first = &FieldError{Field: FieldBookingDate, Err: err}
	}
	if m.ValueDate, err = ParseDate(p[OffValueDate:EndValueDate]); err != nil && first == nil {
		first = &FieldError{Field: FieldValueDate, Err: err}
	}
	if m.Amount, err = ParseAmount(p[OffAmount:EndAmount]); err != nil && first == nil {
		first = &FieldError{Field: FieldAmount, Err: err}
	}
	return first
}

// Complement is the decoded content of a 05 record (complément
// d'information). Like a Movement's, its byte-slice fields are sub-slices
// of the record's data.
type Complement struct {
	// Account holds the bank code, branch code, account number and currency
	// as the record carries them.
	Account Account
	// InternalCode and InterbankCode are the operation codes (8-11, 33-34),
	// trimmed.
	InternalCode  []byte
	InterbankCode []byte
	// BookingDate is the booking date (35-40); zero if it does not decode.
	BookingDate Date
	// Qualifier is the qualifier of the information (46-48), trimmed: one
	// of the Qualifier constants, or a bank's own, or empty. It is empty
	// when the complement holds a value date in its place (ValueDate).
	Qualifier []byte
	// ValueDate is the value date some banks (factoring) write at 43-48
	// of a 05 that has no qualifier (see ComplementValueDate); zero when
	// the complement has none.
	ValueDate Date
	// Info is the information zone (49-118) as it stands, untrimmed, so that
	// the positions of structured qualifiers hold; see Text.
	Info []byte
}

// Text returns the information zone trimmed of leading and trailing spaces.
func (c *Complement) Text() []byte { return TrimSpaces(c.Info) }

// ParseComplement decodes a 05 record. The only field that can fail is the
// booking date, returned as a *FieldError with the rest decoded (a
// complement's information is worth keeping even then). It does not
// allocate on success.
func ParseComplement(data []byte) (Complement, error) {
	var c Complement
	if ParseCode(data) != CodeComplement {
		return c, fmt.Errorf("cfonb: complement: %w: %q is not 05", ErrWrongRecord, FieldCode.Of(data))
	}
	copy(c.Account.Bank[:], FieldBank.Of(data))
	copy(c.Account.Branch[:], FieldBranch.Of(data))
	copy(c.Account.Number[:], FieldAccount.Of(data))
	copy(c.Account.Currency[:], FieldCurrency.Of(data))
	c.InternalCode = TrimSpaces(FieldInternalCode.Of(data))
	c.InterbankCode = TrimSpaces(FieldInterbankCode.Of(data))
	if d, ok := ComplementValueDate(data); ok {
		c.ValueDate = d
	} else {
		c.Qualifier = TrimSpaces(FieldQualifier.Of(data))
	}
	c.Info = FieldInformation.Of(data)
	var err error
	if c.BookingDate, err = ParseDate(FieldBookingDate.Of(data)); err != nil {
		return c, &FieldError{Field: FieldBookingDate, Err: err}
	}
	return c, nil
}

// ComplementValueDate returns the value date a 05 holds at 43-48 in place
// of a qualifier, as factoring banks write their complements (the record's
// 46-48 are then the date's last three digits, not a qualifier). ok is
// false when 43-48 is not a calendar date, which a qualifier (letters, or
// blanks at 43-45) never is.
func ComplementValueDate(data []byte) (d Date, ok bool) {
	if len(data) < EndValueDate || data[EndValueDate-1]-'0' > 9 {
		return 0, false // the usual case: a qualifier's last letter
	}
	d, err := ParseDate(data[OffValueDate:EndValueDate])
	return d, err == nil
}

// TrimSpaces returns b without its leading and trailing spaces (0x20 only):
// a sub-slice, never a copy.
func TrimSpaces(b []byte) []byte {
	if len(b) > 0 && b[0] != ' ' && b[len(b)-1] != ' ' {
		return b[:len(b):len(b)] // a full zone: nothing to trim
	}
	i, j := 0, len(b)
	// Zones are often mostly trailing spaces: skip them eight at a time,
	// then those of the last word that is not all spaces at once (its
	// highest bytes, read little-endian).
	for j-i >= 8 {
		if w := binary.LittleEndian.Uint64(b[j-8:j]) ^ spaces8; w != 0 {
			j -= bits.LeadingZeros64(w) / 8
			break
		}
		j -= 8
	}
	for j > i && b[j-1] == ' ' {
		j--
	}
	for i < j && b[i] == ' ' {
		i++
	}
	return b[i:j:j]
}

// spaces8 is eight spaces read as a uint64.
const spaces8 = 0x2020202020202020

// zone returns info[from-1 : to] (1-based, inclusive) trimmed, or what the
// information holds of it.
func zone(info []byte, from, to int) []byte {
	if from-1 >= len(info) {
		return nil
	}
	return TrimSpaces(info[from-1 : min(to, len(info))])
}

// RCN is the decoded information of an RCN complement: the end-to-end
// reference the client gave (1-35) and the purpose (36-70).
type RCN struct {
	EndToEnd []byte
	Purpose  []byte
}

// ParseRCN decodes the information of an RCN complement. It cannot fail.
func ParseRCN(info []byte) RCN {
	return RCN{EndToEnd: zone(info, 1, 35), Purpose: zone(info, 36, 70)}
}

// PartyID is the decoded information of an IPY, IBE, IPO or IBU complement:
// an identifier (1-35) and the type of identifier (36-70).
type PartyID struct {
	ID   []byte
	Type []byte
}

// ParsePartyID decodes the information of an IPY, IBE, IPO or IBU
// complement. It cannot fail.
func ParsePartyID(info []byte) PartyID {
	return PartyID{ID: zone(info, 1, 35), Type: zone(info, 36, 70)}
}

// LCS is the decoded information of an LCS complement: a
// structured reference (1-36, e.g. an ISO 11649 "RF" creditor reference)
// and free text (37-70).
type LCS struct {
	Reference []byte
	Text      []byte
}

// ParseLCS decodes the information of an LCS complement. It cannot fail.
func ParseLCS(info []byte) LCS {
	return LCS{Reference: zone(info, 1, 36), Text: zone(info, 37, 70)}
}

// Money is an amount in a currency: Amount minor units with Decimals
// decimals.
type Money struct {
	Currency []byte // ISO 4217 alphabetic code, trimmed
	Decimals int
	Amount   int64
}

// Decimal formats m's amount as an exact decimal string, e.g. "-1234.56".
func (m Money) Decimal() string { return FormatDecimal(m.Amount, m.Decimals) }

// MMO is the decoded information of an MMO complement: the original
// amount of a foreign-currency operation and the exchange rate applied.
type MMO struct {
	Money
	// Rate is the exchange rate as an integer of RateDecimals decimals:
	// Rate 10850000 with RateDecimals 7 is 1.0850000. HasRate is false when
	// the rate zone is blank.
	Rate         int64
	RateDecimals int
	HasRate      bool
}

// RateDecimal formats the exchange rate as an exact decimal string, or ""
// when there is none.
func (o MMO) RateDecimal() string {
	if !o.HasRate {
		return ""
	}
	return FormatDecimal(o.Rate, o.RateDecimals)
}

// ErrInfo is wrapped by the errors of the structured complement decoders.
var ErrInfo = errors.New("malformed complement information")

// ParseMMO decodes the information of an MMO complement: currency (1-3),
// decimals (4), amount (5-18), decimals of the rate (19), reserved
// (20-26), exchange rate (27-37). The amount is 14 digits, or 13 digits
// and an overpunch sign character as in a 04. A blank rate zone is no
// rate (HasRate false).
func ParseMMO(info []byte) (MMO, error) {
	var o MMO
	var err error
	if o.Money, err = parseMoney(info, "MMO"); err != nil {
		return MMO{}, err
	}
	rate := zone(info, 27, 37)
	if len(rate) == 0 {
		return o, nil
	}
	rd := zone(info, 19, 19)
	if len(rd) != 1 || !isDigit(rd[0]) {
		return o, fmt.Errorf("MMO: %w: rate decimals (position 19) %q is not a digit", ErrInfo, rd)
	}
	o.RateDecimals = int(rd[0] - '0')
	v, ok := parseDigits(rate)
	if !ok {
		return o, fmt.Errorf("MMO: %w: exchange rate (positions 27-37) %q is not digits", ErrInfo, rate)
	}
	o.Rate, o.HasRate = v, true
	return o, nil
}

// ParseFEE decodes the information of a FEE complement: currency (1-3),
// decimals (4) and amount (5-18), like the start of an MMO.
func ParseFEE(info []byte) (Money, error) { return parseMoney(info, "FEE") }

func parseMoney(info []byte, q string) (Money, error) {
	var m Money
	if len(info) < 18 {
		return m, fmt.Errorf("%s: %w: information is %d characters, shorter than the 18 of currency, decimals and amount", q, ErrInfo, len(info))
	}
	m.Currency = TrimSpaces(info[0:3])
	if len(m.Currency) != 3 {
		return m, fmt.Errorf("%s: %w: currency (positions 1-3) %q is not a 3-letter code", q, ErrInfo, info[0:3])
	}
	if !isDigit(info[3]) {
		return m, fmt.Errorf("%s: %w: decimals (position 4) %q is not a digit", q, ErrInfo, info[3:4])
	}
	m.Decimals = int(info[3] - '0')
	amt := info[4:18]
	if v, ok := parseDigits(amt); ok {
		m.Amount = v
		return m, nil
	}
	v, err := ParseAmount(amt)
	if err != nil {
		return m, fmt.Errorf("%s: %w: amount (positions 5-18) %q: %w", q, ErrInfo, amt, err)
	}
	m.Amount = v
	return m, nil
}

// parseDigits decodes 1 to 18 ASCII digits.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// Zone returns the text of an account zone (bank, branch, number,
// currency) as a report shows it: up to the first zero byte, which a short
// record leaves where it ended, and without leading and trailing spaces. A
// sub-slice, never a copy.
func Zone(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return TrimSpaces(b)
}
