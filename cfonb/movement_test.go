package cfonb

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Records of complex-test.txt (silarhi/cfonb-parser, MIT) and hand-made
// ones, 120 characters each.
const (
	mov04 = "0410556677202204EUR2 00012345603B1070420  070420PRLV SEPA ONLINE SAS             0000000000000000000227R                "
	// Every field filled: rejection code, entry number, both indexes,
	// reference.
	mov04Full = "0430006071300001EUR2 12345678901B3040326AM050326IMPAYE PRLV CLIENT 778  " +
		"         000010501" + "0000000000450}" + "REJ778          "
	com05 = "0510556677202204EUR2 00012345603B1070420     LIBDEDIBOX 3706114                                                         "
)

func TestRecordFixtures(t *testing.T) {
	for _, r := range []string{mov04, mov04Full, com05} {
		require.Len(t, r, RecordLen, r)
	}
}

func TestParseMovement(t *testing.T) {
	m, err := ParseMovement([]byte(mov04))
	require.NoError(t, err)
	assert.Equal(t, "10556", string(m.Account.Bank[:]))
	assert.Equal(t, "02204", string(m.Account.Branch[:]))
	assert.Equal(t, "00012345603", string(m.Account.Number[:]))
	assert.Equal(t, "EUR", string(m.Account.Currency[:]))
	assert.Equal(t, "6772", string(m.InternalCode))
	assert.Equal(t, 2, m.Decimals)
	assert.Equal(t, "B1", string(m.InterbankCode))
	assert.Equal(t, NewDate(2020, 4, 7), m.BookingDate)
	assert.Empty(t, m.RejectCode)
	assert.Equal(t, NewDate(2020, 4, 7), m.ValueDate)
	assert.Equal(t, "PRLV SEPA ONLINE SAS", string(m.Label))
	assert.Equal(t, "0000000", string(m.EntryNumber))
	assert.Equal(t, byte('0'), m.Exemption)
	assert.Equal(t, byte('0'), m.Unavailability)
	assert.Equal(t, int64(-2279), m.Amount)
	assert.Empty(t, m.Reference)

	m, err = ParseMovement([]byte(mov04Full))
	require.NoError(t, err)
	assert.Equal(t, "AM", string(m.RejectCode))
	assert.Equal(t, NewDate(2026, 3, 4), m.BookingDate)
	assert.Equal(t, NewDate(2026, 3, 5), m.ValueDate)
	assert.Equal(t, "0000105", string(m.EntryNumber))
	assert.Equal(t, byte('0'), m.Exemption)
	assert.Equal(t, byte('1'), m.Unavailability)
	assert.Equal(t, int64(-4500), m.Amount)
	assert.Equal(t, "REJ778", string(m.Reference))
}

func TestParseMovementErrors(t *testing.T) {
	set := func(rec string, col int, s string) []byte {
		b := []byte(rec)
		copy(b[col-1:], s)
		return b
	}
	tests := []struct {
		name  string
		data  []byte
		field FieldID
		check func(t *testing.T, m Movement)
	}{
		{"blank decimals", set(mov04, 20, " "), FieldDecimals, func(t *testing.T, m Movement) {
			assert.Equal(t, -1, m.Decimals)
			assert.Equal(t, int64(-2279), m.Amount, "the rest still decodes")
			assert.Equal(t, NewDate(2020, 4, 7), m.ValueDate)
		}},
		{"31 February", set(mov04, 35, "310220"), FieldBookingDate, func(t *testing.T, m Movement) {
			assert.Zero(t, m.BookingDate)
			assert.Equal(t, NewDate(2020, 4, 7), m.ValueDate)
			assert.Equal(t, int64(-2279), m.Amount)
		}},
		{"blank value date", set(mov04, 43, "      "), FieldValueDate, func(t *testing.T, m Movement) {
			assert.Zero(t, m.ValueDate)
			assert.Equal(t, int64(-2279), m.Amount)
		}},
		{"bad sign", set(mov04, 104, "X"), FieldAmount, func(t *testing.T, m Movement) {
			assert.Zero(t, m.Amount)
			assert.Equal(t, "PRLV SEPA ONLINE SAS", string(m.Label))
		}},
		{"two bad fields: the first is reported", set(string(set(mov04, 104, "X")), 43, "999999"), FieldValueDate, func(t *testing.T, m Movement) {
			assert.Zero(t, m.Amount)
			assert.Zero(t, m.ValueDate)
		}},
		{"short record", []byte(mov04[:60]), FieldAmount, func(t *testing.T, m Movement) {
			assert.Equal(t, "PRLV SEPA ON", string(m.Label))
			assert.Empty(t, m.Reference)
			assert.Equal(t, byte(' '), m.Exemption)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMovement(tt.data)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			tt.check(t, m)
		})
	}
}

