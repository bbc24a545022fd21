//go:build windows

package atomicfile

import (
	"os"
	"time"
)

// rename replaces newpath with oldpath, retrying while another process
// holds one of them open (see retryRename).
func rename(oldpath, newpath string) error {
	return retryRename(os.Rename, windowsTransient, time.Sleep, oldpath, newpath)
}
