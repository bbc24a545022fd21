package cfonb

// Kind is what a field may hold.
type Kind uint8

// Field kinds, as in the CFONB layout tables.
const (
	KindNumeric Kind = iota + 1 // N: digits
	KindAlnum                   // AN: letters or digits (codes)
	KindBlank                   // B: reserved, blanks
	KindText                    // X: any printable character
	KindDate                    // JJMMAA date (N)
	KindAmount                  // 13 digits and an overpunch sign character
)

// String returns the kind's letter in the CFONB tables ("N", "AN", "B",
// "X") or "date", "amount".
func (k Kind) String() string {
	switch k {
	case KindNumeric:
		return "N"
	case KindAlnum:
		return "AN"
	case KindBlank:
		return "B"
	case KindText:
		return "X"
	case KindDate:
		return "date"
	case KindAmount:
		return "amount"
	}
	return "unknown kind"
}

// FieldID names one field of one record layout. Its position, length, kind
// and name are written once, in this file.
type FieldID uint8

// The fields of the four layouts. Fields shared by every record (code, bank,
// branch, currency, decimals, account) have one id; fields that differ by
// record type have one id per meaning.
const (
	FieldCode           FieldID = iota // 1-2 record code
	FieldBank                          // 3-7 bank code
	FieldReserved8                     // 8-11 reserved (01, 07)
	FieldInternalCode                  // 8-11 internal operation code (04, 05)
	FieldBranch                        // 12-16 branch code
	FieldCurrency                      // 17-19 currency
	FieldDecimals                      // 20 number of decimals
	FieldReserved21                    // 21 reserved
	FieldAccount                       // 22-32 account number
	FieldReserved33                    // 33-34 reserved (01, 07)
	FieldInterbankCode                 // 33-34 interbank operation code (04, 05)
	FieldBalanceDate                   // 35-40 balance date (01, 07)
	FieldBookingDate                   // 35-40 booking date (04, 05)
	FieldReserved41                    // 41-90 reserved (01, 07)
	FieldRejectCode                    // 41-42 rejection reason code (04)
	FieldValueDate                     // 43-48 value date (04)
	FieldLabel                         // 49-79 label (04)
	FieldReserved80                    // 80-81 reserved (04)
	FieldEntryNumber                   // 82-88 entry number (04)
	FieldExemption                     // 89 commission exemption index (04)
	FieldUnavailability                // 90 unavailability index (04)
	FieldBalance                       // 91-104 balance amount (01, 07)
	FieldAmount                        // 91-104 movement amount (04)
	FieldReserved105                   // 105-120 reserved (01, 07)
	FieldReference                     // 105-120 reference (04)
	FieldReserved41C                   // 41-45 reserved (05)
	FieldQualifier                     // 46-48 qualifier of the information (05)
	FieldInformation                   // 49-118 information (05)
	FieldReserved119                   // 119-120 reserved (05)
	numFields
)

type fieldSpec struct {
	start, length int // 1-based start column, length in bytes
	kind          Kind
	name          string
}

