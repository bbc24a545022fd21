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

var fieldSpecs = [numFields]fieldSpec{
	FieldCode:           {1, 2, KindNumeric, "record code"},
	FieldBank:           {3, 5, KindNumeric, "bank code"},
	FieldReserved8:      {8, 4, KindBlank, "reserved zone 8-11"},
	FieldInternalCode:   {8, 4, KindAlnum, "internal operation code"},
	FieldBranch:         {12, 5, KindNumeric, "branch code"},
	FieldCurrency:       {17, 3, KindAlnum, "currency"},
	FieldDecimals:       {20, 1, KindNumeric, "number of decimals"},
	FieldReserved21:     {21, 1, KindBlank, "reserved zone 21"},
	FieldAccount:        {22, 11, KindAlnum, "account number"},
	FieldReserved33:     {33, 2, KindBlank, "reserved zone 33-34"},
	FieldInterbankCode:  {33, 2, KindAlnum, "interbank operation code"},
	FieldBalanceDate:    {35, 6, KindDate, "balance date"},
	FieldBookingDate:    {35, 6, KindDate, "booking date"},
	FieldReserved41:     {41, 50, KindBlank, "reserved zone 41-90"},
	FieldRejectCode:     {41, 2, KindAlnum, "rejection code"},
	FieldValueDate:      {43, 6, KindDate, "value date"},
	FieldLabel:          {49, 31, KindText, "label"},
	FieldReserved80:     {80, 2, KindBlank, "reserved zone 80-81"},
	FieldEntryNumber:    {82, 7, KindAlnum, "entry number"},
	FieldExemption:      {89, 1, KindText, "commission exemption index"},
	FieldUnavailability: {90, 1, KindText, "unavailability index"},
	FieldBalance:        {91, 14, KindAmount, "balance"},
	FieldAmount:         {91, 14, KindAmount, "amount"},
	FieldReserved105:    {105, 16, KindBlank, "reserved zone 105-120"},
	FieldReference:      {105, 16, KindText, "reference"},
	FieldReserved41C:    {41, 5, KindBlank, "reserved zone 41-45"},
	FieldQualifier:      {46, 3, KindAlnum, "qualifier"},
	FieldInformation:    {49, 70, KindText, "information"},
	FieldReserved119:    {119, 2, KindBlank, "reserved zone 119-120"},
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
