package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestoreWhereTheJournalWasLost: the refusals of a lost journal.sqlite
// (ErrMissingJournal, ErrEmptyJournal) say "restore it from a backup", and
// the backup the README recommends is a --dump. Yet cfonb journal --restore
// of that dump into that very state directory was refused by the same
// checks, and the ErrEmptyJournal advice, "remove the file to start a new
// journal", only led to the ErrMissingJournal refusal (found by a review).
// A restore now makes a lost journal anew (Restore itself refuses one that
// is not empty), the refusals name it, and the advice to start anew names
// every file to remove.
func TestRestoreWhereTheJournalWasLost(t *testing.T) {
	for _, lost := range []string{"deleted", "emptied"} {
		t.Run(lost, func(t *testing.T) {
			dir := t.TempDir()
			r := cliRun(t, "", "journal", "--mark-done", "--env", "staging", "--dossier", "7", "--state-dir", dir, td+"valid/multi-lf.txt")
			require.Equal(t, exitOK, r.code, r.stderr)
			dump := cliRun(t, "", "journal", "--dump", "--state-dir", dir)
			require.Equal(t, exitOK, dump.code, dump.stderr)
			backup := filepath.Join(t.TempDir(), "backup.json")
			require.NoError(t, os.WriteFile(backup, []byte(dump.stdout), 0o600))
			db := filepath.Join(dir, "journal.sqlite")
			if lost == "deleted" {
				require.NoError(t, os.Remove(db))
			} else {
				require.NoError(t, os.Truncate(db, 0))
			}
			r = cliRun(t, "", "journal", "--env", "staging", "--state-dir", dir)
			require.Equal(t, exitUsage, r.code, "the loss is refused: %s", r.stderr)
			assert.Contains(t, r.stderr, "Restore it from a backup")

			r = cliRun(t, "", "journal", "--restore", backup, "--state-dir", dir)
			assert.Equal(t, exitOK, r.code, "restoring the backup where the journal was lost: %s", r.stderr)
			again := cliRun(t, "", "journal", "--dump", "--state-dir", dir)
			assert.Equal(t, dump.stdout, again.stdout, again.stderr)
		})
	}
	t.Run("the emptied advice", func(t *testing.T) {
		dir := t.TempDir()
		r := cliRun(t, "", "journal", "--mark-done", "--env", "staging", "--state-dir", dir, td+"valid/multi-lf.txt")
		require.Equal(t, exitOK, r.code, r.stderr)
		db := filepath.Join(dir, "journal.sqlite")
		require.NoError(t, os.Truncate(db, 0))
		r = cliRun(t, "", "journal", "--state-dir", dir)
		require.Contains(t, r.stderr, "cfonb journal --restore DUMP --state-dir "+dir+",")
		require.Contains(t, r.stderr, "if no import is to be remembered, remove journal.sqlite, owners/ and journal.setup.lock to start a new journal")
		for _, f := range []string{db, filepath.Join(dir, "owners"), filepath.Join(dir, "journal.setup.lock")} {
			require.NoError(t, os.RemoveAll(f)) // as told
		}
		r = cliRun(t, "", "journal", "--state-dir", dir)
		assert.Equal(t, exitOK, r.code, "the advice followed leads to no other refusal: %s", r.stderr)
		assert.Equal(t, "cfonb journal: no import recorded in "+dir+"\n", r.stderr)
	})
}
