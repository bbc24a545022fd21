package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryRename checks the Windows rename policy with Windows' errors
// and paths: a file held open for a moment is replaced once it is
// released; a real error, or one that lasts, is returned.
func TestRetryRename(t *testing.T) {
	held := &os.LinkError{Op: "rename", Old: `C:\Users\Ana\Relevés\.out.csv.tmp-1`, New: `C:\Users\Ana\Relevés\out.csv`, Err: errSharingViolation}
	tests := []struct {
		name     string
		errs     []error // what each call returns, then nil
		want     error
		calls    int
		sleeping []time.Duration
	}{
		{"at once", nil, nil, 1, nil},
		{"held twice", []error{held, held}, nil, 3, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}},
		{"access denied then free", []error{&os.LinkError{Err: errAccessDenied}}, nil, 2, []time.Duration{10 * time.Millisecond}},
		{"no such folder", []error{&os.LinkError{Err: syscall.Errno(3)}}, syscall.Errno(3), 1, nil}, // ERROR_PATH_NOT_FOUND
		{"held for good", repeat(held, 20), errSharingViolation, renameAttempts, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var slept []time.Duration
			rename := func(oldpath, newpath string) error {
				assert.Equal(t, `C:\Users\Ana\Relevés\.out.csv.tmp-1`, oldpath)
				assert.Equal(t, `C:\Users\Ana\Relevés\out.csv`, newpath)
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			}
			err := retryRename(rename, windowsTransient, func(d time.Duration) { slept = append(slept, d) },
				`C:\Users\Ana\Relevés\.out.csv.tmp-1`, `C:\Users\Ana\Relevés\out.csv`)
			if tt.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.want)
			}
			assert.Equal(t, tt.calls, calls)
			if tt.sleeping != nil || tt.want == nil {
				assert.Equal(t, tt.sleeping, slept)
			}
		})
	}
	assert.False(t, windowsTransient(errors.New("other")))
	assert.False(t, windowsTransient(fmt.Errorf("wrapped: %w", fs.ErrNotExist)))
	assert.True(t, windowsTransient(fmt.Errorf("wrapped: %w", &os.LinkError{Err: errLockViolation})))
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// TestWriteReplacesExisting: Write over an existing file replaces it (the
// case Windows' rename needs MOVEFILE_REPLACE_EXISTING for), in a folder
// whose name has spaces and accents.
func TestWriteReplacesExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Relevés de compte")
	require.NoError(t, os.Mkdir(dir, 0o755))
	p := filepath.Join(dir, "mars 2026.csv")
	require.NoError(t, os.WriteFile(p, []byte("old\r\n"), 0o644))
	require.NoError(t, WriteFile(p, []byte("new\r\n"), 0))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "new\r\n", string(got))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no temporary file left")
}
