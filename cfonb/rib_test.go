package cfonb

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/almerlucke/go-iban/iban"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrenchIBANWorkedExamples(t *testing.T) {
	// The worked examples of ../shared/cfonb120.md.
	tests := []struct {
		bank, branch, account string
		key                   int
		iban                  IBAN
	}{
		{"30006", "00001", "12345678901", 89, "FR7630006000011234567890189"},
		{"20041", "01005", "0500013M026", 6, "FR1420041010050500013M02606"},
		{"30004", "00823", "00010000156", 11, "FR7630004008230001000015611"},
		{"10278", "06076", "0001234A567", 13, "FR6010278060760001234A56713"},
	}
	for _, tt := range tests {
		t.Run(string(tt.iban), func(t *testing.T) {
			key, err := RIBKey([]byte(tt.bank), []byte(tt.branch), []byte(tt.account))
			require.NoError(t, err)
			assert.Equal(t, tt.key, key)
			iban, err := FrenchIBAN([]byte(tt.bank), []byte(tt.branch), []byte(tt.account))
			require.NoError(t, err)
			assert.Equal(t, tt.iban, iban)
			assert.NoError(t, CheckIBAN(string(iban)))
			assert.Equal(t, string(tt.iban), refIBAN("FR", tt.bank+tt.branch+tt.account+fmt.Sprintf("%02d", tt.key)))
			acct := AccountOf([]byte("0" + "1" + tt.bank + "    " + tt.branch + "EUR2 " + tt.account))
			got, err := acct.IBAN()
			require.NoError(t, err)
			assert.Equal(t, tt.iban, got)
			k, err := acct.RIBKey()
			require.NoError(t, err)
			assert.Equal(t, tt.key, k)
		})
	}
}

// ribDigit is the letter table of cfonb120.md, written out.
var ribDigit = map[byte]byte{
	'A': '1', 'J': '1',
	'B': '2', 'K': '2', 'S': '2',
	'C': '3', 'L': '3', 'T': '3',
	'D': '4', 'M': '4', 'U': '4',
	'E': '5', 'N': '5', 'V': '5',
	'F': '6', 'O': '6', 'W': '6',
	'G': '7', 'P': '7', 'X': '7',
	'H': '8', 'Q': '8', 'Y': '8',
	'I': '9', 'R': '9', 'Z': '9',
}

// refRIBKey computes a RIB key independently of RIBKey: bank + branch +
// account (letters replaced) + key, read as a 23-digit number, is a
// multiple of 97.
func refRIBKey(bank, branch, account string) int {
	var b strings.Builder
	b.WriteString(bank + branch)
	for i := 0; i < len(account); i++ {
		if d, ok := ribDigit[account[i]]; ok {
			b.WriteByte(d)
		} else {
			b.WriteByte(account[i])
		}
	}
	n, ok := new(big.Int).SetString(b.String()+"00", 10)
	if !ok {
		panic(b.String())
	}
	key := 97 - int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
	return key
}

// refIBAN builds an IBAN with check digits computed with math/big.
func refIBAN(cc, bban string) string {
	var b strings.Builder
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A')+10)
		} else {
			b.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	if !ok {
		panic(bban)
	}
	return fmt.Sprintf("%s%02d%s", cc, 98-new(big.Int).Mod(n, big.NewInt(97)).Int64(), bban)
}

func TestRIBLetters(t *testing.T) {
	require.Len(t, ribDigit, 26)
	for c, d := range ribDigit {
		got, ok := ribLetter(c)
		require.True(t, ok)
		assert.Equal(t, int(d-'0'), got, "%c", c)
	}
	for c := 0; c < 256; c++ {
		_, ok := ribLetter(byte(c))
		assert.Equal(t, c >= '0' && c <= '9' || c >= 'A' && c <= 'Z', ok, "%q", c)
	}
	// Every letter class, in accounts: a letter and its digit give the
	// same key.
	tests := []struct{ letters, digits string }{
		{"ABCDEFGHIJK", "12345678912"},
		{"LMNOPQRSTUV", "34567892345"},
		{"WXYZ0000000", "67890000000"},
		{"0000000A000", "00000001000"},
		{"0500013M026", "05000134026"},
		{"J0S0T0U0V0W", "10203040506"},
	}
	for _, tt := range tests {
		k1, err := RIBKey([]byte("30006"), []byte("00001"), []byte(tt.letters))
		require.NoError(t, err)
		k2, err := RIBKey([]byte("30006"), []byte("00001"), []byte(tt.digits))
		require.NoError(t, err)
		assert.Equal(t, k2, k1, tt.letters)
		assert.Equal(t, refRIBKey("30006", "00001", tt.letters), k1, tt.letters)
	}
}

