package atomicfile

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
)

// ErrChanged is returned by Source.Replace when the file changed between
// the moment it was opened and the replacement (records appended by
// another program, the file rewritten or replaced): nothing was written.
var ErrChanged = errors.New("the file changed while it was being read: nothing written (run the command again once nothing else writes to it)")

// HashLimit is the size up to which Source.Replace also compares the
// content of the file with what was read (a checksum of both), which
// catches a rewrite of the same size within the file system's time
// granularity. Above it, the size, times and identity of the file are
// compared: reading a large file twice is not cheap.
const HashLimit = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Source is a regular file opened to be rewritten from its own content
// (cfonb fmt -w). Read it through the Source, to the end, then call
// Replace: the new content is written only if the file is still the one
// that was read.
type Source struct {
	path   string // as given
	target string // symbolic links followed
	f      *os.File
	fi     fs.FileInfo // at open
	crc    uint32      // of what was read
	n      int64       // bytes read
	eof    bool
}

// Open opens the regular file at path (following symbolic links) to read
// and then replace it.
func Open(path string) (*Source, error) {
	target, err := resolve(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(target)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		if fi.IsDir() {
			return nil, fmt.Errorf("%s: is a directory", path)
		}
		return nil, fmt.Errorf("%s: not a regular file: only regular files can be rewritten", path)
	}
	return &Source{path: path, target: target, f: f, fi: fi}, nil
}

// Read reads the file, keeping a checksum of what it read.
func (s *Source) Read(p []byte) (int, error) {
	n, err := s.f.Read(p)
	s.crc = crc32.Update(s.crc, castagnoli, p[:n])
	s.n += int64(n)
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}

// Stat returns the file's information as it was opened.
func (s *Source) Stat() fs.FileInfo { return s.fi }

// Target is the file that Replace rewrites: the path with its symbolic
// links followed.
func (s *Source) Target() string { return s.target }

// Close closes the file.
func (s *Source) Close() error { return s.f.Close() }

// Replace writes what write produces in place of the file, keeping its
// identity (see the package documentation), after checking that the file
// is still the one that was read: the same file at the same path, of the
// same size, modification and change time, read to its end, and (up to
// HashLimit) of the same content. If it is not, nothing is written and the
// error wraps ErrChanged. The check is made once the new content is
// complete, right before it is put in place.
func (s *Source) Replace(write func(w io.Writer) error) (Method, error) {
	return commit(s.target, s.fi, 0, write, s.unchanged)
}

// unchanged checks that the file is still the one that was read.
func (s *Source) unchanged() error {
	changed := func(what string, args ...any) error {
		return fmt.Errorf("%s: %s: %w", s.path, fmt.Sprintf(what, args...), ErrChanged)
	}
	if !s.eof {
		// The caller stopped before the end: what it did not read
		// would be lost.
		return changed("it was not read to the end (%d of %d bytes)", s.n, s.fi.Size())
	}
	atPath, err := os.Stat(s.target)
	if err != nil {
		return changed("it can no longer be found: %v", err)
	}
	if !os.SameFile(s.fi, atPath) {
		return changed("another file took its place")
	}
	if err := sameContent(s.fi, atPath, s.n); err != nil {
		return changed("%v", err)
	}
	if s.n > HashLimit {
		return nil
	}
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, io.NewSectionReader(s.f, 0, s.n+1))
	if err != nil {
		return fmt.Errorf("%s: reading it again: %w", s.path, err)
	}
	if n != s.n || h.Sum32() != s.crc {
		return changed("its content is not what was read")
	}
	return nil
}

// sameContent compares what identifies the content of a file at open
// (then) with its state now; read is the number of bytes read.
func sameContent(then, now fs.FileInfo, read int64) error {
	switch {
	case now.Size() != read:
		return fmt.Errorf("%d bytes were read, it now has %d", read, now.Size())
	case now.Size() != then.Size():
		return fmt.Errorf("it had %d bytes, it now has %d", then.Size(), now.Size())
	case !now.ModTime().Equal(then.ModTime()):
		return fmt.Errorf("modified at %s while it was read", now.ModTime().UTC().Format("15:04:05.000000000"))
	case ctimeOf(now) != ctimeOf(then):
		return errors.New("its status changed while it was read")
	}
	return nil
}
