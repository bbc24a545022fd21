package cfonb

import (
	"testing"

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
		})
	}
}
