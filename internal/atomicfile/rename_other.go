//go:build !windows

package atomicfile

import "os"

// rename replaces newpath with oldpath: rename(2) is atomic and does not
// care who holds the files open.
func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
