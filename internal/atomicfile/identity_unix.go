//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepIdentity gives tmp the owner and group of old, and reports whether
// old can be replaced by renaming tmp over it without losing anything: it
// has one link, and its owner and group could be copied (always as root;
// otherwise only when they are already the caller's, or the group is one
// of the caller's).
func keepIdentity(tmp *os.File, old fs.FileInfo) bool {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	if st.Nlink > 1 {
		return false
	}
	fi, err := tmp.Stat()
	if err != nil {
		return false
	}
	mine, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	if mine.Uid == st.Uid && mine.Gid == st.Gid {
		return true
	}
	return tmp.Chown(int(st.Uid), int(st.Gid)) == nil
}
