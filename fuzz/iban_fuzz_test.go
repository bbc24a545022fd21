package fuzz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	goiban "github.com/almerlucke/go-iban/iban"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// goibanOutdated are the IBAN lengths go-iban still accepts that the SWIFT
// IBAN registry replaced: CheckIBAN rightly rejects them.
var goibanOutdated = map[string]int{
	"CR": 21, // Costa Rica: 22 characters since 2016
}

// frenchFamily are the country codes whose IBAN holds a French BBAN with a
// RIB key, which CheckIBAN checks and go-iban does not.
func frenchFamily(cc string) bool {
	switch cc {
	case "FR", "MC", "GF", "GP", "MQ", "RE", "PF", "TF", "YT", "NC", "BL", "MF", "PM", "WF":
		return true
	}
	return false
}

// ibanReason returns the reason of an *cfonb.IBANError, or the error text.
func ibanReason(err error) string {
	var ie *cfonb.IBANError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return err.Error()
}

// ibanSeeds are valid IBANs of many countries (go-iban's examples and the
// registry's), in electronic and print form, and near misses.
var ibanSeeds = []string{
	"FR7630006000011234567890189", "FR1420041010050500013M02606", "FR7630004008230001000015611",
	"FR6010278060760001234A56713", "fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890188",
	"MC5811222000010123456789030", "DE89370400440532013000", "DE 30 50021000 0010116606",
	"GB29NWBK60161331926819", "BE71096123456769", "ES9121000418450200051332",
	"IT60X0542811101000000123456", "NL91ABNA0417164300", "CH9300762011623852957",
	"LU280019400644750000", "AT611904300234573201", "PT50000201231234567890154",
	"NO9386011117947", "PL61109010140000071219812874", "SE4550000000058398257466",
	"AE070331234567890123456", "AL47212110090000000235698741", "AZ21NABZ00000000137010001944",
	"BA391290079401028494", "BG80BNBG96611020345678", "BH67BMAG00001299123456",
	"BR1800360305000010009795493C1", "CY17002001280000001200527600", "CZ6508000000192000145399",
	"DK5000400440116243", "DO28BAGR00000001212453611324", "EE382200221020145685",
	"FI2112345600000785", "FO6264600001631634", "GE29NB0000000101904917",
	"GI75NWBK000000007099453", "GL8964710001000206", "GR1601101250000000012300695",
	"GT82TRAJ01020000001210029690", "HR1210010051863000160", "HU42117730161111101800000000",
	"IE29AIBK93115212345678", "IL620108000000099999999", "IS140159260076545510730339",
	"JO94CBJO0010000000000131000302", "KW81CBKU0000000000001234560101", "KZ86125KZT5004100100",
	"LB62099900000001001901229114", "LC55HEMM000100010012001200023015", "LI21088100002324013AA",
	"LT121000011101001000", "LV80BANK0000435195001", "MD24AG000225100013104168",
	"ME25505000012345678951", "MK07250120000058984", "MR1300020001010000123456753",
	"MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR", "PK36SCBL0000001123456702",
	"PS92PALS000000000400123456702", "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000",
	"RS35260005601001611379", "SA0380000000608010167519", "SC18SSCB11010000000000001497USD",
	"SI56263300012039086", "SK3112000000198742637541", "SM86U0322509800000000270100",
	"ST68000100010051845310112", "TL380080012345678910157", "TN5910006035183598478831",
	"TR330006100519786457841326", "UA213223130000026007233566001", "VG96VPVG0000012345678901",
	"XK051212012345678906", "CR05015202001026284066", "EG380019000500000000263180002",
	"IQ98NBIQ850123456789012", "LY83002048000020100120361", "BY13NBRB3600900000002Z00AB00",
	"SV62CENR00000000000000700025", "VA59001123000012345678", "RU0304452522540817810538091310419",
	"FR0030006000011234567890189", "FR0130006000011234567890189", "FR9930006000011234567890189",
	"ſe4550000000058398257466", "FR76300060000112345678901 89", "",
}

