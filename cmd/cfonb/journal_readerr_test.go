package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJournalListingReportsReadErrors: cfonb journal (the text table) and
// --accounts read through upload.State.Entries and Accounts, which keep a
// read error to themselves: a journal that could not be read whole was
// listed partly (or as empty) with exit 0 and no message, while --json
// said "database disk image is malformed" with exit 2 (found by a review:
// overwriting one page of a 60-entry journal.sqlite gave 30 rows). Here
// the read fails because a table is missing. They now check
// State.ReadErr.
func TestJournalListingReportsReadErrors(t *testing.T) {
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
	assert.Equal(t, exitUsage, txt.code, "the table must not hide what --json reports")
	assert.Empty(t, txt.stdout)
	assert.Equal(t, "cfonb journal: the journal could not be read whole: journal: reading the journal: SQL logic error: no such table: cfonb_statements (1)\n", txt.stderr)

	for _, args := range [][]string{{"--accounts"}, {"--accounts", "--json"}} {
		acc := cliRun(t, "", append([]string{"journal", "--state-dir", dir}, args...)...)
		assert.Equal(t, exitUsage, acc.code, "%v", args)
		assert.Empty(t, acc.stdout)
		assert.Equal(t, "cfonb journal: the journal could not be read whole: journal: reading the accounts: SQL logic error: no such table: cfonb_accounts (1)\n", acc.stderr)
	}
}

// TestJournalEmptiedIsRefused: an emptied journal.sqlite is not listed as
// a new, empty journal, nor taken for one by a mark (found by a review).
func TestJournalEmptiedIsRefused(t *testing.T) {
	dir := t.TempDir()
	r := cliRun(t, "", "journal", "--mark-done", "--env", "staging", "--state-dir", dir, td+"valid/multi-lf.txt")
	require.Equal(t, exitOK, r.code, r.stderr)
	db := filepath.Join(dir, "journal.sqlite")
	require.NoError(t, os.Truncate(db, 0))
	want := "cfonb journal: journal: " + db + ": the journal is empty (0 bytes): its entries were lost, by a failed restore or copy perhaps, and cfonb would send every file again"
	for _, args := range [][]string{{"journal"}, {"journal", "--json"}, {"journal", "--mark-done", "--env", "staging", td + "valid/multi-lf.txt"}} {
		r := cliRun(t, "", append(args, "--state-dir", dir)...)
		assert.Equal(t, exitUsage, r.code, "%v", args)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Contains(t, r.stderr, want, "%v", args)
		assert.Contains(t, r.stderr, "Restore it from a backup: a dump with cfonb journal --restore DUMP --state-dir "+dir+", or a copy of journal.sqlite (with its -wal file if there is one); if no import is to be remembered, remove journal.sqlite, owners/ and journal.setup.lock to start a new journal", "%v", args)
	}
	fi, err := os.Stat(db)
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "left as it was found")
}

// TestJournalRestore: the backup the README recommends (cfonb journal
// --dump) is restored with --restore into an empty journal, which then
// lists the same and blocks the same files; into a journal that is not
// empty it is refused, nothing restored (a review found no way back from a
// dump at all).
func TestJournalRestore(t *testing.T) {
	a, b := t.TempDir(), filepath.Join(t.TempDir(), "new")
	file := td + "valid/multi-lf.txt"
	r := cliRun(t, "", "journal", "--mark-done", "--env", "staging", "--dossier", "7", "--state-dir", a, file)
	require.Equal(t, exitOK, r.code, r.stderr)
	r = cliRun(t, "", "journal", "--mark-registered", "--env", "staging", "--dossier", "7", "--state-dir", a, "FR7630004008230001000015611")
	require.Equal(t, exitOK, r.code, r.stderr)
	dump := cliRun(t, "", "journal", "--dump", "--state-dir", a)
	require.Equal(t, exitOK, dump.code, dump.stderr)
	backup := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(backup, []byte(dump.stdout), 0o600))

	r = cliRun(t, "", "journal", "--restore", backup, "--state-dir", b)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "cfonb journal: restored 1 entry and 1 account from "+backup+" into "+b+"\n", r.stderr)
	again := cliRun(t, "", "journal", "--dump", "--state-dir", b)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Equal(t, dump.stdout, again.stdout)

	r = cliRun(t, dump.stdout, "journal", "--restore", "-", "--state-dir", b)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb journal: standard input: journal: restoring: the journal is not empty: it holds 1 entry; restore into a new state directory or database (nothing was restored)\n", r.stderr)

	r = cliRun(t, "", "journal", "--restore", backup, "--dump", "--state-dir", b)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--restore FILE goes alone")
}
