//go:build !unix

package fmtrun

import "os"

// appendMode reports whether f may be in append mode: it cannot tell here,
// so true (a file is then not written in two parts).
func appendMode(*os.File) bool { return true }
