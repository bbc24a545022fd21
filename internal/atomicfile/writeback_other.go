//go:build !linux

package atomicfile

import "os"

// writeback is the temporary file itself where sync_file_range does not
// exist: the Sync before the rename writes everything.
type writeback = os.File

func newWriteback(f *os.File) *writeback { return f }
