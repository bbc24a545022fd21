package upload

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

func TestBankTable(t *testing.T) {
	m, err := parseBankTable(banksCSV)
	require.NoError(t, err)
	assert.Greater(t, len(m), 50)
	tests := []struct{ code, name string }{
		{"30002", "LCL - Le Crédit Lyonnais"},
		{"30003", "Société Générale"},
		{"30004", "BNP Paribas"},
		{"30006", "Crédit Agricole"},
		{"10278", "Crédit Mutuel"},
		{"20041", "La Banque Postale"},
		{"40618", "BoursoBank (Boursorama)"},
		{"16958", "Qonto"},
	}
	for _, tt := range tests {
		name, ok := BankName(tt.code)
		assert.True(t, ok, tt.code)
		assert.Equal(t, tt.name, name, tt.code)
	}
	_, ok := BankName("99999")
	assert.False(t, ok)
	for code, name := range m {
		assert.NotEmpty(t, strings.TrimSpace(name), code)
	}
}

func TestParseBankTableErrors(t *testing.T) {
	for _, in := range []string{"3000;X", "30002;", "30002 LCL", "30002;A\n30002;B", "3000A;X"} {
		_, err := parseBankTable(in)
		assert.Error(t, err, in)
	}
}

func TestBankNames(t *testing.T) {
	tests := []struct {
		flags   []string
		code    string
		want    string
		wantErr string
	}{
		{nil, "30004", "BNP Paribas", ""},
		{nil, "99999", "", "bank code 99999 is not in cfonb's table of French banks: name the bank with --bank-name NAME or --bank-name 99999=NAME"},
		{[]string{"Banque X"}, "99999", "Banque X", ""},
		{[]string{"Banque X"}, "30004", "BNP Paribas", ""},
		{[]string{"30004=BNP Paribas SA"}, "30004", "BNP Paribas SA", ""},
		{[]string{"99999=Banque Y", "Banque X"}, "99999", "Banque Y", ""},
		{[]string{"99999=Banque Y"}, "88888", "", "bank code 88888 is not in"},
	}
	for _, tt := range tests {
		b, err := ParseBankNames(tt.flags)
		require.NoError(t, err)
		got, err := b.Lookup(tt.code)
		if tt.wantErr != "" {
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	for _, bad := range []struct {
		flags []string
		want  string
	}{
		{[]string{""}, "--bank-name: empty name"},
		{[]string{"30004="}, `--bank-name "30004=": empty name`},
		{[]string{"30004= "}, `--bank-name "30004= ": empty name`},
		{[]string{"A", "B"}, `--bank-name given twice without a bank code ("A" and "B"): use CODE=NAME`},
		// A mistyped code is refused, never sent as a bank name.
		{[]string{"3000=Banque X"}, `--bank-name "3000=Banque X": CODE=NAME needs a five-digit bank code before '=', e.g. 30004=BNP Paribas`},
		{[]string{"300044=Banque X"}, "needs a five-digit bank code"},
		{[]string{"3000A=Banque X"}, "needs a five-digit bank code"},
		{[]string{" 30004=Banque X"}, "needs a five-digit bank code"},
		{[]string{"=Banque X"}, "needs a five-digit bank code"},
		// Latin-1 from a terminal: garbled at the API, refused by PostgreSQL.
		{[]string{"30004=Soci\xe9t\xe9 G\xe9n\xe9rale"}, `--bank-name "30004=Soci\xe9t\xe9 G\xe9n\xe9rale" is not UTF-8 text (is the terminal's character set UTF-8?)`},
	} {
		_, err := ParseBankNames(bad.flags)
		require.Error(t, err, bad.flags)
		assert.Contains(t, err.Error(), bad.want, bad.flags)
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"https://auth.inqom.com/identity/connect/token", ""},
		{"http://127.0.0.1:8642/identity/connect/token", ""},
		{"http://127.1.2.3", ""},
		{"http://localhost:1234", ""},
		{"http://[::1]:80/x", ""},
		{"http://example.com", "plain http is refused except towards a loopback address"},
		{"http://10.0.0.1", "plain http is refused"},
		{"ftp://example.com", `scheme "ftp" is not https`},
		{"https://user:secret@example.com", "credentials in a URL are refused"},
		{"https://example.com/?a=b", "a query is not allowed"},
		{"https://example.com/#x", "a fragment (#...) is not allowed"},
		{"example.com/path", "is not an absolute http(s) URL"},
		{"://", "is not a URL"},
	}
	for _, tt := range tests {
		_, err := CheckURL(tt.url)
		if tt.wantErr == "" {
			assert.NoError(t, err, tt.url)
			continue
		}
		require.Error(t, err, tt.url)
		assert.Contains(t, err.Error(), tt.wantErr, tt.url)
		assert.NotContains(t, err.Error(), "secret")
	}
}

func TestPlatformAndEnv(t *testing.T) {
	// Every spelling of one platform is one name in the journal.
	tests := []struct{ in, want string }{
		{"HTTPS://WA-Fred-Banking-Prod.azurewebsites.net/", ProdAPIURL},
		{"https://wa-fred-banking-prod.azurewebsites.net:443", ProdAPIURL},
		{"https://wa-fred-banking-prod.azurewebsites.net:443/", ProdAPIURL},
		{"https://wa-fred-banking-prod.azurewebsites.net:/", ProdAPIURL},
		{"https://wa-fred-banking-prod.azurewebsites.net:8443", "https://wa-fred-banking-prod.azurewebsites.net:8443"},
		{"https://api.example:80", "https://api.example:80"},
		{"http://127.0.0.1:80/base/", "http://127.0.0.1/base"},
		{"http://[::1]:80", "http://127.0.0.1"},
		{"http://localhost:443", "http://127.0.0.1:443"},
		// Issue 16, item 7: each of these imported the file again.
		{"http://127.0.0.1:8642", "http://127.0.0.1:8642"},
		{"http://localhost:8642", "http://127.0.0.1:8642"},
		{"http://LOCALHOST.:8642/", "http://127.0.0.1:8642"},
		{"http://127.0.0.1:08642", "http://127.0.0.1:8642"},
		{"http://[::ffff:127.0.0.1]:8642", "http://127.0.0.1:8642"},
		{"http://[::1]:8642", "http://127.0.0.1:8642"},
		{"http://127.1.2.3:8642", "http://127.0.0.1:8642"},
		{"http://127.0.0.1:8642/.", "http://127.0.0.1:8642"},
		{"http://127.0.0.1:8642/x/..", "http://127.0.0.1:8642"},
		{"http://127.0.0.1:8642/x/../", "http://127.0.0.1:8642"},
		{"http://127.0.0.1:8642//base//./", "http://127.0.0.1:8642/base"},
		{"https://wa-fred-banking-prod.azurewebsites.net:0443", ProdAPIURL},
		{"https://wa-fred-banking-prod.azurewebsites.net.", ProdAPIURL},
		{"https://WA-FRED-BANKING-PROD.azurewebsites.net.:443/api/..", ProdAPIURL},
		{"https://[2001:DB8::0001]:443", "https://[2001:db8::1]"},
		{"https://[::ffff:192.0.2.1]", "https://192.0.2.1"},
	}
	for _, tt := range tests {
		p, err := Platform(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, p, tt.in)
		assert.Equal(t, tt.want, PlatformID(tt.in), tt.in)
		// Idempotent: an identity is its own identity.
		assert.Equal(t, tt.want, PlatformID(tt.want), tt.in)
	}
	ep, err := EnvEndpoints("staging")
	require.NoError(t, err)
	assert.Equal(t, Endpoints{AuthURL: StagingAuthURL, APIURL: StagingAPIURL}, ep)
	ep, err = EnvEndpoints("prod")
	require.NoError(t, err)
	assert.Equal(t, Endpoints{AuthURL: ProdAuthURL, APIURL: ProdAPIURL}, ep)
	_, err = EnvEndpoints("dev")
	assert.EqualError(t, err, `unknown environment "dev": want prod or staging`)
	c := Credentials{Username: "u@x", Password: "pw-123", ClientID: "cid", ClientSecret: "cs-456"}
	for _, s := range []string{c.String(), c.GoString()} {
		assert.NotContains(t, s, "pw-123")
		assert.NotContains(t, s, "cs-456")
	}
}

func TestClassify(t *testing.T) {
	netErr := errors.New("connection reset")
	tests := []struct {
		kind   callKind
		status int
		err    error
		sent   bool
		want   verdict
	}{
		{kindImport, 200, nil, true, verdictSuccess},
		{kindImport, 201, nil, true, verdictSuccess},
		{kindAccount, 409, nil, true, verdictFinal},
		{kindAccount, 400, nil, true, verdictFinal},
		{kindImport, 400, nil, true, verdictFinal},
		{kindImport, 401, nil, true, verdictReauth},
		{kindAccount, 401, nil, true, verdictReauth},
		{kindToken, 401, nil, true, verdictFinal},
		{kindToken, 400, nil, true, verdictFinal},
		{kindImport, 429, nil, true, verdictRetry},
		{kindImport, 503, nil, true, verdictRetry},
		{kindToken, 503, nil, true, verdictRetry},
		{kindImport, 502, nil, true, verdictUnknown},
		{kindImport, 504, nil, true, verdictUnknown},
		{kindImport, 500, nil, true, verdictUnknown},
		{kindAccount, 502, nil, true, verdictRetry},
		{kindAccount, 504, nil, true, verdictRetry},
		{kindToken, 504, nil, true, verdictRetry},
		{kindAccount, 500, nil, true, verdictFinal},
		{kindImport, 301, nil, true, verdictUnknown},
		{kindImport, 303, nil, true, verdictUnknown},
		{kindImport, 308, nil, true, verdictUnknown},
		{kindAccount, 303, nil, true, verdictFinal},
		{kindToken, 302, nil, true, verdictFinal},
		{kindImport, 0, netErr, false, verdictRetry},
		{kindImport, 0, netErr, true, verdictUnknown},
		{kindAccount, 0, netErr, true, verdictRetry},
		{kindToken, 0, netErr, false, verdictRetry},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, classify(tt.kind, tt.status, tt.err, tt.sent), "%s %d %v sent=%t", tt.kind, tt.status, tt.err, tt.sent)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"12", 12 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Thu, 02 Apr 2026 09:31:00 GMT", time.Minute, true},
		{"Thu, 02 Apr 2026 09:00:00 GMT", 0, true},
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		d, ok := parseRetryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, d, tt.in)
	}
}

