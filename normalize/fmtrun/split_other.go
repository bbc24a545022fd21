//go:build !unix

package fmtrun

import "os"

// fileFlags reports whether f may be in append mode, and whether it can
// be read: it cannot tell here, so true and false (a file is then not
// written in two parts).
func fileFlags(*os.File) (appendOnly, readable bool) { return true, false }
