// Package ctxio stops reading when a context is done: one reader for every
// command that reads a file which an interrupt must be able to cut short.
package ctxio

import (
	"context"
	"io"
)

type reader struct {
	ctx context.Context
	r   io.Reader
}

// NewReader returns a reader that reads from r until ctx is done, then
// returns ctx's error (checked before each read, so a read already under
// way finishes).
func NewReader(ctx context.Context, r io.Reader) io.Reader {
	return reader{ctx, r}
}

func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
