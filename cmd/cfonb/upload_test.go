package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// upFixture is a sandbox on loopback, three sample files, a state
// directory and the environment of a user with the sandbox's credentials.
type upFixture struct {
	sb      *sandbox.Server
	srv     *httptest.Server
	files   []string
	state   string
	environ map[string]string
}

func newUpFixture(t *testing.T) *upFixture {
	t.Helper()
	return newUpFixtureWith(t, sandbox.Options{})
}

// newUpFixtureWith is newUpFixture with a sandbox configured by so.
func newUpFixtureWith(t *testing.T, so sandbox.Options) *upFixture {
	t.Helper()
	f := &upFixture{sb: sandbox.New(so), state: filepath.Join(t.TempDir(), "state")}
	f.srv = httptest.NewServer(f.sb)
	t.Cleanup(f.srv.Close)
	var err error
	f.files, err = sandbox.WriteSamples(t.TempDir())
	require.NoError(t, err)
	u, p, id, s := f.sb.Credentials()
	f.environ = map[string]string{"INQOM_USERNAME": u, "INQOM_PASSWORD": p, "INQOM_CLIENT_ID": id, "INQOM_CLIENT_SECRET": s, "HOME": t.TempDir()}
	return f
}

type upResult struct {
	code           int
	stdout, stderr string
}

// run runs cfonb in-process with the fixture's environment.
func (f *upFixture) run(t *testing.T, stdin string, terminal bool, args ...string) upResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return f.environ[k] }, stdinIsTerminal: terminal}
	code := run(t.Context(), e, args)
	return upResult{code, out.String(), errb.String()}
}

// upload runs cfonb upload against the sandbox with the fixture's state.
func (f *upFixture) upload(t *testing.T, args ...string) upResult {
	t.Helper()
	base := []string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77", "--state-dir", f.state}
	return f.run(t, "", false, append(base, args...)...)
}

func (f *upFixture) routes() []string {
	var out []string
	for _, r := range f.sb.Requests() {
		out = append(out, string(r.Route))
	}
	return out
}

func TestUploadEndToEnd(t *testing.T) {
	f := newUpFixture(t)
	r := f.upload(t, f.files...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Empty(t, r.stderr)
	assert.Equal(t, ""+
		"registered account FR7030002005500000157845Z02 (30002 00550 0000157845Z EUR) in dossier 77: bank name \"LCL - Le Crédit Lyonnais\", IBAN control on\n"+
		"registered account FR7630004008230001000015611 (30004 00823 00010000156 EUR) in dossier 77: bank name \"BNP Paribas\", IBAN control on\n"+
		"imported "+f.files[0]+" (1 statement) to "+f.srv.URL+", dossier 77: HTTP 200, import id 1\n"+
		"imported "+f.files[1]+" (1 statement) to "+f.srv.URL+", dossier 77: HTTP 200, import id 2\n"+
		"imported "+f.files[2]+" (1 statement) to "+f.srv.URL+", dossier 77: HTTP 200, import id 3\n"+
		"2 accounts registered, 0 already registered; 3 files imported, 0 skipped as already imported\n", r.stdout)
	assert.Equal(t, []string{"token", "accounts", "accounts", "import", "import", "import"}, f.routes())
	for i, im := range f.sb.Imports() {
		want, err := os.ReadFile(f.files[i])
		require.NoError(t, err)
		assert.Equal(t, want, im.Data)
	}

	// Again: nothing is sent, exit 0.
	r = f.upload(t, f.files...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "skip "+f.files[0]+": already imported on ")
	assert.Contains(t, r.stdout, "nothing to send; 0 accounts registered, 2 already registered; 0 files imported, 3 skipped as already imported\n")
	assert.Len(t, f.sb.Requests(), 6)
	assert.Len(t, f.sb.Imports(), 3)

	// The journal lists the three imports, the registry the two accounts.
	j := f.run(t, "", false, "journal", "--state-dir", f.state)
	require.Equal(t, exitOK, j.code, j.stderr)
	lines := strings.Split(strings.TrimSpace(j.stdout), "\n")
	require.Len(t, lines, 4)
	assert.Regexp(t, `^ID +STARTED \(UTC\) +STATUS +PLATFORM +DOSSIER +FILE +SHA256 +STATEMENTS +DETAIL$`, lines[0])
	assert.Regexp(t, `^1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +done +`+regexp.QuoteMeta(f.srv.URL)+` +77 +`+regexp.QuoteMeta(f.files[0])+
		` +[0-9a-f]{12} +FR7030002005500000157845Z02 2026-03-01\.\.2026-03-31 +HTTP 200 "1"$`, lines[1])
	j = f.run(t, "", false, "journal", "--state-dir", f.state, "--accounts")
	require.Equal(t, exitOK, j.code, j.stderr)
	assert.Contains(t, j.stdout, "FR7630004008230001000015611  BNP Paribas")
	j = f.run(t, "", false, "journal", "--state-dir", f.state, "--json", "--env", "prod")
	require.Equal(t, exitOK, j.code, j.stderr)
	assert.Empty(t, j.stdout, "no entry for production")
	j = f.run(t, "", false, "journal", "--state-dir", f.state, "--json", "--api-url", f.srv.URL)
	require.Equal(t, exitOK, j.code, j.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(j.stdout), "\n"), 3)
	assert.Contains(t, j.stdout, `"status":"done"`)
}