func TestRetrierWait(t *testing.T) {
	var slept []time.Duration
	var notes []string
	r := &retrier{
		policy: RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 10 * time.Second, Jitter: 0, MaxRetryAfter: time.Minute},
		sleep:  func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		now:    func() time.Time { return time.Unix(0, 0) },
		notify: func(f string, a ...any) { notes = append(notes, f) },
	}
	b := r.policy.backoff()
	ctx := t.Context()
	require.NoError(t, r.wait(ctx, b, 1, "x", ""))
	require.NoError(t, r.wait(ctx, b, 2, "x", "9"))
	err := r.wait(ctx, b, 3, "x", "")
	require.ErrorIs(t, err, errGiveUp)
	assert.EqualError(t, err, "gave up after retries (3 attempts)")
	assert.Equal(t, []time.Duration{time.Second, 9 * time.Second}, slept)
	assert.Len(t, notes, 2)
	err = r.wait(ctx, r.policy.backoff(), 1, "x", "61")
	require.ErrorIs(t, err, errGiveUp)
	assert.Len(t, slept, 2)

	// Cancelled while waiting.
	r.sleep = sleepContext
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, r.wait(cctx, r.policy.backoff(), 1, "x", ""), context.Canceled)
}

func TestRetryPolicyDefaults(t *testing.T) {
	d := DefaultRetryPolicy()
	assert.Equal(t, RetryPolicy{MaxAttempts: 5, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 30 * time.Second,
		Jitter: 0.5, MaxRetryAfter: 2 * time.Minute}, d)
	tests := []struct {
		name string
		in   RetryPolicy
		want RetryPolicy
	}{
		{"zero", RetryPolicy{}, d},
		// A partial policy never ends up with zero waits or a zero
		// Retry-After bound; a zero jitter stays zero.
		{"attempts only", RetryPolicy{MaxAttempts: 2},
			RetryPolicy{MaxAttempts: 2, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}},
		{"jitter only", RetryPolicy{Jitter: 0.1},
			RetryPolicy{MaxAttempts: 5, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 30 * time.Second, Jitter: 0.1, MaxRetryAfter: 2 * time.Minute}},
		{"negative", RetryPolicy{MaxAttempts: -1, InitialInterval: -time.Second, Multiplier: -2, MaxInterval: -1, Jitter: -1, MaxRetryAfter: -1},
			RetryPolicy{MaxAttempts: 5, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}},
		{"complete", RetryPolicy{MaxAttempts: 1, InitialInterval: 3, Multiplier: 1.5, MaxInterval: 4, Jitter: 0.2, MaxRetryAfter: 5},
			RetryPolicy{MaxAttempts: 1, InitialInterval: 3, Multiplier: 1.5, MaxInterval: 4, Jitter: 0.2, MaxRetryAfter: 5}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.in.orDefault(), tt.name)
	}
	// The defaults cannot be changed by a caller.
	d.MaxAttempts = 99
	assert.Equal(t, 5, DefaultRetryPolicy().MaxAttempts)
}

