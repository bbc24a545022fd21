//go:build unix

package fmtrun

import (
	"os"

	"golang.org/x/sys/unix"
)

// appendMode reports whether f was opened in append mode (O_APPEND), where
// a write at an offset goes to the end instead; true if it cannot tell.
func appendMode(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return true
	}
	flags := unix.O_APPEND
	if cerr := rc.Control(func(fd uintptr) {
		flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0)
	}); cerr != nil || err != nil {
		return true
	}
	return flags&unix.O_APPEND != 0
}
