// Command cfonb checks, repairs, exports and uploads CFONB120 bank
// statements. Run "cfonb help" for the list of commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/internal/exepages"
	"github.com/cfonb-dev/cfonb/internal/interrupt"
)

// Exit statuses, the same for every command.
const (
	exitOK       = 0   // nothing wrong
	exitInvalid  = 1   // validation errors (or warnings with --strict)
	exitUsage    = 2   // bad usage or an I/O error (a path that does not exist)
	exitNetwork  = 3   // network or API failure (upload)
	exitInternal = 4   // a bug: should never happen
	exitSIGINT   = 130 // stopped by SIGINT (Ctrl-C) before it could finish
	exitSIGTERM  = 143 // stopped by SIGTERM before it could finish
	exitSIGHUP   = 129 // stopped by SIGHUP (its terminal closed) before it could finish
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
	// SIGINT and SIGTERM cancel the context; a command they cannot stop
	// (blocked outside it) is ended after interruptGrace or on a second
	// signal, never inside a critical section (see package interrupt).
	guard := interrupt.New()
	ctx, cancel := context.WithCancel(interrupt.NewContext(context.Background(), guard))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	// A closed terminal or SSH session (SIGHUP) stops a command the same
	// way, instead of killing it between an import and its journal record
	// (found by a review: upload exited 129 with a pending entry). Unless
	// SIGHUP is ignored, as nohup starts a command: Notify would undo that.
	if !signal.Ignored(syscall.SIGHUP) {
		signal.Notify(sigs, syscall.SIGHUP)
	}
	restore := saveTerminal(os.Stdin)
	go guard.Watch(sigs, cancel, interruptGrace, func(sig os.Signal) {
		restore() // a password prompt turned the echo off
		fmt.Fprintln(os.Stderr, "cfonb: interrupted")
		os.Exit(interruptStatus(sig))
	})
	e := &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		stdinIsTerminal:  isTerminal(os.Stdin),
		stderrIsTerminal: isTerminal(os.Stderr),
	}
	code := run(ctx, e, os.Args[1:])
	cancel()
	if !guard.Finish() {
		select {} // the forced exit is under way
	}
	os.Exit(code)
}

// interruptGrace is how long a command may take to stop after SIGINT or
// SIGTERM (its context is cancelled at once) before the process exits
// (once no critical section runs: see package interrupt). A second signal
// does not wait for it.
const interruptGrace = 2 * time.Second

// interruptStatus is the exit status of a process that a signal ended:
// 128 + the signal's number, as a shell reports a command the signal
// killed (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
func interruptStatus(sig os.Signal) int {
	switch sig {
	case syscall.SIGTERM:
		return exitSIGTERM
	case syscall.SIGHUP:
		return exitSIGHUP
	}
	return exitSIGINT
}

// saveTerminal returns a function that puts f back in the state it is in
// now, if it is a terminal (a no-op otherwise).
func saveTerminal(f *os.File) func() {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return func() {}
	}
	st, err := term.GetState(fd)
	if err != nil {
		return func() {}
	}
	return func() { _ = term.Restore(fd, st) }
}