// TestRIBKeyOracle compares RIBKey and FrenchIBAN with the math/big
// references on random accounts with letters.
func TestRIBKeyOracle(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(9, 10))
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	keys := map[int]bool{}
	for range 20000 {
		digits := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('0' + rng.IntN(10))
			}
			return string(b)
		}
		bank, branch := digits(5), digits(5)
		acct := []byte(digits(11))
		for range rng.IntN(4) {
			acct[rng.IntN(11)] = alnum[rng.IntN(len(alnum))]
		}
		key, err := RIBKey([]byte(bank), []byte(branch), acct)
		require.NoError(t, err)
		require.Equal(t, refRIBKey(bank, branch, string(acct)), key, "%s %s %s", bank, branch, acct)
		require.True(t, key >= 1 && key <= 97)
		keys[key] = true
		ib, err := FrenchIBAN([]byte(bank), []byte(branch), acct)
		require.NoError(t, err)
		require.Equal(t, refIBAN("FR", fmt.Sprintf("%s%s%s%02d", bank, branch, acct, key)), string(ib))
		require.NoError(t, CheckIBAN(string(ib)))
	}
	assert.Len(t, keys, 97, "every key from 01 to 97 occurs")
}

func TestRIBKeyErrors(t *testing.T) {
	tests := []struct{ bank, branch, account string }{
		{"3000", "00001", "12345678901"},
		{"300060", "00001", "12345678901"},
		{"30006", "0001", "12345678901"},
		{"30006", "00001", "1234567890"},
		{"30006", "00001", "123456789012"},
		{"3000A", "00001", "12345678901"},
		{"30006", "0000B", "12345678901"},
		{"30006", "00001", "1234567890a"},
		{"30006", "00001", "12345 78901"},
		{"30006", "00001", "12345-78901"},
		{"30006", "00001", "1234567890\xc9"},
		{"", "", ""},
	}
	for _, tt := range tests {
		_, err := RIBKey([]byte(tt.bank), []byte(tt.branch), []byte(tt.account))
		assert.ErrorIs(t, err, ErrRIBInput, "%+v", tt)
		ib, err := FrenchIBAN([]byte(tt.bank), []byte(tt.branch), []byte(tt.account))
		assert.ErrorIs(t, err, ErrRIBInput)
		assert.Empty(t, ib)
	}
	var a Account // a short record's account: zero bytes
	_, err := a.IBAN()
	assert.ErrorIs(t, err, ErrRIBInput)
}

