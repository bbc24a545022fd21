package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/journal/journaltest"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// TestServePreviewReadsTheJournalUploadUses: the web page's upload preview
// (POST /api/upload-preview) read the default state directory whatever
// CFONB_STATE (or state-dir in .cfonb.toml) said, so it decided on another
// journal than cfonb upload with the same environment (found by a review).
// Here the file is recorded as imported in $CFONB_STATE: cfonb upload
// --dry-run says "skip", and so must the preview.
func TestServePreviewReadsTheJournalUploadUses(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	file := td + "valid/multi-crlf.txt"
	r := cliRun(t, "", "journal", "--mark-done", "--env", "prod", "--dossier", "1", "--state-dir", state, file)
	require.Equal(t, exitOK, r.code, r.stderr)
	home := t.TempDir()
	vars := map[string]string{"CFONB_STATE": state, "HOME": home}
	t.Setenv("CFONB_STATE", state)
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", "")

	dry := cliRunEnv(t, vars, "upload", "--dossier", "1", "--dry-run", file)
	require.Contains(t, dry.stdout, "skip ", "cfonb upload reads $CFONB_STATE: %s", dry.stdout)

	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"serve", "--addr", "127.0.0.1:0", "-q"}) }()
	defer func() { cancel(); <-done }()
	re := regexp.MustCompile(`open (http://\S+) \(Ctrl-C to stop\)`)
	url := ""
	for i := 0; i < 100 && url == ""; i++ {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.NotEmpty(t, url, stderr.String())
	resp, err := http.Post(url+"api/upload-preview?dossier=1&env=prod&name=multi-crlf.txt", "text/plain",
		strings.NewReader(string(mustRead(t, file))))
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var res struct {
		Lines    []string `json:"lines"`
		StateDir string   `json:"state_dir"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	t.Logf("preview: %q, state %s", res.Lines, res.StateDir)
	assert.Equal(t, state, res.StateDir, "the journal cfonb upload would read")
	assert.True(t, len(res.Lines) > 0 && strings.HasPrefix(res.Lines[0], "skip "), "the preview must decide as cfonb upload does: %q", res.Lines)
}

// TestPostgresHintNamesTheStateGiven: after an unknown outcome on a
// PostgreSQL journal given with --state on the command line, the recovery
// command printed said --state "$CFONB_STATE", a variable the user never
// set: run as printed, it recorded the mark in the default SQLite journal
// (exit 0), and the PostgreSQL journal still blocked the file (found by a
// review). It now names the URL, without its password; run as printed, it
// unblocks the file.
func TestPostgresHintNamesTheStateGiven(t *testing.T) {
	state := journaltest.PostgresURL(t)
	f := newUpFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: 502, Process: true}, 1)
	args := []string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77", "--state", state, f.files[0]}
	r := f.run(t, "", false, args...)
	require.Equal(t, exitNetwork, r.code, r.stderr)
	_, set := f.environ["CFONB_STATE"]
	require.False(t, set)
	assert.NotContains(t, r.stdout, `"$CFONB_STATE"`, "CFONB_STATE is not set: the command printed must name the journal used")
	_, hint, ok := strings.Cut(r.stdout, "if they are there: ")
	require.True(t, ok, r.stdout)
	hint, _, _ = strings.Cut(hint, "\n")
	words := shellSplit(t, hint)
	require.Equal(t, "cfonb", words[0], hint)
	assert.Contains(t, words, journal.WithoutPassword(state), hint)
	m := f.run(t, "", false, words[1:]...)
	require.Equal(t, exitOK, m.code, "%s\n%s", hint, m.stderr)
	again := f.run(t, "", false, args...)
	assert.Equal(t, exitOK, again.code, again.stderr)
	assert.Contains(t, again.stdout, "skip ", "the mark went to the PostgreSQL journal: %s", again.stdout)
	assert.Len(t, f.sb.Imports(), 1)
}

// shellSplit splits a command line of words, some in single quotes with
// '\” for a quote (words.QuoteFor on a POSIX system).
func shellSplit(t *testing.T, line string) []string {
	t.Helper()
	var out []string
	var w strings.Builder
	in, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			w.WriteByte(c)
		case c == '\'':
			quoted, in = true, true
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			in = true
		case c == ' ':
			if in {
				out = append(out, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteByte(c)
			in = true
		}
	}
	require.False(t, quoted, "an unclosed quote in %q", line)
	if in {
		out = append(out, w.String())
	}
	return out
}
