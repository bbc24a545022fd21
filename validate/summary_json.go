package validate

import (
	"encoding/json"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// statementSummaryJSON is the JSON form of a StatementSummary, with the
// field names and values of a statement of cfonb export --format json
// (export/json.go): cfonb inspect --format json and the /api/inspect of
// cfonb serve both write it, so that the three cannot drift apart.
type statementSummaryJSON struct {
	Line           int     `json:"line"`
	Bank           string  `json:"bank"`
	Branch         string  `json:"branch"`
	Account        string  `json:"account"`
	IBAN           *string `json:"iban"`
	Currency       string  `json:"currency"`
	OpeningDate    string  `json:"opening_date"`
	OpeningBalance string  `json:"opening_balance"`
	ClosingLine    *int    `json:"closing_line"`
	ClosingDate    *string `json:"closing_date"`
	ClosingBalance *string `json:"closing_balance"`
	MovementCount  int     `json:"movement_count"`
	TotalDebits    string  `json:"total_debits"`
	TotalCredits   string  `json:"total_credits"`
	Reconciles     bool    `json:"reconciles"`
}

// MarshalJSON writes the statement as cfonb export --format json writes
// its statement fields (without the movements): account zones as text
// (cfonb.Zone), the IBAN or null, dates in ISO 8601, amounts as exact
// decimal strings, and null closing fields when the file ended inside the
// statement.
func (s StatementSummary) MarshalJSON() ([]byte, error) {
	j := statementSummaryJSON{
		Line:           s.StartLine,
		Bank:           string(cfonb.Zone(s.Account.Bank[:])),
		Branch:         string(cfonb.Zone(s.Account.Branch[:])),
		Account:        string(cfonb.Zone(s.Account.Number[:])),
		Currency:       string(cfonb.Zone(s.Account.Currency[:])),
		OpeningDate:    s.OpenDate.String(),
		OpeningBalance: cfonb.FormatDecimal(s.Opening, s.Decimals),
		MovementCount:  s.Movements,
		TotalDebits:    s.Debits.Decimal(s.Decimals),
		TotalCredits:   s.Credits.Decimal(s.Decimals),
		Reconciles:     s.Reconciles,
	}
	if s.IBAN != "" {
		iban := string(s.IBAN)
		j.IBAN = &iban
	}
	if s.EndLine > 0 {
		end, date, bal := s.EndLine, s.CloseDate.String(), cfonb.FormatDecimal(s.Closing, s.Decimals)
		j.ClosingLine, j.ClosingDate, j.ClosingBalance = &end, &date, &bal
	}
	return json.Marshal(j)
}
