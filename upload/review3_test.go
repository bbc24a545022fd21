package upload

import (
	"net/http"
	"os"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// review3: the journal cannot record the "done" of the LAST file of the
// batch (disk full). The file was imported, the journal keeps it pending,
// and the run must not end as a success (exit 0): the user is never told
// that the journal disagrees with what happened.
func TestReview3FullDiskAfterLastImportIsNotSuccess(t *testing.T) {
	f := newFixture(t)
	st, err := OpenState(f.state, true)
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	var mu sync.Mutex
	writes := 0
	st.failWrite = func(path string) error {
		mu.Lock()
		defer mu.Unlock()
		if filepath.Base(path) != journalFile {
			return nil
		}
		writes++
		if writes == 2 { // the "done" of the only import
			return syscall.ENOSPC
		}
		return nil
	}
	opts := f.opts()
	opts.Store = st
	a := f.file(t, "a.txt", lclMarch)
	_, err = f.run(t, opts, a)
	assert.Equal(t, 1, len(f.sb.Imports()))
	assert.Equal(t, StatusPending, st.Entries("")[0].Status)
	assert.Equal(t, []string{"imported state-write"}, f.outcomes())
	require.ErrorIs(t, err, ErrSetup, "the journal could not record the import: exit 2, not 0")
}

// review3: a server that books an import and answers with a redirect (303
// See Other is the usual answer to a POST that created something) gets it
// recorded as "failed", which blocks nothing: the next plain run imports
// the same file again, a double import. Nothing in ../shared/inqom-api.md
// says a 3xx means "not processed"; an import answered 3xx should be
// "unknown".
func TestReview3RedirectedImportIsNotResent(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFixture(t)
			f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: status, Process: true}, 1)
			a := f.file(t, "a.txt", lclMarch)
			_, err := f.run(t, f.opts(), a)
			require.Error(t, err)
			_, _ = f.run(t, f.opts(), a)
			assert.Equal(t, 1, len(f.sb.Imports()), "the file was booked once; a plain re-run must not send it again")
		})
	}
}

// review3: a journal.sqlite emptied to 0 bytes (a failed restore, a sync
// tool, "> journal.sqlite") is taken for a new journal: every file is
// imported again, silently. An empty journal.json is refused for that very
// reason (ErrEmptyJSONJournal: "its entries were lost").
func TestReview3EmptiedSQLiteJournalIsNotANewOne(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	require.Len(t, f.sb.Imports(), 1)
	require.NoError(t, os.Truncate(filepath.Join(f.state, "journal.sqlite"), 0))
	_, err = f.run(t, f.opts(), a)
	assert.Equal(t, 1, len(f.sb.Imports()), "an emptied journal must not import everything again (run error: %v)", err)
}
