package atomicfile

import (
	"errors"
	"syscall"
	"time"
)

// Windows' error numbers of a file held open by another process.
const (
	errAccessDenied     = syscall.Errno(5)  // ERROR_ACCESS_DENIED
	errSharingViolation = syscall.Errno(32) // ERROR_SHARING_VIOLATION
	errLockViolation    = syscall.Errno(33) // ERROR_LOCK_VIOLATION
)

// renameAttempts bounds retryRename: 10 ms doubling, about 2.5 s in all.
const renameAttempts = 9

// retryRename calls rename until it succeeds, fails for good, or has been
// tried renameAttempts times, sleeping 10 ms, 20 ms, 40 ms... between
// tries while transient says the error may pass. On Windows, os.Rename
// replaces an existing file (MoveFileEx with MOVEFILE_REPLACE_EXISTING)
// but fails while another process holds the target or the new file open
// without FILE_SHARE_DELETE, as virus scanners and search indexers do for
// a moment after a file is written.
func retryRename(rename func(oldpath, newpath string) error, transient func(error) bool, sleep func(time.Duration), oldpath, newpath string) error {
	wait := 10 * time.Millisecond
	for i := 1; ; i++ {
		err := rename(oldpath, newpath)
		if err == nil || i == renameAttempts || !transient(err) {
			return err
		}
		sleep(wait)
		wait *= 2
	}
}

// windowsTransient reports whether a rename error is one that another
// process holding the file open gives on Windows.
func windowsTransient(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == errAccessDenied || errno == errSharingViolation || errno == errLockViolation)
}
