package main

import (
	"bytes"
	"encoding/json"
	"strings"
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

// review3: cfonb upload in text mode with a standard output that cannot be
// written (a full disk for "> upload.log", a closed pipe once SIGPIPE is
// ignored): the files are imported, nothing of it is written, and the exit
// status is 0 with nothing on standard error. With --format json the same
// failure is reported (exit 2). The user's only record of the run is lost
// silently.
func TestReview3UploadTextOutputWriteErrorIsSilent(t *testing.T) {
	f := newUpFixture(t)
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb,
		getenv: func(k string) string { return f.environ[k] }}
	code := run(t.Context(), e, []string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77", "--state-dir", f.state, f.files[0]})
	require.Len(t, f.sb.Imports(), 1)
	assert.NotEqual(t, exitOK, code, "the report could not be written")
	assert.Contains(t, errb.String(), "broken pipe", "say that the report was not written, and what was done")
}