func TestUploadInvalidBatchSendsNothing(t *testing.T) {
	f := newUpFixture(t)
	data, err := os.ReadFile(f.files[1])
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "bad.txt")
	require.NoError(t, os.WriteFile(bad, bytes.Replace(data, []byte("0000000013000{"), []byte("0000000013001{"), 1), 0o644))
	r := f.upload(t, f.files[0], bad)
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stdout, bad+":3:")
	assert.Contains(t, r.stdout, "[balance]")
	assert.Contains(t, r.stdout, "1 of 2 files has errors (1 in all): nothing was sent\n")
	assert.Empty(t, f.sb.Requests())
}

func TestUploadUsageErrors(t *testing.T) {
	f := newUpFixture(t)
	base := []string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL, "--state-dir", f.state}
	tests := []struct {
		name    string
		args    []string
		environ map[string]string
		want    string
	}{
		{"no dossier", append(append([]string{}, base...), f.files[0]), nil, "--dossier is required"},
		{"bad dossier", append(append([]string{}, base...), "--dossier", "12a", f.files[0]), nil, `--dossier must be a positive integer, not "12a"`},
		{"no file", append(append([]string{}, base...), "--dossier", "1"), nil, "no FILE given"},
		{"stdin", append(append([]string{}, base...), "--dossier", "1", "-"), nil, "standard input cannot be uploaded"},
		{"missing file", append(append([]string{}, base...), "--dossier", "1", "/nonexistent/x.txt"), nil, "/nonexistent/x.txt: no such file or directory"},
		{"plain http", []string{"upload", "--dossier", "1", "--auth-url", "http://example.com/t", "--api-url", "http://example.com", f.files[0]}, nil, "plain http is refused except towards a loopback address"},
		// Issue 10, defect 2: half a pair of URLs would log in at the real
		// platform; both are refused before anything is read or sent.
		{"api url alone", []string{"upload", "--dossier", "1", "--api-url", f.srv.URL, "--state-dir", f.state, f.files[0]}, nil,
			"cfonb upload: --auth-url (not given) and --api-url (on the command line): give both URLs of one platform, in one place, or --env alone"},
		{"auth url alone", []string{"upload", "--dossier", "1", "--auth-url", f.srv.URL + "/identity/connect/token", "--state-dir", f.state, f.files[0]}, nil,
			"cfonb upload: --auth-url (on the command line) and --api-url (not given): give both URLs of one platform, in one place, or --env alone"},
		{"mixed platforms", []string{"upload", "--dossier", "1", "--auth-url", "https://auth.inqom.com/identity/connect/token", "--api-url", f.srv.URL, "--state-dir", f.state, f.files[0]}, nil,
			"the token URL https://auth.inqom.com/identity/connect/token is Inqom production but the API URL " + f.srv.URL + " is a loopback test server"},
		{"prod and staging", []string{"upload", "--dossier", "1", "--auth-url", "https://auth.inqom.com/identity/connect/token", "--api-url", "https://wa-fred-banking-staging.azurewebsites.net", "--state-dir", f.state, f.files[0]}, nil,
			"is Inqom production but the API URL https://wa-fred-banking-staging.azurewebsites.net is Inqom staging"},
		{"env", []string{"upload", "--dossier", "1", "--env", "dev", f.files[0]}, nil, `unknown environment "dev"`},
		{"unknown flag", []string{"upload", "--password", "x"}, nil, "unknown flag: --password"},
		{"bank name", append(append([]string{}, base...), "--dossier", "1", "--bank-name", "A", "--bank-name", "B", f.files[0]), nil, "--bank-name given twice"},
		{"cache dir", []string{"upload", "--dossier", "1", "--state-dir", "/home/u/.cache/cfonb", f.files[0]}, map[string]string{"HOME": "/home/u"}, "inside the cache directory"},
		{"credentials", append(append([]string{}, base...), "--dossier", "1", f.files[0]), map[string]string{"INQOM_USERNAME": "u"},
			"set INQOM_PASSWORD, INQOM_CLIENT_ID, INQOM_CLIENT_SECRET in the environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := *f
			if tt.environ != nil {
				g.environ = tt.environ
			}
			r := g.run(t, "", false, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Empty(t, f.sb.Requests())
}

func TestUploadHelp(t *testing.T) {
	f := newUpFixture(t)
	for _, cmd := range []string{"upload", "journal", "sandbox"} {
		r := f.run(t, "", false, cmd, "--help")
		assert.Equal(t, exitOK, r.code, cmd)
		assert.Empty(t, r.stderr, cmd)
		assert.Contains(t, r.stdout, "Usage: cfonb "+cmd, cmd)
		assert.Contains(t, r.stdout, "Examples:", cmd)
	}
}

func TestUploadDryRunNeedsNoCredentials(t *testing.T) {
	f := newUpFixture(t)
	f.environ = map[string]string{"HOME": t.TempDir()}
	r := f.upload(t, "--dry-run", f.files[0])
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, ""+
		"would register account FR7030002005500000157845Z02 (30002 00550 0000157845Z EUR) in dossier 77: bank name \"LCL - Le Crédit Lyonnais\", IBAN control on\n"+
		"would import "+f.files[0]+" (1 statement, sha256 "+r.stdout[strings.Index(r.stdout, "sha256 ")+7:strings.Index(r.stdout, "sha256 ")+23]+") to "+f.srv.URL+", dossier 77\n"+
		"dry run: 1 account to register, 1 file to import (0 again), 0 skipped, 0 refused, 0 held back; nothing was sent\n", r.stdout)
	// Issue 10, defect 2: both URLs and the dossier are shown.
	assert.Equal(t, "platform "+f.srv.URL+": token URL "+f.srv.URL+"/identity/connect/token, API URL "+f.srv.URL+"; dossier 77; state "+f.state+"\n", r.stderr)
	assert.Empty(t, f.sb.Requests())
	_, err := os.Stat(f.state)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestUploadLoginRefused(t *testing.T) {
	f := newUpFixture(t)
	f.environ["INQOM_PASSWORD"] = "not-the-password"
	r := f.upload(t, f.files[0])
	// Issue 10, defect 9: a refused login is the user's to fix: exit 2.
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "login refused by "+f.srv.URL+"/identity/connect/token: invalid_grant (HTTP 400): check INQOM_USERNAME and INQOM_PASSWORD\n"+
		"nothing was registered or imported\n", r.stdout)
	assert.Contains(t, r.stderr, "cfonb upload: setup problem: login refused")
	assert.Equal(t, []string{"token"}, f.routes())
	assert.NotContains(t, r.stdout+r.stderr, "not-the-password")
}

func TestUploadUnknownOutcomeThenMarkDone(t *testing.T) {
	f := newUpFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: http.StatusBadGateway, Process: true}, 1)
	r := f.upload(t, f.files[0], f.files[1])
	require.Equal(t, exitNetwork, r.code, r.stdout)
	assert.Contains(t, r.stdout, f.files[0]+": OUTCOME UNKNOWN: HTTP 502: \"Bad Gateway\"\n")
	assert.Contains(t, r.stdout, "  if they are there: cfonb journal --mark-done --dossier 77 --state-dir "+f.state+" --api-url "+f.srv.URL+" "+f.files[0]+"\n")
	assert.Contains(t, r.stdout, "  if they are not:   re-run cfonb upload with --retry-unknown\n")
	assert.Contains(t, r.stdout, "imported "+f.files[1]+" (1 statement)")
	assert.Len(t, f.sb.Imports(), 2, "processed once, never resent; the other file goes on")

	// The next run does not resend it.
	r = f.upload(t, f.files[0])
	assert.Equal(t, exitNetwork, r.code)
	assert.Contains(t, r.stdout, "not importing "+f.files[0]+": its import on ")
	assert.Contains(t, r.stdout, "(as "+f.files[0]+", dossier 77) has an unknown outcome\n")
	assert.Len(t, f.sb.Imports(), 2)

	j := f.run(t, "", false, "journal", "--state-dir", f.state)
	assert.Regexp(t, `unknown +`+regexp.QuoteMeta(f.srv.URL), j.stdout)

	// The user finds it in Inqom and records it.
	m := f.run(t, "", false, "journal", "--state-dir", f.state, "--mark-done", "--api-url", f.srv.URL, f.files[0])
	require.Equal(t, exitOK, m.code, m.stderr)
	assert.Regexp(t, `^recorded `+regexp.QuoteMeta(f.files[0])+` \(sha256 [0-9a-f]{16}\) as imported to `+regexp.QuoteMeta(f.srv.URL)+`: journal entry 3\n$`, m.stdout)
	r = f.upload(t, f.files[0], f.files[1])
	require.Equal(t, exitOK, r.code, r.stdout)
	assert.Contains(t, r.stdout, "skip "+f.files[0]+": already imported on ")
	assert.Len(t, f.sb.Imports(), 2)
}

