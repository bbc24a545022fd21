//go:build linux

package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// writebackEvery is how much is written to the temporary file between two
// requests to the kernel to start writing it to the disk.
const writebackEvery = 8 << 20

// writeback writes to the temporary file and, every writebackEvery bytes,
// asks the kernel to start writing what was written since the last time
// to the disk (sync_file_range with SYNC_FILE_RANGE_WRITE, which does not
// wait for it): the disk works while the content is still being made, and
// the Sync before the rename has little left to wait for. Durability and
// atomicity are the Sync's and the rename's, as before: this only starts
// the writes earlier. Errors of the request are left to the Sync, which
// reports every write error of the file.
type writeback struct {
	f          *os.File
	off, asked int64 // bytes written; bytes the kernel was asked to write
	requests   int   // sync_file_range calls made
}

func newWriteback(f *os.File) *writeback { return &writeback{f: f} }

func (w *writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.asked >= writebackEvery {
		_ = w.start(w.asked, w.off-w.asked)
		w.asked = w.off
		w.requests++
	}
	return n, err
}

// start asks the kernel to start writing n bytes at off to the disk.
func (w *writeback) start(off, n int64) error {
	rc, err := w.f.SyscallConn()
	if err != nil {
		return err
	}
	cerr := rc.Control(func(fd uintptr) {
		err = unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
	if cerr != nil {
		return cerr
	}
	return err
}
