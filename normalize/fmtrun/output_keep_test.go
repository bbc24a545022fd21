package fmtrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/spool"
	"github.com/cfonb-dev/cfonb/validate"
)

// TestRefusalKeepsWhatOutputHeld: a refused file (or an I/O
// error) leaves standard output as it was, also when it held bytes that
// fmt did not write: a file in append mode (>>, whose offset is 0 until
// the first write) and a file opened read-write (1<>) that goes on after
// the offset. Both were truncated to offset 0 before ("refused, nothing
// written", and the file emptied).
func TestRefusalKeepsWhatOutputHeld(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("not a bank file at all\r\n"), 0o600))
	good := filepath.Join(dir, "good.txt")
	require.NoError(t, os.WriteFile(good, []byte(strings.Repeat("0", cfonb.RecordLen)+"\r\n"), 0o600))
	const held = "precious line 1\nprecious line 2\n"
	for _, tc := range []struct {
		name string
		open func(string) *os.File
	}{
		{"append", func(name string) *os.File { return openAppend(t, name) }},
		{"read-write from 0", func(name string) *os.File {
			f, err := os.OpenFile(name, os.O_RDWR, 0)
			require.NoError(t, err)
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "out.txt")
			require.NoError(t, os.WriteFile(name, []byte(held), 0o600))
			f := tc.open(name)
			defer func() { _ = f.Close() }()
			cfg := Config{Mode: Stdout, EOL: cfonb.EOLCRLF, Stdout: f, Direct: spool.Direct(f)}
			res := File(context.Background(), &cfg, bad)
			require.NotNil(t, res.Refused)
			b, err := os.ReadFile(name)
			require.NoError(t, err)
			require.Equal(t, held, string(b), "the output's bytes are kept")
		})
	}
}

// TestTwoPassesRecordsHead: a file larger than spool.Memory formatted to a
// pipe (two passes) keeps its first bytes in Result.Head, as a smaller one
// does, so that a refusal names the format they show (an MT940 file was
// refused as "no CFONB120 record code" instead).
func TestTwoPassesRecordsHead(t *testing.T) {
	mt940, err := os.ReadFile(filepath.Join("..", "..", "testdata", "invalid", "format-mt940.txt"))
	require.NoError(t, err)
	data := bytes.Repeat(mt940, spool.Memory/len(mt940)+2)
	require.Greater(t, len(data), spool.Memory)
	path := filepath.Join(t.TempDir(), "big-mt940.txt")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	var out bytes.Buffer
	cfg := Config{Mode: Stdout, EOL: cfonb.EOLCRLF, Stdout: &out}
	res := File(context.Background(), &cfg, path)
	require.NotNil(t, res.Refused)
	require.Equal(t, data[:4096], res.Head)
	require.Equal(t, "MT940 (SWIFT)", validate.DetectFormat(res.Head))
	require.Zero(t, out.Len(), "nothing written")
}
