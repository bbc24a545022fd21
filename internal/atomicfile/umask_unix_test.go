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

// TestNewFileHonoursUmask: a new file written by Write (cfonb export -o,
// validate -o, gen -o) was made 0644 whatever the umask: a user with umask
// 077, who keeps bank data private, got exports of IBANs, amounts and
// payees readable by every user of the machine, where a shell redirection
// or cp gives 0600 (found by a review). A file named with a '*' is made
// too (the temporary file's pattern). Not parallel: the umask is the
// process's.
func TestNewFileHonoursUmask(t *testing.T) {
	for _, tt := range []struct {
		umask int
		name  string
		want  os.FileMode
	}{
		{0o077, "export.csv", 0o600},
		{0o022, "export.csv", 0o644},
		{0o027, "a*b.csv", 0o640},
		{0o002, "x.jsonl", 0o664},
	} {
		old := syscall.Umask(tt.umask)
		path := filepath.Join(t.TempDir(), tt.name)
		err := Write(path, 0, func(w io.Writer) error {
			_, err := io.WriteString(w, "iban,amount\n")
			return err
		})
		syscall.Umask(old)
		require.NoError(t, err)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, tt.want, fi.Mode().Perm(), "0666 less the umask %03o", tt.umask)
		entries, err := os.ReadDir(filepath.Dir(path))
		require.NoError(t, err)
		assert.Len(t, entries, 1, "no temporary file left")
	}
}
