//go:build unix

package main

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
)

// TestUploadBrokenPipe runs cfonb upload as a process whose standard error
// (-v: cfonb upload -v ... 2>&1 | head) or standard output (the report)
// is a pipe whose reader goes away while the import is in flight. The
// server books the file; the next write is to the closed pipe. Before the
// fix, SIGPIPE killed the process there: the file was in Inqom, the
// journal said "pending", and nothing was said (found by a review). Now
// the write fails, the run records "done", and a lost report is said on
// standard error with exit status 2.
func TestUploadBrokenPipe(t *testing.T) {
	for _, tt := range []struct {
		name     string
		verbose  bool
		toStdout bool
		code     int
	}{
		{"stderr of -v", true, false, exitOK}, // the report on standard output is whole
		{"the report on stdout", false, true, exitUsage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			var once sync.Once
			f := newProcFixture(t, 1, func() { once.Do(func() { _ = r.Close() }) })
			state := t.TempDir()
			cmd := f.command(state, f.files)
			if tt.verbose {
				cmd.Args = append(cmd.Args[:2], append([]string{"-v"}, cmd.Args[2:]...)...)
			}
			var other bytes.Buffer
			if tt.toStdout {
				cmd.Stdout, cmd.Stderr = w, &other
			} else {
				cmd.Stderr, cmd.Stdout = w, &other
			}
			require.NoError(t, cmd.Start())
			require.NoError(t, w.Close())
			_ = cmd.Wait()

			require.Len(t, f.sb.Imports(), 1, "the server booked the file")
			states := journalStates(t, state)[shaOf(t, f.files[0])]
			assert.Equal(t, []upload.Status{upload.StatusDone}, states, "the journal says what happened")
			assert.Equal(t, tt.code, cmd.ProcessState.ExitCode(), "%v; other stream: %s", cmd.ProcessState, other.String())
			if tt.toStdout {
				assert.Contains(t, other.String(), "cfonb upload: writing the report: write /dev/stdout: broken pipe; what was imported is recorded in the journal all the same (cfonb journal lists it)\n")
			}
		})
	}
}