// FuzzIBAN checks CheckIBAN against github.com/almerlucke/go-iban: CheckIBAN
// never panics, accepts only IBANs in electronic form, and accepts every
// IBAN go-iban accepts once put in electronic form (go-iban removes spaces
// and upper-cases, Unicode letters included), except where CheckIBAN is
// documented to be stricter: check digits 00, 01 and 99 (equivalent to 97,
// 98 and 02 for the checksum, but not issued), and the RIB key of a French
// BBAN (which go-iban does not check).
func FuzzIBAN(f *testing.F) {
	for _, s := range ibanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ours := cfonb.CheckIBAN(s)
		if ours == nil {
			if len(s) < 15 || len(s) > 34 {
				t.Fatalf("CheckIBAN accepted %q of %d characters", s, len(s))
			}
			for i := 0; i < len(s); i++ {
				if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
					t.Fatalf("CheckIBAN accepted %q, which is not in electronic form", s)
				}
			}
		} else if ours.Error() == "" {
			t.Fatalf("CheckIBAN(%q): empty error message", s)
		}
		theirs, err := goiban.NewIBAN(s)
		if err != nil {
			return
		}
		electronic := theirs.Code
		if electronic != strings.ToUpper(strings.ReplaceAll(s, " ", "")) {
			t.Fatalf("go-iban's electronic form of %q is %q", s, electronic)
		}
		if electronic != s && ours == nil {
			t.Fatalf("CheckIBAN accepted %q, not in electronic form (%q)", s, electronic)
		}
		err = cfonb.CheckIBAN(electronic)
		if err == nil {
			return
		}
		reason := ibanReason(err)
		cc, cd := electronic[:2], electronic[2:4]
		switch {
		case cd == "00" || cd == "01" || cd == "99":
			if !strings.Contains(reason, "outside 02..98") {
				t.Fatalf("%q (check digits %s): CheckIBAN says %q, expected the check digits' range", electronic, cd, reason)
			}
		case frenchFamily(cc):
			if !strings.HasPrefix(reason, "RIB key") && !strings.HasPrefix(reason, "BBAN is not") {
				t.Fatalf("%q: go-iban accepts it, CheckIBAN says %q (only the RIB key may differ)", electronic, reason)
			}
		case goibanOutdated[cc] == len(electronic):
			if !strings.Contains(reason, "IBANs have") {
				t.Fatalf("%q: CheckIBAN says %q, expected the country's length", electronic, reason)
			}
		default:
			t.Fatalf("%q: go-iban accepts it, CheckIBAN rejects it: %q", electronic, reason)
		}
	})
}

// FuzzRIB checks that the French IBAN derived from any bank code, branch
// code and account number passes CheckIBAN and go-iban, that its RIB key
// satisfies the RIB identity, and that FrenchIBAN rejects (without
// panicking) inputs of the wrong shape.
func FuzzRIB(f *testing.F) {
	f.Add(uint32(30006), uint32(1), []byte("12345678901"))
	f.Add(uint32(20041), uint32(1005), []byte("0500013M026"))
	f.Add(uint32(10278), uint32(6076), []byte("0001234A567"))
	f.Add(uint32(99999), uint32(99999), []byte("ZZZZZZZZZZZ"))
	f.Add(uint32(0), uint32(0), []byte(""))
	f.Add(uint32(1), uint32(2), []byte("abc\x00é"))
	f.Fuzz(func(t *testing.T, bank, branch uint32, account []byte) {
		b := []byte(fmt.Sprintf("%05d", bank%100000))
		g := []byte(fmt.Sprintf("%05d", branch%100000))
		// Map any bytes to an 11-character account of digits and
		// upper-case letters.
		const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		a := []byte("00000000000")
		for i := 0; i < len(account) && i < 11; i++ {
			a[i] = alphabet[int(account[i])%len(alphabet)]
		}
		iban, err := cfonb.FrenchIBAN(b, g, a)
		if err != nil {
			t.Fatalf("FrenchIBAN(%s, %s, %s): %v", b, g, a, err)
		}
		s := string(iban)
		if len(s) != 27 || s[:2] != "FR" || s[4:9] != string(b) || s[9:14] != string(g) || s[14:25] != string(a) {
			t.Fatalf("FrenchIBAN(%s, %s, %s) = %q", b, g, a, s)
		}
		if err := cfonb.CheckIBAN(s); err != nil {
			t.Fatalf("CheckIBAN(FrenchIBAN(%s, %s, %s) = %q): %v", b, g, a, s, err)
		}
		if _, err := goiban.NewIBAN(s); err != nil {
			t.Fatalf("go-iban rejects FrenchIBAN(%s, %s, %s) = %q: %v", b, g, a, s, err)
		}
		key, err := cfonb.RIBKey(b, g, a)
		if err != nil {
			t.Fatal(err)
		}
		if key < 1 || key > 97 || fmt.Sprintf("%02d", key) != s[25:] {
			t.Fatalf("RIB key %d, IBAN %q", key, s)
		}
		// The RIB identity: 89 × bank + 15 × branch + 3 × account + key ≡ 0 (mod 97),
		// letters of the account replaced by their RIB digits.
		var acct int64
		for _, c := range a {
			acct = acct*10 + int64(ribDigit(c))
		}
		if r := (89*int64(bank%100000) + 15*int64(branch%100000) + 3*acct + int64(key)) % 97; r != 0 {
			t.Fatalf("RIB identity fails for %s %s %s key %02d: remainder %d", b, g, a, key, r)
		}
		// Raw bytes: an error, never a panic, for a bad shape; an IBAN that
		// passes CheckIBAN for a good one.
		if _, err := cfonb.FrenchIBAN(account, account, account); err == nil {
			t.Fatalf("FrenchIBAN accepted %q as bank, branch and account", account)
		}
		if len(account) >= 21 {
			raw, err := cfonb.FrenchIBAN(account[:5], account[5:10], account[10:21])
			if err == nil {
				if err := cfonb.CheckIBAN(string(raw)); err != nil {
					t.Fatalf("FrenchIBAN(%q) = %q, which CheckIBAN rejects: %v", account[:21], raw, err)
				}
			} else if !errors.Is(err, cfonb.ErrRIBInput) {
				t.Fatalf("FrenchIBAN(%q): %v, not ErrRIBInput", account[:21], err)
			}
		}
	})
}

