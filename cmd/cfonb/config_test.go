package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inConfigDir writes .cfonb.toml with text in a new directory, and makes
// a subdirectory of it the current directory (the file is found in the
// nearest parent). It returns the file's path.
func inConfigDir(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, ".cfonb.toml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	sub := filepath.Join(dir, "statements")
	require.NoError(t, os.Mkdir(sub, 0o755))
	t.Chdir(sub)
	return p
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

// TestConfigFile (issue 12): .cfonb.toml in a parent directory sets the
// flags; the command line overrides it.
func TestConfigFile(t *testing.T) {
	balance := abs(t, td+"invalid/balance.txt")
	inConfigDir(t, "[validate]\nignore = [\"balance\"]\nformat = \"github\"\n")
	r := cliRun(t, "", "validate", balance)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, balance+": 4 records, 1 statement: 0 errors, 0 warnings\n", r.stdout)

	r = cliRun(t, "", "validate", "--ignore", "date", balance)
	assert.Equal(t, exitInvalid, r.code, "the flag replaces the file's list")
	assert.Contains(t, r.stdout, "::error file=")

	r = cliRun(t, "", "validate", "-f", "text", "--select", "statements", "--ignore=", balance)
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stdout, ":4:91: error: new balance 125.00")
}

// TestConfigRefused: an unknown key or a credential is refused with the
// file, line and a suggestion; the command does nothing.
func TestConfigRefused(t *testing.T) {
	good := abs(t, td+"valid/multi-lf.txt")
	p := inConfigDir(t, "[validate]\nstrict = true\nignor = [\"balance\"]\n\n[upload]\npassword = \"hunter2\"\n")
	r := cliRun(t, "", "validate", good)
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "cfonb validate: configuration: "+p+":6:1: upload.password: credentials never go in .cfonb.toml")
	assert.Contains(t, r.stderr, p+`:3:1: unknown key "ignor" in [validate] (did you mean "ignore"?)`)
	assert.NotContains(t, r.stderr, "hunter2")

	r = cliRun(t, "", "version")
	assert.Equal(t, exitOK, r.code, "commands the file does not configure do not read it")
	r = cliRun(t, "", "config")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "cfonb config: "+p+":")
}

// TestConfigCommand: cfonb config prints every setting, its value and
// where it came from, as a valid .cfonb.toml.
func TestConfigCommand(t *testing.T) {
	p := inConfigDir(t, "[validate]\nstrict = true\nexclude = [\"archive\", \"old\"]\n\n[export]\nformat = \"csv\"\ncsv-sep = \";\"\n")
	r := cliRun(t, "", "config")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "# configuration file: "+p+"\n")
	assert.Regexp(t, `(?m)^strict = true +# `+p+`:2$`, r.stdout)
	assert.Regexp(t, `(?m)^exclude = \["archive", "old"\] +# `+p+`:3$`, r.stdout)
	assert.Regexp(t, `(?m)^max-errors = 1000 +# default$`, r.stdout)
	assert.Regexp(t, `(?m)^format = "csv" +# `+p+`:6$`, r.stdout)
	assert.Regexp(t, `(?m)^csv-sep = ";" +# `+p+`:7$`, r.stdout)
	assert.Regexp(t, `(?m)^\[upload\]$`, r.stdout)
	assert.NotContains(t, r.stdout, "password")

	r = cliRun(t, "", "config", "export")
	assert.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stdout, "[validate]")
	r = cliRun(t, "", "config", "gen")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb config: no settings for \"gen\": the file configures export, fmt, upload, validate (see cfonb config --help)\n", r.stderr)

	// The output is a file cfonb accepts, with the same settings.
	out := filepath.Join(t.TempDir(), ".cfonb.toml")
	require.NoError(t, os.WriteFile(out, []byte(r.stdout), 0o644))
	r2 := cliRunEnv(t, map[string]string{"CFONB_CONFIG": out}, "config", "export")
	assert.Equal(t, exitOK, r2.code, r2.stderr)
}

// TestSelectIgnoreFlags: unknown rule names are usage errors with a
// suggestion.
func TestSelectIgnoreFlags(t *testing.T) {
	r := cliRun(t, "", "validate", "--ignore", "balnce", td+"valid/multi-lf.txt")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: --ignore: unknown rule or rule family \"balnce\" (did you mean balance?) (cfonb validate --rules lists them) (see cfonb validate --help)\n", r.stderr)
	r = cliRun(t, "", "validate", "--ignore", "balance,date", td+"invalid/balance.txt")
	assert.Equal(t, exitOK, r.code)
}

