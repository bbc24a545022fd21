package export

import (
	"errors"
	"math/bits"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// named is a field derived from the complements of a movement.
type named uint8

// The named fields, in output order.
const (
	nPayerName named = iota
	nPayerID
	nPayerIDType
	nPayerAccount
	nPayeeName
	nPayeeID
	nPayeeIDType
	nPayeeAccount
	nUltimateDebtorName
	nUltimateDebtorID
	nUltimateDebtorIDType
	nUltimateCreditorName
	nUltimateCreditorID
	nUltimateCreditorIDType
	nRemittanceInfo
	nRemittanceReference
	nEndToEndReference
	nPurpose
	nBankReference
	nBankInstructionID
	nMandateReference
	nMandateSequenceType
	nOriginalAmount
	nOriginalCurrency
	nExchangeRate
	nFee
	nFeeCurrency
	numNamed
)

// namedKeys are the JSON keys and CSV columns of the named fields.
var namedKeys = [numNamed]string{
	nPayerName:              "payer_name",
	nPayerID:                "payer_id",
	nPayerIDType:            "payer_id_type",
	nPayerAccount:           "payer_account",
	nPayeeName:              "payee_name",
	nPayeeID:                "payee_id",
	nPayeeIDType:            "payee_id_type",
	nPayeeAccount:           "payee_account",
	nUltimateDebtorName:     "ultimate_debtor_name",
	nUltimateDebtorID:       "ultimate_debtor_id",
	nUltimateDebtorIDType:   "ultimate_debtor_id_type",
	nUltimateCreditorName:   "ultimate_creditor_name",
	nUltimateCreditorID:     "ultimate_creditor_id",
	nUltimateCreditorIDType: "ultimate_creditor_id_type",
	nRemittanceInfo:         "remittance_info",
	nRemittanceReference:    "remittance_reference",
	nEndToEndReference:      "end_to_end_reference",
	nPurpose:                "purpose",
	nBankReference:          "bank_reference",
	nBankInstructionID:      "bank_instruction_id",
	nMandateReference:       "mandate_reference",
	nMandateSequenceType:    "mandate_sequence_type",
	nOriginalAmount:         "original_amount",
	nOriginalCurrency:       "original_currency",
	nExchangeRate:           "exchange_rate",
	nFee:                    "fee",
	nFeeCurrency:            "fee_currency",
}

// isDecimal reports whether a named field is a decimal number (written
// with a decimal comma in a CSV when asked).
func (n named) isDecimal() bool {
	return n == nOriginalAmount || n == nExchangeRate || n == nFee
}

// span is a value in view.buf.
type span struct {
	start, end int32
	set        bool
	full       bool // the last part filled its whole zone (joined without a space)
}

// comp is one complement as exported.
type comp struct {
	qualifier []byte
	text      []byte
	// valueDate is the value date a complement holds in place of its
	// qualifier (cfonb.ComplementValueDate); qualifier is then empty.
	valueDate cfonb.Date
}

// view is a movement decoded for output. Its slices point into the
// pending movement and into buf, reused from one movement to the next.
type view struct {
	line int
	// plain: every record of the movement is printable ASCII without '"'
	// or '\\', so every string taken from them is its own JSON text
	// (jsonPlain); set for the JSON formats only.
	plain bool
	// namedSet has bit n set when named[n] is set.
	namedSet uint32
	m        cfonb.Movement
	decimals int
	amountOK bool
	// amountField is the 04's amount zone (13 digits and the overpunch
	// sign) when amountOK: the JSON formats copy its digits.
	amountField []byte
	bookingOK   bool
	valueOK     bool
	label       span
	comps       []comp
	named       [numNamed]span
	buf         []byte
}

func (v *view) get(s span) []byte { return v.buf[s.start:s.end] }

// labelText is the movement's label: the 04's, joined with the text of
// its LIB complements, if any (copied into buf only then).
func (v *view) labelText() []byte {
	if v.label.set {
		return v.get(v.label)
	}
	return v.m.Label
}

// add appends part to the value at *s: a first part is the value; a next
// part is joined with a space, or as is when the previous part filled its
// zone (the bank cut the text where the zone ended, often mid-word).
// full says whether part fills its zone.
func (v *view) add(s *span, part []byte, full bool) {
	if len(part) == 0 {
		return
	}
	if !s.set {
		s.start = int32(len(v.buf))
		v.buf = append(v.buf, part...)
		s.end, s.set, s.full = int32(len(v.buf)), true, full
		return
	}
	if int(s.end) != len(v.buf) {
		// Another value was appended since: move this one to the end.
		old := *s
		s.start = int32(len(v.buf))
		v.buf = append(v.buf, v.buf[old.start:old.end]...)
	}
	if !s.full {
		v.buf = append(v.buf, ' ')
	}
	v.buf = append(v.buf, part...)
	s.end, s.full = int32(len(v.buf)), full
}

// setValue sets a named field to a formatted value (replacing any earlier one).
func (v *view) setValue(n named, f func([]byte) []byte) {
	start := len(v.buf)
	v.buf = f(v.buf)
	v.named[n] = span{start: int32(start), end: int32(len(v.buf)), set: true}
	v.namedSet |= 1 << n
}

// addTo adds part to the named field n (see add).
func (v *view) addTo(n named, part []byte, full bool) {
	if len(part) == 0 {
		return
	}
	v.add(&v.named[n], part, full)
	v.namedSet |= 1 << n
}

// zoneFull reports whether a zone's last byte is not a space: its text may
// continue in the next part.
func zoneFull(zone []byte, size int) bool {
	return len(zone) == size && zone[size-1] != ' '
}

// decode decodes the movement p into f.v; decimals are its statement's.
func (f *formatter) decode(p *pending, decimals int) {
	v := &f.v
	// Only the named fields set by the last movement need clearing: the
	// others are zero.
	for set := v.namedSet; set != 0; set &= set - 1 {
		v.named[bits.TrailingZeros32(set)] = span{}
	}
	v.namedSet = 0
	v.label = span{}
	v.comps, v.buf = v.comps[:0], v.buf[:0]
	v.line = p.line
	v.plain = f.jsonOut && !p.escape
	m := &v.m
	err := cfonb.ParseMovementTo(m, p.data)
	v.decimals = m.Decimals
	if v.decimals < 0 {
		v.decimals = decimals
	}
	v.amountOK = err == nil || amountOK(err, p.data)
	v.amountField = nil
	if v.amountOK {
		v.amountField = cfonb.FieldAmount.Of(p.data)
	}
	v.bookingOK = m.BookingDate != 0
	v.valueOK = m.ValueDate != 0

	// The label is the 04's (labelText) until a LIB adds to it.
	for i := range p.ends {
		// Only the qualifier and the information matter here: no need for
		// the whole of cfonb.ParseComplement.
		data := p.complement(i)
		info := cfonb.FieldInformation.Of(data)
		text := cfonb.TrimSpaces(info)
		if d, ok := cfonb.ComplementValueDate(data); ok {
			// A value date where the qualifier goes (a factoring bank):
			// its last digits are no qualifier.
			v.comps = append(v.comps, comp{text: text, valueDate: d})
			continue
		}
		q := cfonb.TrimSpaces(cfonb.FieldQualifier.Of(data))
		v.comps = append(v.comps, comp{qualifier: q, text: text})
		addNamed(v, q, info, text, zoneFull(info, cfonb.FieldInformation.Len()))
	}
}

// amountOK reports whether the amount of a 04 that ParseMovement failed to
// decode with err is good. ParseMovement reports only the first bad field:
// the amount is parsed again only when an earlier field hid whether it is.
func amountOK(err error, data []byte) bool {
	var fe *cfonb.FieldError
	if errors.As(err, &fe) && fe.Field == cfonb.FieldAmount {
		return false
	}
	_, err = cfonb.ParseAmount(cfonb.FieldAmount.Of(data))
	return err == nil
}

// addNamed fills the named fields a complement gives.
func addNamed(v *view, q, info, text []byte, full bool) {
	if len(q) != 3 {
		return
	}
	switch string(q) {
	case cfonb.QualifierLIB:
		// A LIB after a full 31-character label usually starts a new item
		// (a BIC, a sentence), not the rest of a cut word: one space.
		if !v.label.set {
			v.add(&v.label, v.m.Label, false)
		}
		v.add(&v.label, text, false)
	case cfonb.QualifierLCC, cfonb.QualifierLC2:
		v.addTo(nRemittanceInfo, text, full)
	case cfonb.QualifierLCS:
		l := cfonb.ParseLCS(info)
		v.addTo(nRemittanceReference, l.Reference, false)
	case cfonb.QualifierRCN:
		r := cfonb.ParseRCN(info)
		v.addTo(nEndToEndReference, r.EndToEnd, false)
		v.addTo(nPurpose, r.Purpose, false)
	case cfonb.QualifierREF:
		// 1-35 payment-information id, 36-70 instruction id.
		p := cfonb.ParsePartyID(info)
		v.addTo(nBankReference, p.ID, false)
		v.addTo(nBankInstructionID, p.Type, false)
	case cfonb.QualifierNPY:
		v.addTo(nPayerName, text, full)
	case cfonb.QualifierIPY:
		addParty(v, info, nPayerID)
	case cfonb.QualifierCPY:
		v.addTo(nPayerAccount, text, false)
	case cfonb.QualifierNBE:
		v.addTo(nPayeeName, text, full)
	case cfonb.QualifierIBE:
		addParty(v, info, nPayeeID)
	case cfonb.QualifierCBE:
		v.addTo(nPayeeAccount, text, false)
	case cfonb.QualifierNPO:
		v.addTo(nUltimateDebtorName, text, full)
	case cfonb.QualifierIPO:
		addParty(v, info, nUltimateDebtorID)
	case cfonb.QualifierNBU:
		v.addTo(nUltimateCreditorName, text, full)
	case cfonb.QualifierIBU:
		addParty(v, info, nUltimateCreditorID)
	case cfonb.QualifierRUM:
		// 1-35 mandate reference, 36-70 sequence type (FRST, RCUR...).
		p := cfonb.ParsePartyID(info)
		v.addTo(nMandateReference, p.ID, false)
		v.addTo(nMandateSequenceType, p.Type, false)
	case cfonb.QualifierMMO:
		o, err := cfonb.ParseMMO(info)
		if err != nil && len(o.Currency) == 0 {
			return // kept in complements only
		}
		// A blank or malformed rate zone does not lose the currency and
		// amount.
		v.setValue(nOriginalAmount, func(b []byte) []byte { return cfonb.AppendDecimal(b, o.Amount, o.Decimals) })
		v.setValue(nOriginalCurrency, func(b []byte) []byte { return append(b, o.Currency...) })
		if o.HasRate {
			v.setValue(nExchangeRate, func(b []byte) []byte { return cfonb.AppendDecimal(b, o.Rate, o.RateDecimals) })
		}
	case cfonb.QualifierFEE:
		f, err := cfonb.ParseFEE(info)
		if err != nil {
			return
		}
		v.setValue(nFee, func(b []byte) []byte { return cfonb.AppendDecimal(b, f.Amount, f.Decimals) })
		v.setValue(nFeeCurrency, func(b []byte) []byte { return append(b, f.Currency...) })
	}
}

// addParty fills an identifier and its type (the named field after id).
func addParty(v *view, info []byte, id named) {
	p := cfonb.ParsePartyID(info)
	v.addTo(id, p.ID, false)
	v.addTo(id+1, p.Type, false)
}
