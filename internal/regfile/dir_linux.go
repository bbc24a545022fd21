//go:build linux

package regfile

import (
	"io/fs"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Dir opens files by their name in the directory of the file it opened
// last, which it keeps open: the kernel then looks up one name, not every
// directory of the path again. For a goroutine that opens the files of a
// directory one after the other (the entries of a walk). The zero value
// is ready to use; Close it.
type Dir struct {
	path string // the directory, as filepath.Split gives it ("a/b/")
	fd   int    // open on path, if path != ""
}

// Open opens name as the package's Open does (the same errors, naming
// name), with openat(2) relative to name's directory.
func (d *Dir) Open(name string) (*File, error) {
	dir, base := filepath.Split(name)
	if dir == "" || base == "" || base == "." || base == ".." {
		return Open(name)
	}
	if dir != d.path {
		_ = d.Close()
		fd, err := openDir(dir)
		if err != nil {
			// A directory that can be searched but not read: the
			// whole path, as without Dir.
			return Open(name)
		}
		d.path, d.fd = dir, fd
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Openat(d.fd, base, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return stat(name, fd)
}

// openDir opens the directory dir to open files in it: O_PATH, so that a
// directory that can be searched but not read is opened too (openat needs
// no more).
func openDir(dir string) (int, error) {
	for {
		fd, err := syscall.Open(dir, unix.O_PATH|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// Close closes the directory kept open, if any. The Dir can be used again.
func (d *Dir) Close() error {
	if d.path == "" {
		return nil
	}
	err := syscall.Close(d.fd)
	d.path, d.fd = "", -1
	return err
}