func TestClientTimeouts(t *testing.T) {
	// Every wait is bounded, even when the caller sets only some of the
	// timeouts.
	creds := func() (Credentials, error) { return Credentials{"u", "p-secret", "c", "s-secret"}, nil }
	ep := Endpoints{AuthURL: "https://auth.example" + TokenPath, APIURL: "https://api.example"}
	tests := []struct {
		name string
		in   Timeouts
		want Timeouts
	}{
		{"zero", Timeouts{}, DefaultTimeouts()},
		{"import only", Timeouts{Import: time.Minute},
			Timeouts{Dial: 15 * time.Second, TLSHandshake: 15 * time.Second, Request: time.Minute, Import: time.Minute, ImportResponse: 5 * time.Minute}},
		{"all", Timeouts{Dial: 1, TLSHandshake: 2, Request: 3, Import: 4, ImportResponse: 5}, Timeouts{Dial: 1, TLSHandshake: 2, Request: 3, Import: 4, ImportResponse: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(t.Context(), ClientConfig{Endpoints: ep, Credentials: creds, Timeouts: tt.in})
			require.NoError(t, err)
			defer c.Close()
			assert.Equal(t, tt.want, c.cfg.Timeouts)
			assert.Equal(t, tt.want.Request, c.api.Timeout)
			assert.Equal(t, tt.want.Import, c.imp.Timeout)
			for name, rt := range map[string]http.RoundTripper{"api": c.api.Transport, "import": c.imp.Transport} {
				tr := rt.(*logTransport).base.(*http.Transport)
				assert.Equal(t, tt.want.TLSHandshake, tr.TLSHandshakeTimeout, name)
				assert.False(t, tr.TLSClientConfig.InsecureSkipVerify, name)
				assert.NotZero(t, tr.ResponseHeaderTimeout, name)
				assert.NotNil(t, tr.DialContext, name)
			}
			imp := c.imp.Transport.(*logTransport).base.(*http.Transport)
			assert.Equal(t, tt.want.ImportResponse, imp.ResponseHeaderTimeout)
			assert.True(t, imp.DisableKeepAlives, "an import on a fresh connection")
			assert.Equal(t, tt.want.Request, c.api.Transport.(*logTransport).base.(*http.Transport).ResponseHeaderTimeout)
		})
	}
}

