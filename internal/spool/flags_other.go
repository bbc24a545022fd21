//go:build !unix

package spool

import "os"

// FileFlags reports whether f may be in append mode, and whether it can
// be read: it cannot tell here, so true and false (standard output is
// then never written as it is made, see Direct).
func FileFlags(*os.File) (appendOnly, readable bool) { return true, false }
