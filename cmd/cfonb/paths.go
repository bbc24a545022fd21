package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/cfonb-dev/cfonb/internal/walk"
	"github.com/cfonb-dev/cfonb/validate"
)

// walkFlags are the flags that tune how directories are walked, the same
// for every command that takes PATHs.
type walkFlags struct {
	include, exclude *[]string
	sniff            *bool
	// lateSniff leaves out the walk's look at each file's first bytes:
	// the command does it on its own read of the file (validate, with
	// validate.Options.OnlyBankStatements), and counts what it passes over.
	lateSniff bool
	// lateStat leaves out the walk's stat of each regular file found in a
	// directory: the command learns what it needs when it opens the file,
	// and passes over a file reached twice itself (validate: see
	// walk.Options.LateStat).
	lateStat bool
}

// addWalkFlags defines --include and --exclude on fs.
func addWalkFlags(fs *pflag.FlagSet) walkFlags {
	return walkFlags{
		include: fs.StringSlice("include", nil, "in directories, only the files matching this `GLOB` (a base name, or a path below the directory if it has a /); repeatable"),
		exclude: fs.StringSlice("exclude", nil, "in directories, pass over the files and folders matching this `GLOB`; repeatable"),
		sniff:   fs.Bool("sniff", false, "pass over the files named that are not bank statements too, as in directories (for pre-commit and editors)"),
	}
}

// options returns the walk options of the flags (zero flags: none).
func (w walkFlags) options() walk.Options {
	o := walk.Options{Sniff: validate.SniffFile, LateStat: w.lateStat}
	if w.lateSniff {
		o.Sniff = nil
	}
	if w.include != nil {
		o.Include, o.Exclude, o.SniffNamed = *w.include, *w.exclude, *w.sniff
	}
	return o
}

// walkPaths expands the PATH arguments of a command: files named are
// kept, directories walked (symbolic links followed, loops detected,
// hidden files and files that are not bank statements passed over). It
// returns nil and exit status 2 after a usage error (standard input named
// twice, a bad glob).
func walkPaths(e *env, cmd string, args []string, w walkFlags) (*walk.Result, int) {
	res, err := walk.Expand(args, w.options())
	if err != nil {
		return nil, usageError(e, cmd, "%v", err)
	}
	return res, exitOK
}

// skippedNote is the line that says how many files a walk passed over, or
// "".
func skippedNote(res *walk.Result) string {
	if res.Skipped == 0 {
		return ""
	}
	if res.Skipped == 1 {
		return "skipped 1 file that is not a bank statement (name a file to check it anyway)"
	}
	return fmt.Sprintf("skipped %d files that are not bank statements (name a file to check it anyway)", res.Skipped)
}

// expandFiles turns the PATH arguments of a command into a list of files
// (see walkPaths), for the commands that need every path to be usable
// before they start (export, upload): a path that cannot be used
// (missing, unreadable, a dangling link, a loop) is said with the others,
// and the command exits 2. The files passed over are counted on stderr.
func expandFiles(e *env, cmd string, args []string) ([]string, int) {
	res, code := walkPaths(e, cmd, args, walkFlags{})
	if res == nil {
		return nil, code
	}
	if note := skippedNote(res); note != "" {
		fmt.Fprintf(e.stderr, "cfonb %s: %s\n", cmd, note)
	}
	if errs := res.Errs(); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintf(e.stderr, "cfonb %s: %s\n", cmd, validate.SafeText(err.Error()))
		}
		return nil, exitUsage
	}
	return res.Files(), exitOK
}

// expandPaths is expandFiles without the messages: the first problem is
// the error.
func expandPaths(args []string) ([]string, error) {
	res, err := walk.Expand(args, walkFlags{}.options())
	if err != nil {
		return nil, err
	}
	if errs := res.Errs(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return res.Files(), nil
}

// checkOutputDir returns exit status 2, with a message naming it, when
// the directory of an output file does not exist: the atomic write's
// temporary file would otherwise be the name in the error.
func checkOutputDir(e *env, cmd, out string) int {
	if out == "" || out == "-" {
		return exitOK
	}
	dir := filepath.Dir(out)
	fi, err := os.Stat(dir)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(e.stderr, "cfonb %s: cannot write %s: the directory %s does not exist (create it first)\n", cmd, validate.SafeName(out), validate.SafeName(dir))
		return exitUsage
	case err == nil && !fi.IsDir():
		fmt.Fprintf(e.stderr, "cfonb %s: cannot write %s: %s is not a directory\n", cmd, validate.SafeName(out), validate.SafeName(dir))
		return exitUsage
	}
	return exitOK
}
