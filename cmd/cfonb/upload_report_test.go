package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// TestShortPasswordKeepsTheJSONReport: every byte cfonb upload prints goes
// through the Redactor, which replaces any occurrence of the password (3
// characters or more) anywhere. A password that is also a word of the
// output ("true") corrupted the --format json report a script parses
// ("sent": [redacted]; found by a review). The report is now
// scrubbed as JSON: string values only.
func TestShortPasswordKeepsTheJSONReport(t *testing.T) {
	f := newUpFixtureWith(t, sandbox.Options{Password: "true"})
	f.environ["INQOM_PASSWORD"] = "true"
	r := f.upload(t, "--format", "json", f.files[0])
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), "the report must stay JSON:\n%s", r.stdout)
	assert.Equal(t, true, doc["sent"], r.stdout)
}

// TestUploadTextReportWriteError: cfonb upload in text mode with a standard
// output that cannot be written (a full disk for "> upload.log", a closed
// pipe once SIGPIPE is ignored): the files were imported, nothing of it
// was written, and the exit status was 0 with nothing on standard error
// (found by a review). It now says so, exit 2.
func TestUploadTextReportWriteError(t *testing.T) {
	f := newUpFixture(t)
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb,
		getenv: func(k string) string { return f.environ[k] }}
	code := run(t.Context(), e, []string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77", "--state-dir", f.state, f.files[0]})
	require.Len(t, f.sb.Imports(), 1)
	assert.Equal(t, exitUsage, code, "the report could not be written")
	assert.Contains(t, errb.String(), "cfonb upload: writing the report: broken pipe; what was imported is recorded in the journal all the same (cfonb journal lists it)\n")
}

// TestUploadSetupErrorIsNotNothingToSend: when the journal could not be
// opened (a state directory that is a file, a read-only or full disk, a
// damaged journal.sqlite), cfonb upload printed "nothing to send; 0
// accounts registered, ... 0 files imported" before the error, as if no
// file needed sending; --dry-run likewise said "0 files to import" (found
// by a review).
func TestUploadSetupErrorIsNotNothingToSend(t *testing.T) {
	f := newUpFixture(t)
	notADir := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.WriteFile(notADir, nil, 0o600))
	for _, extra := range [][]string{nil, {"--dry-run"}} {
		args := append([]string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
			"--dossier", "77", "--state-dir", notADir}, extra...)
		r := f.run(t, "", false, append(args, f.files...)...)
		require.Equal(t, exitUsage, r.code, r.stderr)
		assert.Empty(t, r.stdout, "3 files were to send")
		assert.Contains(t, r.stderr, "cfonb upload: setup problem: state: open "+filepath.Join(notADir, "journal.json")+": not a directory\n", "%v", extra)
	}
}
