package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestRunHappyPath(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "lcl-03.txt", lclMarch)
	b := f.file(t, "two.txt", bnpMarch, lclApril)
	sum, err := f.run(t, f.opts(), a, b)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, &Summary{Files: 2, Registered: 2, Imported: 2, Sent: true}, sum)

	// The order of the requests: one login, the accounts, the imports.
	assert.Equal(t, []string{"token 200", "accounts 200", "accounts 200", "import 200", "import 200"}, f.routes())
	reqs := f.sb.Requests()

	// The exact token form, the client's credentials in it, not in a header.
	assert.Equal(t, url.Values{
		"username": {sandbox.DefaultUsername}, "password": {sandbox.DefaultPassword},
		"grant_type": {"password"}, "scope": {"openid apidata"},
		"client_id": {sandbox.DefaultClientID}, "client_secret": {sandbox.DefaultClientSecret},
	}, reqs[0].Form)
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "application/x-www-form-urlencoded", reqs[0].Header.Get("Content-Type"))

	// The accounts, as documented, with the bearer token.
	assert.Equal(t, "/api/app/banking/enterprises/4242/manual/ebics/accounts", reqs[1].Path)
	assert.JSONEq(t, `{"Iban":"`+lclIBAN+`","BankName":"LCL - Le Crédit Lyonnais","IsCfonbControlActive":true}`, string(reqs[1].Body))
	assert.JSONEq(t, `{"Iban":"`+bnpIBAN+`","BankName":"BNP Paribas","IsCfonbControlActive":true}`, string(reqs[2].Body))
	assert.Equal(t, "application/json", reqs[1].Header.Get("Content-Type"))
	assert.Regexp(t, `^Bearer sbx\.[0-9a-f]{48}$`, reqs[1].Header.Get("Authorization"))
	// One token, reused.
	for _, r := range reqs[1:] {
		assert.Equal(t, reqs[1].Header.Get("Authorization"), r.Header.Get("Authorization"))
		assert.Empty(t, r.Header.Get("Idempotency-Key"))
	}

	// The imports: the exact bytes, one part "file", a known length, each
	// on its own connection.
	for i, p := range []string{a, b} {
		r := reqs[3+i]
		want, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, "/api/app/banking/ebics/accounts/import", r.Path)
		assert.Equal(t, want, r.Body)
		assert.Equal(t, []string{"file"}, r.Parts)
		assert.Equal(t, filepath.Base(p), r.FileName)
		assert.Regexp(t, `^multipart/form-data; boundary=`, r.Header.Get("Content-Type"))
		assert.Greater(t, r.ContentLength, int64(len(want)))
		assert.True(t, r.Close, "import %d not on a fresh connection", i)
		assert.NotEqual(t, reqs[1].RemoteAddr, r.RemoteAddr)
	}
	assert.False(t, reqs[1].Close)
	imps := f.sb.Imports()
	require.Len(t, imps, 2)
	assert.Equal(t, []string{lclIBAN}, imps[0].IBANs)
	assert.Equal(t, []string{bnpIBAN, lclIBAN}, imps[1].IBANs)

	assert.Equal(t, []string{"imported", "imported"}, f.outcomes())
	assert.Equal(t, "1", f.rep.Files[0].ImportID)
	assert.Equal(t, "2", f.rep.Files[1].ImportID)
	assert.Equal(t, []string{lclIBAN}, f.rep.Files[0].Registered)
	assert.Equal(t, []string{bnpIBAN, lclIBAN}, f.rep.Files[1].Registered)
	assert.Empty(t, f.out.String())

	// The journal and the registry.
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	entries := st.Entries("")
	require.Len(t, entries, 2)
	assert.Equal(t, Entry{ID: 1, Platform: f.srv.URL, Dossier: 4242, File: a, SHA256: sha(mustRead(t, a)), Size: int64(len(mustRead(t, a))),
		Statements: []StatementRecord{{Key: "30002/00550/0000157845Z/EUR/2/2026-03-01/2026-03-31/1250000/1514010", Account: "30002 00550 0000157845Z EUR",
			IBAN: lclIBAN, From: "2026-03-01", To: "2026-03-31", Opening: "12500.00", Closing: "15140.10"}},
		Status: StatusDone, Started: f.now, Finished: f.now, HTTPStatus: 200, Detail: `"1"`}, entries[0])
	assert.Len(t, entries[1].Statements, 2)
	assert.Equal(t, []AccountRecord{
		{Platform: f.srv.URL, Dossier: 4242, IBAN: lclIBAN, BankName: "LCL - Le Crédit Lyonnais", IBANControl: true, HTTPStatus: 200, Registered: f.now},
		{Platform: f.srv.URL, Dossier: 4242, IBAN: bnpIBAN, BankName: "BNP Paribas", IBANControl: true, HTTPStatus: 200, Registered: f.now},
	}, st.Accounts())
	assert.Empty(t, f.slept())

	// Re-run: nothing at all is sent, both files are skipped.
	f.out.Reset()
	sum, err = f.run(t, f.opts(), a, b)
	require.NoError(t, err)
	assert.Equal(t, &Summary{Files: 2, AlreadyRegistered: 2, Skipped: 2}, sum)
	assert.Len(t, f.sb.Requests(), 5)
	assert.Len(t, f.sb.Imports(), 2)
	assert.Equal(t, []string{"skipped already-imported", "skipped already-imported"}, f.outcomes())
	assert.Equal(t, 1, f.rep.Files[0].Previous.ID)
	assert.Zero(t, f.rep.Files[0].OtherDossier)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func TestRunInvalidBatchSendsNothing(t *testing.T) {
	f := newFixture(t)
	good := f.file(t, "good.txt", lclMarch)
	data := sampleBytes(t, "\n", bnpMarch)
	copy(data[len(data)-30:], "garbled!") // the 07's amount
	bad := writeFile(t, f.files, "bad.txt", data)
	sum, err := f.run(t, f.opts(), good, bad)
	require.ErrorIs(t, err, ErrInvalid)
	assert.Positive(t, sum.ValidationErrors)
	assert.Empty(t, f.sb.Requests())
	require.Len(t, f.rep.Validation, 2)
	assert.Zero(t, f.rep.Validation[0].Errors)
	assert.Positive(t, f.rep.Validation[1].Errors)
	assert.Contains(t, Diagnostics(f.rep.Validation[1])[0], bad+":3:")
	_, statErr := os.Stat(f.state)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no state written")
}

