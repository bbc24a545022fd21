package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fullWriter fails every write as /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestHelpToAFullDisk: cfonb --help > /dev/full (and cfonb validate
// --help, --version) exited 0: cobra's help ignores the write's error. It
// is now an I/O error (exit 2), said on standard error (found by a review).
func TestHelpToAFullDisk(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"validate", "--help"}, {"help", "validate"}, {"journal", "-h"}, {"--version"}, {"completion", "bash"}, {"completion", "zsh"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var errb bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: fullWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
			code := run(t.Context(), e, args)
			assert.Equal(t, exitUsage, code)
			assert.Equal(t, "cfonb: writing to standard output: no space left on device\n", errb.String())
		})
	}
	// Written, it is still a success.
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	assert.Equal(t, exitOK, run(t.Context(), e, []string{"validate", "--help"}))
	assert.True(t, strings.HasPrefix(out.String(), "Usage: cfonb validate "), out.String())
	assert.Empty(t, errb.String())
}
