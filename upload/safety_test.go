package upload

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// TestUnrecordedLastImportIsNotSuccess: the journal cannot record the
// "done" of the LAST file of the batch (disk full). The file was imported,
// the journal keeps it pending, and the run must not end as a success
// (exit 0): the user is told that the journal disagrees with what
// happened, and how to mend it (found by a review).
func TestUnrecordedLastImportIsNotSuccess(t *testing.T) {
	f := newFixture(t)
	st := journalFailingAt(t, f, 2) // the "done" of the only import
	opts := f.opts()
	opts.Store = st
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, opts, a)
	assert.Equal(t, 1, len(f.sb.Imports()))
	assert.Equal(t, StatusPending, st.Entries("")[0].Status)
	assert.Equal(t, []string{"imported state-write"}, f.outcomes())
	require.ErrorIs(t, err, ErrSetup, "the journal could not record the import: exit 2, not 0")
	assert.EqualError(t, err, "setup problem: 1 of 1 file imported, but the journal could not record it as done: it stays pending, which blocks sending it again; "+
		"once the journal can be written, check the import in Inqom and record it with cfonb journal --mark-done")
}

// TestRedirectedImportIsNotResent: a server that books an import and
// answers with a redirect (303 See Other is the usual answer to a POST
// that created something) had it recorded as "failed", which blocks
// nothing: the next plain run imported the same file again (found by a
// review). Nothing in ../shared/inqom-api.md says a 3xx means "not
// processed": an import answered 3xx is "unknown".
func TestRedirectedImportIsNotResent(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFixture(t)
			f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: status, Process: true}, 1)
			a := f.file(t, "a.txt", lclMarch)
			_, err := f.run(t, f.opts(), a)
			require.ErrorIs(t, err, ErrRemote)
			assert.Equal(t, []string{"unknown network"}, f.outcomes())
			_, err = f.run(t, f.opts(), a)
			require.ErrorIs(t, err, ErrRemote)
			assert.Equal(t, 1, len(f.sb.Imports()), "the file was booked once; a plain re-run must not send it again")
		})
	}
}

// TestEmptiedSQLiteJournalIsNotANewOne: a journal.sqlite emptied to 0
// bytes (a failed restore, a sync tool, "> journal.sqlite") was taken for
// a new journal: every file was imported again, silently (found by a
// review). An empty journal.json is refused for that very reason
// (ErrEmptyJSONJournal), and so is an empty journal.sqlite now.
func TestEmptiedSQLiteJournalIsNotANewOne(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	require.Len(t, f.sb.Imports(), 1)
	db := filepath.Join(f.state, "journal.sqlite")
	require.NoError(t, os.Truncate(db, 0))
	_, err = os.Stat(db + "-wal")
	require.ErrorIs(t, err, os.ErrNotExist, "a clean close leaves no write-ahead log")
	_, err = f.run(t, f.opts(), a)
	require.ErrorIs(t, err, journal.ErrEmptyJournal)
	assert.Equal(t, 1, len(f.sb.Imports()), "an emptied journal must not import everything again")
	_, err = OpenState(f.state, false)
	require.ErrorIs(t, err, journal.ErrEmptyJournal, "reading it says so too")
	assert.Contains(t, err.Error(), "Restore it from a backup: a dump with cfonb journal --restore DUMP --state-dir "+f.state+", or a copy of journal.sqlite (with its -wal file if there is one); if no import is to be remembered, remove journal.sqlite, owners/ and journal.setup.lock to start a new journal")
}

// TestMissingSQLiteNextToTheStubIsNotANewJournal: after a migration from
// JSON, journal.json is a stub saying "the journal moved to
// journal.sqlite", written so that a missing journal is never taken for an
// empty one. Yet when journal.sqlite was missing (deleted, or not restored
// with the rest of the directory), cfonb created a new, empty one next to
// the stub and imported everything again (found by a review).
func TestMissingSQLiteNextToTheStubIsNotANewJournal(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	entries := st.Entries("")
	require.NoError(t, st.Close())
	// The same journal, as an earlier version kept it.
	legacy := filepath.Join(t.TempDir(), "legacy")
	require.NoError(t, os.MkdirAll(legacy, 0o700))
	b, err := json.Marshal(map[string]any{"version": 1, "entries": entries})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(legacy, "journal.json"), b, 0o600))
	opts := f.opts()
	opts.StateDir = legacy
	_, err = f.run(t, opts, a) // migrates, skips
	require.NoError(t, err)
	require.Equal(t, 1, len(f.sb.Imports()))
	stub, err := os.ReadFile(filepath.Join(legacy, "journal.json"))
	require.NoError(t, err)
	require.Contains(t, string(stub), "moved_to")

	for _, name := range []string{"journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"} {
		_ = os.Remove(filepath.Join(legacy, name))
	}
	_, err = f.run(t, opts, a)
	require.ErrorIs(t, err, journal.ErrMissingJournal)
	assert.Equal(t, 1, len(f.sb.Imports()), "the stub says the journal is in journal.sqlite: its absence must stop the run")
	assert.NoFileExists(t, filepath.Join(legacy, "journal.sqlite"), "no new journal is made")
	_, err = OpenState(legacy, false)
	require.ErrorIs(t, err, journal.ErrMissingJournal, "a read-only look says so too")
	assert.Contains(t, err.Error(), "journal.json says the journal moved to journal.sqlite, which is not there")
}

// TestMissingSQLiteInAUsedStateDirIsNotANewJournal: a state directory that
// cfonb has used (its owners/ folder and journal.setup.lock are there) but
// whose journal.sqlite is gone (deleted as "a cache", left out of a backup
// or a sync) got a new, empty journal, and every file was imported again
// (found by a review).
func TestMissingSQLiteInAUsedStateDirIsNotANewJournal(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	require.Equal(t, 1, len(f.sb.Imports()))
	for _, name := range []string{"journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"} {
		_ = os.Remove(filepath.Join(f.state, name))
	}
	_, err = f.run(t, f.opts(), a)
	require.ErrorIs(t, err, journal.ErrMissingJournal)
	assert.Equal(t, 1, len(f.sb.Imports()), "the directory shows a journal was kept here: its absence must stop the run")
	assert.NoFileExists(t, filepath.Join(f.state, "journal.sqlite"), "no new journal is made")
}

// countingStore counts the full scans of the account registry.
type countingStore struct {
	journal.Store
	scans int
}

func (c *countingStore) Accounts(ctx context.Context, fn func(AccountRecord) error) error {
	c.scans++
	return c.Store.Accounts(ctx, fn)
}

// TestRegistryReadOncePerRun: deciding a batch read the whole account
// registry once per account of the batch (Run -> State.Registrations ->
// Store.Accounts, to find the account's other dossiers): quadratic. On the
// binary, a dry run of one file with 1,332 accounts, all registered, took
// 6.5 s; with 2,656, 24 s (found by a review). Also with registrations
// made by the run: they are read again once after.
func TestRegistryReadOncePerRun(t *testing.T) {
	for _, dry := range []bool{true, false} {
		f := newFixture(t)
		a := f.file(t, "a.txt", lclMarch, bnpMarch)
		inner, err := journal.Open(t.Context(), f.state, journal.Options{})
		require.NoError(t, err)
		cs := &countingStore{Store: inner}
		st := &State{spec: f.state, store: cs}
		opts := f.opts()
		opts.Store = st
		opts.DryRun = dry
		_, err = f.run(t, opts, a)
		require.NoError(t, err)
		assert.Equal(t, 1, cs.scans, "dry run %t: the registry is read whole once", dry)
		require.NoError(t, st.Close())
	}
}
