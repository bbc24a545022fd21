// Command cfonb checks, repairs, exports and uploads CFONB120 bank
// statements. Run "cfonb help" for the list of commands.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cfonb-dev/cfonb/internal/exepages"
)

// Exit statuses, the same for every command.
const (
	exitOK       = 0 // nothing wrong
	exitInvalid  = 1 // validation errors (or warnings with --strict)
	exitUsage    = 2 // bad usage or an I/O error (a path that does not exist)
	exitNetwork  = 3 // network or API failure (upload)
	exitInternal = 4 // a bug: should never happen
)

// env is what a command may touch of the outside world, so that tests can
// run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// stdinIsTerminal and stderrIsTerminal decide prompts and progress bars.
	stdinIsTerminal  bool
	stderrIsTerminal bool
}

func main() {
	// The initialisation of the linked packages has mapped pages of the
	// executable that no command uses again (see package exepages): give
	// them back before the work starts. Failing to is harmless.
	_ = exepages.Release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		stdinIsTerminal:  isTerminal(os.Stdin),
		stderrIsTerminal: isTerminal(os.Stderr),
	}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}