// ribDigit maps an account character to its RIB digit: A,J→1; B,K,S→2;
// ...; I,R,Z→9.
func ribDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'I':
		return int(c-'A') + 1
	case c >= 'J' && c <= 'R':
		return int(c-'J') + 1
	default:
		return int(c-'S') + 2
	}
}

// registryLengths are the IBAN lengths of the SWIFT IBAN registry.
var registryLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// withCheckDigits returns cc + check digits + bban.
func withCheckDigits(cc, bban string) string {
	r := 0
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("%s%02d%s", cc, 98-r, bban)
}

// TestIBANRegistryLengths checks CheckIBAN's length table against the
// registry: an IBAN of each country's length with a correct checksum is
// accepted, and one character more or fewer is rejected.
func TestIBANRegistryLengths(t *testing.T) {
	for cc, n := range registryLengths {
		t.Run(cc, func(t *testing.T) {
			ok := withCheckDigits(cc, strings.Repeat("1", n-4))
			if frenchFamily(cc) {
				iban, err := cfonb.FrenchIBAN([]byte("30006"), []byte("00001"), []byte("12345678901"))
				if err != nil {
					t.Fatal(err)
				}
				ok = withCheckDigits(cc, string(iban[4:]))
			}
			if err := cfonb.CheckIBAN(ok); err != nil {
				t.Errorf("CheckIBAN(%q) (%d characters, the registry's length): %v", ok, n, err)
			}
			for _, bad := range []string{withCheckDigits(cc, strings.Repeat("1", n-3)), withCheckDigits(cc, strings.Repeat("1", n-5))} {
				if err := cfonb.CheckIBAN(bad); err == nil {
					t.Errorf("CheckIBAN(%q) accepts %d characters; %s IBANs have %d", bad, len(bad), cc, n)
				}
			}
		})
	}
}

// TestGoIBANOutdated checks that goibanOutdated is still needed: go-iban
// accepts the outdated length, CheckIBAN does not.
func TestGoIBANOutdated(t *testing.T) {
	for cc, n := range goibanOutdated {
		s := withCheckDigits(cc, strings.Repeat("1", n-4))
		if _, err := goiban.NewIBAN(s); err != nil {
			t.Errorf("go-iban rejects %q now (%v): remove %s from goibanOutdated", s, err, cc)
		}
		if err := cfonb.CheckIBAN(s); err == nil {
			t.Errorf("CheckIBAN accepts %q, of the outdated length %d", s, n)
		}
	}
}