func TestParseWrongRecord(t *testing.T) {
	_, err := ParseMovement([]byte(com05))
	assert.True(t, errors.Is(err, ErrWrongRecord))
	assert.EqualError(t, err, `cfonb: movement: wrong record code: "05" is not 04`)
	_, err = ParseComplement([]byte(mov04))
	assert.EqualError(t, err, `cfonb: complement: wrong record code: "04" is not 05`)
	_, err = ParseMovement(nil)
	assert.ErrorIs(t, err, ErrWrongRecord)
}

func TestParseComplement(t *testing.T) {
	c, err := ParseComplement([]byte(com05))
	require.NoError(t, err)
	assert.Equal(t, "10556", string(c.Account.Bank[:]))
	assert.Equal(t, "6772", string(c.InternalCode))
	assert.Equal(t, "B1", string(c.InterbankCode))
	assert.Equal(t, NewDate(2020, 4, 7), c.BookingDate)
	assert.Equal(t, "LIB", string(c.Qualifier))
	assert.Len(t, c.Info, 70)
	assert.Equal(t, "DEDIBOX 3706114", string(c.Text()))

	bad := []byte(com05)
	copy(bad[34:], "000000")
	c, err = ParseComplement(bad)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, FieldBookingDate, fe.Field)
	assert.Equal(t, "DEDIBOX 3706114", string(c.Text()), "the information survives a bad date")

	c, err = ParseComplement([]byte(com05[:50]))
	require.NoError(t, err)
	assert.Equal(t, "DE", string(c.Info))
}

