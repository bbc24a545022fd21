package atomicfile

import (
	"io/fs"
	"syscall"
)

// ctimeOf is the change time of a file in nanoseconds: a program that
// rewrites a file can set its modification time back, not this.
func ctimeOf(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Sec*1e9 + st.Ctim.Nsec
	}
	return 0
}
