package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFamiliesCoverEveryRule: every rule but too-many is in exactly one
// family, so that a new rule cannot escape --select file,fields,statements.
func TestFamiliesCoverEveryRule(t *testing.T) {
	in := map[string]string{}
	for _, f := range Families() {
		for _, r := range f.Rules {
			assert.Empty(t, in[r], "%s is in %s and %s", r, in[r], f.Name)
			in[r] = f.Name
		}
	}
	for _, r := range Rules() {
		if r.ID == RuleTooMany {
			assert.Empty(t, in[r.ID])
			continue
		}
		assert.NotEmpty(t, in[r.ID], "rule %s has no family", r.ID)
	}
}

func TestExpandRules(t *testing.T) {
	got, err := ExpandRules([]string{"balance", " date ", "statements", ""})
	require.NoError(t, err)
	assert.Equal(t, []string{"balance", "date", "sequence", "account-mismatch", "date-range", "opening-balance", "statement-order"}, got)
	_, err = ExpandRules([]string{"balnce"})
	assert.EqualError(t, err, `unknown rule or rule family "balnce" (did you mean balance?) (cfonb validate --rules lists them)`)
	_, err = ExpandRules([]string{"too-many"})
	assert.Error(t, err, "too-many cannot be selected")
	_, err = ExpandRules([]string{"nonsense-entirely"})
	assert.EqualError(t, err, `unknown rule or rule family "nonsense-entirely" (cfonb validate --rules lists them)`)
}

// TestSelectIgnore: the options drop the diagnostics of the rules turned
// off, from the list and the counts.
func TestSelectIgnore(t *testing.T) {
	rules := func(rep *Report) []string {
		var out []string
		for _, d := range rep.Diagnostics {
			out = append(out, d.Rule)
		}
		return out
	}
	all, err := File("../testdata/invalid/warnings.txt", Options{Pedantic: true})
	require.NoError(t, err)
	require.NotZero(t, all.Warnings)

	tests := []struct {
		name           string
		opts           Options
		keep           func(rule string) bool
		errors, warned bool
	}{
		{"ignore a rule", Options{Pedantic: true, Ignore: []string{"reserved-zone"}}, func(r string) bool { return r != "reserved-zone" }, false, true},
		{"select a family", Options{Pedantic: true, Select: []string{"statements"}}, func(r string) bool {
			return r == RuleSequence || r == RuleAccountMatch || r == RuleBalance || r == RuleDateRange || r == RuleOpeningBalance || r == RuleStatementOrder
		}, false, true},
		{"select minus ignore", Options{Pedantic: true, Select: []string{"fields"}, Ignore: []string{"reserved-zone"}}, func(r string) bool {
			return r != "reserved-zone" && r != RuleSequence && r != RuleBalance && r != RuleOpeningBalance && r != RuleStatementOrder && r != RuleDateRange && r != RuleAccountMatch && r != RuleBlankLine && r != RuleRecordLength && r != RuleEncoding
		}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := File("../testdata/invalid/warnings.txt", tt.opts)
			require.NoError(t, err)
			var want []string
			for _, r := range rules(all) {
				if tt.keep(r) {
					want = append(want, r)
				}
			}
			assert.Equal(t, want, rules(rep))
			assert.Equal(t, len(want), rep.Errors+rep.Warnings, "the counts leave out what is turned off")
		})
	}

	bad, err := File("../testdata/invalid/balance.txt", Options{Ignore: []string{"balance"}})
	require.NoError(t, err)
	assert.Zero(t, bad.Errors)
	assert.Empty(t, bad.Diagnostics)
}
