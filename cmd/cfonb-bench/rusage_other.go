//go:build !unix

package main

import "os"

// selfMaxRSS reports false: no rusage on this system (Windows); the bench
// needs GNU time there for memory figures.
func selfMaxRSS() (int64, bool) { return 0, false }

// maxRSS reports false: no rusage on this system.
func maxRSS(*os.ProcessState) (int64, bool) { return 0, false }
