package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInspectBounded (issue 16, item 13): inspect lists at most
// --max-statements statements, says how many more there were, and counts
// them all; any input is read in bounded memory (a line of digits, as
// `yes 0123456789` writes, is a 01 that opens a statement).
func TestInspectBounded(t *testing.T) {
	r := cliRun(t, "", "inspect", "--max-statements", "2", td+"valid/multi-crlf.txt")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nAccounts (1 in the first 2 statements)\n")
	assert.Contains(t, r.stdout, "\nStatements (5)\n")
	assert.Contains(t, r.stdout, "  ... 3 more statements not shown (the first 2 are; --max-statements 0 shows all)\n")
	assert.Equal(t, 2, strings.Count(r.stdout, " EUR  2026-"), "two statement rows:\n%s", r.stdout)

	r = cliRun(t, "", "inspect", "--format", "json", "--max-statements", "2", td+"valid/multi-crlf.txt")
	var doc struct {
		Statements        []json.RawMessage `json:"statements"`
		StatementsOmitted int               `json:"statements_omitted"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Len(t, doc.Statements, 2)
	assert.Equal(t, 3, doc.StatementsOmitted)

	// 5,000 statements of garbage from standard input: 1,000 listed.
	r = cliRun(t, strings.Repeat("0123456789\n", 5000), "inspect", "-")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stdout, "  ... 4000 more statements not shown (the first 1000 are; --max-statements 0 shows all)\n")
	assert.Contains(t, r.stdout, "<stdin>: 5000 records, 5000 statements: ")

	r = cliRun(t, "", "inspect", "--max-statements", "-1", td+"valid/multi-crlf.txt")
	assert.Equal(t, exitUsage, r.code)
}

// TestInspectOneStatement: the counts of the first line agree with their
// numbers ("1 statement", not "1 statements").
func TestInspectOneStatement(t *testing.T) {
	r := cliRun(t, "", "inspect", td+"invalid/balance.txt")
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	first, _, _ := strings.Cut(r.stdout, "\n")
	assert.Equal(t, td+"invalid/balance.txt: 4 records, 1 statement, lines framing", first)

	r = cliRun(t, "", "inspect", "--max-statements", "4", td+"valid/multi-crlf.txt")
	assert.Contains(t, r.stdout, "  ... 1 more statement not shown (the first 4 are; --max-statements 0 shows all)\n")
}

// TestInspectWriteError: a failed write of the text report (a full disk, a
// closed pipe) is an I/O error, exit status 2, said on standard error, not
// a silently truncated report with status 0.
func TestInspectWriteError(t *testing.T) {
	var errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, []string{"inspect", td + "valid/multi-crlf.txt"})
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "cfonb inspect: writing the output: broken pipe\n", errb.String())
}

// TestStickyWriter: the first error is kept and nothing is written after it.
func TestStickyWriter(t *testing.T) {
	var b strings.Builder
	w := &stickyWriter{w: &b}
	_, err := w.Write([]byte("one\n"))
	require.NoError(t, err)
	w.fail(nil)
	require.NoError(t, w.err)
	w.fail(errors.New("first"))
	w.fail(errors.New("second"))
	n, err := w.Write([]byte("two\n"))
	assert.Equal(t, 0, n)
	assert.EqualError(t, err, "first")
	assert.Equal(t, "one\n", b.String())
}

// TestStdoutWriteError: every command whose output is its result fails
// with exit status 2 when standard output cannot be written, instead of
// exiting 0 with nothing or half of it written.
func TestStdoutWriteError(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "cfonb version: writing the output: broken pipe\n"},
		{[]string{"validate", "--rules"}, "cfonb validate: writing the output: broken pipe\n"},
		{[]string{"config"}, "cfonb config: writing the output: broken pipe\n"},
		{[]string{"sandbox", "--write-samples", "DIR"}, "cfonb sandbox: writing the output: broken pipe\n"},
		{[]string{"fmt", "-l", "FILE"}, "cfonb fmt: FILE: writing to standard output: broken pipe\n"},
		{[]string{"fmt", "-d", "FILE"}, "cfonb fmt: FILE: writing to standard output: broken pipe\n"},
	}
	file, err := filepath.Abs(fmtTD + "cp1252-crlf.txt") // to be reformatted
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := slices.Clone(tt.args)
			if i := slices.Index(args, "DIR"); i >= 0 {
				args[i] = t.TempDir()
			}
			if i := slices.Index(args, "FILE"); i >= 0 {
				args[i] = file
			}
			want := strings.ReplaceAll(tt.want, "FILE", file)
			var errb strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &errb, getenv: func(string) string { return "" }}
			t.Chdir(t.TempDir()) // no .cfonb.toml
			code := run(context.Background(), e, args)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errb.String(), want)
		})
	}
}
