//go:build !linux

package main

import "os"

// peakRSS is measured on Linux only.
func peakRSS(*os.ProcessState) int64 { return 0 }