// cliRunEnv is cliRun with environment variables.
func cliRunEnv(t *testing.T, vars map[string]string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(t.Context(), e, args)
	return cliResult{out.String(), errb.String(), code}
}

// TestConfigHidesThePostgresPassword: cfonb config printed the state-dir
// of .cfonb.toml as it is, so a PostgreSQL URL's password ended up in the
// terminal, a CI log or a support ticket, while every other command
// prints it as xxxxx (journal.Redact). Found by a review.
func TestConfigHidesThePostgresPassword(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "cfonb.toml")
	for _, tc := range []struct{ stateDir, want string }{
		{"postgres://cfonb:S3cretPW@db.example/cfonb", `"postgres://cfonb:xxxxx@db.example/cfonb"`},
		{"postgresql://cfonb@db.example/cfonb?password=S3cretPW&sslmode=require", `"postgresql://cfonb@db.example/cfonb?password=xxxxx&sslmode=require"`},
	} {
		require.NoError(t, os.WriteFile(cfg, []byte("[upload]\nstate-dir = \""+tc.stateDir+"\"\n"), 0o600))
		r := cliRunEnv(t, map[string]string{"CFONB_CONFIG": cfg}, "config", "upload")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stderr)
		assert.NotContains(t, r.stdout, "S3cretPW")
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta("state-dir = "+tc.want)+` +# `+regexp.QuoteMeta(cfg)+`:2, password hidden$`, r.stdout)
	}
	// A state directory is printed as it is.
	require.NoError(t, os.WriteFile(cfg, []byte("[upload]\nstate-dir = \"/srv/cfonb\"\n"), 0o600))
	r := cliRunEnv(t, map[string]string{"CFONB_CONFIG": cfg}, "config", "upload")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^state-dir = "/srv/cfonb" +# `+regexp.QuoteMeta(cfg)+`:2$`, r.stdout)
}

// TestConfigShowsCFONBSTATE: with $CFONB_STATE set and no state-dir in
// the file, cfonb config showed `state-dir = "" # default`, while upload
// and journal use $CFONB_STATE. It now shows the journal used and where it
// comes from, a PostgreSQL password hidden; the file's state-dir still
// comes first, as for the commands (found by a review).
func TestConfigShowsCFONBSTATE(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "cfonb.toml")
	require.NoError(t, os.WriteFile(cfg, []byte("[upload]\ndossier = 5\n"), 0o600))
	for _, tc := range []struct{ state, want string }{
		{"", `state-dir = ""                           # default`},
		{"/srv/cfonb-state", `state-dir = "/srv/cfonb-state"           # from $CFONB_STATE`},
		{"postgres://cfonb:S3cretPW@db.example/cfonb", `state-dir = "postgres://cfonb:xxxxx@db.example/cfonb" # from $CFONB_STATE, password hidden`},
	} {
		r := cliRunEnv(t, map[string]string{"CFONB_CONFIG": cfg, "CFONB_STATE": tc.state}, "config", "upload")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stderr)
		assert.Contains(t, r.stdout, "\n"+tc.want+"\n", r.stdout)
		assert.NotContains(t, r.stdout, "S3cretPW")
	}
	// The file's state-dir comes before $CFONB_STATE.
	require.NoError(t, os.WriteFile(cfg, []byte("[upload]\nstate-dir = \"/srv/cfonb\"\n"), 0o600))
	r := cliRunEnv(t, map[string]string{"CFONB_CONFIG": cfg, "CFONB_STATE": "/elsewhere"}, "config", "upload")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^state-dir = "/srv/cfonb" +# `+regexp.QuoteMeta(cfg)+`:2$`, r.stdout)
	assert.NotContains(t, r.stdout, "/elsewhere")
}

// TestJournalUsageShowsDump: cfonb journal --help's usage lines left out
// --dump (found by a review).
func TestJournalUsageShowsDump(t *testing.T) {
	r := cliRunEnv(t, map[string]string{}, "journal", "--help")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\n         cfonb journal --dump [--state-dir DIR] > FILE\n", r.stdout)
}
