package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
)

// journalWithStagingImport records one import to staging in a new state
// directory and returns the directory.
func journalWithStagingImport(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ep, err := upload.EnvEndpoints("staging")
	require.NoError(t, err)
	platform, err := upload.Platform(ep.APIURL)
	require.NoError(t, err)
	f, err := upload.PrepareFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	st, err := upload.OpenState(dir, true)
	require.NoError(t, err)
	_, err = upload.MarkDone(st, platform, 0, f, time.Now().UTC())
	require.NoError(t, err)
	require.NoError(t, st.Close())
	return dir
}

// TestJournalOtherPlatforms (issue 12): --env X with entries only for
// other platforms says so, instead of "no import recorded".
func TestJournalOtherPlatforms(t *testing.T) {
	dir := journalWithStagingImport(t)
	r := cliRun(t, "", "journal", "--state-dir", dir, "--env", "prod")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)
	assert.Regexp(t, `^cfonb journal: no import to https://\S+ recorded in `+dir+`, but 1 import to https://\S+ \(run cfonb journal without --env or --api-url to list them\)\n$`, r.stderr)

	r = cliRun(t, "", "journal", "--state-dir", dir, "--env", "staging")
	assert.Equal(t, exitOK, r.code)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 2, r.stdout)
}

// TestJournalFormatJSON (issue 12): -f json is --json.
func TestJournalFormatJSON(t *testing.T) {
	dir := journalWithStagingImport(t)
	for _, args := range [][]string{{"--format", "json"}, {"-f", "json"}, {"--json"}} {
		r := cliRun(t, "", append([]string{"journal", "--state-dir", dir}, args...)...)
		assert.Equal(t, exitOK, r.code, r.stderr)
		var en map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &en), r.stdout)
		assert.Equal(t, "done", en["status"])
	}
	r := cliRun(t, "", "journal", "--state-dir", dir, "--format", "xml")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb journal: --format must be text or json, not \"xml\" (see cfonb journal --help)\n", r.stderr)
}

// TestMarkWriteError: when the confirmations of --mark-done or
// --mark-registered cannot be written, the marks are recorded all the
// same, and standard error says so, naming them, with exit status 2: a
// script must not make them again.
func TestMarkWriteError(t *testing.T) {
	ep, err := upload.EnvEndpoints("staging")
	require.NoError(t, err)
	platform, err := upload.Platform(ep.APIURL)
	require.NoError(t, err)
	files := []string{td + "valid/multi-lf.txt", td + "valid/multi-crlf.txt"}
	ibans := []string{"FR7630004008230001000015611", "FR7030002005500000157845Z02"}
	tests := []struct {
		name string
		args []string
		want string
		list []string // lists the marks as JSON lines
		n    int      // marks recorded
	}{
		{"mark-done", append([]string{"journal", "--mark-done", "--env", "staging"}, files...),
			"cfonb journal: writing the output: broken pipe; 2 files were recorded as imported all the same: " +
				files[0] + " (journal entry 1), " + files[1] + " (journal entry 2) (do not mark them again; cfonb journal lists them)\n",
			[]string{"journal", "--json"}, 2},
		{"mark-done, one file", []string{"journal", "--mark-done", "--env", "staging", files[0]},
			"cfonb journal: writing the output: broken pipe; 1 file was recorded as imported all the same: " +
				files[0] + " (journal entry 1) (do not mark it again; cfonb journal lists it)\n",
			[]string{"journal", "--json"}, 1},
		{"mark-registered", append([]string{"journal", "--mark-registered", "--dossier", "7", "--env", "staging"}, ibans...),
			"cfonb journal: writing the output: broken pipe; 2 accounts were recorded as registered in dossier 7 on " + platform +
				" all the same: " + ibans[0] + ", " + ibans[1] + " (do not mark them again; cfonb journal --accounts lists them)\n",
			[]string{"journal", "--accounts", "--json"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var errb strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
			code := run(t.Context(), e, append(tt.args, "--state-dir", dir))
			assert.Equal(t, exitUsage, code)
			assert.Equal(t, tt.want, errb.String())

			r := cliRun(t, "", append(tt.list, "--state-dir", dir)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), tt.n, r.stdout)
		})
	}
}
