//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// keepIdentity: there is no owner to copy nor link count to read here; a
// rename keeps what the platform keeps.
func keepIdentity(tmp *os.File, old fs.FileInfo) bool { return true }
