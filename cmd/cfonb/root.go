package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cfonb-dev/cfonb/internal/suggest"
)

// commands returns the subcommands in the order "cfonb help" shows them.
// Each lives in its own file.
func commands(e *env) []*cobra.Command {
	return []*cobra.Command{
		newValidateCmd(e),
		newInspectCmd(e),
		newFmtCmd(e),
		newExportCmd(e, validateForExport),
		newUploadCmd(e),
		newJournalCmd(e),
		newSandboxCmd(e),
		newServeCmd(e),
		newGenCmd(e),
		newConfigCmd(e),
		newManCmd(e),
		newVersionCmd(e),
	}
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	return execute(ctx, e, newRootCmd(e, commands(e)...), args)
}

// exitStatus carries a command's exit status through cobra, whose commands
// return errors. The command has already said what went wrong.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// body adapts a command body, which returns an exit status, to cobra.
func body(f func(ctx context.Context, args []string) int) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if code := f(c.Context(), args); code != exitOK {
			return exitStatus(code)
		}
		return nil
	}
}

// newRootCmd returns the cfonb command with the given subcommands. Help
// goes to standard output; usage errors to standard error, exit status 2.
func newRootCmd(e *env, cmds ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   "cfonb",
		Short: "check, repair, export and upload CFONB120 bank statements",
		Long:  "cfonb checks, repairs, exports and uploads CFONB120 bank statements.",
		// A command prints its own errors, once, with its name.
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(),
		RunE: func(c *cobra.Command, args []string) error {
			writeHelp(e.stderr, c)
			return exitStatus(exitUsage)
		},
	}
	// .cfonb.toml sets the flags the command line does not.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return applyConfig(e, c) }
	root.SetIn(e.stdin)
	// Through a stickyWriter, which execute checks: cobra ignores a
	// failed write of the help, and its completion command keeps the
	// writer it is given here.
	root.SetOut(&stickyWriter{w: e.stdout})
	root.SetErr(e.stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.OutOrStdout(), c) })
	root.SetUsageFunc(func(c *cobra.Command) error { writeHelp(c.OutOrStderr(), c); return nil })
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitStatus(usageError(e, c.Name(), "%v%s", err, suggestFlag(c, err)))
	})
	root.AddCommand(cmds...)
	// cobra's own help, completion and --version, with cfonb's wording.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	root.Flags().Lookup("version").Usage = "print the version, the VCS revision and the Go version"
	for _, sub := range root.Commands() {
		switch sub.Name() {
		case "help":
			sub.Short = "show the help of a command"
		case "completion":
			sub.Short = "print a shell completion script (bash, zsh, fish or powershell)"
			// Without a shell, a usage error (an unknown one is an
			// unknown command, as for cfonb).
			sub.RunE = body(func(context.Context, []string) int {
				return usageError(e, "completion", "give the shell: bash, zsh, fish or powershell")
			})
		}
	}
	return root
}

// execute runs root with args and returns the exit status.
func execute(ctx context.Context, e *env, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	// What cobra writes to standard output (help, --version, completion
	// scripts) goes through out, whose first error fails the run: help
	// written to a full disk is not a success.
	out, ok := root.OutOrStdout().(*stickyWriter)
	if !ok {
		out = &stickyWriter{w: root.OutOrStdout()}
		root.SetOut(out)
	}
	err := root.ExecuteContext(ctx)
	var st exitStatus
	switch {
	case errors.As(err, &st):
		return int(st)
	case out.err != nil:
		// The help or the version (err nil), or a completion script
		// (cobra returns the write's error).
		fmt.Fprintf(e.stderr, "cfonb: writing to standard output: %v\n", out.err)
		return exitUsage
	case err == nil:
		return exitOK
	}
	// cobra's own errors: an unknown command (with its "did you mean"
	// suggestions) or arguments a command does not take.
	fmt.Fprintf(e.stderr, "cfonb: %s\nRun 'cfonb --help' for the list of commands.\n", strings.TrimRight(err.Error(), "\n"))
	return exitUsage
}

// usageError prints a usage error naming the command and returns exit
// status 2.
func usageError(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "cfonb %s: %s (see cfonb %s --help)\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}

// suggestFlag returns " (did you mean --x?)" for an unknown long flag
// close to one of the command's flags, else "".
func suggestFlag(c *cobra.Command, err error) string {
	const prefix = "unknown flag: --"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	typed := msg[len(prefix):]
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	best := suggest.Closest(typed, names)
	if best == "" {
		return ""
	}
	return " (did you mean --" + best + "?)"
}

// writeHelp writes a command's help: its usage line, description,
// examples, subcommands and flags (a section only when it has content).
func writeHelp(w io.Writer, c *cobra.Command) {
	var b strings.Builder
	if c.HasParent() {
		fmt.Fprintf(&b, "Usage: %s\n\n", strings.ReplaceAll(c.UseLine(), "\n", "\n       "))
	}
	if long := strings.TrimSpace(c.Long); long != "" {
		b.WriteString(long + "\n\n")
	} else if c.Short != "" {
		b.WriteString(c.Short + "\n\n")
	}
	if !c.HasParent() {
		fmt.Fprintf(&b, "Usage: %s COMMAND [flags] [PATH...]\n\n", c.Name())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("Commands:\n")
		subs := slices.Clone(c.Commands())
		slices.SortStableFunc(subs, func(a, b *cobra.Command) int { return helpRank(a) - helpRank(b) })
		for _, sub := range subs {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "  %-11s %s\n", sub.Name(), sub.Short)
			}
		}
		b.WriteString("\n")
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "Examples:\n%s\n\n", strings.TrimRight(c.Example, "\n"))
	}
	if fl := flagUsages(c.LocalFlags()); fl != "" {
		fmt.Fprintf(&b, "Flags:\n%s\n", fl)
	}
	if !c.HasParent() {
		fmt.Fprintf(&b, "Run '%s COMMAND --help' for a command's flags.\n", c.Name())
		b.WriteString("Exit status: 0 ok, 1 invalid input, 2 usage or I/O error, 3 network or API failure;\n130, 143 or 129: ended by SIGINT, SIGTERM or SIGHUP before it could stop by itself.\n")
	}
	_, _ = io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
}

// helpOrder is the order in which cfonb --help lists the commands: the
// daily ones first.
var helpOrder = []string{"validate", "inspect", "fmt", "export", "upload", "journal", "sandbox", "gen", "config"}

// helpRank is the place of c in cfonb --help: helpOrder, then the others
// (completion, help, man, version) in cobra's order.
func helpRank(c *cobra.Command) int {
	if i := slices.Index(helpOrder, c.Name()); i >= 0 {
		return i
	}
	return len(helpOrder)
}

// flagUsages lists flags as pflag does, except that a boolean flag is
// shown as --flag, not --flag[=true|false].
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			left += " " + varname
		}
		if !zeroDefault(f) {
			if f.Value.Type() == "string" {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s   %s\n", width, r.left, strings.ReplaceAll(r.usage, "\n", "\n"+strings.Repeat(" ", width+3)))
	}
	return b.String()
}

// zeroDefault reports whether a flag's default is its type's zero value,
// which help does not show.
func zeroDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0", "[]", "0s", "<nil>":
		return true
	}
	return false
}