// Byte offsets of each field in a record's data, 0-based and half-open:
// data[OffAmount:EndAmount] is the amount of a 04. This is the one table
// of positions: fieldSpecs is built from it, and code that indexes a
// record directly (the validator's fast path) uses these constants, which
// the compiler folds like the literals they replace.
const (
	OffCode           = 0
	EndCode           = 2
	OffBank           = 2
	EndBank           = 7
	OffReserved8      = 7
	EndReserved8      = 11
	OffInternalCode   = 7
	EndInternalCode   = 11
	OffBranch         = 11
	EndBranch         = 16
	OffCurrency       = 16
	EndCurrency       = 19
	OffDecimals       = 19
	EndDecimals       = 20
	OffReserved21     = 20
	EndReserved21     = 21
	OffAccount        = 21
	EndAccount        = 32
	OffReserved33     = 32
	EndReserved33     = 34
	OffInterbankCode  = 32
	EndInterbankCode  = 34
	OffBalanceDate    = 34
	EndBalanceDate    = 40
	OffBookingDate    = 34
	EndBookingDate    = 40
	OffReserved41     = 40
	EndReserved41     = 90
	OffRejectCode     = 40
	EndRejectCode     = 42
	OffValueDate      = 42
	EndValueDate      = 48
	OffLabel          = 48
	EndLabel          = 79
	OffReserved80     = 79
	EndReserved80     = 81
	OffEntryNumber    = 81
	EndEntryNumber    = 88
	OffExemption      = 88
	EndExemption      = 89
	OffUnavailability = 89
	EndUnavailability = 90
	OffBalance        = 90
	EndBalance        = 104
	OffAmount         = 90
	EndAmount         = 104
	OffReserved105    = 104
	EndReserved105    = 120
	OffReference      = 104
	EndReference      = 120
	OffReserved41C    = 40
	EndReserved41C    = 45
	OffQualifier      = 45
	EndQualifier      = 48
	OffInformation    = 48
	EndInformation    = 118
	OffReserved119    = 118
	EndReserved119    = 120
)

var fieldSpecs = [numFields]fieldSpec{
	FieldCode:           {OffCode + 1, EndCode - OffCode, KindNumeric, "record code"},
	FieldBank:           {OffBank + 1, EndBank - OffBank, KindNumeric, "bank code"},
	FieldReserved8:      {OffReserved8 + 1, EndReserved8 - OffReserved8, KindBlank, "reserved zone 8-11"},
	FieldInternalCode:   {OffInternalCode + 1, EndInternalCode - OffInternalCode, KindAlnum, "internal operation code"},
	FieldBranch:         {OffBranch + 1, EndBranch - OffBranch, KindNumeric, "branch code"},
	FieldCurrency:       {OffCurrency + 1, EndCurrency - OffCurrency, KindAlnum, "currency"},
	FieldDecimals:       {OffDecimals + 1, EndDecimals - OffDecimals, KindNumeric, "number of decimals"},
	FieldReserved21:     {OffReserved21 + 1, EndReserved21 - OffReserved21, KindBlank, "reserved zone 21"},
	FieldAccount:        {OffAccount + 1, EndAccount - OffAccount, KindAlnum, "account number"},
	FieldReserved33:     {OffReserved33 + 1, EndReserved33 - OffReserved33, KindBlank, "reserved zone 33-34"},
	FieldInterbankCode:  {OffInterbankCode + 1, EndInterbankCode - OffInterbankCode, KindAlnum, "interbank operation code"},
	FieldBalanceDate:    {OffBalanceDate + 1, EndBalanceDate - OffBalanceDate, KindDate, "balance date"},
	FieldBookingDate:    {OffBookingDate + 1, EndBookingDate - OffBookingDate, KindDate, "booking date"},
	FieldReserved41:     {OffReserved41 + 1, EndReserved41 - OffReserved41, KindBlank, "reserved zone 41-90"},
	FieldRejectCode:     {OffRejectCode + 1, EndRejectCode - OffRejectCode, KindAlnum, "rejection code"},
	FieldValueDate:      {OffValueDate + 1, EndValueDate - OffValueDate, KindDate, "value date"},
	FieldLabel:          {OffLabel + 1, EndLabel - OffLabel, KindText, "label"},
	FieldReserved80:     {OffReserved80 + 1, EndReserved80 - OffReserved80, KindBlank, "reserved zone 80-81"},
	FieldEntryNumber:    {OffEntryNumber + 1, EndEntryNumber - OffEntryNumber, KindAlnum, "entry number"},
	FieldExemption:      {OffExemption + 1, EndExemption - OffExemption, KindText, "commission exemption index"},
	FieldUnavailability: {OffUnavailability + 1, EndUnavailability - OffUnavailability, KindText, "unavailability index"},
	FieldBalance:        {OffBalance + 1, EndBalance - OffBalance, KindAmount, "balance"},
	FieldAmount:         {OffAmount + 1, EndAmount - OffAmount, KindAmount, "amount"},
	FieldReserved105:    {OffReserved105 + 1, EndReserved105 - OffReserved105, KindBlank, "reserved zone 105-120"},
	FieldReference:      {OffReference + 1, EndReference - OffReference, KindText, "reference"},
	FieldReserved41C:    {OffReserved41C + 1, EndReserved41C - OffReserved41C, KindBlank, "reserved zone 41-45"},
	FieldQualifier:      {OffQualifier + 1, EndQualifier - OffQualifier, KindAlnum, "qualifier"},
	FieldInformation:    {OffInformation + 1, EndInformation - OffInformation, KindText, "information"},
	FieldReserved119:    {OffReserved119 + 1, EndReserved119 - OffReserved119, KindBlank, "reserved zone 119-120"},
}

