package validate

import "github.com/cfonb-dev/cfonb/internal/regfile"

// Checker validates files one after another, as File does, and keeps the
// buffer a small file is read into from one file to the next: a goroutine
// that validates many files keeps one Checker. It also tells which file
// it read (ID), so that a caller that reaches files through links can
// pass over a file it has already validated.
//
// It uses one Validator again for the small files, rather than a new
// one for each (about 1.7 KB less to allocate per file), and keeps the
// directory of the last file open, to open the next one in the same
// directory by its name alone (on Linux): the kernel does not walk the
// whole path again.
//
// The zero value is ready to use; Close it when done. A Checker is not
// safe for concurrent use.
type Checker struct {
	buf []byte
	v   *Validator // used again from one small file to the next
	id  fileIdentity
	dir regfile.Dir // the directory of the last file, kept open
}

// FileID identifies a file whatever path reaches it: its device and inode
// numbers.
type FileID struct{ Dev, Ino uint64 }

// fileIdentity is a FileID, if the system gave one.
type fileIdentity struct {
	ID FileID
	ok bool
}

// File validates the file at path as the package's File does.
func (c *Checker) File(path string, opts Options) (*Report, error) {
	if c.buf == nil {
		c.buf = make([]byte, wholeFileMax+wholeSpare)
	}
	if c.v == nil {
		c.v = new(Validator)
	}
	rep, id, err := file(path, opts, c.buf, c.v, &c.dir)
	c.id = id
	return rep, err
}

// ID returns the identity of the file that the last call to File opened,
// whether it was validated or not (it may have failed to read, not be a
// bank statement, or be a directory); false when that call opened no file
// or the system has no file IDs (Windows).
func (c *Checker) ID() (FileID, bool) { return c.id.ID, c.id.ok }

// Close closes the directory the Checker keeps open. It can be used again
// after (it opens another).
func (c *Checker) Close() error { return c.dir.Close() }
