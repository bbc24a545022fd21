package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// review3: every byte cfonb upload prints goes through the Redactor, which
// replaces any occurrence of the password (3 characters or more) anywhere.
// A password that is also a word of the output ("true", "done", "2026",
// "import") corrupts the --format json report a script parses (here
// "iban_control": [redacted]) and the paths and commands printed. The
// secrets should be scrubbed where they can appear (server answers, errors),
// not from cfonb's own structured output.
func TestReview3ShortPasswordBreaksTheJSONReport(t *testing.T) {
	f := newUpFixtureWith(t, sandbox.Options{Password: "true"})
	f.environ["INQOM_PASSWORD"] = "true"
	r := f.upload(t, "--format", "json", f.files[0])
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc map[string]any
	assert.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), "the report must stay JSON:\n%s", r.stdout)
}
