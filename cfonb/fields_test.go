package cfonb

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFieldSpecs pins every field's position, length, kind and name to the
// tables of ../shared/cfonb120.md.
func TestFieldSpecs(t *testing.T) {
	tests := []struct {
		f          FieldID
		start, len int
		kind       Kind
		name       string
	}{
		{FieldCode, 1, 2, KindNumeric, "record code"},
		{FieldBank, 3, 5, KindNumeric, "bank code"},
		{FieldReserved8, 8, 4, KindBlank, "reserved zone 8-11"},
		{FieldInternalCode, 8, 4, KindAlnum, "internal operation code"},
		{FieldBranch, 12, 5, KindNumeric, "branch code"},
		{FieldCurrency, 17, 3, KindAlnum, "currency"},
		{FieldDecimals, 20, 1, KindNumeric, "number of decimals"},
		{FieldReserved21, 21, 1, KindBlank, "reserved zone 21"},
		{FieldAccount, 22, 11, KindAlnum, "account number"},
		{FieldReserved33, 33, 2, KindBlank, "reserved zone 33-34"},
		{FieldInterbankCode, 33, 2, KindAlnum, "interbank operation code"},
		{FieldBalanceDate, 35, 6, KindDate, "balance date"},
		{FieldBookingDate, 35, 6, KindDate, "booking date"},
		{FieldReserved41, 41, 50, KindBlank, "reserved zone 41-90"},
		{FieldRejectCode, 41, 2, KindAlnum, "rejection code"},
		{FieldValueDate, 43, 6, KindDate, "value date"},
		{FieldLabel, 49, 31, KindText, "label"},
		{FieldReserved80, 80, 2, KindBlank, "reserved zone 80-81"},
		{FieldEntryNumber, 82, 7, KindAlnum, "entry number"},
		{FieldExemption, 89, 1, KindText, "commission exemption index"},
		{FieldUnavailability, 90, 1, KindText, "unavailability index"},
		{FieldBalance, 91, 14, KindAmount, "balance"},
		{FieldAmount, 91, 14, KindAmount, "amount"},
		{FieldReserved105, 105, 16, KindBlank, "reserved zone 105-120"},
		{FieldReference, 105, 16, KindText, "reference"},
		{FieldReserved41C, 41, 5, KindBlank, "reserved zone 41-45"},
		{FieldQualifier, 46, 3, KindAlnum, "qualifier"},
		{FieldInformation, 49, 70, KindText, "information"},
		{FieldReserved119, 119, 2, KindBlank, "reserved zone 119-120"},
	}
	require.Len(t, tests, int(numFields), "every field is in the table")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.start, tt.f.Start())
			assert.Equal(t, tt.len, tt.f.Len())
			assert.Equal(t, tt.start+tt.len-1, tt.f.End())
			assert.Equal(t, tt.kind, tt.f.Kind())
			assert.Equal(t, tt.name, tt.f.String())
		})
	}
}

// TestLayouts checks that each layout lists its record's fields in column
// order and covers columns 1 to 120 exactly once.
func TestLayouts(t *testing.T) {
	tests := []struct {
		code   Code
		fields []FieldID
	}{
		{CodeOldBalance, []FieldID{FieldCode, FieldBank, FieldReserved8, FieldBranch, FieldCurrency,
			FieldDecimals, FieldReserved21, FieldAccount, FieldReserved33, FieldBalanceDate,
			FieldReserved41, FieldBalance, FieldReserved105}},
		{CodeMovement, []FieldID{FieldCode, FieldBank, FieldInternalCode, FieldBranch, FieldCurrency,
			FieldDecimals, FieldReserved21, FieldAccount, FieldInterbankCode, FieldBookingDate,
			FieldRejectCode, FieldValueDate, FieldLabel, FieldReserved80, FieldEntryNumber,
			FieldExemption, FieldUnavailability, FieldAmount, FieldReference}},
		{CodeComplement, []FieldID{FieldCode, FieldBank, FieldInternalCode, FieldBranch, FieldCurrency,
			FieldDecimals, FieldReserved21, FieldAccount, FieldInterbankCode, FieldBookingDate,
			FieldReserved41C, FieldQualifier, FieldInformation, FieldReserved119}},
	}
	tests = append(tests, struct {
		code   Code
		fields []FieldID
	}{CodeNewBalance, tests[0].fields})
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			layout := Layout(tt.code)
			assert.Equal(t, tt.fields, layout)
			col := 1
			for _, f := range layout {
				assert.Equal(t, col, f.Start(), "%s starts where the previous field ends", f)
				assert.Positive(t, f.Len(), f.String())
				col = f.End() + 1
			}
			assert.Equal(t, RecordLen+1, col, "the layout ends at column 120")
		})
	}
	assert.Nil(t, Layout(CodeUnknown))
	assert.Nil(t, Layout(Code(2)))
}

