// Package regfile opens files for reading with as few system calls as the
// platform allows, for commands that read many small files.
//
// On Unix, os.Open makes about six system calls for a regular file: open,
// then fcntl twice to make the descriptor non-blocking, epoll_ctl to register
// it with the runtime's poller (which fails: the kernel's epoll refuses
// regular files, since they are always ready), fcntl twice more to make it
// blocking again, and os.File.Stat adds an fstat. Open here makes two: open
// and fstat. A File reads with plain read(2), which for a regular file
// never waits on the poller anyway. Elsewhere, Open wraps os.Open.
//
// A File has no finalizer: Close it.
package regfile

import (
	"errors"
	"io"
	"io/fs"
)

// File is a file opened for reading by Open.
type File struct {
	sys  sysFile
	name string
	size int64
	mode fs.FileMode
}

// Name returns the name given to Open.
func (f *File) Name() string { return f.name }

// Size returns the size of the file when it was opened (for a regular
// file; what the system reports otherwise).
func (f *File) Size() int64 { return f.size }

// Mode returns the file's type and permission bits as of opening.
func (f *File) Mode() fs.FileMode { return f.mode }

// ReadAtMost reads the first bytes of the file into p, until p is full or
// the file ends: one read(2) for a regular file that fits in p. Unlike
// io.ReadFull, a short file is not an error: n tells how much was read.
func (f *File) ReadAtMost(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := f.Read(p[n:])
		n += m
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		if m == 0 {
			break
		}
	}
	return n, nil
}
