//go:build unix

package regfile

import (
	"io"
	"io/fs"
	"syscall"
)

// ReadAt reads len(p) bytes at offset off with pread(2) (io.ReaderAt):
// several goroutines may read the file at once, each its own range.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.sys.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrClosed}
	}
	n := 0
	for n < len(p) {
		m, err := syscall.Pread(f.sys.fd, p[n:], off+int64(n))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return n, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case m == 0:
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}