func TestAppendFrenchIBAN(t *testing.T) {
	buf := make([]byte, 3, 40)
	require.NoError(t, AppendFrenchIBAN(buf, []byte("30006"), []byte("00001"), []byte("12345678901")))
	assert.Equal(t, "FR7630006000011234567890189", string(buf[:27]))

	small := make([]byte, 0, 26)
	assert.ErrorIs(t, AppendFrenchIBAN(small, []byte("30006"), []byte("00001"), []byte("12345678901")), ErrIBANBuffer)
	assert.ErrorIs(t, AppendFrenchIBAN(nil, []byte("30006"), []byte("00001"), []byte("12345678901")), ErrIBANBuffer)
	assert.ErrorIs(t, AppendFrenchIBAN(nil, []byte("x"), []byte("00001"), []byte("12345678901")), ErrRIBInput)

	var arr [27]byte
	allocs := testing.AllocsPerRun(1000, func() {
		if err := AppendFrenchIBAN(arr[:0], []byte("20041"), []byte("01005"), []byte("0500013M026")); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "FR1420041010050500013M02606", string(arr[:]))
}

// registryExamples are the example IBANs of the SWIFT IBAN registry, one
// per country of the registry (release 100, 2025).
var registryExamples = []string{
	"AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741",
	"AT611904300234573201", "AZ21NABZ00000000137010001944", "BA391290079401028494",
	"BE68539007547034", "BG80BNBG96611020345678", "BH67BMAG00001299123456",
	"BI4210000100010000332045181", "BR1800360305000010009795493C1", "BY13NBRB3600900000002Z00AB00",
	"CH9300762011623852957", "CR05015202001026284066", "CY17002001280000001200527600",
	"CZ6508000000192000145399", "DE89370400440532013000", "DJ2100010000000154000100186",
	"DK5000400440116243", "DO28BAGR00000001212453611324", "EE382200221020145685",
	"EG380019000500000000263180002", "ES9121000418450200051332", "FI2112345600000785",
	"FK88SC123456789012", "FO6264600001631634", "FR1420041010050500013M02606",
	"GB29NWBK60161331926819", "GE29NB0000000101904917", "GI75NWBK000000007099453",
	"GL8964710001000206", "GR1601101250000000012300695", "GT82TRAJ01020000001210029690",
	"HN88CABF00000000000250005469", "HR1210010051863000160", "HU42117730161111101800000000",
	"IE29AIBK93115212345678", "IL620108000000099999999", "IQ98NBIQ850123456789012",
	"IS140159260076545510730339", "IT60X0542811101000000123456", "JO94CBJO0010000000000131000302",
	"KW81CBKU0000000000001234560101", "KZ86125KZT5004100100", "LB62099900000001001901229114",
	"LC55HEMM000100010012001200023015", "LI21088100002324013AA", "LT121000011101001000",
	"LU280019400644750000", "LV80BANK0000435195001", "LY83002048000020100120361",
	"MC5811222000010123456789030", "MD24AG000225100013104168", "ME25505000012345678951",
	"MK07250120000058984", "MN121234123456789123", "MR1300020001010000123456753",
	"MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR", "NI45BAPR00000013000003558124",
	"NL91ABNA0417164300", "NO9386011117947", "OM810180000001299123456",
	"PK36SCBL0000001123456702", "PL61109010140000071219812874", "PS92PALS000000000400123456702",
	"PT50000201231234567890154", "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000",
	"RS35260005601001611379", "RU0304452522540817810538091310419", "SA0380000000608010167519",
	"SC18SSCB11010000000000001497USD", "SD2129010501234001", "SE4550000000058398257466",
	"SI56263300012039086", "SK3112000000198742637541", "SM86U0322509800000000270100",
	"SO211000001001000100141", "ST23000100010051845310146", "SV62CENR00000000000000700025",
	"TL380080012345678910157", "TN5910006035183598478831", "TR330006100519786457841326",
	"UA213223130000026007233566001", "VA59001123000012345678", "VG96VPVG0000012345678901",
	"XK051212012345678906", "YE15CBYE0001018861234567891234",
}

// TestCheckIBANRegistry accepts every registry example, checks each
// country's length against its example, and checks the examples' checksum
// independently.
func TestCheckIBANRegistry(t *testing.T) {
	require.Len(t, registryExamples, 89)
	seen := map[string]bool{}
	for _, s := range registryExamples {
		cc := s[:2]
		require.False(t, seen[cc], cc)
		seen[cc] = true
		assert.NoError(t, CheckIBAN(s))
		assert.Equal(t, len(s), ibanLength(cc), cc)
		assert.Equal(t, s, refIBAN(cc, s[4:]), "the example's check digits")
	}
	// Territories listed under a registry country take its length.
	for cc, parent := range map[string]string{"AX": "FI", "GF": "FR", "GP": "FR", "MQ": "FR", "RE": "FR",
		"PF": "FR", "TF": "FR", "YT": "FR", "NC": "FR", "BL": "FR", "MF": "FR", "PM": "FR", "WF": "FR",
		"IM": "GB", "JE": "GB", "GG": "GB"} {
		assert.Equal(t, ibanLength(parent), ibanLength(cc), cc)
	}
	// No other country has a length.
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if ibanLength(string([]rune{a, b})) != 0 {
				n++
			}
		}
	}
	assert.Equal(t, 89+16, n)
}

// withCheck returns s with check digits cd, whatever the checksum.
func withCheck(s string, cd int) string { return fmt.Sprintf("%s%02d%s", s[:2], cd, s[4:]) }