func TestParseAllocs(t *testing.T) {
	mov, com := []byte(mov04Full), []byte(com05)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseMovement(mov); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseComplement(com); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestTrimSpaces(t *testing.T) {
	tests := map[string]string{"": "", "   ": "", " a b ": "a b", "ab": "ab", "a  ": "a", "\tx ": "\tx"}
	for in, want := range tests {
		assert.Equal(t, want, string(TrimSpaces([]byte(in))), "%q", in)
	}
}

// info builds a 70-character information zone from parts placed at
// 1-based positions.
func info(parts ...any) []byte {
	b := []byte("                                                                      ")
	for i := 0; i < len(parts); i += 2 {
		copy(b[parts[i].(int)-1:], parts[i+1].(string))
	}
	return b
}

func TestParseRCN(t *testing.T) {
	r := ParseRCN(info(1, "E2E-EDF-20260302-0001", 36, "ELEC"))
	assert.Equal(t, "E2E-EDF-20260302-0001", string(r.EndToEnd))
	assert.Equal(t, "ELEC", string(r.Purpose))
	r = ParseRCN([]byte("SHORT"))
	assert.Equal(t, "SHORT", string(r.EndToEnd))
	assert.Empty(t, r.Purpose)
}

func TestParsePartyID(t *testing.T) {
	p := ParsePartyID(info(1, "FR12ZZZ123456", 36, "SEPA CREDITOR IDENTIFIER"))
	assert.Equal(t, "FR12ZZZ123456", string(p.ID))
	assert.Equal(t, "SEPA CREDITOR IDENTIFIER", string(p.Type))
	// A 35-character identifier and no type.
	p = ParsePartyID(info(1, "12345678901234567890123456789012345"))
	assert.Equal(t, "12345678901234567890123456789012345", string(p.ID))
	assert.Empty(t, p.Type)
}

func TestParseLCS(t *testing.T) {
	l := ParseLCS(info(1, "RF18539007547034", 37, "REMBOURSEMENT"))
	assert.Equal(t, "RF18539007547034", string(l.Reference))
	assert.Equal(t, "REMBOURSEMENT", string(l.Text))
}

func TestParseMMO(t *testing.T) {
	tests := []struct {
		name     string
		info     []byte
		amount   string
		currency string
		rate     string
		err      string
	}{
		{"amount and rate", info(1, "USD2", 5, "00000000100000", 19, "7", 27, "00009250000"), "1000.00", "USD", "0.9250000", ""},
		{"no rate", info(1, "JPY0", 5, "00000000012345"), "12345", "JPY", "", ""},
		{"overpunch amount", info(1, "GBP2", 5, "0000000001234}", 19, "4", 27, "00000011500"), "-123.40", "GBP", "1.1500", ""},
		{"blank currency", info(1, "   2", 5, "00000000100000"), "", "", "", `MMO: malformed complement information: currency (positions 1-3) "   " is not a 3-letter code`},
		{"bad decimals", info(1, "USDX", 5, "00000000100000"), "", "", "", `MMO: malformed complement information: decimals (position 4) "X" is not a digit`},
		{"bad amount", info(1, "USD2", 5, "0000000010000?"), "", "", "", `MMO: malformed complement information: amount (positions 5-18) "0000000010000?": amount's last character is not a sign character ({, A-I, }, J-R)`},
		{"bad rate", info(1, "USD2", 5, "00000000100000", 19, "7", 27, "0000925000X"), "", "", "", `MMO: malformed complement information: exchange rate (positions 27-37) "0000925000X" is not digits`},
		{"bad rate decimals", info(1, "USD2", 5, "00000000100000", 19, " ", 27, "00009250000"), "", "", "", `MMO: malformed complement information: rate decimals (position 19) "" is not a digit`},
		{"too short", []byte("USD2000"), "", "", "", "MMO: malformed complement information: information is 7 characters, shorter than the 18 of currency, decimals and amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseMMO(tt.info)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				assert.ErrorIs(t, err, ErrInfo)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.amount, o.Decimal())
			assert.Equal(t, tt.currency, string(o.Currency))
			assert.Equal(t, tt.rate, o.RateDecimal())
			assert.Equal(t, tt.rate != "", o.HasRate)
		})
	}
}

func TestParseFEE(t *testing.T) {
	f, err := ParseFEE(info(1, "EUR2", 5, "00000000001250"))
	require.NoError(t, err)
	assert.Equal(t, Money{Currency: []byte("EUR"), Decimals: 2, Amount: 1250}, f)
	assert.Equal(t, "12.50", f.Decimal())
	_, err = ParseFEE(info(1, "EUR2", 5, "ABC"))
	assert.ErrorIs(t, err, ErrInfo)
}

