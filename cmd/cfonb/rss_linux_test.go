package main

import (
	"os"
	"syscall"
)

// peakRSS returns the peak resident set size of a finished process, in
// bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // KiB on Linux
	}
	return 0
}
