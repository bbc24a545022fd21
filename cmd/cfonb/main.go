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

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists the subcommands in the order "cfonb help" shows them. Each
// lives in its own file.
func commands() []command {
	return []command{
		{"validate", "check CFONB120 files and report every problem", runValidate},
		{"inspect", "summarise the accounts and statements of a file", runInspect},
		{"fmt", "normalise legacy exports into canonical CFONB120", runFmt},
		{"export", "export movements as JSON Lines, JSON or CSV", runExport},
		{"upload", "validate, register missing accounts and import into Inqom", runUpload},
		{"journal", "list what was imported, when and where", runJournal},
		{"sandbox", "run a local stand-in of the Inqom API for rehearsals", runSandbox},
		{"gen", "generate realistic statement files (for benchmarks and tests)", runGen},
	}
}

func main() {
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

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		if len(args) > 1 {
			return run(ctx, e, []string{args[1], "--help"})
		}
		usage(e.stdout)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(e.stdout, "cfonb", versionString())
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "cfonb: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "cfonb checks, repairs, exports and uploads CFONB120 bank statements.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: cfonb COMMAND [flags] [PATH...]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cfonb COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 ok, 1 invalid input, 2 usage or I/O error, 3 network or API failure.")
}
