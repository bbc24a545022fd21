package main

import (
	"fmt"
	"io/fs"
	"os"
	"slices"

	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// isRegular reports whether f is a regular file (not a pipe or terminal).
func isRegular(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// refuseOutputInput returns exitUsage, with a message, when an output is one
// of the inputs (the same file, whatever the path, link or redirection that
// names it): the file at out, or standard output when out is "" or "-".
// Writing it would destroy the input (an export over its statement) or
// read the output back as input. Otherwise it returns exitOK.
func refuseOutputInput(e *env, cmd, out string, inputs []string) int {
	var fi fs.FileInfo
	what := "standard output"
	if out == "" || out == "-" {
		f, ok := e.stdout.(*os.File)
		if !ok {
			return exitOK
		}
		if fi, _ = f.Stat(); fi == nil {
			return exitOK
		}
	} else {
		what = "output " + out
		fi = atomicfile.StatOutput(out)
	}
	in := atomicfile.InputNamed(fi, inputs)
	if in == "" && slices.Contains(inputs, "-") {
		if f, ok := e.stdin.(*os.File); ok && fi != nil && fi.Mode().IsRegular() {
			if sfi, err := f.Stat(); err == nil && os.SameFile(fi, sfi) {
				in = "standard input"
			}
		}
	}
	if in == "" {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "cfonb %s: %s is the same file as the input %s: writing it would destroy what is read; write to another file\n", cmd, what, in)
	return exitUsage
}
