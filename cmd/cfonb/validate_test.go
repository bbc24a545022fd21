package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliResult is what a command run in-process printed and returned.
type cliResult struct {
	stdout, stderr string
	code           int
}

// cliRun runs cfonb with args in-process, stdin as standard input.
func cliRun(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return cliResult{out.String(), errb.String(), code}
}

const td = "../../testdata/"

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"valid file", []string{"validate", td + "valid/multi-crlf.txt"}, exitOK},
		{"warnings only", []string{"validate", td + "invalid/warnings.txt"}, exitOK},
		{"warnings with --strict", []string{"validate", "--strict", td + "invalid/warnings.txt"}, exitInvalid},
		{"errors", []string{"validate", td + "invalid/balance.txt"}, exitInvalid},
		{"valid and invalid", []string{"validate", td + "valid/multi-lf.txt", td + "invalid/date.txt"}, exitInvalid},
		{"missing path", []string{"validate", td + "no-such-file.txt"}, exitUsage},
		{"no path", []string{"validate"}, exitUsage},
		{"bad format", []string{"validate", "--format", "xml", td + "valid/multi-lf.txt"}, exitUsage},
		{"unknown flag", []string{"validate", "--nope", td + "valid/multi-lf.txt"}, exitUsage},
		{"help", []string{"validate", "--help"}, exitOK},
		{"rules", []string{"validate", "--rules"}, exitOK},
		{"unknown command", []string{"frobnicate"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cliRun(t, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		})
	}
}

func TestValidateText(t *testing.T) {
	r := cliRun(t, "", "validate", td+"invalid/date.txt")
	assert.Equal(t, exitInvalid, r.code)
	want := td + `invalid/date.txt:2:35: error: booking date "300226" is not a calendar date (30 February) [date]
` + td + `invalid/date.txt:2:43: error: value date "310426" is not a calendar date (31 April) [date]
` + td + `invalid/date.txt:3:43: error: value date "0203AB" is not a date JJMMAA (6 digits) [field-format]
` + td + `invalid/date.txt: 4 records, 1 statement: 3 errors, 0 warnings
`
	assert.Equal(t, want, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestValidateJSONShape(t *testing.T) {
	r := cliRun(t, "", "validate", "--format", "json", td+"invalid/balance.txt", td+"valid/multi-lf.txt")
	assert.Equal(t, exitInvalid, r.code)
	want := `{"files":[` +
		`{"path":"` + td + `invalid/balance.txt","records":4,"statements":1,"errors":1,"warnings":0,"diagnostics":[` +
		`{"line":4,"column":91,"severity":"error","rule":"balance","message":"new balance 125.00 does not reconcile: old balance 100.00 (line 1) + 2 movements 15.00 = 115.00 (difference 10.00)"}]},` +
		`{"path":"` + td + `valid/multi-lf.txt","records":22,"statements":5,"errors":0,"warnings":0,"diagnostics":[]}],` +
		`"errors":1,"warnings":0}` + "\n"
	assert.Equal(t, want, r.stdout)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
}

func TestValidateGitHub(t *testing.T) {
	r := cliRun(t, "", "validate", "--format", "github", "--pedantic", td+"invalid/account-mismatch.txt")
	assert.Equal(t, exitInvalid, r.code)
	p := td + "invalid/account-mismatch.txt"
	want := `::error file=` + p + `,line=2,col=22,title=account-mismatch::account number "12345678902" differs from its statement's "12345678901" (line 1)
::warning file=` + p + `,line=3,col=3,title=account-mismatch::bank code "30007" differs from its statement's "30006" (line 1)
::error file=` + p + `,line=4,col=17,title=account-mismatch::currency "USD" differs from its statement's "EUR" (line 1)
` + p + `: 5 records, 1 statement: 2 errors, 1 warning
`
	assert.Equal(t, want, r.stdout)
}

func TestValidateStdin(t *testing.T) {
	data, err := os.ReadFile(td + "invalid/balance.txt")
	require.NoError(t, err)
	r := cliRun(t, string(data), "validate", "-")
	assert.Equal(t, exitInvalid, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "<stdin>:4:91: error: new balance 125.00"), r.stdout)
}

func TestValidateDirectoryIsWalkedInOrder(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	bad, err := os.ReadFile(td + "invalid/balance.txt")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.txt"), valid, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), valid, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "c.txt"), bad, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden.txt"), bad, 0o644))
	r := cliRun(t, "", "validate", "--jobs", "3", dir)
	assert.Equal(t, exitInvalid, r.code)
	want := dir + "/a.txt: 22 records, 5 statements: 0 errors, 0 warnings\n" +
		dir + "/b.txt: 22 records, 5 statements: 0 errors, 0 warnings\n" +
		dir + "/sub/c.txt:4:91: error: new balance 125.00 does not reconcile: old balance 100.00 (line 1) + 2 movements 15.00 = 115.00 (difference 10.00) [balance]\n" +
		dir + "/sub/c.txt: 4 records, 1 statement: 1 error, 0 warnings\n" +
		"3 files: 1 error, 0 warnings\n"
	assert.Equal(t, want, r.stdout)
}

func TestValidateMaxErrors(t *testing.T) {
	r := cliRun(t, "", "validate", "--max-errors", "2", td+"invalid/sequence.txt")
	assert.Equal(t, exitInvalid, r.code)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, td+"invalid/sequence.txt: 7 records, 2 statements: 6 errors, 0 warnings (4 not shown: see --max-errors)", lines[2])
}

func TestValidateMissingPathNamesIt(t *testing.T) {
	r := cliRun(t, "", "validate", "nope/missing.txt")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: nope/missing.txt: no such file or directory\n", r.stderr)
	assert.Empty(t, r.stdout)
}

func TestInspect(t *testing.T) {
	r := cliRun(t, "", "inspect", td+"valid/multi-lf.txt")
	assert.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{
		"Accounts (4)",
		"30006  00001   12345678901  FR7630006000011234567890189  EUR       2",
		"Statements (5)",
		"1-9  12345678901 EUR  2026-03-02  2026-03-02   1500.00          2   -84.52  12345.67  13761.15         yes",
	} {
		assert.Contains(t, r.stdout, want)
	}
	r = cliRun(t, "", "inspect", td+"invalid/balance.txt")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stdout, "NO")
}

func TestValidateRefusesDevices(t *testing.T) {
	r := cliRun(t, "", "validate", "/dev/zero")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: /dev/zero: is a device, not a file\n", r.stderr)
}