// TestComplementValueDate: a factoring bank writes a value date at 43-48
// of a 05, where the qualifier's 46-48 would be. The model reads it as a
// value date, never as a qualifier "326" (a bug of the export).
func TestComplementValueDate(t *testing.T) {
	const factoring = "0530006    00001EUR2E1234567890105030326  030326FACTORING 2026-03                                                       "
	c, err := ParseComplement([]byte(factoring))
	require.NoError(t, err)
	assert.Empty(t, c.Qualifier)
	assert.Equal(t, NewDate(2026, 3, 3), c.ValueDate)
	assert.Equal(t, "FACTORING 2026-03", string(c.Text()))

	c, err = ParseComplement([]byte(com05))
	require.NoError(t, err)
	assert.Equal(t, "LIB", string(c.Qualifier))
	assert.Zero(t, c.ValueDate)

	tests := []struct {
		zone string // 41-48
		ok   bool
	}{
		{"  030326", true},
		{"     LIB", false},
		{"     326", false}, // digits, but 43-45 blank: no date
		{"  310426", false}, // 31 April
		{"  000000", false}, // the zeros of an unused date slot
		{"     NPY", false},
		{"        ", false},
	}
	for _, tt := range tests {
		rec := []byte(factoring)
		copy(rec[40:48], tt.zone)
		d, ok := ComplementValueDate(rec)
		assert.Equal(t, tt.ok, ok, "%q", tt.zone)
		assert.Equal(t, tt.ok, d != 0, "%q", tt.zone)
		c, err := ParseComplement(rec)
		require.NoError(t, err)
		assert.Equal(t, tt.ok, len(c.Qualifier) == 0 && c.ValueDate != 0, "%q", tt.zone)
	}
	_, ok := ComplementValueDate([]byte(factoring[:47]))
	assert.False(t, ok, "a record cut before 48")
}

// TestTrimSpacesAgrees: TrimSpaces (with its fast path for a full zone)
// is bytes.Trim of spaces, and its result has no capacity beyond it.
func TestTrimSpacesAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 50000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = " a\t"[r.IntN(3)]
		}
		got := TrimSpaces(b)
		require.Equal(t, string(bytes.Trim(b, " ")), string(got), "%q", b)
		require.Equal(t, len(got), cap(got), "%q", b)
	}
}

// TestAccountOfAgrees: AccountOf (whole zones copied as arrays when the
// record holds them) is the zone-by-zone copy, at every length.
func TestAccountOfAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 2000 {
		data := make([]byte, r.IntN(130))
		for i := range data {
			data[i] = byte(0x20 + r.IntN(0x5F))
		}
		var want Account
		copy(want.Bank[:], FieldBank.Of(data))
		copy(want.Branch[:], FieldBranch.Of(data))
		copy(want.Number[:], FieldAccount.Of(data))
		copy(want.Currency[:], FieldCurrency.Of(data))
		require.Equal(t, want, AccountOf(data), "%q", data)
	}
}

// TestParseMovementAgrees: the fast path of ParseMovement and
// ParseMovementTo (a record that holds every field, decoded at constant
// offsets, in place) decodes what the field-by-field path decodes, with
// the same error, on records of random digits, spaces, letters and
// overpunch signs.
func TestParseMovementAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	const alphabet = "0123456789      ABCJ{}x"
	for range 20000 {
		data := make([]byte, RecordLen+r.IntN(10))
		for i := range data {
			if r.IntN(8) == 0 {
				data[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				data[i] = "0123456789"[r.IntN(10)]
			}
		}
		copy(data, "04")
		if r.IntN(2) == 0 { // a plausible date at times, so that dates decode
			copy(data[OffBookingDate:], "150324")
			copy(data[OffValueDate:], "290224")
		}
		want, wantErr := parseMovementShort(data)
		got, err := ParseMovement(data)
		require.Equal(t, want, got, "%q", data)
		// Into a Movement that holds another's fields: every one is set.
		into := Movement{Label: []byte("old"), Decimals: 7, Amount: 5, BookingDate: 1, ValueDate: 2, Exemption: 'x', RejectCode: []byte("R")}
		intoErr := ParseMovementTo(&into, data)
		require.Equal(t, want, into, "%q", data)
		for _, err := range []error{err, intoErr} {
			if wantErr == nil {
				require.NoError(t, err, "%q", data)
			} else {
				require.EqualError(t, err, wantErr.Error(), "%q", data)
			}
		}
	}
}
