package main

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// review3: cfonb journal (the text table) and --accounts read through
// upload.State.Entries and Accounts, which keep a read error to themselves:
// a journal that cannot be read whole is listed partly (or as empty) with
// exit 0 and no message, while --json says "database disk image is
// malformed" with exit 2. Here the read fails because a table is missing;
// on the binary, overwriting one page of a 60-entry journal.sqlite gives
// 30 rows, exit 0, nothing on standard error.
func TestReview3JournalListingHidesReadErrors(t *testing.T) {
	dir := t.TempDir()
	r := cliRun(t, "", "journal", "--mark-done", "--env", "staging", "--state-dir", dir, td+"valid/multi-lf.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	db, err := sql.Open("sqlite", filepath.Join(dir, "journal.sqlite"))
	require.NoError(t, err)
	_, err = db.Exec(`DROP TABLE cfonb_statements`)
	require.NoError(t, err)
	_, err = db.Exec(`DROP TABLE cfonb_accounts`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	js := cliRun(t, "", "journal", "--json", "--state-dir", dir)
	assert.Equal(t, exitUsage, js.code, "--json reports the read error: %s", js.stderr)

	txt := cliRun(t, "", "journal", "--state-dir", dir)
	t.Logf("text: code %d, stdout %q, stderr %q", txt.code, txt.stdout, txt.stderr)
	assert.Equal(t, exitUsage, txt.code, "the table must not hide what --json reports")
	assert.NotContains(t, txt.stderr, "no import recorded")

	acc := cliRun(t, "", "journal", "--accounts", "--state-dir", dir)
	t.Logf("accounts: code %d, stdout %q, stderr %q", acc.code, acc.stdout, acc.stderr)
	assert.Equal(t, exitUsage, acc.code)
}