func TestRedactor(t *testing.T) {
	var r Redactor
	r.Add("hunter22")
	r.Add("ab") // too short to scrub
	r.Add("hunter22")
	var buf bytes.Buffer
	w := r.Writer(&buf)
	n, err := io.WriteString(w, "password hunter22, abc\n")
	require.NoError(t, err)
	assert.Equal(t, 23, n)
	assert.Equal(t, "password [redacted], abc\n", buf.String())
	assert.Equal(t, "x [redacted]", r.String("x hunter22"))
	assert.Equal(t, io.Discard, r.Writer(nil))
}

func TestSanitize(t *testing.T) {
	assert.Equal(t, `{"error": "x"} next`, sanitize("{\"error\":\t\"x\"}\r\n\x00next", 100))
	assert.Equal(t, "abc…", sanitize("abcdef", 3))
	assert.Equal(t, "", sanitize(" \n ", 10))
}

func TestStatePersistsAndLocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	st, err := OpenState(dir, true)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	// A second writer shares the journal (files are claimed one by one).
	other, err := OpenState(dir, true)
	require.NoError(t, err)
	require.NoError(t, other.Close())

	when := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	id, err := st.Begin(Entry{Platform: "p", File: "/f", SHA256: "aa", Status: StatusPending, Started: when,
		Statements: []StatementRecord{{Key: "k1"}}})
	require.NoError(t, err)
	assert.Equal(t, 1, id)
	// Pending is on disk before the import is sent.
	ro, err := OpenState(dir, false)
	require.NoError(t, err)
	assert.Equal(t, StatusPending, ro.Entries("")[0].Status)
	_, err = ro.Begin(Entry{})
	assert.EqualError(t, err, "the state cannot be written: journal: opened read-only")

	require.NoError(t, st.Finish(id, StatusDone, when.Add(time.Second), 200, "ok"))
	require.Error(t, st.Finish(99, StatusDone, when, 200, ""))
	require.NoError(t, st.AddRegistration(AccountRecord{Platform: "p", Dossier: 1, IBAN: "FR76", BankName: "B", HTTPStatus: 200}))
	require.NoError(t, st.AddRegistration(AccountRecord{Platform: "p", Dossier: 1, IBAN: "FR76", BankName: "B", HTTPStatus: 409}))
	require.NoError(t, st.Close())

	st, err = OpenState(dir, true)
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	assert.Equal(t, []Entry{{ID: 1, Platform: "p", File: "/f", SHA256: "aa", Status: StatusDone, Started: when,
		Finished: when.Add(time.Second), HTTPStatus: 200, Detail: "ok", Statements: []StatementRecord{{Key: "k1"}}}}, st.Entries(""))
	assert.Len(t, st.Accounts(), 1)
	// A registration is per (platform, dossier, IBAN).
	assert.NotNil(t, st.Registration(RegistrationKey{Platform: "p", Dossier: 1, IBAN: "FR76"}))
	assert.Nil(t, st.Registration(RegistrationKey{Platform: "p", Dossier: 2, IBAN: "FR76"}))
	assert.Nil(t, st.Registration(RegistrationKey{Platform: "q", Dossier: 1, IBAN: "FR76"}))
	assert.Len(t, st.Registrations("p", "FR76"), 1)
	assert.Empty(t, st.Entries("q"))
	assert.Len(t, st.Entries("p"), 1)

	for _, name := range []string{"journal.sqlite"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
}

