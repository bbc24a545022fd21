//go:build unix

package fmtrun

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openAppend opens name in append mode as standard output is when the
// shell opens it for >>: os.File does not know it (its WriteAt would not
// refuse), only the descriptor's flags say it.
func openAppend(t *testing.T, name string) *os.File {
	fd, err := unix.Open(name, unix.O_CREAT|unix.O_RDWR|unix.O_APPEND|unix.O_CLOEXEC, 0o600)
	require.NoError(t, err)
	return os.NewFile(uintptr(fd), name)
}
