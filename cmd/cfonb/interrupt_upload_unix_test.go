//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
)

// TestInterruptTwiceDuringAnImport: Ctrl-C twice while an import is under
// way. The first cancels the request; the second forces the exit (found
// by a review: SIGINT could not end a blocked command), but only once the
// import's outcome is recorded: the journal says unknown (the request may
// have reached the platform), never pending as after a crash. (The
// window it guards is a few milliseconds wide: this test shows the
// outcome; TestJournalWritesAreCriticalSections, in package upload, is the
// one that fails if the import is not a critical section.)
func TestInterruptTwiceDuringAnImport(t *testing.T) {
	for _, kind := range stateKinds() {
		t.Run(kind.name, func(t *testing.T) {
			state := kind.state(t)
			arrived := make(chan struct{}, 1)
			release := make(chan struct{})
			f := newProcFixture(t, 1, func() {
				select {
				case arrived <- struct{}{}:
				default:
				}
				<-release
			})
			t.Cleanup(func() { close(release) }) // before the server closes
			c := f.command(state, f.files)
			out := &syncBuffer{} // read on a failure while the process writes
			c.Stdout, c.Stderr = out, out
			require.NoError(t, c.Start())
			t.Cleanup(func() { _ = c.Process.Kill() })
			done := make(chan error, 1)
			go func() { done <- c.Wait() }()
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				require.Fail(t, "the import never came", out.String())
			}
			require.NoError(t, c.Process.Signal(syscall.SIGINT))
			time.Sleep(time.Millisecond) // two signals, not one merged
			if err := c.Process.Signal(syscall.SIGINT); !errors.Is(err, os.ErrProcessDone) {
				require.NoError(t, err) // (unless it ended meanwhile)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				require.Fail(t, "still running after two SIGINTs", out.String())
			}
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "%v\n%s", err, out.String())
			assert.Contains(t, []int{exitNetwork, exitSIGINT}, ee.ExitCode(), out.String())
			js := journalStates(t, state)
			assert.Equal(t, []upload.Status{upload.StatusUnknown}, js[shaOf(t, f.files[0])], out.String())
		})
	}
}
