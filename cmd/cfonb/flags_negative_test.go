package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNegativeNumericFlags: validate --max-errors -5 was accepted (and
// showed every diagnostic, as 0 does), and journal --mark-done --dossier
// -5 was refused as if it were --mark-registered. Every numeric flag of
// every command refuses a negative value with a usage error that names
// it (exit 2), before reading anything (found by a review).
func TestNegativeNumericFlags(t *testing.T) {
	file := fmtTD + "canonical.txt"
	state := filepath.Join(t.TempDir(), "state")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "--max-errors", "-5", file}, "cfonb validate: --max-errors must be 0 (no limit) or more, not -5 (see cfonb validate --help)\n"},
		{[]string{"validate", "--jobs", "-1", file}, "cfonb validate: --jobs must be at least 1, or 0 for one per CPU (see cfonb validate --help)\n"},
		{[]string{"fmt", "--jobs", "-1", "-l", file}, "cfonb fmt: --jobs must be at least 1, or 0 for one per CPU (see cfonb fmt --help)\n"},
		{[]string{"inspect", "--max-statements", "-5", file}, "cfonb inspect: --max-statements must be 0 (no limit) or more, not -5 (see cfonb inspect --help)\n"},
		{[]string{"gen", "--accounts", "-3", "-o", filepath.Join(t.TempDir(), "gen.txt")}, "cfonb gen: --accounts must be between 0 (automatic) and 100000, not -3 (see cfonb gen --help)\n"},
		{[]string{"gen", "--errors", "-0.5", "-o", filepath.Join(t.TempDir(), "gen.txt")}, "cfonb gen: --errors must be between 0 and 1, not -0.5 (see cfonb gen --help)\n"},
		{[]string{"journal", "--state-dir", state, "--env", "prod", "--mark-done", "--dossier", "-5", file}, "cfonb journal: --dossier must be a positive integer, not -5 (see cfonb journal --help)\n"},
		{[]string{"journal", "--state-dir", state, "--env", "prod", "--mark-registered", "--dossier", "-5", "FR7630004008230001000015611"}, "cfonb journal: --dossier must be a positive integer, not -5 (see cfonb journal --help)\n"},
		{[]string{"upload", "--state-dir", state, "--dossier", "-1", file}, "cfonb upload: --dossier must be a positive integer, not \"-1\" (see cfonb upload --help)\n"},
		{[]string{"upload", "--state-dir", state, "--dossier", "1", "--timeout", "-5s", file}, "cfonb upload: --timeout must be positive (see cfonb upload --help)\n"},
		{[]string{"sandbox", "--token-lifetime", "-1h"}, "cfonb sandbox: --token-lifetime must be at least 1m (cfonb renews a token 30s before it expires) (see cfonb sandbox --help)\n"},
		{[]string{"serve", "--max-size", "-1"}, "cfonb serve: --max-size: want a size such as 200MiB or 2GiB, not \"-1\" (see cfonb serve --help)\n"},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			r := cliRunEnv(t, map[string]string{}, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Equal(t, tt.want, r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
	assert.NoDirExists(t, state, "a usage error touches no state")
}
