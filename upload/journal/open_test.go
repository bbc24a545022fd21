package journal

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenSQLiteManyAtOnce: processes that start together on a new state
// directory all open its journal. Each goroutine here has its own
// database/sql pool, so its own SQLite connection, as a process has.
// Without the setup lock, SQLite answered "database is locked" to some of
// those switching the new database to WAL mode together, whatever the
// busy timeout, and upload exited 2 (TestUploadEightProcessesAtOnce saw
// it once in about 20 runs).
func TestOpenSQLiteManyAtOnce(t *testing.T) {
	const dirs, opens = 20, 8
	for range dirs {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make(chan error, opens)
		for range opens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := OpenSQLite(context.Background(), dir, Options{})
				if err != nil {
					errs <- err
					return
				}
				errs <- s.Close()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("opening a new journal %d at once: %v", opens, err)
			}
		}
	}
}

// TestInterruptedCreation: a journal.sqlite left empty by a crash while it
// was made (its creatingMark still there) is made again, not refused as an
// emptied one; without the mark an empty one is refused (ErrEmptyJournal).
// Found by TestUploadKilledAtRandomThenRerun, which kills uploads at random.
func TestInterruptedCreation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, DBFile)
	require.NoError(t, os.WriteFile(db, nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, creatingMark), nil, 0o600))

	ro, err := OpenSQLite(ctx, dir, Options{ReadOnly: true})
	require.NoError(t, err, "a journal being made reads as an empty one")
	require.NoError(t, ro.Close())

	s, err := OpenSQLite(ctx, dir, Options{})
	require.NoError(t, err, "an interrupted making is finished")
	_, err = s.Add(ctx, Entry{Platform: "https://p", File: "/a.txt", SHA256: "aa", Status: StatusDone, Statements: []StatementRecord{}})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.NoFileExists(t, filepath.Join(dir, creatingMark))

	// Emptied since, without the mark: refused, read or written.
	require.NoError(t, os.Truncate(db, 0))
	for _, ro := range []bool{true, false} {
		_, err = OpenSQLite(ctx, dir, Options{ReadOnly: ro})
		require.ErrorIs(t, err, ErrEmptyJournal, "read-only %t", ro)
	}
	fi, err := os.Stat(db)
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "left as it was found")
}