func TestStateDamagedIsNotOverwritten(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"truncated", "journal.json", `{"version":1,"entries":[{"id":1,`, "unexpected EOF"},
		{"empty", "journal.json", ``, "EOF"},
		{"unknown field", "journal.json", `{"version":1,"entries":[],"extra":1}`, `unknown field "extra"`},
		// Two documents, or a stray character after one: reading only the
		// first would drop the rest at the next write.
		{"two documents", "journal.json", `{"version":1,"entries":[]} {"version":1,"entries":[{"id":1,"status":"done"}]}`,
			"data after the end of the document"},
		{"trailing brace", "accounts.json", "{\"version\":1,\"accounts\":[]}\n}", "invalid character '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o600))
			_, err := OpenState(dir, true)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "state file "+path+" is damaged (restore it from a backup; it is not overwritten): ")
			assert.Contains(t, err.Error(), tt.want)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.data, string(got))
		})
	}
	// Whitespace after the document is fine (an editor's final newline).
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "journal.json"), []byte("{\"version\":1,\"entries\":[{\"id\":1,\"status\":\"done\"}]}\n\n"), 0o600))
	st, err := OpenState(dir, false)
	require.NoError(t, err)
	assert.Len(t, st.Entries(""), 1)
	_ = st.Close()

	bad := []byte(`{"version":1,"entries":[{"id":1,`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "journal.json"), bad, 0o600))
	_, err = OpenState(dir, true)
	require.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "journal.json"), []byte(`{"version":2,"entries":[]}`), 0o600))
	_, err = OpenState(dir, true)
	assert.EqualError(t, err, "state file "+filepath.Join(dir, "journal.json")+" has version 2; this cfonb reads version 1")
}