func TestRunStructureProblems(t *testing.T) {
	// Files that the scan cannot identify are invalid even when validation
	// says nothing (today's rules or not).
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"not cfonb", "hello\n"},
		{"no new balance", "0130002    00550EUR2 0000157845Z  010326                                                  0000000125000{                \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			p := writeFile(t, f.files, "x.txt", []byte(tt.data))
			_, err := f.run(t, f.opts(), p)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Empty(t, f.sb.Requests())
		})
	}
}

func TestRunDryRun(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	opts := f.opts()
	// First import a for real, so the dry run shows a skip.
	_, err := f.run(t, opts, a)
	require.NoError(t, err)
	n := len(f.sb.Requests())
	f.out.Reset()
	opts.DryRun = true
	opts.NoIBANControl = true
	opts.Credentials = func() (Credentials, error) { t.Fatal("no credentials needed for a dry run"); return Credentials{}, nil }
	sum, err := f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, &Summary{Files: 2, AlreadyRegistered: 1, Skipped: 1, Imported: 1}, sum)
	assert.Len(t, f.sb.Requests(), n, "a dry run sends nothing")
	assert.Equal(t, []string{"skipped already-imported", "would-import"}, f.outcomes())
	require.Len(t, f.rep.Accounts, 2)
	assert.Equal(t, AccountKnown, f.rep.Accounts[0].Outcome)
	assert.Equal(t, AccountWouldRegister, f.rep.Accounts[1].Outcome)
	assert.Equal(t, "BNP Paribas", f.rep.Accounts[1].BankName)
	assert.Equal(t, int64(4242), f.rep.Accounts[1].Dossier)
}

func TestRunDryRunWritesNoState(t *testing.T) {
	f := newFixture(t)
	opts := f.opts()
	opts.DryRun = true
	_, err := f.run(t, opts, f.file(t, "a.txt", lclMarch))
	require.NoError(t, err)
	_, statErr := os.Stat(f.state)
	assert.ErrorIs(t, statErr, os.ErrNotExist)
}

func TestRunRetriesHonourRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteToken, Status: 503, RetryAfter: "7"}, 1)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, Status: 429, RetryAfter: "3"}, 2)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: 503, RetryAfter: "Thu, 02 Apr 2026 09:30:05 GMT"}, 1)
	a := f.file(t, "a.txt", lclMarch)
	sum, err := f.run(t, f.opts(), a)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, 1, sum.Imported)
	assert.Equal(t, []string{"token 503", "token 200", "accounts 429", "accounts 429", "accounts 200", "import 503", "import 200"}, f.routes())
	assert.Equal(t, []time.Duration{7 * time.Second, 3 * time.Second, 3 * time.Second, 5 * time.Second}, f.slept())
	assert.Len(t, f.sb.Imports(), 1)
	assert.Contains(t, f.out.String(), "retrying in 7s (attempt 2 of 5)", "retries are told on Notify")
}

func TestRunBackoffWithoutRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.retry = RetryPolicy{MaxAttempts: 4, InitialInterval: time.Second, Multiplier: 2, MaxInterval: time.Minute, Jitter: 0.5, MaxRetryAfter: time.Minute}
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, Status: 503}, 3)
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.NoError(t, err)
	got := f.slept()
	require.Len(t, got, 3)
	for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		assert.GreaterOrEqual(t, got[i], base/2, "wait %d", i)
		assert.LessOrEqual(t, got[i], base*3/2+time.Nanosecond, "wait %d", i)
	}
}

func TestRunRetriesAreBounded(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: 503, RetryAfter: "1"}, 5)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	sum, err := f.run(t, f.opts(), a, b)
	require.ErrorIs(t, err, ErrRemote)
	// Issue 10, defect 7: the other file goes on.
	assert.Equal(t, &Summary{Files: 2, Registered: 2, Failed: 1, Imported: 1, Sent: true}, sum)
	assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second, time.Second}, f.slept())
	assert.Equal(t, []string{"token 200", "accounts 200", "accounts 200", "import 503", "import 503", "import 503", "import 503", "import 503", "import 200"}, f.routes())
	assert.Equal(t, []string{"failed network", "imported"}, f.outcomes())
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	require.Len(t, st.Entries(""), 2)
	assert.Equal(t, StatusFailed, st.Entries("")[0].Status)
	assert.Equal(t, StatusDone, st.Entries("")[1].Status)

	// A failed import does not block the next run.
	f.out.Reset()
	sum, err = f.run(t, f.opts(), a, b)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, 1, sum.Imported)
	assert.Equal(t, []string{"imported", "skipped already-imported"}, f.outcomes())
}

func TestRunTooLongRetryAfterGivesUp(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, Status: 429, RetryAfter: "3600"}, 1)
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.ErrorIs(t, err, ErrRemote)
	assert.Empty(t, f.slept())
	assert.Contains(t, f.rep.Accounts[0].Err.Error(), "the server asks to wait 1h0m0s (Retry-After), more than 2m0s")
	assert.Equal(t, []string{"held account-not-registered"}, f.outcomes())
	assert.Empty(t, f.sb.Imports())
}

func TestRunExpiredTokenLogsInAgainOnce(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, ExpireToken: true}, 1)
	sum, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, 1, sum.Imported)
	assert.Equal(t, []string{"token 200", "accounts 200", "import 401", "token 200", "import 200"}, f.routes())
	reqs := f.sb.Requests()
	assert.NotEqual(t, reqs[2].Header.Get("Authorization"), reqs[4].Header.Get("Authorization"))
	assert.Len(t, f.sb.Imports(), 1)
	assert.Empty(t, f.slept())
}

func TestRunSecond401Stops(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, ExpireToken: true}, 2)
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, []string{"token 200", "accounts 401", "token 200", "accounts 401"}, f.routes())
	assert.Equal(t, AccountFailed, f.rep.Accounts[0].Outcome)
	assert.Equal(t, 401, f.rep.Accounts[0].HTTPStatus)
	assert.Equal(t, []string{"held account-not-registered"}, f.outcomes())
}