func TestUploadVerboseHasNoSecrets(t *testing.T) {
	f := newUpFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, ExpireToken: true}, 1)
	r := f.upload(t, "-v", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, `password="[redacted]"`)
	assert.Contains(t, r.stderr, "Authorization: [redacted]")
	assert.Regexp(t, `http \d\d:\d\d:\d\d\.\d{3} POST `+regexp.QuoteMeta(f.srv.URL)+`/api/app/banking/ebics/accounts/import -> 200 OK in \S+ Authorization: \[redacted\]`, r.stderr)
	everything := r.stdout + r.stderr
	var db string
	for _, name := range []string{"journal.sqlite", "journal.sqlite-wal"} {
		if b, err := os.ReadFile(filepath.Join(f.state, name)); err == nil {
			db += string(b)
		}
	}
	require.True(t, strings.Contains(db, f.files[0]), "the journal is read")
	everything += db
	secrets := []string{sandbox.DefaultPassword, sandbox.DefaultClientSecret}
	for _, req := range f.sb.Requests() {
		if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, tok)
		}
	}
	require.Len(t, secrets, 5)
	for _, s := range secrets {
		assert.NotContains(t, everything, s)
	}
}

func TestUploadPasswordPrompt(t *testing.T) {
	f := newUpFixture(t)
	delete(f.environ, "INQOM_PASSWORD")
	r := f.run(t, sandbox.DefaultPassword+"\n", true, "upload", "--auth-url", f.srv.URL+"/identity/connect/token",
		"--api-url", f.srv.URL, "--dossier", "77", "--state-dir", f.state, f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, "Inqom password for "+sandbox.DefaultUsername+": \n", r.stderr)
	assert.NotContains(t, r.stdout, sandbox.DefaultPassword)
	assert.Len(t, f.sb.Imports(), 1)

	// No prompt when the batch is invalid: validation comes first.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("hello\n"), 0o644))
	r = f.run(t, "", true, "upload", "--api-url", f.srv.URL, "--auth-url", f.srv.URL+"/t", "--dossier", "77", "--state-dir", f.state, bad)
	assert.Equal(t, exitInvalid, r.code)
	assert.NotContains(t, r.stderr, "password for")
}

