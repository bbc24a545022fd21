//go:build !unix

package regfile

import "os"

// sysFile is the os.File.
type sysFile struct{ f *os.File }

// Open opens name for reading with os.Open and stats it.
func Open(name string) (*File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{sys: sysFile{f: f}, name: name, size: fi.Size(), mode: fi.Mode()}, nil
}

// Read reads up to len(p) bytes; at the end of the file it returns io.EOF.
func (f *File) Read(p []byte) (int, error) { return f.sys.f.Read(p) }

// Close closes the file.
func (f *File) Close() error { return f.sys.f.Close() }

// ReadHead reads the first bytes of the file name into p, until p is full
// or the file ends, and returns how many it read.
func ReadHead(name string, p []byte) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	rf := File{sys: sysFile{f: f}, name: name}
	n, err := rf.ReadAtMost(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// ID reports false: this system's file information has no device and
// inode numbers.
func (f *File) ID() (dev, ino uint64, ok bool) { return 0, 0, false }
