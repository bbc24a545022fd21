//go:build unix

package regfile

import (
	"io"
	"io/fs"
	"syscall"
)

// sysFile is the descriptor, and the file's device and inode numbers.
type sysFile struct {
	fd       int
	dev, ino uint64
}

// Open opens name for reading: open(2) and fstat(2), nothing else. Errors
// are *fs.PathError, as from os.Open.
func Open(name string) (*File, error) {
	fd, err := openRead(name)
	if err != nil {
		return nil, err
	}
	return stat(name, fd)
}

// stat makes the File of fd, open on name, with fstat(2); it closes fd on
// error.
func stat(name string, fd int) (*File, error) {
	var st syscall.Stat_t
	var err error
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		_ = syscall.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	sys := sysFile{fd: fd, dev: uint64(st.Dev), ino: uint64(st.Ino)} //nolint:unconvert // Dev is int32 on darwin
	return &File{sys: sys, name: name, size: st.Size, mode: fileMode(uint32(st.Mode))}, nil
}

// ReadHead reads the first bytes of the file name into p, until p is full
// or the file ends, and returns how many it read: open(2), read(2) and
// close(2), without the fstat of Open. It is for sniffing a file's format;
// a directory gives an error, as reading it would.
func ReadHead(name string, p []byte) (int, error) {
	fd, err := openRead(name)
	if err != nil {
		return 0, err
	}
	f := File{sys: sysFile{fd: fd}, name: name}
	n, err := f.ReadAtMost(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// openRead opens name for reading with open(2), retried on EINTR. Errors
// are *fs.PathError, as from os.Open.
func openRead(name string) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

// fileMode converts st_mode as os.Stat does.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFREG:
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	default:
		mode |= fs.ModeIrregular
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// Read reads up to len(p) bytes with read(2); at the end of the file it
// returns io.EOF.
func (f *File) Read(p []byte) (int, error) {
	if f.sys.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrClosed}
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.sys.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Close closes the file; closing it again returns an error.
func (f *File) Close() error {
	if f.sys.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	err := syscall.Close(f.sys.fd)
	f.sys.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// ID returns the device and inode numbers of the file, as of opening.
func (f *File) ID() (dev, ino uint64, ok bool) { return f.sys.dev, f.sys.ino, true }