// TestFieldsOfRecords reads every field of real records.
func TestFieldsOfRecords(t *testing.T) {
	tests := []struct {
		rec  string
		f    FieldID
		want string
	}{
		{rec01, FieldCode, "01"},
		{rec01, FieldBank, "10278"},
		{rec01, FieldReserved8, "    "},
		{rec01, FieldBranch, "02204"},
		{rec01, FieldCurrency, "EUR"},
		{rec01, FieldDecimals, "2"},
		{rec01, FieldReserved21, " "},
		{rec01, FieldAccount, "00012345603"},
		{rec01, FieldReserved33, "  "},
		{rec01, FieldBalanceDate, "060420"},
		{rec01, FieldBalance, "0000000166956E"},
		{rec01, FieldReserved105, "060420070420    "},
		{rec04, FieldCode, "04"},
		{rec04, FieldBank, "10556"},
		{rec04, FieldInternalCode, "6772"},
		{rec04, FieldBranch, "02204"},
		{rec04, FieldAccount, "00012345603"},
		{rec04, FieldInterbankCode, "B1"},
		{rec04, FieldBookingDate, "070420"},
		{rec04, FieldRejectCode, "  "},
		{rec04, FieldValueDate, "070420"},
		{rec04, FieldLabel, "PRLV SEPA ONLINE SAS           "},
		{rec04, FieldReserved80, "  "},
		{rec04, FieldEntryNumber, "0000000"},
		{rec04, FieldExemption, "0"},
		{rec04, FieldUnavailability, "0"},
		{rec04, FieldAmount, "0000000000227R"},
		{rec04, FieldReference, "                "},
		{rec05, FieldReserved41C, "     "},
		{rec05, FieldQualifier, "LIB"},
		{rec05, FieldInformation, "DEDIBOX 3706114                                                       "},
		{rec05, FieldReserved119, "  "},
		{rec07, FieldBalanceDate, "070420"},
		{rec07, FieldBalance, "0000000166728F"},
	}
	for _, tt := range tests {
		t.Run(tt.rec[:2]+" "+tt.f.String(), func(t *testing.T) {
			got := tt.f.Of([]byte(tt.rec))
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, len(got), cap(got), "capacity ends with the field")
			rec := Record{Data: []byte(tt.rec)}
			assert.Equal(t, tt.want, string(rec.Field(tt.f)))
		})
	}
}

func TestFieldOfShortRecord(t *testing.T) {
	data := []byte(rec04[:95]) // ends inside the amount
	assert.Equal(t, "00000", string(FieldAmount.Of(data)))
	assert.Equal(t, "", string(FieldReference.Of(data)))
	assert.NotNil(t, FieldReference.Of(data))
	assert.Equal(t, "", string(FieldCode.Of(nil)))
	assert.Equal(t, "0", string(FieldCode.Of([]byte("0"))))
	assert.Equal(t, "10556", string(FieldBank.Of(data)))
}

func TestUnknownField(t *testing.T) {
	f := numFields
	assert.Equal(t, "unknown field", f.String())
	assert.Equal(t, 0, f.Start())
	assert.Equal(t, 0, f.Len())
	assert.Equal(t, -1, f.End())
	assert.Equal(t, Kind(0), f.Kind())
	assert.Empty(t, f.Of([]byte(rec01)))
	assert.Empty(t, FieldID(255).Of([]byte(rec01)))
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindNumeric: "N", KindAlnum: "AN", KindBlank: "B", KindText: "X",
		KindDate: "date", KindAmount: "amount", 0: "unknown kind", 99: "unknown kind"} {
		assert.Equal(t, want, k.String())
	}
}
