package validate

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// TestSplitRestoresAccount: when a worker's statement has its first
// diagnostic at its 07, the 07 has already recorded the statement as its
// account's last (closeOrder); the worker's segment ends before that
// statement, so going back (mark.restore) must also give the account its
// entry from before the statement, which the owner takes (merge) and then
// judges the statement against when it validates it itself. Each case is a
// generated file of one account, oldest first, with statement k changed,
// cut at every statement (so that the worker's segment starts one, two or
// three statements before k) and at every pair of statements:
//   - balance: a movement amount changed, so the 07 does not reconcile;
//     the owner would judge k against its own closing (statement-order)
//     if the worker's entry for k stayed;
//   - older: a copy of an older statement (not the one just before),
//     which the worker, knowing no order for the account, takes as
//     newest first and whose 07 then breaks the chain (opening-balance),
//     and which the owner, knowing the order, reports at its 07
//     (statement-order) against the statement before it: not against
//     itself (entry kept), nor against none (entry deleted).
func TestSplitRestoresAccount(t *testing.T) {
	racedetect.SkipUnderRace(t)
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 13, Size: 24 << 10, Accounts: 1, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	sts := statementsOf(buf.Bytes(), 2)
	require.Greater(t, len(sts), 8)
	const line = cfonb.RecordLen + 2
	k := len(sts) / 2
	balance := append([][]byte{}, sts...)
	balance[k] = bytes.Clone(sts[k])
	moved := false
	for i := line; i+line <= len(balance[k]); i += line {
		if string(balance[k][i:i+2]) == "04" {
			// The amount's first digit: 0 in a generated file.
			require.Equal(t, byte('0'), balance[k][i+cfonb.OffAmount])
			balance[k][i+cfonb.OffAmount] = '1'
			moved = true
			break
		}
	}
	require.True(t, moved, "statement %d has a movement", k)
	older := append(append(append([][]byte{}, sts[:k]...), sts[k-3]), sts[k:]...)
	opts := Options{MaxDiagnostics: -1, Summary: true}
	for _, c := range []struct {
		name  string
		sts   [][]byte
		rules []string // the rules of the reference's diagnostics
	}{
		{"balance", balance, []string{RuleBalance}},
		{"older", older, []string{RuleStatementOrder, RuleOpeningBalance}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := bytes.Join(c.sts, nil)
			want := reference(t, in, opts)
			var rules []string
			for _, d := range want.Diagnostics {
				rules = append(rules, d.Rule)
			}
			require.Equal(t, c.rules, rules, "%v", want.Diagnostics)
			var at []int64
			off := int64(0)
			for _, s := range c.sts {
				at = append(at, off)
				off += int64(len(s))
			}
			taken := 0
			for i := 1; i < len(at); i++ {
				for j := i; j < len(at); j++ {
					cuts := []int64{at[i]}
					if j > i {
						cuts = append(cuts, at[j])
					}
					require.Equal(t, want, split(t, in, opts, 1+len(cuts), cuts, &taken), "cuts %v", cuts)
					require.Equal(t, want, splitNow(t, in, opts, 1+len(cuts), cuts), "cuts %v, owner not waiting", cuts)
				}
			}
			require.Greater(t, taken, len(at))
		})
	}
}