// Issue 10, defect 4: a refused registration holds back only the files
// that contain that account; the server's message is kept whole.
func TestRunRefusedAccountHoldsBackOnlyItsFiles(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("this dossier is closed for new accounts; ", 10) + "END"
	f.sb.RefuseAccount(bnpIBAN, http.StatusForbidden, long)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	c := f.file(t, "c.txt", lclApril)
	sum, err := f.run(t, f.opts(), a, b, c)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, &Summary{Files: 3, Registered: 1, Imported: 2, Held: 1, Sent: true}, sum)
	assert.Equal(t, []string{"token 200", "accounts 200", "accounts 403", "import 200", "import 200"}, f.routes())
	assert.Equal(t, []string{"imported", "held account-not-registered", "imported"}, f.outcomes())
	assert.Equal(t, `"`+long+`"`, f.rep.Accounts[1].Message, "the whole message")
	assert.Equal(t, []*AccountResult{f.rep.Accounts[1]}, f.rep.Files[1].HeldBy)
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	assert.Len(t, st.Accounts(), 1)
	assert.Len(t, st.Entries(""), 2)
}

// Issue 10, defect 4: a 400 "exists" (not the assumed 409) for one
// account still imports the other files; --skip-registration (or a
// registration recorded by hand) is the way out for that account.
func TestRunExists400ForOneAccount(t *testing.T) {
	f := newFixtureWith(t, sandbox.Options{ExistsStatus: 400, ExistsMessage: "An account with this IBAN already exists."})
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	// The BNP account exists already on the platform (another tool).
	_, err := f.run(t, f.opts(), b)
	require.NoError(t, err)
	f.state = filepath.Join(t.TempDir(), "other-state")
	n := len(f.sb.Requests())

	sum, err := f.run(t, f.opts(), a, b)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, []string{"token 200", "accounts 200", "accounts 400", "import 200"}, f.routes()[n:])
	assert.Equal(t, []string{"imported", "held account-not-registered"}, f.outcomes())
	assert.Equal(t, 1, sum.Imported)
	assert.Equal(t, `"An account with this IBAN already exists."`, f.rep.Accounts[1].Message)

	// The way out: the user knows it exists.
	n = len(f.sb.Requests())
	opts := f.opts()
	opts.SkipRegistration = []string{bnpIBAN}
	sum, err = f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"token 200", "import 200"}, f.routes()[n:], "no registration sent")
	assert.Equal(t, []string{"skipped already-imported", "imported"}, f.outcomes())
	assert.Equal(t, AccountAssumed, f.rep.Accounts[1].Outcome)
	assert.Equal(t, 2, sum.AlreadyRegistered, "LCL in the state, BNP by the user's word")
}

func TestRunConflictMeansRegistered(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	// The state is lost: the account is registered again, 409, fine.
	f.state = filepath.Join(t.TempDir(), "fresh")
	f.out.Reset()
	b := f.file(t, "b.txt", lclApril)
	sum, err := f.run(t, f.opts(), b)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, &Summary{Files: 1, AlreadyRegistered: 1, Imported: 1, Sent: true}, sum)
	assert.Equal(t, AccountExists, f.rep.Accounts[0].Outcome)
	assert.Equal(t, 409, f.rep.Accounts[0].HTTPStatus)
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	require.Len(t, st.Accounts(), 1)
	assert.Equal(t, 409, st.Accounts()[0].HTTPStatus)
}

func TestRunLoginRefused(t *testing.T) {
	tests := []struct {
		name  string
		creds func(u, p, id, s string) Credentials
		want  string
	}{
		{"password", func(u, p, id, s string) Credentials { return Credentials{u, "wrong-password", id, s} },
			"login refused by %s/identity/connect/token: invalid_grant (HTTP 400): check INQOM_USERNAME and INQOM_PASSWORD"},
		{"client", func(u, p, id, s string) Credentials { return Credentials{u, p, id, "wrong-secret"} },
			"login refused by %s/identity/connect/token: invalid_client (HTTP 400): check INQOM_CLIENT_ID and INQOM_CLIENT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			opts := f.opts()
			opts.Credentials = func() (Credentials, error) { return tt.creds(f.sb.Credentials()), nil }
			sum, err := f.run(t, opts, f.file(t, "a.txt", lclMarch))
			// Issue 10, defect 9: refused credentials are the user's to
			// fix (exit 2), not a network failure.
			require.ErrorIs(t, err, ErrSetup)
			var le *LoginError
			require.ErrorAs(t, err, &le)
			want := strings.ReplaceAll(tt.want, "%s", f.srv.URL)
			assert.Equal(t, want, le.Error())
			assert.Empty(t, f.out.String())
			assert.Equal(t, []string{"not-attempted login-failed"}, f.outcomes())
			assert.Equal(t, []string{"token 400"}, f.routes(), "one attempt, nothing else sent")
			assert.Equal(t, 0, sum.Registered)
			for _, s := range []string{"wrong-password", "wrong-secret"} {
				assert.NotContains(t, f.out.String()+f.verbose.String(), s)
			}
		})
	}
}