// findCheck returns a valid French IBAN whose check digits are cd. (French
// IBANs of all-digit accounts all have the check digits 76: a letter is
// needed for the others.)
func findCheck(t *testing.T, cd int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := 0; i < 100000; i++ {
		acct := fmt.Sprintf("%09d%c%c", i/26, letters[i%26], letters[i/26%26])
		ib, err := FrenchIBAN([]byte("30006"), []byte("00001"), []byte(acct))
		require.NoError(t, err)
		if ib[2:4] == IBAN(fmt.Sprintf("%02d", cd)) {
			return string(ib)
		}
	}
	t.Fatalf("no IBAN with check digits %02d", cd)
	return ""
}

func TestCheckIBAN(t *testing.T) {
	cd98, cd97, cd02 := findCheck(t, 98), findCheck(t, 97), findCheck(t, 2)
	tests := []struct {
		in     string
		reason string // "" when valid
	}{
		{"FR7630006000011234567890189", ""},
		{"MC5811222000010123456789030", ""},
		{"DE89370400440532013000", ""},
		{"GB29NWBK60161331926819", ""},
		{"NO9386011117947", ""},
		{"RU0304452522540817810538091310419", ""},
		{cd98, ""},
		{cd02, ""},
		{refIBAN("GP", "3000600001123456789018"+"9"), ""}, // overseas: French BBAN, RIB key
		{refIBAN("DZ", "0002100001113000000570"), ""},     // not in the registry: checksum only
		{refIBAN("ZZ", "12345678901"), ""},                // 15 characters
		{refIBAN("ZZ", strings.Repeat("9", 30)), ""},      // 34 characters
		{"FR7730006000011234567890189", "checksum (mod 97) is wrong"},
		{"FR7630006000011234567890198", "checksum (mod 97) is wrong"},
		{"FR7630006000011234567809189", "checksum (mod 97) is wrong"},
		{"DE88370400440532013000", "checksum (mod 97) is wrong"},
		{refIBAN("FR", "30006000011234567890188"), "RIB key 88 is wrong (expected 89)"},
		{refIBAN("FR", "30006000011234567890197"), "RIB key 97 is wrong (expected 89)"},
		{refIBAN("FR", "3000600001123456789018A"), "RIB key 8A is wrong (expected 89)"},
		{refIBAN("MC", "11222000010123456789031"), "RIB key 31 is wrong (expected 30)"},
		{refIBAN("RE", "30006000011234567890100"), "RIB key 00 is wrong (expected 89)"},
		{refIBAN("FR", "3000A000011234567890189"), "BBAN is not bank code (5 digits), branch code (5 digits), account number (11), RIB key (2 digits)"},
		{refIBAN("FR", "30006Z00011234567890189"), "BBAN is not bank code (5 digits), branch code (5 digits), account number (11), RIB key (2 digits)"},
		{withCheck(cd98, 1), "check digits 01 are outside 02..98"},
		{withCheck(cd97, 0), "check digits 00 are outside 02..98"},
		{withCheck(cd02, 99), "check digits 99 are outside 02..98"},
		{"FR763000600001123456789018", "has 26 characters; FR IBANs have 27"},
		{"FR76300060000112345678901890", "has 28 characters; FR IBANs have 27"},
		{refIBAN("FR", "3000600001123456789018"), "has 26 characters; FR IBANs have 27"},
		{"DE8937040044053201300", "has 21 characters; DE IBANs have 22"},
		{"CR0515202001026284066", "has 21 characters; CR IBANs have 22"},
		{refIBAN("JO", "CBJO001000000000013100030"), "has 29 characters; JO IBANs have 30"},
		{refIBAN("EG", "0019000500000000263180"), "has 26 characters; EG IBANs have 29"},
		{"NO938601111794", "has 14 characters; an IBAN has 15 to 34"},
		{"", "has 0 characters; an IBAN has 15 to 34"},
		{"FR76" + strings.Repeat("1", 31), "has 35 characters; an IBAN has 15 to 34"},
		{"fr7630006000011234567890189", `country code "fr" is not two upper-case letters`},
		{"Fr7630006000011234567890189", `country code "Fr" is not two upper-case letters`},
		{"1R7630006000011234567890189", `country code "1R" is not two upper-case letters`},
		{"FR7630006000011234567890l89", `has a lower-case letter 'l' at position 25 (write an IBAN in upper case)`},
		{"FR1420041010050500013m02606", `has a lower-case letter 'm' at position 22 (write an IBAN in upper case)`},
		{"FR76 3000 6000 0112 3456 7890 189", "has a space at position 5 (write an IBAN without spaces)"},
		{"FR7630006000011234567890189 ", "has a space at position 28 (write an IBAN without spaces)"},
		// Issue 16.15: too long only because of its spaces (go-iban removes
		// them and accepts it): the spaces are named, not the length.
		{"FR142004        1010050500013M02606", "has a space at position 9 (write an IBAN without spaces)"},
		{"FR14 2004 1010 0505 0001 3M02 606 X", "has a space at position 5 (write an IBAN without spaces)"},
		{"FRA630006000011234567890189", `check digits "A6" are not two digits`},
		{"FR 630006000011234567890189", `check digits " 6" are not two digits`},
		{"FR76-30006000011234567890189", `character '-' at position 5 is not a digit or an upper-case letter`},
		{"FR7630006000011234567890189\n", `byte 0x0A at position 28 is not a digit or an upper-case letter`},
		{"FR76300060000112345678901\xc3\x89", `byte 0xC3 at position 26 is not a digit or an upper-case letter`},
		{"FR76300060000112345678901\x00\x00", `byte 0x00 at position 26 is not a digit or an upper-case letter`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := CheckIBAN(tt.in)
			if tt.reason == "" {
				assert.NoError(t, err)
				return
			}
			var ie *IBANError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.in, ie.IBAN)
			assert.Equal(t, tt.reason, ie.Reason)
			assert.Equal(t, fmt.Sprintf("IBAN %q: %s", tt.in, tt.reason), err.Error())
		})
	}
}

