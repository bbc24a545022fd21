// Package walk turns the PATH arguments of a command into the list of
// files to work on, the same way for every command: files named are taken
// as they are, directories are walked recursively (symbolic links
// followed, loops detected), and the files reached by walking can be
// sniffed so that what is not a bank statement is passed over and counted.
//
// Nothing is dropped silently: every path that cannot be walked (an
// unreadable directory, a dangling link, a loop) is an entry with its
// error, in its place, and the walk goes on.
package walk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Stdin is the argument that names standard input.
const Stdin = "-"

// ErrStdinTwice is returned when standard input is named more than once:
// two readers would split it between them.
var ErrStdinTwice = errors.New("standard input (-) given more than once")

// ErrLoop is the error of a symbolic link that leads back to a directory
// being walked.
var ErrLoop = errors.New("symbolic link loop")

// ErrDangling is the error of a symbolic link whose target does not exist.
var ErrDangling = errors.New("dangling symbolic link")

// Options tune Expand. The zero value walks every file but hidden ones.
type Options struct {
	// Include, if not empty, keeps only the files reached by walking that
	// match one of these globs. Exclude passes over the files and
	// directories reached by walking that match one of its globs. A glob
	// without a slash is matched against the base name ("*.txt",
	// "archive"); one with a slash against the slash-separated path below
	// the walked argument ("2024/*.txt"). Paths named as arguments are
	// always taken.
	Include, Exclude []string
	// Sniff, if set, is asked about each regular file reached by walking
	// (never about a file named as an argument): false passes over it and
	// counts it in Result.Skipped. An error keeps the file, so that the
	// command reports it when it reads it.
	Sniff func(path string) (bool, error)
	// SniffNamed asks Sniff about the regular files named as arguments
	// too: for callers that name every changed file (pre-commit, an
	// editor), which should pass over the ones that are not bank
	// statements as a walk does.
	SniffNamed bool
	// LateStat leaves unstatted the regular files found in directories
	// (those their directory's listing says are regular files, not
	// links): one system call less per file, for a caller that opens
	// each file anyway. The walk then cannot know whether such a file was
	// already reached (through a link, or as a hard link of another
	// name): the caller must pass over an entry whose file, as it finds
	// when it opens it (device and inode), is that of an earlier entry.
	// Only on systems with file IDs (Unix); elsewhere every file is
	// statted as without it.
	LateStat bool
}

// Entry is one file to work on, or a path that could not be walked.
type Entry struct {
	// Path is the file's path as reached (through links, not resolved),
	// or Stdin.
	Path string
	// Err is set when the path cannot be used: a named path that does not
	// exist, an unreadable directory, a dangling link, a loop. The error
	// names the path.
	Err error
	// Named is true for a path given as an argument (not reached by
	// walking).
	Named bool
}

// Result is what Expand found.
type Result struct {
	// Entries are in the order of the arguments; the files of a
	// directory in the lexical order of their paths.
	Entries []Entry
	// Skipped counts the files reached by walking that Sniff passed over
	// (and the FIFOs, sockets and devices found in directories).
	Skipped int
}

// Files returns the paths of the entries without an error.
func (r *Result) Files() []string {
	var out []string
	for _, e := range r.Entries {
		if e.Err == nil {
			out = append(out, e.Path)
		}
	}
	return out
}

// Errs returns the errors of the entries that have one.
func (r *Result) Errs() []error {
	var out []error
	for _, e := range r.Entries {
		if e.Err != nil {
			out = append(out, e.Err)
		}
	}
	return out
}

// CheckGlobs returns an error for a malformed glob.
func CheckGlobs(globs []string) error {
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad glob %q: %w", g, err)
		}
	}
	return nil
}

// fileID identifies a file or directory across the links that reach it.
type fileID struct{ dev, ino uint64 }

// idOf is the device and inode of fi where the system gives them
// (fileid_unix.go); elsewhere (Windows) it reports false, and loops are
// found with os.SameFile on the directories being walked.

// Expand turns args into entries. Its only error is ErrStdinTwice or a bad
// glob; everything else is an entry's error.
func Expand(args []string, opts Options) (*Result, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	return expand(args, opts, os.ReadDir)
}

// Walk is Expand handing each entry to emit as soon as it is found, in the
// order of Result.Entries, instead of gathering them: a command can work on
// the first files while the walk goes on. It returns how many files were
// passed over (Result.Skipped). Its only error is ErrStdinTwice or a bad
// glob, returned before any entry is emitted.
func Walk(args []string, opts Options, emit func(Entry)) (skipped int, err error) {
	if err := Check(args, opts); err != nil {
		return 0, err
	}
	return walkArgs(args, opts, os.ReadDir, emit)
}

// Check returns the error Expand and Walk would return at once (standard
// input named twice, a bad glob), without walking anything.
func Check(args []string, opts Options) error {
	if err := checkOptions(opts); err != nil {
		return err
	}
	if stdins(args) > 1 {
		return ErrStdinTwice
	}
	return nil
}

// stdins counts the arguments that name standard input.
func stdins(args []string) int {
	n := 0
	for _, a := range args {
		if a == Stdin {
			n++
		}
	}
	return n
}

// checkOptions returns an error for a malformed glob.
func checkOptions(opts Options) error {
	if err := CheckGlobs(opts.Include); err != nil {
		return fmt.Errorf("--include: %w", err)
	}
	if err := CheckGlobs(opts.Exclude); err != nil {
		return fmt.Errorf("--exclude: %w", err)
	}
	return nil
}

