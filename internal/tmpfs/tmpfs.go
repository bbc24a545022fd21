// Package tmpfs gives tests a small file system of their own, to fill up
// or to make read-only: a tmpfs mounted on a temporary directory, which
// only root on Linux may do. Elsewhere, or without the right, the test is
// skipped with a message (CI runs as root).
package tmpfs

import "testing"

// Mount mounts a tmpfs of size (e.g. "64k", "4m") on a new temporary
// directory and returns its path; it is unmounted at the test's end. The
// test is skipped where that cannot be done.
func Mount(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := mount(dir, size); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root on Linux", err)
	}
	t.Cleanup(func() { _ = unmount(dir) })
	return dir
}

// ReadOnly remounts the tmpfs at dir read-only, or writable again.
func ReadOnly(t testing.TB, dir string, ro bool) {
	t.Helper()
	if err := remount(dir, ro); err != nil {
		t.Fatalf("remounting %s: %v", dir, err)
	}
}
