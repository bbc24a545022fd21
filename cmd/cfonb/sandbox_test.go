package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestSandboxBannerWriteError: a sandbox whose banner (its URLs and test
// credentials) cannot be written to standard output is not started: it
// says so and exits with status 2 at once, instead of serving requests
// nobody was told how to make.
func TestSandboxBannerWriteError(t *testing.T) {
	// The old behaviour served until stopped: the deadline stops it.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	var errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(ctx, e, []string{"sandbox", "--addr", "127.0.0.1:0", "-q"})
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb sandbox: writing the output: broken pipe: the sandbox was not started\n", errb.String())
	assert.NoError(t, ctx.Err(), "it served until the deadline")
}
