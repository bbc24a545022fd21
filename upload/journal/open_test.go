package journal

import (
	"context"
	"sync"
	"testing"
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
