package cfonb

// NoMinorUnit is what CurrencyDecimals returns for the ISO 4217 codes that
// have no minor unit ("N.A." in the standard): gold and the other precious
// metals (XAU, XAG, XPD, XPT), the SDR (XDR), the bond-market units
// (XBA-XBD), XSU, XUA, the testing code XTS and XXX (no currency). Any
// number of decimals fits them.
const NoMinorUnit = -1

// CurrencyDecimals returns the number of decimals (minor unit exponent) of
// an ISO 4217 alphabetic currency code, and whether the code is known; the
// decimals are NoMinorUnit for a code that has none (XAU, XXX...). The
// table holds the active codes of ISO 4217 (amendment 178, 2024, with XCG
// from 2025), the X codes of funds, metals and testing, and FRF, which
// legacy statements from before 2002 still carry. It does not allocate.
func CurrencyDecimals(code []byte) (int, bool) {
	if len(code) != 3 {
		return 0, false
	}
	lo, hi := 0, len(currencyTable)/4
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		t := currencyTable[4*m : 4*m+4]
		switch c := cmp3(t, code); {
		case c == 0:
			if t[3] == '-' {
				return NoMinorUnit, true
			}
			return int(t[3] - '0'), true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

func cmp3(t string, b []byte) int {
	for i := 0; i < 3; i++ {
		if t[i] != b[i] {
			if t[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// currencyTable is code + decimals ('-' for no minor unit), four bytes per
// currency, sorted.
const currencyTable = "" +
	"AED2AFN2ALL2AMD2ANG2AOA2ARS2AUD2AWG2AZN2BAM2BBD2BDT2BGN2BHD3BIF0" +
	"BMD2BND2BOB2BOV2BRL2BSD2BTN2BWP2BYN2BZD2CAD2CDF2CHE2CHF2CHW2CLF4" +
	"CLP0CNY2COP2COU2CRC2CUC2CUP2CVE2CZK2DJF0DKK2DOP2DZD2EGP2ERN2ETB2" +
	"EUR2FJD2FKP2FRF2GBP2GEL2GHS2GIP2GMD2GNF0GTQ2GYD2HKD2HNL2HTG2HUF2" +
	"IDR2ILS2INR2IQD3IRR2ISK0JMD2JOD3JPY0KES2KGS2KHR2KMF0KPW2KRW0KWD3" +
	"KYD2KZT2LAK2LBP2LKR2LRD2LSL2LYD3MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2" +
	"MUR2MVR2MWK2MXN2MXV2MYR2MZN2NAD2NGN2NIO2NOK2NPR2NZD2OMR3PAB2PEN2" +
	"PGK2PHP2PKR2PLN2PYG0QAR2RON2RSD2RUB2RWF0SAR2SBD2SCR2SDG2SEK2SGD2" +
	"SHP2SLE2SLL2SOS2SRD2SSP2STN2SVC2SYP2SZL2THB2TJS2TMT2TND3TOP2TRY2" +
	"TTD2TWD2TZS2UAH2UGX0USD2USN2UYI0UYU2UYW4UZS2VED2VES2VND0VUV0WST2" +
	"XAF0XAG-XAU-XBA-XBB-XBC-XBD-XCD2XCG2XDR-XOF0XPD-XPF0XPT-XSU-XTS-" +
	"XUA-XXX-YER2ZAR2ZMW2ZWG2ZWL2"