func TestRunUnknownOutcomeIsNeverResent(t *testing.T) {
	tests := []struct {
		name  string
		fault sandbox.Fault
		// imported: whether the sandbox booked the file
		imported bool
		status   string
	}{
		{"502 after processing", sandbox.Fault{Route: sandbox.RouteImport, Status: 502, Process: true}, true, "import 502"},
		{"504", sandbox.Fault{Route: sandbox.RouteImport, Status: 504}, false, "import 504"},
		{"500", sandbox.Fault{Route: sandbox.RouteImport, Status: 500, Process: true}, true, "import 500"},
		{"connection broken after sending", sandbox.Fault{Route: sandbox.RouteImport, Drop: true, Process: true}, true, "import -"},
		{"connection broken, not processed", sandbox.Fault{Route: sandbox.RouteImport, Drop: true}, false, "import -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.sb.Inject(tt.fault, 1)
			a := f.file(t, "a.txt", lclMarch)
			b := f.file(t, "b.txt", bnpMarch)
			sum, err := f.run(t, f.opts(), a, b)
			require.ErrorIs(t, err, ErrRemote)
			var re *RequestError
			require.ErrorAs(t, f.rep.Files[0].Err, &re)
			assert.True(t, re.Unknown)
			// Issue 10, defect 7: the other file goes on.
			assert.Equal(t, &Summary{Files: 2, Registered: 2, Unknown: 1, Imported: 1, Sent: true}, sum)
			assert.Equal(t, []string{"token 200", "accounts 200", "accounts 200", tt.status, "import 200"}, f.routes(), "no retry of the import")
			assert.Empty(t, f.slept())
			assert.Len(t, f.sb.Imports(), map[bool]int{true: 2, false: 1}[tt.imported])
			assert.Equal(t, []string{"unknown network", "imported"}, f.outcomes())
			st, err := OpenState(f.state, false)
			require.NoError(t, err)
			require.Len(t, st.Entries(""), 2)
			assert.Equal(t, StatusUnknown, st.Entries("")[0].Status)

			// The next run refuses the file, sends nothing.
			n := len(f.sb.Requests())
			sum, err = f.run(t, f.opts(), a, b)
			require.ErrorIs(t, err, ErrRemote)
			assert.Equal(t, &Summary{Files: 2, AlreadyRegistered: 2, Blocked: 1, Skipped: 1}, sum)
			assert.Equal(t, []string{"blocked unknown-outcome", "skipped already-imported"}, f.outcomes())
			assert.Equal(t, 1, f.rep.Files[0].Previous.ID)
			assert.Len(t, f.sb.Requests(), n)
			imps := len(f.sb.Imports())

			// With RetryUnknown, it is sent again, and only it.
			opts := f.opts()
			opts.RetryUnknown = true
			sum, err = f.run(t, opts, a, b)
			require.NoError(t, err)
			assert.Equal(t, &Summary{Files: 2, AlreadyRegistered: 2, Imported: 1, Skipped: 1, Sent: true}, sum)
			assert.True(t, f.rep.Files[0].Retry)
			assert.Len(t, f.sb.Imports(), imps+1)
			assert.Equal(t, sha(mustRead(t, a)), f.sb.Imports()[imps].SHA256)
			st, err = OpenState(f.state, false)
			require.NoError(t, err)
			last := st.Entries("")[len(st.Entries(""))-1]
			assert.Equal(t, StatusDone, last.Status)
			assert.True(t, last.Forced)
		})
	}
}

