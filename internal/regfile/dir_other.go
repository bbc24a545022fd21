//go:build !linux

package regfile

// Dir opens files as Open does: it keeps no directory open on this
// system (openat is Linux's here). The zero value is ready to use.
type Dir struct{}

// Open opens name as the package's Open does.
func (d *Dir) Open(name string) (*File, error) { return Open(name) }

// Close does nothing.
func (d *Dir) Close() error { return nil }
