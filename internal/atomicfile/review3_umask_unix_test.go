//go:build unix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// review3: a new file written by Write (cfonb export -o, validate -o, gen
// -o) is made 0644 whatever the umask: a user with umask 077, who keeps
// bank data private, gets exports of IBANs, amounts and payees readable by
// every user of the machine. A shell redirection or cp would give 0600.
func TestReview3NewFileHonoursUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "export.csv")
	require.NoError(t, Write(path, 0, func(w io.Writer) error {
		_, err := io.WriteString(w, "iban,amount\n")
		return err
	}))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "0666 less the umask 077")
}
