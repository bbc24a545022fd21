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
