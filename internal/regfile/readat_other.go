//go:build !unix

package regfile

// ReadAt reads len(p) bytes at offset off (io.ReaderAt): several
// goroutines may read the file at once, each its own range.
func (f *File) ReadAt(p []byte, off int64) (int, error) { return f.sys.f.ReadAt(p, off) }