func TestUploadDefaultStateDir(t *testing.T) {
	f := newUpFixture(t)
	xdg := t.TempDir()
	f.environ["XDG_STATE_HOME"] = xdg
	r := f.run(t, "", false, "upload", "--auth-url", f.srv.URL+"/identity/connect/token", "--api-url", f.srv.URL, "--dossier", "77", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	_, err := os.Stat(filepath.Join(xdg, "cfonb", "journal.sqlite"))
	assert.NoError(t, err)
	j := f.run(t, "", false, "journal")
	assert.Equal(t, exitOK, j.code)
	assert.Contains(t, j.stdout, f.files[0])
}

func TestJournalWithoutState(t *testing.T) {
	f := newUpFixture(t)
	r := f.run(t, "", false, "journal", "--state-dir", filepath.Join(t.TempDir(), "none"))
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stderr, "nothing was uploaded from here yet")
	r = f.run(t, "", false, "journal", "--state-dir", f.state, "extra")
	assert.Equal(t, exitUsage, r.code)
	r = f.run(t, "", false, "journal", "--state-dir", f.state, "--mark-done", "--env", "staging")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--mark-done needs FILEs")
}

func TestJournalMarkDoneNeedsThePlatform(t *testing.T) {
	// Marking a file imported on a platform it never reached would make
	// every later upload there skip it: the platform is never implied.
	f := newUpFixture(t)
	r := f.run(t, "", false, "journal", "--state-dir", f.state, "--mark-done", f.files[0])
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb journal: --mark-done needs the platform: give --env prod, --env staging or --api-url URL (see cfonb journal --help)\n", r.stderr)
	assert.Empty(t, r.stdout)
	_, err := os.Stat(f.state)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing recorded")

	r = f.run(t, "", false, "journal", "--state-dir", f.state, "--mark-done", "--env", "prod", f.files[0])
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, " as imported to https://wa-fred-banking-prod.azurewebsites.net: journal entry 1\n")
}

