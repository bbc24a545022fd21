//go:build linux

package spool

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/tmpfs"
)

// TestCopyToFullDiskKeepsTheFile: a copy to a file written at its end
// (">>", or positioned there) that fails half way on a full disk is taken
// back: the file holds what it held before, never half of the output
// (found by a review: "cfonb export F >> out" left a partial append). It
// mounts a small tmpfs (package tmpfs: root on Linux only, skipped
// otherwise).
func TestCopyToFullDiskKeepsTheFile(t *testing.T) {
	mnt := tmpfs.Mount(t, "64k")
	before := bytes.Repeat([]byte("kept\n"), 2000) // 10 kB
	var s Buffer
	defer s.Close()
	_, err := s.Write(bytes.Repeat([]byte("x"), 200_000))
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		flag int
		seek bool
	}{
		{">>", os.O_WRONLY | os.O_APPEND, false},
		{"1<> at the end", os.O_RDWR, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(mnt, "out")
			require.NoError(t, os.WriteFile(path, before, 0o600))
			f, err := os.OpenFile(path, tt.flag, 0)
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			if tt.seek {
				_, err = f.Seek(0, 2)
				require.NoError(t, err)
			}
			err = s.CopyTo(f)
			require.ErrorIs(t, err, syscall.ENOSPC)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, got, "what the file held, and nothing more")
			require.NoError(t, os.Remove(path))
		})
	}
}
