//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInterruptEndsABlockedCommand: main caught SIGINT and SIGTERM for
// every command (to cancel a context), but what blocks outside that
// context (opening a FIFO nobody writes to, reading a terminal or a pipe,
// the password prompt) never saw it: Ctrl-C and kill (timeout's SIGTERM)
// did nothing, only SIGKILL ended the process. Found by a review. Now the
// process exits after a short grace (one signal) or at once (a second
// one), with 130 or 143 and "cfonb: interrupted". The commands run side
// by side: the test lasts one grace.
func TestInterruptEndsABlockedCommand(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "statement.txt")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	type proc struct {
		name   string
		sigs   []os.Signal
		status int
		cmd    *exec.Cmd
		stdout bytes.Buffer
		stderr bytes.Buffer
		done   chan error
	}
	var procs []*proc
	for _, tt := range []struct {
		name   string
		sigs   []os.Signal
		status int
	}{
		{"SIGINT", []os.Signal{os.Interrupt}, 130},
		{"SIGTERM", []os.Signal{syscall.SIGTERM}, 143},
		// The second signal exits at once (were the two merged into one
		// by the kernel, the grace would end it all the same).
		{"SIGINT twice", []os.Signal{os.Interrupt, os.Interrupt}, 130},
		{"SIGTERM twice", []os.Signal{syscall.SIGTERM, syscall.SIGTERM}, 143},
		// A closed terminal or SSH session (found by a review: it killed
		// upload at once, an import left pending).
		{"SIGHUP", []os.Signal{syscall.SIGHUP}, 129},
	} {
		state := filepath.Join(t.TempDir(), "state")
		for _, args := range [][]string{{"validate", fifo}, {"export", fifo}, {"fmt", fifo},
			{"upload", "--dry-run", "--state-dir", state, "--mapping", fifo, abs(t, td+"valid/multi-lf.txt")}} {
			p := &proc{name: tt.name + " " + strings.Join(args, " "), sigs: tt.sigs, status: tt.status, done: make(chan error, 1)}
			p.cmd = exec.Command(os.Args[0], args...)
			p.cmd.Env = append(os.Environ(), envAsCfonb+"=1", "CFONB_CONFIG=none",
				"INQOM_USERNAME=u", "INQOM_PASSWORD=p", "INQOM_CLIENT_ID=c", "INQOM_CLIENT_SECRET=s")
			p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
			require.NoError(t, p.cmd.Start())
			t.Cleanup(func() { _ = p.cmd.Process.Kill() }) // if the test fails
			go func() { p.done <- p.cmd.Wait() }()
			procs = append(procs, p)
		}
	}
	for _, p := range procs {
		waitForFIFO(t, p.cmd.Process.Pid)
	}
	for i := range 2 {
		for _, p := range procs {
			if i < len(p.sigs) {
				// Not its output in the message: the buffers are being
				// written by exec while the process runs (a data race).
				require.NoError(t, p.cmd.Process.Signal(p.sigs[i]), p.name)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	expired := make(chan struct{})
	time.AfterFunc(15*time.Second, func() { close(expired) })
	for _, p := range procs {
		var err error
		select {
		case err = <-p.done:
		case <-expired:
			_ = p.cmd.Process.Kill()
			err = <-p.done
			assert.Fail(t, "still running 15 s after the signal: "+p.name)
		}
		var ee *exec.ExitError
		if assert.True(t, errors.As(err, &ee), "%s: %v", p.name, err) {
			assert.Equal(t, p.status, ee.ExitCode(), p.name)
		}
		assert.Equal(t, "cfonb: interrupted\n", p.stderr.String(), p.name)
		assert.Empty(t, p.stdout.String(), p.name)
	}
}

// waitForFIFO waits until the process pid is blocked opening a FIFO (a
// thread of it waits in the kernel's wait_for_partner), so that the
// signal comes after main set up its handling; where /proc does not say
// (not Linux), it waits a second, and at most 5 s otherwise.
func waitForFIFO(t *testing.T, pid int) {
	t.Helper()
	if _, err := os.Stat("/proc/self/task"); err != nil {
		time.Sleep(time.Second)
		return
	}
	for range 500 {
		chans, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		for _, c := range chans {
			if b, _ := os.ReadFile(c); string(b) == "wait_for_partner" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Another kernel may name the wait otherwise: 5 s is long enough.
	t.Logf("process %d: no thread seen in wait_for_partner", pid)
}

// TestNohupKeepsSIGHUPIgnored: a command started with SIGHUP ignored (nohup,
// or a shell's trap "" HUP) goes on when its terminal closes: catching
// SIGHUP must not undo that (signal.Notify would). SIGINT still ends it.
func TestNohupKeepsSIGHUPIgnored(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "statement.txt")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	cmd := exec.Command("/bin/sh", "-c", `trap "" HUP; exec "$0" "$@"`, os.Args[0], "validate", fifo)
	cmd.Env = append(os.Environ(), envAsCfonb+"=1", "CFONB_CONFIG=none")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitForFIFO(t, cmd.Process.Pid)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	select {
	case err := <-done:
		t.Fatalf("ended by SIGHUP although it was ignored: %v, %s", err, stderr.String())
	case <-time.After(2500 * time.Millisecond): // past the grace a caught signal gives
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := <-done
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	assert.Equal(t, 130, ee.ExitCode())
	assert.Equal(t, "cfonb: interrupted\n", stderr.String())
}