func TestRunImportTimeoutIsUnknown(t *testing.T) {
	f := newFixture(t)
	f.timeouts = Timeouts{ImportResponse: 50 * time.Millisecond} // the others default
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Hang: true}, 1)
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.ErrorIs(t, err, ErrRemote)
	var re *RequestError
	require.ErrorAs(t, f.rep.Files[0].Err, &re)
	assert.True(t, re.Unknown)
	assert.Equal(t, []string{"token 200", "accounts 200", "import -"}, f.routes())
}

func TestRunConnectionRefusedBeforeImportIsRetried(t *testing.T) {
	f := newFixture(t)
	// The listener closes once the accounts are registered: the import's
	// fresh connection is refused, so the request is never sent.
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/accounts") {
			_ = f.srv.Listener.Close()
		}
	})
	a := f.file(t, "a.txt", lclMarch)
	sum, err := f.run(t, f.opts(), a)
	require.ErrorIs(t, err, ErrRemote)
	var re *RequestError
	require.ErrorAs(t, f.rep.Files[0].Err, &re)
	assert.False(t, re.Unknown, "not sent: not uncertain")
	assert.Equal(t, 1, sum.Failed)
	assert.Len(t, f.slept(), 4, "retried up to the bound")
	assert.Equal(t, []string{"token 200", "accounts 200"}, f.routes())
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	assert.Equal(t, StatusFailed, st.Entries("")[0].Status)
}

func TestRunSameStatementInAnotherFile(t *testing.T) {
	f := newFixture(t)
	crlf := f.file(t, "march.txt", lclMarch)
	_, err := f.run(t, f.opts(), crlf)
	require.NoError(t, err)
	f.out.Reset()

	// The same statement re-exported with LF line ends: other bytes, same
	// statement: skipped. A file that adds a new statement to it: refused.
	lf := writeFile(t, f.files, "march-lf.txt", sampleBytes(t, "\n", lclMarch))
	both := writeFile(t, f.files, "march-april.txt", sampleBytes(t, "\r\n", lclMarch, lclApril))
	april := f.file(t, "april.txt", lclApril)
	sum, err := f.run(t, f.opts(), lf, both, april)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, &Summary{Files: 3, AlreadyRegistered: 1, Imported: 1, Skipped: 1, Blocked: 1, Sent: true}, sum)
	assert.Equal(t, []string{"skipped statements-imported", "blocked partly-imported", "imported"}, f.outcomes())
	assert.Equal(t, crlf, f.rep.Files[0].Previous.File)
	assert.Equal(t, []string{"30002 00550 0000157845Z EUR 2026-03-01..2026-03-31"}, f.rep.Files[1].Shared)

	// Even with every flag, a file whose statements were imported is not
	// sent unless named for a re-import.
	n := len(f.sb.Requests())
	opts := f.opts()
	opts.RetryUnknown, opts.FailFast, opts.SkipAllRegistration = true, true, true
	_, err = f.run(t, opts, lf, both, april)
	require.NoError(t, err)
	// Both statements of "both" are imported now (march.txt, april.txt).
	assert.Equal(t, []string{"skipped statements-imported", "skipped statements-imported", "skipped already-imported"}, f.outcomes())
	assert.Len(t, f.sb.Requests(), n)
	imps := f.sb.Imports()
	require.Len(t, imps, 2)
	assert.Equal(t, sha(mustRead(t, april)), imps[1].SHA256)
}

func TestRunSameFileTwiceInABatch(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	copyOfA := writeFile(t, f.files, "copy.txt", mustRead(t, a))
	opts := f.opts()
	opts.RetryUnknown = true
	opts.Reimport = []string{copyOfA} // even named
	sum, err := f.run(t, opts, a, copyOfA)
	require.NoError(t, err)
	assert.Equal(t, &Summary{Files: 2, Registered: 1, Imported: 1, Skipped: 1, Sent: true}, sum)
	assert.Len(t, f.sb.Imports(), 1)
	assert.Equal(t, []string{"imported", "skipped same-in-batch"}, f.outcomes())
	assert.Equal(t, a, f.rep.Files[1].PreviousFile)
}

