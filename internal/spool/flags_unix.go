//go:build unix

package spool

import (
	"os"

	"golang.org/x/sys/unix"
)

// FileFlags reports whether f was opened in append mode (O_APPEND), where
// every write goes to the end (a write at an offset too), and whether it
// can be read; append true and readable false if it cannot tell.
func FileFlags(f *os.File) (appendOnly, readable bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return true, false
	}
	flags := 0
	if cerr := rc.Control(func(fd uintptr) {
		flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0)
	}); cerr != nil || err != nil {
		return true, false
	}
	return flags&unix.O_APPEND != 0, flags&unix.O_ACCMODE == unix.O_RDWR
}