func TestStateDirs(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	d, err := DefaultStateDir(env(map[string]string{"XDG_STATE_HOME": "/xdg", "HOME": "/home/u"}))
	require.NoError(t, err)
	assert.Equal(t, "/xdg/cfonb", d)
	d, err = DefaultStateDir(env(map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/u"}))
	require.NoError(t, err)
	assert.Equal(t, "/home/u/.local/state/cfonb", d)
	_, err = DefaultStateDir(env(nil))
	assert.Error(t, err)
	// Issue 10, defect 9: Windows has no HOME nor XDG.
	d, err = defaultStateDir("windows", env(map[string]string{"LocalAppData": `C:\Users\u\AppData\Local`}))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(`C:\Users\u\AppData\Local`, "cfonb"), d)
	d, err = defaultStateDir("windows", env(map[string]string{"USERPROFILE": `C:\Users\u`}))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(`C:\Users\u`, "AppData", "Local", "cfonb"), d)
	_, err = defaultStateDir("windows", env(nil))
	assert.ErrorContains(t, err, "neither LocalAppData nor USERPROFILE is set: give --state-dir")

	e := env(map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/var/cache/u"})
	assert.NoError(t, CheckStateDir("/home/u/.local/state/cfonb", e))
	assert.NoError(t, CheckStateDir("/home/u/.cachet", e))
	assert.ErrorContains(t, CheckStateDir("/home/u/.cache/cfonb", e), "is inside the cache directory /home/u/.cache")
	assert.ErrorContains(t, CheckStateDir("/var/cache/u/cfonb", e), "is inside the cache directory /var/cache/u")

	// macOS's cache directory, and Windows' temporary ones (their names
	// without regard to case). The paths are this system's, so that
	// filepath handles them: what is tested is which directories count.
	assert.NoError(t, checkStateDir("linux", "/home/u/Library/Caches/cfonb", e))
	assert.ErrorContains(t, checkStateDir("darwin", "/home/u/Library/Caches/cfonb", e), "is inside the cache directory /home/u/Library/Caches")
	assert.NoError(t, checkStateDir("darwin", "/home/u/Library/Application Support/cfonb", e))
	w := env(map[string]string{"LocalAppData": "/c/Users/u/AppData/Local", "TEMP": "/c/Windows/Temp"})
	assert.NoError(t, checkStateDir("windows", "/c/Users/u/AppData/Local/cfonb", w))
	assert.ErrorContains(t, checkStateDir("windows", "/c/users/u/appdata/local/temp/cfonb", w), "is inside the cache directory /c/Users/u/AppData/Local/Temp")
	assert.ErrorContains(t, checkStateDir("windows", "/C/WINDOWS/TEMP", w), "is inside the cache directory /c/Windows/Temp")
	assert.NoError(t, checkStateDir("windows", "/c/Windows/Temporary/cfonb", w))
	assert.NoError(t, checkStateDir("linux", "/c/Windows/Temp/cfonb", w))
}

func TestPrepareFile(t *testing.T) {
	dir := t.TempDir()
	data := sampleBytes(t, "\n", lclMarch, bnpMarch)
	p := writeFile(t, dir, "x.txt", data)
	f, err := PrepareFile(p)
	require.NoError(t, err)
	assert.True(t, f.Valid(), "%v", f.Report.Diagnostics)
	assert.Equal(t, sha(data), f.SHA256)
	assert.Equal(t, int64(len(data)), f.Size)
	require.Len(t, f.Statements, 2)
	assert.Equal(t, Statement{Account: cfonb.AccountOf(data), Decimals: 2, From: lclMarch.From, To: lclMarch.To,
		Opening: 1_250_000, Closing: 1_514_010, Line: 1}, f.Statements[0])
	assert.Equal(t, "30002/00550/0000157845Z/EUR/2/2026-03-01/2026-03-31/1250000/1514010", f.Statements[0].Key())
	assert.Equal(t, 5, f.Statements[1].Line)
	assert.Equal(t, "30004 00823 00010000156 EUR 2026-03-01..2026-03-31 -200.00 → 1300.00", f.Statements[1].String())

	_, err = PrepareFile(dir)
	assert.ErrorContains(t, err, "not a regular file")
	_, err = PrepareFile(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestMultipartBody(t *testing.T) {
	dir := t.TempDir()
	data := sampleBytes(t, "\r\n", lclMarch)
	p := writeFile(t, dir, "relevé 03.txt", data)
	snap, err := takeSnapshot(p, sha(data), int64(len(data)))
	require.NoError(t, err)
	defer func() { _ = snap.Close() }()
	var progress []int64
	body, ctype, length, err := multipartBody(filepath.Base(p), snap, func(n int64) { progress = append(progress, n) })
	require.NoError(t, err)
	raw, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, int64(len(raw)), length)
	require.NotEmpty(t, progress)
	assert.Equal(t, int64(len(data)), progress[len(progress)-1])

	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", ctype)
	mr, err := req.MultipartReader()
	require.NoError(t, err)
	part, err := mr.NextPart()
	require.NoError(t, err)
	assert.Equal(t, "file", part.FormName())
	assert.Equal(t, "relevé 03.txt", part.FileName())
	got, err := io.ReadAll(part)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	_, err = mr.NextPart()
	assert.ErrorIs(t, err, io.EOF)
}

// Issue 16, item 9: a file changed since validation is never sent; the
// bytes sent come from a verified private copy.
func TestSnapshotDetectsChange(t *testing.T) {
	dir := t.TempDir()
	data := sampleBytes(t, "\n", lclMarch)
	tests := []struct {
		name    string
		content []byte
	}{
		{"same length, other bytes", bytes.Replace(data, []byte("EUR"), []byte("USD"), 1)},
		{"shorter", data[:len(data)-10]},
		{"longer", append(append([]byte(nil), data...), "0"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, "x.txt", tt.content)
			_, err := takeSnapshot(p, sha(data), int64(len(data)))
			assert.ErrorIs(t, err, errFileChanged)
		})
	}
}

func TestTLSCertificatesAreVerified(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler must not be reached with an untrusted certificate")
	}))
	defer srv.Close()
	var slept int
	c, err := NewClient(t.Context(), ClientConfig{
		Endpoints:   Endpoints{AuthURL: srv.URL + TokenPath, APIURL: srv.URL},
		Credentials: func() (Credentials, error) { return Credentials{"u", "p-secret", "c", "s-secret"}, nil },
		Sleep:       func(context.Context, time.Duration) error { slept++; return nil },
	})
	require.NoError(t, err)
	defer c.Close()
	err = c.Login(t.Context())
	var le *LoginError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, le.Error(), "certificate")
	assert.Zero(t, slept, "a certificate error is not retried")
}

