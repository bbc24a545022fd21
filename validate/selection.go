package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cfonb-dev/cfonb/internal/suggest"
)

// Family is a group of rules that Options.Select and Options.Ignore (and
// cfonb validate --select and --ignore) can name at once.
type Family struct {
	Name    string
	Summary string
	Rules   []string
}

// Families lists the rule families. Every rule of Rules() but too-many
// (which says that reading stopped, and cannot be turned off) belongs to
// exactly one.
func Families() []Family {
	return []Family{
		{"file", "the file as a whole: empty, another format, encoding, record lengths and codes, blank lines",
			[]string{RuleEmpty, RuleFormat, RuleEncoding, RuleFraming, RuleRecordLength, RuleRecordCode, RuleBlankLine}},
		{"fields", "the fields of each record: formats, dates, amounts, currencies, reserved zones, codes, IBANs",
			[]string{RuleFieldFormat, RuleDate, RuleAmount, RuleCurrency, RuleBlankCurrency, RuleReservedZone, RuleQualifier, RuleInterbankCode, RuleIBAN}},
		{"statements", "each statement and the statements of an account: sequence, account, balances, dates, order",
			[]string{RuleSequence, RuleAccountMatch, RuleBalance, RuleDateRange, RuleOpeningBalance, RuleStatementOrder}},
	}
}

// ExpandRules turns rule ids and family names into rule ids, in the order
// given, without repeats. An unknown name is an error that suggests the
// closest known one.
func ExpandRules(names []string) ([]string, error) {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if i := slices.IndexFunc(Families(), func(f Family) bool { return f.Name == n }); i >= 0 {
			add(Families()[i].Rules...)
			continue
		}
		if slices.ContainsFunc(Rules(), func(r RuleInfo) bool { return r.ID == n && r.ID != RuleTooMany }) {
			add(n)
			continue
		}
		return nil, fmt.Errorf("unknown rule or rule family %q%s (cfonb validate --rules lists them)", n, didYouMean(n, ruleNames()))
	}
	return out, nil
}

// ruleNames are the names ExpandRules knows.
func ruleNames() []string {
	var names []string
	for _, f := range Families() {
		names = append(names, f.Name)
	}
	for _, r := range Rules() {
		if r.ID != RuleTooMany {
			names = append(names, r.ID)
		}
	}
	return names
}

// disabled returns the rules that opts turns off, or nil.
func (opts *Options) disabled() map[string]bool {
	if len(opts.Select) == 0 && len(opts.Ignore) == 0 {
		return nil
	}
	off := map[string]bool{}
	if len(opts.Select) > 0 {
		on, _ := ExpandRules(opts.Select)
		for _, r := range Rules() {
			if r.ID != RuleTooMany && !slices.Contains(on, r.ID) {
				off[r.ID] = true
			}
		}
	}
	ignored, _ := ExpandRules(opts.Ignore)
	for _, id := range ignored {
		off[id] = true
	}
	return off
}

// didYouMean returns " (did you mean X?)" for the name of names closest to
// typed, if it is close, else "".
func didYouMean(typed string, names []string) string {
	best := suggest.Closest(typed, names)
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}
