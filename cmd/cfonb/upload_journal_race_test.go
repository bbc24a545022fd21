package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal/journaltest"
)

// TestTwoConcurrentReimportsBookOnce: two people run "cfonb upload
// --reimport F F" at about the same time on one journal. The second run
// starts while the first is sending F (a live pending entry): it waits for
// it, as documented ("a run waits for a file another one is sending, then
// skips it"), then decides again. It used to keep its --reimport, because
// the entry existed when it began, and sent F once more: F was booked
// three times where each person asked for one re-import of a file that,
// when they looked, was being imported (found by a review). An entry that
// changed since the decision is news the flags did not cover.
func TestTwoConcurrentReimportsBookOnce(t *testing.T) {
	var slow atomic.Bool
	f := newProcFixture(t, 1, func() {
		if slow.Load() {
			time.Sleep(1500 * time.Millisecond)
		}
	})
	state := filepath.Join(t.TempDir(), "state")
	out, err := f.command(state, f.files).CombinedOutput()
	require.NoError(t, err, "%s", out)
	sha := shaOf(t, f.files[0])
	require.Equal(t, 1, f.importsBySHA()[sha])

	slow.Store(true)
	reimport := func() (*bytes.Buffer, func() error) {
		c := f.command(state, f.files)
		c.Args = slices.Insert(c.Args, 2, "--reimport", f.files[0])
		var b bytes.Buffer
		c.Stdout, c.Stderr = &b, &b
		require.NoError(t, c.Start())
		return &b, c.Wait
	}
	outA, waitA := reimport()
	// B starts once A's claim is in the journal (pending, A alive).
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Contains(journalStates(t, state)[sha], upload.StatusPending) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	outB, waitB := reimport()
	_ = waitA()
	_ = waitB()
	t.Logf("A:\n%s\nB:\n%s", outA, outB)
	assert.Contains(t, outB.String(), "waiting for it")
	assert.Contains(t, outB.String(), f.files[0]+": another run recorded an import of it after this run began: --reimport and --retry-unknown cover only what the journal held then; run again to import it once more\n")
	assert.Equal(t, 2, f.importsBySHA()[sha], "one import and one re-import, not two: B %s",
		strings.TrimSpace(outB.String()))
}

// TestNonUTF8NameOnPostgres: on a PostgreSQL journal, a file whose name is
// not UTF-8 (a Latin-1 "relevé.txt" from an old share) could not be
// claimed: PostgreSQL refused the path ("invalid byte sequence for
// encoding UTF8"), the run said "the journal could not be written" (the
// journal was fine) and stopped every other file of the batch (found by a
// review). The journal keeps such a name quoted with Go escapes.
func TestNonUTF8NameOnPostgres(t *testing.T) {
	state := journaltest.PostgresURL(t)
	f := newProcFixture(t, 2, nil)
	latin := filepath.Join(filepath.Dir(f.files[0]), "relev\xe9.txt")
	require.NoError(t, os.Rename(f.files[0], latin))
	out, err := f.command(state, []string{latin, f.files[1]}).CombinedOutput()
	t.Logf("%s", out)
	assert.NoError(t, err)
	assert.Len(t, f.sb.Imports(), 2, "both files imported")
}