func TestLogTransport(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Header().Set("X-Request-Id", "req-42")
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	var lines []string
	clock := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	lt := &logTransport{base: http.DefaultTransport, log: func(s string) { lines = append(lines, s) }, now: func() time.Time { return clock }, ua: "cfonb/v1.2.3"}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/t", strings.NewReader("username=u&password=p1&client_secret=s1&scope=openid+apidata"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer tok-123")
	resp, err := lt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Len(t, lines, 1)
	assert.Equal(t, `http 09:30:00.000 POST `+srv.URL+`/t -> 201 Created in 0s Authorization: [redacted] form: client_secret="[redacted]" password="[redacted]" scope="openid apidata" username="u" x-request-id=req-42`, lines[0])
	// Issue 10, defect 9: a User-Agent, and the server's request id with -v
	// (its text on one line, cut).
	assert.Equal(t, "cfonb/v1.2.3", ua)
	assert.Equal(t, "Bearer tok-123", req.Header.Get("Authorization"), "the caller's request is not changed")
}

func TestDeriveIBAN(t *testing.T) {
	a := cfonb.Account{}
	copy(a.Bank[:], "30004")
	copy(a.Branch[:], "00823")
	copy(a.Number[:], "00010000156")
	got, err := DeriveIBAN(a)
	require.NoError(t, err)
	assert.Equal(t, "FR7630004008230001000015611", got)
	copy(a.Bank[:], "3000A")
	_, err = DeriveIBAN(a)
	assert.ErrorContains(t, err, "no IBAN can be derived")
}

func TestMarkDone(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.txt", sampleBytes(t, "\n", lclMarch))
	f, err := PrepareFile(p)
	require.NoError(t, err)
	st, err := OpenState(filepath.Join(dir, "state"), true)
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	now := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	id, err := MarkDone(st, "https://x", 0, f, now)
	require.NoError(t, err)
	assert.Equal(t, 1, id)
	e := st.Entries("")[0]
	assert.Equal(t, StatusDone, e.Status)
	assert.Equal(t, f.SHA256, e.SHA256)
	assert.Equal(t, "marked done by hand (cfonb journal --mark-done)", e.Detail)
	assert.Equal(t, lclIBAN, e.Statements[0].IBAN)
}

func TestLoginUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	var slept []time.Duration
	c, err := NewClient(t.Context(), ClientConfig{
		Endpoints:   Endpoints{AuthURL: url + TokenPath, APIURL: url + "/"},
		Credentials: func() (Credentials, error) { return Credentials{"u", "p-secret", "c", "s-secret"}, nil },
		Retry:       RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, Multiplier: 2, MaxInterval: time.Minute, MaxRetryAfter: time.Minute},
		Sleep:       func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	})
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, url, c.Platform())
	err = c.Login(t.Context())
	var le *LoginError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 0, le.Status)
	assert.Regexp(t, `^login failed: `+url+`/identity/connect/token: .*connection refused; gave up after retries \(3 attempts\)$`, le.Error())
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, slept)
	assert.Equal(t, 0, c.Logins())

	_, err = NewClient(t.Context(), ClientConfig{Endpoints: Endpoints{AuthURL: url, APIURL: url}})
	assert.EqualError(t, err, "upload: no credentials")
	_, err = NewClient(t.Context(), ClientConfig{Endpoints: Endpoints{AuthURL: "http://example.com/t", APIURL: url}})
	assert.ErrorContains(t, err, "auth URL: http://example.com/t: plain http is refused")
}

