package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/interrupt"
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

// progressMinBytes is the input size from which a command that reads
// bytes (export) shows a progress bar on a terminal: about a second of
// work.
const progressMinBytes = 64 << 20

// byteProgress returns a progress bar of total bytes, described as what,
// on standard error when it is a terminal and total is at least least;
// otherwise nil. The bar is cleared when it finishes.
func byteProgress(e *env, what string, total, least int64) *progressbar.ProgressBar {
	if !e.stderrIsTerminal || total < least || total <= 0 {
		return nil
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(what), progressbar.OptionShowBytes(true), progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
}

// regularSize returns the total size of the regular files among paths
// ("-" and the others count nothing).
func regularSize(paths []string) int64 {
	var total int64
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	return total
}

// progressReader counts what is read from r on bar.
type progressReader struct {
	r   io.Reader
	bar *progressbar.ProgressBar
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		_ = p.bar.Add64(int64(n))
	}
	return n, err
}

// outputFailed says that writing standard output failed (a full disk, a
// closed pipe: what was written is incomplete) and returns exitUsage.
func outputFailed(e *env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "cfonb %s: writing the output: %v\n", cmd, err)
	return exitUsage
}

// stickyWriter writes to w until a write fails, then keeps the first error
// in err and writes nothing more: a text report made of many fmt.Fprintf
// calls checks err once, at its end, instead of after each line.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// fail keeps err as the first error when there was none before.
func (s *stickyWriter) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// writeAtomic is atomicfile.Write (a new file gets 0666 less the umask)
// whose end, from the content written to the file put in place (renamed,
// or copied in place over a file with hard links), is a critical section:
// a forced exit on an interrupt waits for it (package interrupt).
func writeAtomic(ctx context.Context, path string, write func(io.Writer) error) error {
	held, release := holdAfter(ctx, write)
	defer release()
	return atomicfile.Write(path, 0, held)
}

// replaceHeld is atomicfile.Source.Replace (fmt -w) with its end a
// critical section, as writeAtomic's.
func replaceHeld(ctx context.Context) func(*atomicfile.Source, func(io.Writer) error) (atomicfile.Method, error) {
	return func(src *atomicfile.Source, write func(io.Writer) error) (atomicfile.Method, error) {
		held, release := holdAfter(ctx, write)
		defer release()
		return src.Replace(held)
	}
}

// holdAfter returns write, which once it has written the content enters a
// critical section (interrupt.Hold) for what follows it in the caller (the
// file put in place), and the function that leaves it, if it was entered.
func holdAfter(ctx context.Context, write func(io.Writer) error) (held func(io.Writer) error, release func()) {
	leave := func() {}
	held = func(w io.Writer) error {
		if err := write(w); err != nil {
			return err
		}
		leave = interrupt.Hold(ctx)
		return nil
	}
	return held, func() { leave() }
}

// stickyEOF is a reader that, once r returned io.EOF, returns io.EOF
// without reading r again: at a terminal, an end of file (Ctrl-D) is not
// sticky, and a read after it waits for more input (a second Ctrl-D).
type stickyEOF struct {
	r   io.Reader
	eof bool
}

func (s *stickyEOF) Read(p []byte) (int, error) {
	if s.eof {
		return 0, io.EOF
	}
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}
