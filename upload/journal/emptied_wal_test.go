package journal

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyTree copies the regular files and folders of src into dst, as a
// crash (or a backup taken while a run holds the journal open) leaves them.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	}))
}

// TestEmptiedJournalWithAWALIsRefused (found by a review): checkEmptied let a 0-byte
// journal.sqlite through when its -wal is not empty, on the belief that
// SQLite reads the log. It does not: SQLite deletes the write-ahead log of
// a database of 0 pages (a leftover, to it), so the run gets a new, empty
// journal and every file is sent again; and a mere read-only look deletes
// the -wal. A -wal is there after any killed run (or while another runs).
func TestEmptiedJournalWithAWALIsRefused(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	s, err := OpenSQLite(ctx, live, Options{})
	require.NoError(t, err)
	_, err = s.Add(ctx, Entry{Platform: "https://p", File: "/a.txt", SHA256: "aa", Status: StatusDone, Statements: []StatementRecord{}})
	require.NoError(t, err)
	// The state directory as a killed run leaves it: the entry is in the
	// -wal, not yet checkpointed into journal.sqlite.
	crashed, crashed2 := t.TempDir(), t.TempDir()
	copyTree(t, live, crashed)
	copyTree(t, live, crashed2)
	require.NoError(t, s.Close())
	wal := filepath.Join(crashed, DBFile+"-wal")
	fi, err := os.Stat(wal)
	require.NoError(t, err)
	require.NotZero(t, fi.Size(), "the -wal holds the entry")

	// journal.sqlite emptied since (a failed copy or restore).
	require.NoError(t, os.Truncate(filepath.Join(crashed, DBFile), 0))
	require.NoError(t, os.Truncate(filepath.Join(crashed2, DBFile), 0))

	ro, err := OpenSQLite(ctx, crashed, Options{ReadOnly: true})
	if err == nil {
		_ = ro.Close()
	}
	assert.ErrorIs(t, err, ErrEmptyJournal, "read-only: an emptied journal whose -wal SQLite will not read")
	assert.FileExists(t, wal, "a read-only look must leave the -wal as it was found")

	w, err := OpenSQLite(ctx, crashed2, Options{})
	if err == nil {
		n := 0
		require.NoError(t, w.Entries(ctx, "", func(Entry) error { n++; return nil }))
		_ = w.Close()
		t.Errorf("an emptied journal.sqlite next to a -wal was opened as a journal of %d entries (the entry recorded is gone): every file would be sent again", n)
	}
	assert.ErrorIs(t, err, ErrEmptyJournal)
}
