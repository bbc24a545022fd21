package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview4RestoreWhereTheJournalWasLost: the refusals of a lost
// journal.sqlite (ErrMissingJournal, ErrEmptyJournal) say "restore it from
// a backup", and the backup the README recommends is a --dump. Yet
// cfonb journal --restore of that dump into that very state directory is
// refused by the same checks: the way back is to remove owners/ and
// journal.setup.lock first, which the message offers only "if no import
// is to be remembered" (and after which a plain upload sends everything
// again). Restore refuses a journal that is not empty by itself: a missing
// or emptied journal.sqlite is what it is for. And the ErrEmptyJournal
// advice, "remove the file to start a new journal", only leads to the
// ErrMissingJournal refusal.
func TestReview4RestoreWhereTheJournalWasLost(t *testing.T) {
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
		require.Contains(t, r.stderr, "remove the file to start a new journal")
		require.NoError(t, os.Remove(db)) // as told
		r = cliRun(t, "", "journal", "--state-dir", dir)
		assert.NotContains(t, r.stderr, "the journal is missing", "the advice followed leads to another refusal")
	})
}
