package exepages

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// mapping is an address range of /proc/self/smaps.
type mapping struct{ lo, hi uintptr }

func release() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return err
	}
	for _, m := range untouched(smaps, exe) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.lo, m.hi-m.lo, syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise %#x-%#x: %w", m.lo, m.hi, errno)
		}
	}
	return nil
}

// untouched returns, from the text of /proc/self/smaps, the private
// mappings of the file exe that cannot be written and hold no page of
// their own (Anonymous: 0 kB): only pages of the file, which dropping
// loses nothing of.
//
//	00400000-01029000 r-xp 00000000 fd:01 1234   /usr/local/bin/cfonb
//	Size:              12756 kB
//	...
//	Anonymous:             0 kB
//
// A writable mapping holds the program's variables. A read-only one may
// hold pages written before it was made read-only: in a position
// independent executable, the loader writes the relocated pointers of the
// RELRO segment, then protects it; dropping those pages would bring back
// the file's unrelocated bytes.
func untouched(smaps []byte, exe string) []mapping {
	var out []mapping
	var cur mapping
	candidate := false
	for line := range bytes.Lines(smaps) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		if rest, ok := bytes.CutPrefix(line, []byte("Anonymous:")); ok {
			if candidate && string(bytes.TrimSpace(rest)) == "0 kB" {
				out = append(out, cur)
			}
			candidate = false
			continue
		}
		// address perms offset dev inode path; the path may hold spaces.
		f := bytes.SplitN(line, []byte(" "), 6)
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if len(f) < 5 || !ok {
			continue // a field of the current mapping
		}
		candidate = false
		if len(f) < 6 || string(bytes.TrimLeft(f[5], " ")) != exe {
			continue
		}
		perms := f[1]
		if len(perms) != 4 || perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' {
			continue
		}
		l, err1 := strconv.ParseUint(string(lo), 16, 64)
		h, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || h <= l {
			continue
		}
		cur, candidate = mapping{uintptr(l), uintptr(h)}, true
	}
	return out
}
