package ctxio

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewReader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := NewReader(ctx, strings.NewReader("abcdef"))
	p := make([]byte, 3)
	n, err := r.Read(p)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(p[:n]))
	cancel()
	_, err = r.Read(p)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = io.ReadAll(r)
	assert.ErrorIs(t, err, context.Canceled)
}