func TestLoginErrorNeverShowsTheAnswer(t *testing.T) {
	// x/oauth2's error value holds the token endpoint's answer (and may
	// hold the request): only the OAuth error code and the HTTP status are
	// shown, whatever the server sends back.
	const password, secret = "pw-5up3r", "cs-s3cr3t"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"error with description", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"password `+password+` is wrong for client secret `+secret+`"}`)
		}, "login refused by %s: invalid_grant (HTTP 400): check INQOM_USERNAME and INQOM_PASSWORD"},
		// The code is the server's text: a malformed one is not shown.
		{"malformed error code", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client\n`+secret+`"}`)
		}, "login refused by %s: HTTP 401 Unauthorized"},
		{"not json", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "<html>denied: "+password+"</html>")
		}, "login refused by %s: HTTP 403 Forbidden"},
		{"no access_token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"token_type":"Bearer","echo":"`+password+`"}`)
		}, "login failed: %s: the token endpoint's answer could not be read, or holds no usable access_token"},
		{"answer cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			_, _ = io.WriteString(w, `{"access_token":"`)
		}, "login failed: %s: the token endpoint's answer could not be read, or holds no usable access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			var notify, verbose bytes.Buffer
			c, err := NewClient(t.Context(), ClientConfig{
				Endpoints:   Endpoints{AuthURL: srv.URL + TokenPath, APIURL: srv.URL},
				Credentials: func() (Credentials, error) { return Credentials{"u", password, "c", secret}, nil },
				Notify:      &notify, Verbose: &verbose,
				Sleep: func(context.Context, time.Duration) error { t.Error("not retried"); return nil },
			})
			require.NoError(t, err)
			defer c.Close()
			err = c.Login(t.Context())
			var le *LoginError
			require.ErrorAs(t, err, &le)
			want := strings.ReplaceAll(tt.want, "%s", srv.URL+TokenPath)
			assert.Equal(t, want, le.Error())
			for _, s := range []string{password, secret, "oauth2:", "Response:", "error_description"} {
				assert.NotContains(t, le.Error()+notify.String()+verbose.String(), s)
			}
		})
	}
}

// TestCheckURLNeverShowsAQuery: a token URL pasted with its query
// (?client_id=...&client_secret=...) was refused with a message that
// showed the whole URL, secret included. The messages now name the
// parameters, never their values, nor a fragment or a password, whatever
// else is wrong with the URL (found by a review).
func TestCheckURLNeverShowsAQuery(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"https://auth.inqom.com/identity/connect/token?client_id=firm&client_secret=S3CR3T",
			"https://auth.inqom.com/identity/connect/token: a query is not allowed (it had client_id, client_secret; values not shown): remove it"},
		{"https://auth.inqom.com/token?S3CR3T", "https://auth.inqom.com/token: a query is not allowed (it had 1 other part; values not shown): remove it"},
		{"https://auth.inqom.com/token?a=1&S3CR3T&b%20c=S3CR3T&a=2", "https://auth.inqom.com/token: a query is not allowed (it had a, 2 other parts; values not shown): remove it"},
		{"https://auth.inqom.com/token?", "https://auth.inqom.com/token: a query is not allowed (it was empty): remove it"},
		{"https://auth.inqom.com/token#S3CR3T", "https://auth.inqom.com/token: a fragment (#...) is not allowed"},
		{"https://user:S3CR3T@auth.inqom.com/token?client_secret=S3CR3T", "https://user:xxxxx@auth.inqom.com/token: credentials in a URL are refused (use the INQOM_* environment variables)"},
		{"http://example.com/token?client_secret=S3CR3T", "http://example.com/token: a query is not allowed (it had client_secret; values not shown): remove it"},
		{"ftp://example.com/?client_secret=S3CR3T", "ftp://example.com/: a query is not allowed (it had client_secret; values not shown): remove it"},
		{"example.com/token?client_secret=S3CR3T", `"example.com/token" is not an absolute http(s) URL`},
		{"https://exa mple.com/?client_secret=S3CR3T", `"https://exa mple.com/" is not a URL: invalid character " " in host name`},
	} {
		_, err := CheckURL(tt.url)
		require.Error(t, err, tt.url)
		assert.Equal(t, tt.want, err.Error())
		assert.NotContains(t, err.Error(), "S3CR3T")
	}
}