func expand(args []string, opts Options, readDir func(string) ([]fs.DirEntry, error)) (*Result, error) {
	res := &Result{}
	skipped, err := walkArgs(args, opts, readDir, func(e Entry) { res.Entries = append(res.Entries, e) })
	if err != nil {
		return nil, err
	}
	res.Skipped = skipped
	return res, nil
}

func walkArgs(args []string, opts Options, readDir func(string) ([]fs.DirEntry, error), emit func(Entry)) (int, error) {
	if stdins(args) > 1 {
		return 0, ErrStdinTwice
	}
	w := &walker{opts: opts, emit: emit, seen: map[fileID]bool{}, readDir: readDir}
	for _, a := range args {
		if a == Stdin {
			w.emit(Entry{Path: a, Named: true})
			continue
		}
		fi, err := os.Stat(a)
		if err != nil {
			w.emit(Entry{Path: a, Named: true, Err: statErr(a, err)})
			continue
		}
		if !fi.IsDir() {
			if opts.SniffNamed && opts.Sniff != nil && fi.Mode().IsRegular() {
				if bank, err := opts.Sniff(a); err == nil && !bank {
					w.skipped++
					continue
				}
			}
			w.addFile(a, fi, true)
			continue
		}
		w.dir(a, a, fi, nil)
	}
	return w.skipped, nil
}

type walker struct {
	opts    Options
	emit    func(Entry)
	skipped int
	seen    map[fileID]bool // files already taken: a file reached twice is worked on once
	// readDir is os.ReadDir; tests make it fail (root reads any directory).
	readDir func(string) ([]fs.DirEntry, error)
	// walking are the directories being walked, for systems without
	// file IDs (idOf false): os.SameFile finds a loop there.
	walking []fs.FileInfo
}

// statErr names the path, and says what is wrong with a link.
func statErr(p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		if li, lerr := os.Lstat(p); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			return fmt.Errorf("%s: %w (to %s)", p, ErrDangling, target)
		}
	}
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("%s: %w", p, ErrLoop)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", p, pe.Err)
	}
	return fmt.Errorf("%s: %w", p, err)
}

func (w *walker) addFile(p string, fi fs.FileInfo, named bool) {
	if id, ok := idOf(fi); ok {
		if w.seen[id] {
			return
		}
		w.seen[id] = true
	}
	w.emit(Entry{Path: p, Named: named})
}

// dir walks the directory p (root is the argument it was reached from;
// ancestors the directories being walked, to detect loops).
func (w *walker) dir(root, p string, fi fs.FileInfo, ancestors []fileID) {
	id, ok := idOf(fi)
	if ok {
		if slices.Contains(ancestors, id) {
			w.emit(Entry{Path: p, Err: fmt.Errorf("%s: %w: it leads back to a directory being walked", p, ErrLoop)})
			return
		}
		ancestors = append(ancestors, id)
	} else {
		if slices.ContainsFunc(w.walking, func(a fs.FileInfo) bool { return os.SameFile(a, fi) }) {
			w.emit(Entry{Path: p, Err: fmt.Errorf("%s: %w: it leads back to a directory being walked", p, ErrLoop)})
			return
		}
		w.walking = append(w.walking, fi)
		defer func() { w.walking = w.walking[:len(w.walking)-1] }()
	}
	ents, err := w.readDir(p)
	if err != nil {
		// Report it, and go on with what could be read (usually nothing).
		w.emit(Entry{Path: p, Err: statErr(p, err)})
	}
	for _, d := range ents {
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			continue // hidden files and folders (.git)
		}
		child := filepath.Join(p, name)
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(child, root), string(filepath.Separator)))
		if matchAny(w.opts.Exclude, name, rel) {
			continue
		}
		if lateStat && w.opts.LateStat && d.Type() == 0 {
			// A regular file, as listed: the caller stats it when it
			// opens it, and drops it if it was reached before.
			if len(w.opts.Include) > 0 && !matchAny(w.opts.Include, name, rel) {
				continue
			}
			if !w.sniffed(child) {
				continue
			}
			w.emit(Entry{Path: child})
			continue
		}
		cfi, err := os.Stat(child) // follows links
		if err != nil {
			w.emit(Entry{Path: child, Err: statErr(child, err)})
			continue
		}
		if cfi.IsDir() {
			w.dir(root, child, cfi, ancestors)
			continue
		}
		if len(w.opts.Include) > 0 && !matchAny(w.opts.Include, name, rel) {
			continue
		}
		if !cfi.Mode().IsRegular() {
			w.skipped++
			continue
		}
		if !w.sniffed(child) {
			continue
		}
		w.addFile(child, cfi, false)
	}
}

// sniffed asks Options.Sniff about a regular file reached by walking: false
// when it passes over it (counted in skipped).
func (w *walker) sniffed(p string) bool {
	if w.opts.Sniff == nil {
		return true
	}
	if bank, err := w.opts.Sniff(p); err == nil && !bank {
		w.skipped++
		return false
	}
	return true
}

// matchAny reports whether one of globs matches name (globs without a
// slash) or rel (globs with one).
func matchAny(globs []string, name, rel string) bool {
	for _, g := range globs {
		target := name
		if strings.Contains(g, "/") {
			target = rel
		}
		if ok, _ := path.Match(g, target); ok {
			return true
		}
	}
	return false
}
