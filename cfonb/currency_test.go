package cfonb

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCurrencyDecimals(t *testing.T) {
	tests := []struct {
		code  string
		want  int
		known bool
	}{
		{"EUR", 2, true},
		{"JPY", 0, true},
		{"BHD", 3, true},
		{"CLF", 4, true},
		{"FRF", 2, true},
		{"XAF", 0, true},
		// Issue 16.14: valid ISO 4217 codes without a minor unit were
		// refused.
		{"XAU", NoMinorUnit, true},
		{"XXX", NoMinorUnit, true},
		{"XDR", NoMinorUnit, true},
		{"XTS", NoMinorUnit, true},
		{"XAG", NoMinorUnit, true},
		{"XPT", NoMinorUnit, true},
		{"ZZZ", 0, false},
		{"eur", 0, false},
		{"EU", 0, false},
		{"EURO", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			n, ok := CurrencyDecimals([]byte(tt.code))
			assert.Equal(t, tt.known, ok)
			assert.Equal(t, tt.want, n)
		})
	}
}

// TestCurrencyTableSorted checks what the binary search needs: four bytes
// per entry, upper-case codes in strictly increasing order, a digit or '-'.
func TestCurrencyTableSorted(t *testing.T) {
	if len(currencyTable)%4 != 0 {
		t.Fatalf("table length %d is not a multiple of 4", len(currencyTable))
	}
	prev := ""
	for i := 0; i < len(currencyTable); i += 4 {
		code, d := currencyTable[i:i+3], currencyTable[i+3]
		for j := 0; j < 3; j++ {
			if code[j] < 'A' || code[j] > 'Z' {
				t.Errorf("entry %d: %q is not three upper-case letters", i/4, code)
			}
		}
		if !(d >= '0' && d <= '4' || d == '-') {
			t.Errorf("%s: decimals %q", code, d)
		}
		if code <= prev {
			t.Errorf("%s after %s: not sorted", code, prev)
		}
		prev = code
		n, ok := CurrencyDecimals([]byte(code))
		if !ok || (d == '-') != (n == NoMinorUnit) {
			t.Errorf("%s: CurrencyDecimals = %d, %v", code, n, ok)
		}
	}
}

// TestStatementDecimalsWithoutMinorUnit: a statement in a currency with no
// minor unit (XAU) and blank decimals takes 2, not NoMinorUnit.
func TestStatementDecimalsWithoutMinorUnit(t *testing.T) {
	rec := []byte("0130006    00001EUR  12345678901  020326                                                  0000000015000{                ")
	for _, tt := range []struct {
		cur  string
		want int
	}{{"EUR", 2}, {"JPY", 0}, {"XAU", 2}, {"XXX", 2}, {"ZZZ", 2}} {
		copy(FieldCurrency.Of(rec), tt.cur)
		assert.Equal(t, tt.want, StatementDecimals(rec), tt.cur)
	}
}
