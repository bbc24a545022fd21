//go:build unix

package main

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
)

// review3: cfonb upload -v with its standard error a pipe whose reader goes
// away while an import is in flight (cfonb upload -v ... 2>&1 | head). The
// server books the file; the next write to fd 2 is the -v line of that
// exchange, written before the journal records "done": SIGPIPE kills the
// process there. The file is in Inqom, the journal says "pending", nothing
// was said and the exit status is a signal. upload should ignore SIGPIPE
// (as journal --mark-done and sandbox do) and finish its bookkeeping.
func TestReview3UploadVerboseBrokenPipeLeavesImportPending(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	var once sync.Once
	f := newProcFixture(t, 1, func() { once.Do(func() { _ = r.Close() }) })
	state := t.TempDir()
	cmd := f.command(state, f.files)
	cmd.Args = append(cmd.Args[:2], append([]string{"-v"}, cmd.Args[2:]...)...)
	cmd.Stderr = w
	require.NoError(t, cmd.Start())
	require.NoError(t, w.Close())
	_ = cmd.Wait()
	code := cmd.ProcessState.ExitCode() // -1 when killed by a signal
	t.Logf("exit code %d (%v)", code, cmd.ProcessState)

	require.Len(t, f.sb.Imports(), 1, "the server booked the file")
	states := journalStates(t, state)[shaOf(t, f.files[0])]
	assert.Equal(t, []upload.Status{upload.StatusDone}, states, "the journal must say what happened")
	assert.NotEqual(t, -1, code, "not killed by a signal")
}
