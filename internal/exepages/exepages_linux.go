package exepages

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// mapping is an address range of /proc/self/maps.
type mapping struct{ lo, hi uintptr }

func release() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	for _, m := range readOnly(maps, exe) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.lo, m.hi-m.lo, syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise %#x-%#x: %w", m.lo, m.hi, errno)
		}
	}
	return nil
}

// readOnly returns the private mappings of the file exe that cannot be
// written, from the text of /proc/self/maps:
//
//	00400000-01029000 r-xp 00000000 fd:01 1234 /usr/local/bin/cfonb
//
// A writable mapping holds the program's variables: dropping its pages
// would lose them.
func readOnly(maps []byte, exe string) []mapping {
	var out []mapping
	for line := range bytes.Lines(maps) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		// address perms offset dev inode path; the path may hold spaces.
		f := bytes.SplitN(line, []byte(" "), 6)
		if len(f) < 6 || string(bytes.TrimLeft(f[5], " ")) != exe {
			continue
		}
		perms := f[1]
		if len(perms) != 4 || perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		l, err1 := strconv.ParseUint(string(lo), 16, 64)
		h, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || h <= l {
			continue
		}
		out = append(out, mapping{uintptr(l), uintptr(h)})
	}
	return out
}