// The layouts, field by field in column order; together each covers
// columns 1 to 120 exactly once (a test checks it).
var (
	balanceLayout = []FieldID{FieldCode, FieldBank, FieldReserved8, FieldBranch,
		FieldCurrency, FieldDecimals, FieldReserved21, FieldAccount, FieldReserved33,
		FieldBalanceDate, FieldReserved41, FieldBalance, FieldReserved105}
	movementLayout = []FieldID{FieldCode, FieldBank, FieldInternalCode, FieldBranch,
		FieldCurrency, FieldDecimals, FieldReserved21, FieldAccount, FieldInterbankCode,
		FieldBookingDate, FieldRejectCode, FieldValueDate, FieldLabel, FieldReserved80,
		FieldEntryNumber, FieldExemption, FieldUnavailability, FieldAmount, FieldReference}
	complementLayout = []FieldID{FieldCode, FieldBank, FieldInternalCode, FieldBranch,
		FieldCurrency, FieldDecimals, FieldReserved21, FieldAccount, FieldInterbankCode,
		FieldBookingDate, FieldReserved41C, FieldQualifier, FieldInformation, FieldReserved119}
)

// Layout returns the fields of records of code c in column order, or nil for
// CodeUnknown. The slice is shared: do not modify it.
func Layout(c Code) []FieldID {
	switch c {
	case CodeOldBalance, CodeNewBalance:
		return balanceLayout
	case CodeMovement:
		return movementLayout
	case CodeComplement:
		return complementLayout
	}
	return nil
}

// spec returns the field's spec; an unknown FieldID has the zero spec.
func (f FieldID) spec() *fieldSpec {
	if f >= numFields {
		return &fieldSpec{}
	}
	return &fieldSpecs[f]
}

// Start returns the 1-based column of the field's first byte (0 for an
// unknown FieldID).
func (f FieldID) Start() int { return f.spec().start }

// Len returns the field's length in bytes (0 for an unknown FieldID).
func (f FieldID) Len() int { return f.spec().length }

// End returns the 1-based column of the field's last byte (-1 for an
// unknown FieldID).
func (f FieldID) End() int { s := f.spec(); return s.start + s.length - 1 }

// Kind returns what the field may hold (0 for an unknown FieldID).
func (f FieldID) Kind() Kind { return f.spec().kind }

// String returns the field's name, e.g. "booking date".
func (f FieldID) String() string {
	if f >= numFields {
		return "unknown field"
	}
	return fieldSpecs[f].name
}

// Of returns the field's bytes in a record's data: a sub-slice, never a
// copy, whose capacity ends with the field. A record shorter than the
// field's end gives what it holds of it (possibly nothing); an unknown
// FieldID gives nothing.
func (f FieldID) Of(data []byte) []byte {
	s := f.spec()
	lo, hi := s.start-1, s.start-1+s.length
	if uint(lo) >= uint(len(data)) { // lo is -1 for an unknown FieldID
		return data[len(data):]
	}
	if hi > len(data) {
		hi = len(data)
	}
	return data[lo:hi:hi]
}