func TestRunPendingEntryBlocks(t *testing.T) {
	// A crash while sending leaves a pending entry: the file needs --force.
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	st, err := OpenState(f.state, true)
	require.NoError(t, err)
	pf, err := PrepareFile(a)
	require.NoError(t, err)
	_, err = st.Begin(Entry{Platform: f.srv.URL, File: a, SHA256: pf.SHA256, Statements: statementRecords(pf), Status: StatusPending, Started: f.now})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	_, err = f.run(t, f.opts(), a)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, []string{"blocked pending"}, f.outcomes())
	assert.Empty(t, f.sb.Imports())
}

func TestRunOtherPlatformIsSeparate(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	// Another sandbox is another platform: the journal of the first one
	// does not count there.
	g := newFixture(t)
	opts := g.opts()
	opts.StateDir = f.state
	sum, err := g.run(t, opts, a)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Imported)
	assert.Equal(t, 1, sum.Registered)
}

func TestRunBankNames(t *testing.T) {
	f := newFixture(t)
	p := f.file(t, "x.txt", unknownBank)
	_, err := f.run(t, f.opts(), p)
	require.ErrorIs(t, err, ErrSetup)
	assert.Equal(t, []string{"held no-bank-name"}, f.outcomes())
	assert.Contains(t, f.rep.Accounts[0].Message, "bank code 99999 is not in cfonb's table of French banks: name the bank with --bank-name NAME or --bank-name 99999=NAME")
	assert.Empty(t, f.sb.Requests())

	opts := f.opts()
	opts.BankNames = BankNames{ByCode: map[string]string{"99999": "Banque Test"}}
	_, err = f.run(t, opts, p)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(f.sb.Requests()[1].Body, &body))
	assert.Equal(t, "Banque Test", body["BankName"])
}

func TestRunWhileAnotherProcessHasTheJournalOpen(t *testing.T) {
	// Runs no longer lock each other out: they share the journal, and a
	// file is claimed before it is sent.
	f := newFixture(t)
	st, err := OpenState(f.state, true)
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	_, err = f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.NoError(t, err, f.out.String())
	assert.Len(t, st.Entries(""), 1)
}

func TestRunNoSecretAnywhere(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, ExpireToken: true}, 1)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteAccounts, Status: 503, RetryAfter: "0"}, 1)
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.NoError(t, err)
	var tokens []string
	for _, r := range f.sb.Requests() {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			tokens = append(tokens, tok)
		}
	}
	require.Len(t, tokens, 4)
	verbose := f.verbose.String()
	assert.Contains(t, verbose, `password="[redacted]"`)
	assert.Contains(t, verbose, `client_secret="[redacted]"`)
	assert.Contains(t, verbose, "Authorization: [redacted]")
	assert.Contains(t, verbose, "POST "+f.srv.URL+"/api/app/banking/ebics/accounts/import -> 401 Unauthorized")
	everything := f.out.String() + verbose
	for _, name := range []string{"journal.sqlite", "journal.sqlite-wal"} {
		if b, err := os.ReadFile(filepath.Join(f.state, name)); err == nil {
			everything += string(b)
		}
	}
	require.True(t, strings.Contains(everything, "FR7030002005500000157845Z02"), "the journal is read")
	for _, s := range append(secrets, tokens...) {
		assert.NotContains(t, everything, s)
	}
}

func TestRunChecksArguments(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		change func(*Options)
		paths  []string
		want   string
	}{
		{"dossier", func(o *Options) { o.Dossier = 0 }, []string{"x"}, "the dossier id must be a positive integer"},
		{"no file", func(o *Options) {}, nil, "no file to upload"},
		{"plain http", func(o *Options) { o.Endpoints.APIURL = "http://example.com" }, []string{"x"}, "plain http is refused"},
		{"missing file", func(o *Options) {}, []string{filepath.Join(f.files, "missing.txt")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts()
			tt.change(&opts)
			_, err := Run(t.Context(), opts, tt.paths)
			require.ErrorIs(t, err, ErrSetup)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Empty(t, f.sb.Requests())
}

func TestRunCanceled(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := contextWithCancel(t)
	cancel()
	_, err := Run(ctx, f.opts(), []string{f.file(t, "a.txt", lclMarch)})
	require.ErrorIs(t, err, ErrRemote)
	assert.True(t, errors.Is(err, errCanceled(ctx)))
}

func TestRunJournalIsPendingWhileTheImportIsSent(t *testing.T) {
	// The journal on disk says "pending" before the import reaches the
	// platform: a crash during the request leaves a blocking entry.
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	var seen []string
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/import") {
			ro, err := OpenState(f.state, false)
			require.NoError(t, err)
			defer func() { _ = ro.Close() }()
			var st []string
			for _, e := range ro.Entries("") {
				st = append(st, filepath.Base(e.File)+" "+string(e.Status))
			}
			seen = append(seen, strings.Join(st, ", "))
		}
		inner.ServeHTTP(w, r)
	})
	_, err := f.run(t, f.opts(), a, b)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []string{"a.txt pending", "a.txt done, b.txt pending"}, seen)
}