func TestUploadEmptyPasswordSendsNothing(t *testing.T) {
	f := newUpFixture(t)
	delete(f.environ, "INQOM_PASSWORD")
	for _, typed := range []string{"\n", ""} {
		r := f.run(t, typed, true, "upload", "--auth-url", f.srv.URL+"/identity/connect/token",
			"--api-url", f.srv.URL, "--dossier", "77", "--state-dir", f.state, f.files[0])
		assert.Equal(t, exitUsage, r.code, r.stdout+r.stderr)
		assert.Equal(t, "login failed: "+f.srv.URL+"/identity/connect/token: no credentials: no password given (set INQOM_PASSWORD, or type it at the prompt)\n"+
			"nothing was registered or imported\n", r.stdout)
		assert.Equal(t, "Inqom password for "+sandbox.DefaultUsername+": \n"+
			"cfonb upload: setup problem: login failed: "+f.srv.URL+"/identity/connect/token: no credentials: no password given (set INQOM_PASSWORD, or type it at the prompt)\n", r.stderr)
	}
	assert.Empty(t, f.sb.Requests(), "no login attempt with an empty password")
}

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSandboxCommand(t *testing.T) {
	var out, errb lockedBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"sandbox", "--addr", "127.0.0.1:0", "--fault", "token=503,retry-after=0"})
	}()
	re := regexp.MustCompile(`API URL: +(http://127\.0\.0\.1:\d+)\n`)
	var base string
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 5*time.Millisecond)
	assert.Contains(t, out.String(), "export INQOM_USERNAME="+sandbox.DefaultUsername+" INQOM_PASSWORD="+sandbox.DefaultPassword+"\n")
	assert.Contains(t, out.String(), "token URL:  "+base+"/identity/connect/token\n")

	// The whole pipeline against the command's sandbox.
	files, err := sandbox.WriteSamples(t.TempDir())
	require.NoError(t, err)
	u, p, id, s := sandbox.DefaultUsername, sandbox.DefaultPassword, sandbox.DefaultClientID, sandbox.DefaultClientSecret
	environ := map[string]string{"INQOM_USERNAME": u, "INQOM_PASSWORD": p, "INQOM_CLIENT_ID": id, "INQOM_CLIENT_SECRET": s}
	var uout, uerr bytes.Buffer
	ue := &env{stdin: strings.NewReader(""), stdout: &uout, stderr: &uerr, getenv: func(k string) string { return environ[k] }}
	code := run(t.Context(), ue, []string{"upload", "--auth-url", base + "/identity/connect/token", "--api-url", base,
		"--dossier", "1", "--state-dir", t.TempDir(), files[0]})
	require.Equal(t, exitOK, code, uout.String()+uerr.String())
	assert.Contains(t, uerr.String(), "login at "+base+"/identity/connect/token: HTTP 503; retrying in 0s (attempt 2 of 5)\n", "retries are told on standard error")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
	assert.Contains(t, errb.String(), "sandbox: POST /identity/connect/token -> 503\n")
	assert.Contains(t, errb.String(), "sandbox: POST /api/app/banking/ebics/accounts/import -> 200\n")
	assert.Contains(t, errb.String(), "cfonb sandbox: stopped\n")
}

func TestSandboxCommandErrors(t *testing.T) {
	f := newUpFixture(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sandbox", "--addr", "0.0.0.0:0"}, "only a loopback address is allowed"},
		{[]string{"sandbox", "--fault", "import=teapot"}, "what must be an HTTP status"},
		{[]string{"sandbox", "--token-lifetime", "10s"}, "--token-lifetime must be at least 1m"},
		{[]string{"sandbox", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		r := f.run(t, "", false, tt.args...)
		assert.Equal(t, exitUsage, r.code, tt.args)
		assert.Contains(t, r.stderr, tt.want, tt.args)
	}
	dir := filepath.Join(t.TempDir(), "samples")
	r := f.run(t, "", false, "sandbox", "--write-samples", dir)
	require.Equal(t, exitOK, r.code)
	assert.Equal(t, filepath.Join(dir, "lcl-2026-03.txt")+"\n"+filepath.Join(dir, "bnp-2026-03.txt")+"\n"+filepath.Join(dir, "lcl-2026-04.txt")+"\n", r.stdout)
	v := f.run(t, "", false, "validate", dir)
	assert.Equal(t, exitOK, v.code, v.stdout)
}
