//go:build unix

package main

import (
	"os"
	"syscall"
)

// selfMaxRSS is the bench's own peak resident memory, in KiB on Linux.
func selfMaxRSS() (int64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return int64(ru.Maxrss), true //nolint:unconvert // int32 on some systems
}

// maxRSS is a finished child's peak resident memory, in KiB on Linux.
func maxRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return int64(ru.Maxrss), true //nolint:unconvert // int32 on some systems
}