func TestRunDamagedStateSendsNothing(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, os.MkdirAll(f.state, 0o700))
	damaged := `{"version":1,"entries":[]}` + "\n" + `{"version":1,"entries":[{"id":7,"status":"done"}]}`
	path := filepath.Join(f.state, "journal.json")
	require.NoError(t, os.WriteFile(path, []byte(damaged), 0o600))
	_, err := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.ErrorIs(t, err, ErrSetup)
	assert.Contains(t, err.Error(), "is damaged (restore it from a backup; it is not overwritten)")
	assert.Empty(t, f.sb.Requests())
	assert.Equal(t, damaged, string(mustRead(t, path)))
}

func TestRunEachImportOnItsOwnConnection(t *testing.T) {
	f := newFixture(t)
	paths := []string{f.file(t, "a.txt", lclMarch), f.file(t, "b.txt", bnpMarch), f.file(t, "c.txt", lclApril)}
	_, err := f.run(t, f.opts(), paths...)
	require.NoError(t, err, f.out.String())
	addrs := map[string]string{}
	for _, r := range f.sb.Requests() {
		if r.Route != sandbox.RouteImport {
			continue
		}
		assert.True(t, r.Close, "Connection: close")
		assert.Empty(t, r.Header.Get("Idempotency-Key"))
		assert.Empty(t, r.Header.Get("X-Idempotency-Key"))
		assert.NotContains(t, addrs, r.RemoteAddr, "import %s reuses the connection of %s", r.FileName, addrs[r.RemoteAddr])
		addrs[r.RemoteAddr] = r.FileName
	}
	assert.Len(t, addrs, 3)
}

func TestRunEchoedSecretsStayOutOfTheJournal(t *testing.T) {
	// A server whose error pages echo the request (its Authorization
	// header) must not put the token into the journal, which is not
	// output but must hold no secret either.
	tests := []struct {
		name   string
		status int
		want   Status
	}{
		{"refused", http.StatusBadRequest, StatusFailed},
		{"unknown", http.StatusInternalServerError, StatusUnknown},
		{"done", http.StatusOK, StatusDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var tokens []string
			inner := f.srv.Config.Handler
			f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/import") {
					inner.ServeHTTP(w, r)
					return
				}
				_, _ = io.Copy(io.Discard, r.Body) // an unread body may reset the connection
				auth := r.Header.Get("Authorization")
				tokens = append(tokens, strings.TrimPrefix(auth, "Bearer "))
				_, _ = io.Copy(io.Discard, r.Body) // answering before reading would break the pipe
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, "echo: Authorization: "+auth)
			})
			_, runErr := f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
			errText := ""
			if tt.status != http.StatusOK {
				require.Error(t, runErr)
				errText = runErr.Error()
			}
			require.Len(t, tokens, 1)
			st, err := OpenState(f.state, false)
			require.NoError(t, err)
			require.Len(t, st.Entries(""), 1)
			e := st.Entries("")[0]
			assert.Equal(t, tt.want, e.Status, f.out.String())
			assert.Contains(t, e.Detail, "echo: Authorization: Bearer [redacted]")
			_ = st.Close()
			journal := string(mustRead(t, filepath.Join(f.state, "journal.sqlite")))
			if b, err := os.ReadFile(filepath.Join(f.state, "journal.sqlite-wal")); err == nil {
				journal += string(b)
			}
			require.True(t, strings.Contains(journal, "echo: Authorization: Bearer [redacted]"), "the journal is read")
			out := f.out.String() + f.verbose.String() + errText
			for _, s := range append(secrets, tokens[0]) {
				assert.NotContains(t, journal, s)
				assert.NotContains(t, out, s)
			}
		})
	}
}
