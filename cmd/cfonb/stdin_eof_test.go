package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ttyReader emulates standard input at a terminal: each part ends with
// one EOF (a Ctrl-D), and a read after it waits for, and gets, what is
// typed next. afterEOF counts the reads made after the first EOF.
type ttyReader struct {
	parts    [][]byte
	eofs     int
	afterEOF int
}

func (r *ttyReader) Read(p []byte) (int, error) {
	if r.eofs > 0 {
		r.afterEOF++
	}
	if len(r.parts) == 0 {
		r.eofs++
		return 0, io.EOF
	}
	if len(r.parts[0]) == 0 {
		r.parts = r.parts[1:]
		r.eofs++
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	return n, nil
}

// TestStdinOneEOF: cfonb validate - at a terminal needed Ctrl-D twice:
// the first bytes were read up to the first EOF to look for another
// format, then standard input was read again, which at a terminal waits
// for a second Ctrl-D (a terminal's EOF is not sticky). Every command that
// reads standard input now stops at its first EOF (found by a review).
func TestStdinOneEOF(t *testing.T) {
	canonical, err := os.ReadFile(fmtTD + "canonical.txt")
	require.NoError(t, err)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"validate", "-"}, exitOK},
		{[]string{"validate", "-f", "json", "-"}, exitOK},
		{[]string{"inspect", "-"}, exitOK},
		{[]string{"fmt", "-"}, exitOK},
		{[]string{"export", "-"}, exitOK},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			in := &ttyReader{parts: [][]byte{append([]byte(nil), canonical...), []byte("typed after the first Ctrl-D\n")}}
			var out, errb bytes.Buffer
			e := &env{stdin: in, stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			code := run(context.Background(), e, tt.args)
			assert.Equal(t, tt.code, code, errb.String())
			assert.Equal(t, 0, in.afterEOF, "reads after the first EOF")
			assert.NotContains(t, out.String()+errb.String(), "typed after")
		})
	}
}
