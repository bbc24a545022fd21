//go:build !unix

package fmtrun

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// openAppend opens name in append mode.
func openAppend(t *testing.T, name string) *os.File {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	require.NoError(t, err)
	return f
}
