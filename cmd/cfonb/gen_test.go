package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

// genRun runs "cfonb gen args..." in-process.
func genRun(t *testing.T, args ...string) (stdout []byte, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), e, append([]string{"gen"}, args...))
	return out.Bytes(), errb.String(), code
}

// generated is what gen.Write writes for opts.
func generated(t *testing.T, opts gen.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, opts)
	require.NoError(t, err)
	return buf.Bytes()
}

func TestGenStdout(t *testing.T) {
	tests := []struct {
		args []string
		opts gen.Options
	}{
		{[]string{"--size", "10KiB", "-q"}, gen.Options{Seed: 1, Size: 10 << 10, EOL: cfonb.EOLCRLF}},
		{[]string{"--seed", "7", "--size", "20kb", "--eol", "lf", "--accounts", "2", "-q"},
			gen.Options{Seed: 7, Size: 20_000, EOL: cfonb.EOLLF, Accounts: 2}},
		{[]string{"--seed=-3", "--size=8K", "--eol=none", "--latin1", "--quiet"},
			gen.Options{Seed: -3, Size: 8 << 10, EOL: cfonb.EOLNone, Latin1: true}},
		{[]string{"--size", "16KiB", "--errors", "0.1", "--start", "2026-03-02", "-q"},
			gen.Options{Seed: 1, Size: 16 << 10, EOL: cfonb.EOLCRLF, ErrorRate: 0.1, Start: cfonb.NewDate(2026, 3, 2)}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, stderr, code := genRun(t, tt.args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stderr)
			assert.Equal(t, generated(t, tt.opts), out)
		})
	}
}

func TestGenOutputFileAndBreaks(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "broken.txt")
	breaks := filepath.Join(dir, "breaks.jsonl")
	stdout, stderr, code := genRun(t, "--seed", "5", "--size", "64KiB", "--errors", "0.02", "-o", out, "--breaks", breaks)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)

	var want []gen.Break
	wantData := generated(t, gen.Options{Seed: 5, Size: 64 << 10, EOL: cfonb.EOLCRLF, ErrorRate: 0.02,
		OnBreak: func(b gen.Break) { want = append(want, b) }})
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, wantData, data)
	assert.Regexp(t, `^cfonb gen: \d+ bytes \(\d+(\.\d)? KiB\), \d+ records, \d+ statements, 3 accounts, `+
		`\d+ broken, to .*broken\.txt in \d+\.\d\ds\n$`, stderr)
	assert.Contains(t, stderr, " 65", "byte count")

	lines, err := os.ReadFile(breaks)
	require.NoError(t, err)
	got := strings.Split(strings.TrimSuffix(string(lines), "\n"), "\n")
	require.Len(t, got, len(want))
	require.NotEmpty(t, want)
	for i, b := range want {
		var j breakJSON
		require.NoError(t, json.Unmarshal([]byte(got[i]), &j))
		assert.Equal(t, breakJSON{Line: b.Line, Offset: b.Offset, Kind: b.Kind.String(), Code: b.Code.String(),
			Field: b.Field.String(), Column: b.Column}, j)
	}
	// The first line, byte for byte.
	b := want[0]
	assert.Equal(t, `{"line":`+strconv.Itoa(b.Line)+`,"offset":`+strconv.Itoa(int(b.Offset))+`,"kind":"`+b.Kind.String()+
		`","code":"`+b.Code.String()+`","field":"`+b.Field.String()+`","column":`+strconv.Itoa(b.Column)+`}`, got[0])

	// No temporary file is left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}

func TestGenUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"--size", "0"}, `cfonb gen: --size: size "0": must be between 1 byte and 1 PiB (see cfonb gen --help)`},
		{[]string{"--size", "12XB"}, `cfonb gen: --size: size "12XB": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB (see cfonb gen --help)`},
		{[]string{"--errors", "2"}, `cfonb gen: --errors must be between 0 and 1, not 2 (see cfonb gen --help)`},
		{[]string{"--errors", "NaN"}, `cfonb gen: --errors must be between 0 and 1, not NaN (see cfonb gen --help)`},
		{[]string{"--accounts", "-1"}, `cfonb gen: --accounts must be between 0 (automatic) and 100000, not -1 (see cfonb gen --help)`},
		{[]string{"--accounts", "100001"}, `cfonb gen: --accounts must be between 0 (automatic) and 100000, not 100001 (see cfonb gen --help)`},
		{[]string{"--eol", "cr"}, `cfonb gen: --eol must be crlf, lf or none, not "cr" (see cfonb gen --help)`},
		{[]string{"--start", "2026-02-30"}, `cfonb gen: --start must be a date YYYY-MM-DD from 2000 to 2059, not "2026-02-30" (see cfonb gen --help)`},
		{[]string{"--start", "2070-01-01"}, `cfonb gen: --start must be a date YYYY-MM-DD from 2000 to 2059, not "2070-01-01" (see cfonb gen --help)`},
		{[]string{"file.txt"}, `cfonb gen: unexpected argument "file.txt" (the output goes to standard output or -o FILE) (see cfonb gen --help)`},
		{[]string{"--nope"}, `cfonb gen: unknown flag: --nope (see cfonb gen --help)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, stderr, code := genRun(t, tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.msg+"\n", stderr)
		})
	}
}

func TestGenHelp(t *testing.T) {
	out, stderr, code := genRun(t, "--help")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(string(out), "Usage: cfonb gen "), string(out))
	assert.Contains(t, string(out), "cfonb gen --seed 1 --size 10MiB -o statements.txt")
	assert.Contains(t, string(out), "--errors float")
}

func TestGenUnwritableOutput(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := genRun(t, "--size", "4KiB", "-o", filepath.Join(dir, "missing", "x.txt"))
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.True(t, strings.HasPrefix(stderr, "cfonb gen: atomicfile: "), stderr)
	assert.Contains(t, stderr, "no such file or directory")

	// A broken --breaks path leaves no output file either.
	target := filepath.Join(dir, "x.txt")
	_, stderr, code = genRun(t, "--size", "4KiB", "-o", target, "--breaks", filepath.Join(dir, "missing", "b.jsonl"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no such file or directory")
	assert.NoFileExists(t, target)
}

func TestGenCancelled(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "x.txt")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(ctx, e, []string{"gen", "--size", "1GiB", "-o", target})
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb gen: context canceled\n", errb.String())
	assert.NoFileExists(t, target, "an interrupted run leaves no partial file")
}
