// Package exepages gives back the memory that the start of the program
// took and will not use again: the pages of the executable read while the
// packages were initialised.
//
// Every package linked into a Go program runs its initialisation before
// main, whether the command then uses it or not: cfonb links the SQLite
// journal, the PostgreSQL driver, the XLSX writer, HTTP and TLS, and their
// initialisation reads code and constant data scattered over the whole
// executable. The kernel maps each page read, and the pages around it, into
// the process (its resident set), where they stay: about 5 MiB of a cfonb
// validate's peak resident memory were pages of the executable used only
// before main. Release unmaps them (madvise MADV_DONTNEED on the
// executable's read-only mappings that hold only pages of the file, as
// /proc/self/smaps counts them): they stay in the page cache, and the few
// the command then uses are mapped again at their first use, without
// reading the disk. Writable mappings, and read-only ones with pages
// written (the relocated RELRO segment of a position independent
// executable), are left alone.
package exepages

// Release unmaps the pages of the executable's code and read-only data
// from the process (see the package comment). A page written by the
// program or its loader is never dropped. It does nothing where it is not supported (outside Linux); an
// error says why it could not be done, and leaves the process as it was.
func Release() error { return release() }
