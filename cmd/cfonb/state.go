package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
)

// envState names the environment variable that chooses the journal when
// no flag does: a state directory or a postgres:// URL (a CI secret).
const envState = "CFONB_STATE"

// stateFlagHelp is the help of --state.
const stateFlagHelp = "the journal: a state directory (SQLite), or postgres://USER@HOST/DB for one journal shared by several machines (default $" + envState + ", else $XDG_STATE_HOME/cfonb)"

// stateFlags are the flags that choose and open the journal, next to each
// command's --state-dir.
type stateFlags struct {
	state      *string
	allowEmpty *bool
}

func addStateFlags(fs *pflag.FlagSet) stateFlags {
	return stateFlags{
		state:      fs.String("state", "", stateFlagHelp),
		allowEmpty: fs.Bool("allow-empty-journal", false, "migrate a journal.json that holds no entry (cfonb never writes one: its entries were lost)"),
	}
}

// stateFromFlags returns the journal chosen by --state, or --state-dir (its
// alias), or $CFONB_STATE, or the default state directory; a directory
// inside a cache directory is refused.
func stateFromFlags(e *env, cmd string, sf stateFlags, stateDir string) (string, int) {
	spec := *sf.state
	switch {
	case spec != "" && stateDir != "" && spec != stateDir:
		return "", usageError(e, cmd, "give --state or --state-dir (its alias), not both")
	case spec == "":
		spec = stateDir
	}
	if spec == "" {
		spec = e.getenv(envState)
	}
	if journal.IsPostgres(spec) {
		return spec, exitOK
	}
	return stateDirFromFlag(e, cmd, spec)
}

// stateVar returns the environment variable that the journal spec came
// from (envState), or "" when a flag or the configuration named it: the
// commands suggested to the user name the variable only when it is set.
func stateVar(e *env, sf stateFlags, stateDir, spec string) string {
	if *sf.state == "" && stateDir == "" && spec != "" && spec == e.getenv(envState) {
		return envState
	}
	return ""
}

// journalOptions are the options of opening the journal for cmd.
func journalOptions(e *env, cmd string, sf stateFlags, readOnly bool) journal.Options {
	return journal.Options{ReadOnly: readOnly, AllowEmptyJSON: *sf.allowEmpty,
		Notify: func(msg string) { fmt.Fprintf(e.stderr, "cfonb %s: %s\n", cmd, msg) }}
}

// openState opens the journal spec for cmd.
func openState(ctx context.Context, e *env, cmd, spec string, sf stateFlags, readOnly bool) (*upload.State, int) {
	st, err := upload.OpenStore(ctx, spec, journalOptions(e, cmd, sf, readOnly))
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb %s: %v\n", cmd, err)
		return nil, exitUsage
	}
	return st, exitOK
}