func TestCheckIBANAllocs(t *testing.T) {
	for _, s := range []string{"FR7630006000011234567890189", "DE89370400440532013000", "MT84MALT011000012345MTLCAST001S"} {
		allocs := testing.AllocsPerRun(1000, func() {
			if err := CheckIBAN(s); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, s)
	}
}

// The messages of go-iban's errors that a documented difference allows.
const (
	goIBANUnsupported = "Unsupported country code"
	goIBANLength      = "IBAN length"
	goIBANBBAN        = "BBAN part of IBAN is not formatted according to country specification"
)

// goIBANLengths are the countries whose length go-iban has wrong.
var goIBANLengths = map[string]int{"CR": 21}

// documented says whether a disagreement between CheckIBAN (ours) and
// go-iban (theirs) on s is one that CheckIBAN's documentation lists.
func documented(s string, ours, theirs error) string {
	switch {
	case ours != nil && theirs == nil:
		var ie *IBANError
		if !errors.As(ours, &ie) {
			return ""
		}
		switch {
		case strings.HasPrefix(ie.Reason, "check digits ") && strings.HasSuffix(ie.Reason, " are outside 02..98"):
			return "check digits 00, 01, 99"
		case frenchBBAN(s[:2]) && (strings.HasPrefix(ie.Reason, "RIB key ") || strings.HasPrefix(ie.Reason, "BBAN is not bank code")):
			return "RIB key"
		case strings.ToUpper(s) != s && !isASCII(s):
			return "non-ASCII letters folded by go-iban"
		case strings.Contains(ie.Reason, "lower-case") || strings.HasPrefix(ie.Reason, "country code"):
			return "lower case"
		case strings.Contains(ie.Reason, "space"):
			return "spaces"
		case goIBANLengths[s[:2]] == len(s):
			return "go-iban's outdated length"
		}
	case ours == nil && theirs != nil:
		switch msg := theirs.Error(); {
		case strings.HasPrefix(msg, goIBANUnsupported):
			return "country unknown to go-iban"
		case strings.HasPrefix(msg, goIBANLength) && goIBANLengths[s[:2]] != 0:
			return "go-iban's outdated length"
		case msg == goIBANBBAN:
			return "national BBAN format"
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestCheckIBANDifferential compares CheckIBAN with go-iban on the registry
// examples, on random IBANs of the same national shapes, and on mutations
// of them. Every disagreement must be a documented difference.
func TestCheckIBANDifferential(t *testing.T) {
	racedetect.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(11, 12))
	const (
		digits = "0123456789"
		upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	)
	// like returns a random BBAN of the same shape as bban: digits where
	// it has digits, letters where it has letters.
	like := func(bban string) string {
		b := []byte(bban)
		for i, c := range b {
			if isDigit(c) {
				b[i] = digits[rng.IntN(10)]
			} else {
				b[i] = upper[rng.IntN(26)]
			}
		}
		return string(b)
	}
	var valid []string
	for _, ex := range registryExamples {
		valid = append(valid, ex)
		for range 15 {
			bban := like(ex[4:])
			if frenchBBAN(ex[:2]) && rng.IntN(2) == 0 {
				bban = fmt.Sprintf("%s%02d", bban[:21], refRIBKey(bban[:5], bban[5:10], bban[10:21]))
			}
			valid = append(valid, refIBAN(ex[:2], bban))
		}
	}
	valid = append(valid, "CR0515202001026284066", refIBAN("MG", "00005030071289421016045")) // go-iban's CR length; MG is not in the registry

	mutate := func(s string) string {
		b := []byte(s)
		switch rng.IntN(8) {
		case 0: // substitute
			b[4+rng.IntN(len(b)-4)] = (digits + upper)[rng.IntN(36)]
		case 1: // transpose
			i := 4 + rng.IntN(len(b)-5)
			b[i], b[i+1] = b[i+1], b[i]
		case 2: // check digits
			return withCheck(s, rng.IntN(100))
		case 3: // lower case
			return strings.ToLower(s[:rng.IntN(len(s))]) + s[len(s)/2:]
		case 4: // a space
			i := 4 + rng.IntN(len(b)-4)
			return s[:i] + " " + s[i:]
		case 5: // delete
			i := 4 + rng.IntN(len(b)-4)
			return s[:i] + s[i+1:]
		case 6: // another country, its checksum right
			ex := registryExamples[rng.IntN(len(registryExamples))]
			return refIBAN(ex[:2], s[4:])
		default: // check digits 01/00/99 for 98/97/02
			switch s[2:4] {
			case "98":
				return withCheck(s, 1)
			case "97":
				return withCheck(s, 0)
			case "02":
				return withCheck(s, 99)
			}
		}
		return string(b)
	}
	// go-iban upper-cases with Unicode rules: ı becomes I, ſ becomes S.
	folded := []string{"MT84MALT011000012345MTLCAſT001S", "ıT60X0542811101000000123456"}
	for _, s := range folded {
		_, err := iban.NewIBAN(s)
		require.NoError(t, err, "go-iban folds %q", s)
	}
	counts := map[string]int{}
	compare := func(s string) {
		ours := CheckIBAN(s)
		_, theirs := iban.NewIBAN(s)
		if (ours == nil) == (theirs == nil) {
			counts["agree"]++
			return
		}
		why := documented(s, ours, theirs)
		if why == "" {
			t.Errorf("%q: CheckIBAN says %v, go-iban says %v", s, ours, theirs)
		}
		counts[why]++
	}
	for _, s := range folded {
		compare(s)
	}
	for _, s := range valid {
		compare(s)
		for range 6 {
			compare(mutate(s))
		}
	}
	t.Logf("%d IBANs: %v", len(valid)*7, counts)
	// The corpus meets every documented difference, and mostly agreement.
	for _, why := range []string{"check digits 00, 01, 99", "RIB key", "lower case", "spaces", "non-ASCII letters folded by go-iban",
		"go-iban's outdated length", "country unknown to go-iban", "national BBAN format"} {
		assert.Positive(t, counts[why], why)
	}
	assert.Greater(t, counts["agree"], len(valid)*4)
}

// FuzzCheckIBAN compares CheckIBAN with go-iban: every disagreement must be
// a documented difference, and CheckIBAN never panics.
func FuzzCheckIBAN(f *testing.F) {
	for _, s := range registryExamples {
		f.Add(s)
	}
	f.Add("FR7630006000011234567890188")
	f.Add("fr76 3000 6000 0112 3456 7890 189")
	f.Fuzz(func(t *testing.T, s string) {
		ours := CheckIBAN(s)
		_, theirs := iban.NewIBAN(s)
		if (ours == nil) != (theirs == nil) && documented(s, ours, theirs) == "" {
			t.Fatalf("%q: CheckIBAN says %v, go-iban says %v", s, ours, theirs)
		}
	})
}
