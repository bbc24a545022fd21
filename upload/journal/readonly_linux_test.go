//go:build linux

package journal

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/tmpfs"
)

// TestReadOnlyMedia: a journal on read-only media (a backup disk, a
// read-only mount) is read: WAL mode needs a -shm file that cannot be made
// there, and cfonb journal, --dump and upload --dry-run said "unable to
// open database file (14)" (found by a review). A journal whose -wal
// holds changes not yet in the file is refused there, saying to copy it.
// It mounts a tmpfs (package tmpfs: root on Linux only, skipped otherwise).
func TestReadOnlyMedia(t *testing.T) {
	mnt := tmpfs.Mount(t, "4m")
	ctx := context.Background()
	dir := filepath.Join(mnt, "state")
	s, err := OpenSQLite(ctx, dir, Options{})
	require.NoError(t, err)
	_, err = s.Add(ctx, entry("https://p", "aa", "k1"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	// A write-ahead log left with changes in it, as a crash leaves it.
	wal := filepath.Join(dir, DBFile+"-wal")
	require.NoError(t, os.WriteFile(wal+".keep", []byte("x"), 0o600))
	tmpfs.ReadOnly(t, mnt, true)

	ro, err := OpenSQLite(ctx, dir, Options{ReadOnly: true})
	require.NoError(t, err)
	got := all(t, ro, "")
	require.Len(t, got, 1)
	assert.Equal(t, "aa", got[0].SHA256)
	require.NoError(t, ro.Close())

	tmpfs.ReadOnly(t, mnt, false)
	require.NoError(t, os.Rename(wal+".keep", wal))
	tmpfs.ReadOnly(t, mnt, true)
	_, err = OpenSQLite(ctx, dir, Options{ReadOnly: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unable to open database file (14); its write-ahead log (journal.sqlite-wal) holds changes not yet in it, which cannot be read where nothing can be written: copy the state directory somewhere writable and read the copy")
}
