//go:build unix

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMarkDoneRealBrokenPipe: cfonb journal --mark-done with its
// standard output a pipe whose reader has gone (the "broken pipe" that
// TestMarkWriteError simulates with a failingWriter): every mark is
// recorded whether its line can be written or not, then standard error
// says so and the exit status is 2. In a real process the first failed
// write to fd 1 raises SIGPIPE, which Go's runtime lets kill the process:
// the first file was marked, the second not, nothing said, and the status
// a signal, until the mark commands ignored SIGPIPE.
func TestMarkDoneRealBrokenPipe(t *testing.T) {
	dir := t.TempDir()
	files := []string{td + "valid/multi-lf.txt", td + "valid/multi-crlf.txt"}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, r.Close()) // nobody reads: a write gets EPIPE (and SIGPIPE)
	cmd := exec.Command(os.Args[0], append([]string{"journal", "--mark-done", "--env", "staging", "--state-dir", dir}, files...)...)
	cmd.Env = append(os.Environ(), envAsCfonb+"=1")
	cmd.Stdout = w
	var errb strings.Builder
	cmd.Stderr = &errb
	runErr := cmd.Run()
	require.NoError(t, w.Close())
	code := cmd.ProcessState.ExitCode() // -1 when killed by a signal
	t.Logf("run: %v, exit code %d, stderr %q", runErr, code, errb.String())

	list := cliRun(t, "", "journal", "--json", "--state-dir", dir)
	require.Equal(t, exitOK, list.code, list.stderr)
	marked := len(strings.Split(strings.TrimSpace(list.stdout), "\n"))
	assert.Equal(t, 2, marked, "every mark is recorded whether its line can be written or not")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errb.String(), "all the same")
}
