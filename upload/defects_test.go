package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// Issue 10, defect 1: a batch re-run with every retry flag never sends a
// done file; only a file named for a re-import is sent again.
func TestRunEveryRetryFlagNeverSendsADoneFile(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	_, err := f.run(t, f.opts(), a, b)
	require.NoError(t, err)
	n := len(f.sb.Requests())

	opts := f.opts()
	opts.RetryUnknown, opts.FailFast, opts.SkipAllRegistration = true, true, true
	sum, err := f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"skipped already-imported", "skipped already-imported"}, f.outcomes())
	assert.Len(t, f.sb.Requests(), n, "nothing sent")
	assert.Zero(t, sum.Imported)

	// Named: only that file is sent again, and it says so.
	opts.Reimport = []string{b}
	opts.DryRun = true
	_, err = f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"skipped already-imported", "would-import"}, f.outcomes())
	assert.True(t, f.rep.Files[1].Reimport)
	assert.Equal(t, 2, f.rep.Files[1].Previous.ID)
	assert.Len(t, f.sb.Requests(), n, "a dry run sends nothing")

	opts.DryRun = false
	_, err = f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"skipped already-imported", "imported"}, f.outcomes())
	assert.Equal(t, []string{"token 200", "import 200"}, f.routes()[n:])
	imps := f.sb.Imports()
	assert.Equal(t, sha(mustRead(t, b)), imps[len(imps)-1].SHA256)
	st, err := OpenState(f.state, false)
	require.NoError(t, err)
	last := st.Entries("")[len(st.Entries(""))-1]
	assert.True(t, last.Forced)

	// A re-import must name a file of the batch.
	opts.Reimport = []string{filepath.Join(f.files, "other.txt")}
	_, err = f.run(t, opts, a)
	require.ErrorIs(t, err, ErrSetup)
	assert.Contains(t, err.Error(), "is named for a re-import but is not in the batch")
}

// Issue 10, defect 5: registrations are per (platform, dossier, IBAN); a
// file imported under another dossier is not imported again, with a
// warning naming that dossier.
func TestRunRegistrationsAreTiedToTheDossier(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)

	opts := f.opts()
	opts.Dossier = 99
	b := f.file(t, "b.txt", lclApril)
	n := len(f.sb.Requests())
	_, err = f.run(t, opts, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"skipped already-imported", "imported"}, f.outcomes())
	assert.Equal(t, int64(4242), f.rep.Files[0].OtherDossier)
	require.Len(t, f.rep.Accounts, 1)
	assert.Equal(t, AccountRegistered, f.rep.Accounts[0].Outcome, "registered in 4242 says nothing about 99")
	assert.Equal(t, []int64{4242}, f.rep.Accounts[0].OtherDossiers)
	assert.Equal(t, []string{"token 200", "accounts 200", "import 200"}, f.routes()[n:])
	assert.Equal(t, "/api/app/banking/enterprises/99/manual/ebics/accounts", f.sb.Requests()[n+1].Path)
}

// Issue 10, defect 6: nothing to import, nothing registered (a
// registration cannot be undone).
func TestRunRegistersOnlyForFilesToSend(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	forgetRegistrations(t, f.state) // the registry is lost
	n := len(f.sb.Requests())
	sum, err := f.run(t, f.opts(), a)
	require.NoError(t, err)
	assert.Len(t, f.sb.Requests(), n, "no login, no registration")
	assert.Equal(t, AccountNotNeeded, f.rep.Accounts[0].Outcome)
	assert.False(t, sum.Sent)
}

// Issue 10, defect 7: --fail-fast stops at the first failed import.
func TestRunFailFast(t *testing.T) {
	f := newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: 400}, 1)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	opts := f.opts()
	opts.FailFast = true
	_, err := f.run(t, opts, a, b)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, []string{"failed refused", "not-attempted fail-fast"}, f.outcomes())
	assert.Equal(t, []string{"token 200", "accounts 200", "accounts 200", "import 400"}, f.routes())

	// Without it, a definite 400 does not stop the others.
	f = newFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Status: 400}, 1)
	a = f.file(t, "a.txt", lclMarch)
	b = f.file(t, "b.txt", bnpMarch)
	_, err = f.run(t, f.opts(), a, b)
	require.ErrorIs(t, err, ErrRemote)
	assert.Equal(t, []string{"failed refused", "imported"}, f.outcomes())
}

// Issue 16, item 10: a read-only or full state directory is found before
// any request; a full disk while writing the journal is a local error.
func TestRunStateNotWritableBeforeAnyRequest(t *testing.T) {
	for _, fault := range []error{syscall.EROFS, syscall.ENOSPC} {
		t.Run(fault.Error(), func(t *testing.T) {
			f := newFixture(t)
			st, err := OpenState(f.state, true)
			require.NoError(t, err)
			st.failWrite = func(string) error { return fault }
			opts := f.opts()
			opts.Store = st
			_, err = f.run(t, opts, f.file(t, "a.txt", lclMarch))
			require.ErrorIs(t, err, ErrSetup)
			require.ErrorIs(t, err, ErrStateWrite)
			require.ErrorIs(t, err, fault)
			assert.Empty(t, f.sb.Requests(), "no login, no registration")
			require.NoError(t, st.Close())
		})
	}
}

func TestRunStateReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into a read-only directory; TestRunStateNotWritableBeforeAnyRequest covers it with a stand-in")
	}
	f := newFixture(t)
	st, err := OpenState(f.state, true) // creates it
	require.NoError(t, err)
	require.NoError(t, st.Close())
	require.NoError(t, os.Chmod(f.state, 0o500))
	t.Cleanup(func() { _ = os.Chmod(f.state, 0o700) })
	_, err = f.run(t, f.opts(), f.file(t, "a.txt", lclMarch))
	require.ErrorIs(t, err, ErrSetup)
	assert.Empty(t, f.sb.Requests())
}

// journalFailingAt returns f's state whose n-th write of the journal
// fails with ENOSPC (a disk that fills up), closed at the test's end.
func journalFailingAt(t *testing.T, f *fixture, n int) *State {
	t.Helper()
	st, err := OpenState(f.state, true)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	var mu sync.Mutex
	writes := 0
	st.failWrite = func(path string) error {
		mu.Lock()
		defer mu.Unlock()
		if filepath.Base(path) != journalFile {
			return nil
		}
		writes++
		if writes == n {
			return syscall.ENOSPC
		}
		return nil
	}
	return st
}

func TestRunFullDiskAfterImportIsLocal(t *testing.T) {
	f := newFixture(t)
	st := journalFailingAt(t, f, 2) // the "done" of the first import
	opts := f.opts()
	opts.Store = st
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", lclApril)
	_, err := f.run(t, opts, a, b)
	require.ErrorIs(t, err, ErrSetup, "exit 2, not 3")
	assert.Equal(t, []string{"imported state-write", "not-attempted state-write"}, f.outcomes())
	assert.Len(t, f.sb.Imports(), 1, "nothing more sent without a journal")
	assert.Equal(t, StatusPending, st.Entries("")[0].Status, "it stays pending: that blocks a re-import")
}

// Issue 16, item 9: a file changed after validation is never sent with
// changed bytes: before the import, it is not sent at all; while it is
// sent, the server gets the validated bytes (from a private snapshot).
func TestRunFileChangedDuringUpload(t *testing.T) {
	for _, when := range []string{"accounts", "import"} {
		t.Run("changed at "+when, func(t *testing.T) {
			f := newFixture(t)
			a := f.file(t, "a.txt", lclMarch)
			orig := mustRead(t, a)
			changed := sampleBytes(t, "\r\n", lclApril)
			inner := f.srv.Config.Handler
			f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/"+when) {
					require.NoError(t, os.WriteFile(a, changed, 0o644))
				}
				inner.ServeHTTP(w, r)
			})
			_, err := f.run(t, f.opts(), a)
			for _, im := range f.sb.Imports() {
				assert.Equal(t, orig, im.Data, "only the validated bytes reach the server")
			}
			if when == "accounts" {
				require.ErrorIs(t, err, ErrRemote)
				assert.Equal(t, []string{"failed file-changed"}, f.outcomes())
				assert.Equal(t, []string{"token 200", "accounts 200"}, f.routes(), "not sent")
				st, err := OpenState(f.state, false)
				require.NoError(t, err)
				assert.Equal(t, StatusFailed, st.Entries("")[0].Status, "not sent: it does not block")
				return
			}
			require.NoError(t, err)
			assert.Len(t, f.sb.Imports(), 1)
		})
	}
}

// tokenEchoServer is a sandbox whose tokens hold "+" and "/" (as base64
// tokens do), and whose error answers echo the token in the spellings of
// .NET (\u002B), PHP (\/) and line-wrapped.
type tokenEchoServer struct {
	sb     *sandbox.Server
	mu     sync.Mutex
	n      int
	tokens map[string]string // fake -> sandbox's
	echo   func(tok string) string
}

func (s *tokenEchoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == TokenPath {
		rec := &captureWriter{h: http.Header{}}
		s.sb.ServeHTTP(rec, r)
		var doc map[string]any
		if json.Unmarshal(rec.body, &doc) != nil || doc["access_token"] == nil {
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body)
			return
		}
		s.mu.Lock()
		s.n++
		fake := fmt.Sprintf("eyJhbGciOi+JIUzI1NiJ9/eyJzdWIiOiI%d+Zm9v/YmFy+Ik5hbWUi/Og==", s.n)
		s.tokens[fake] = doc["access_token"].(string)
		s.mu.Unlock()
		doc["access_token"] = fake
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
		return
	}
	fake := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	real := s.tokens[fake]
	s.mu.Unlock()
	if strings.HasSuffix(r.URL.Path, "/import") {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, s.echo(fake))
		return
	}
	r.Header.Set("Authorization", "Bearer "+real)
	s.sb.ServeHTTP(w, r)
}

type captureWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.h }
func (c *captureWriter) WriteHeader(s int)   { c.status = s }
func (c *captureWriter) Write(p []byte) (int, error) {
	c.body = append(c.body, p...)
	return len(p), nil
}

// Issue 16, item 8: a token echoed escaped or line-wrapped never reaches
// the report, the retries' notices, the verbose log or the state.
func TestRunEscapedTokenNeverLeaks(t *testing.T) {
	jsonEscape := func(tok string) string {
		return strings.NewReplacer("+", `\u002B`, "/", `\/`).Replace(tok)
	}
	tests := map[string]func(string) string{
		".NET": func(tok string) string {
			return `{"Message":"bad token Bearer ` + strings.ReplaceAll(tok, "+", `\u002B`) + `"}`
		},
		"PHP":          func(tok string) string { return `{"error":"token ` + strings.ReplaceAll(tok, "/", `\/`) + ` refused"}` },
		"both":         func(tok string) string { return `{"detail":"` + jsonEscape(tok) + `"}` },
		"wrapped":      func(tok string) string { return "token:\n" + tok[:20] + "\r\n " + tok[20:40] + "\n" + tok[40:] },
		"json wrapped": func(tok string) string { return `"` + jsonEscape(tok[:30]) + `\n` + jsonEscape(tok[30:]) + `"` },
		"lower hex":    func(tok string) string { return strings.ReplaceAll(tok, "+", `\u002b`) },
		"url-encoded": func(tok string) string {
			return "token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(tok)
		},
	}
	for name, echo := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			es := &tokenEchoServer{sb: f.sb, tokens: map[string]string{}, echo: echo}
			f.srv.Config.Handler = es
			a := f.file(t, "a.txt", lclMarch)
			_, err := f.run(t, f.opts(), a)
			require.ErrorIs(t, err, ErrRemote)
			require.Equal(t, []string{"failed refused"}, f.outcomes())
			require.Len(t, es.tokens, 1)
			var tok string
			for k := range es.tokens {
				tok = k
			}
			report, jerr := json.Marshal(f.rep)
			require.NoError(t, jerr)
			everything := string(report) + f.rep.Files[0].Message + f.out.String() + f.verbose.String() + err.Error()
			for _, name := range []string{"journal.sqlite", "journal.sqlite-wal"} {
				if b, err := os.ReadFile(filepath.Join(f.state, name)); err == nil {
					everything += string(b)
				}
			}
			assert.Contains(t, f.rep.Files[0].Message, Redacted)
			for _, spelling := range []string{tok, jsonEscape(tok), strings.ReplaceAll(tok, "+", `\u002B`), strings.ReplaceAll(tok, "/", `\/`),
				tok[:20], tok[20:40], tok[40:], jsonEscape(tok[:30]), jsonEscape(tok[30:]), strings.ReplaceAll(tok, "+", `\u002b`),
				strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(tok)} {
				assert.NotContains(t, everything, spelling)
			}
		})
	}
}

// Issue 10, defect 9: a proxy that refuses the connection (403 to the
// CONNECT) is an answer, not a network failure: it is not retried.
func TestProxyRefusalIsNotRetried(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		assert.Equal(t, http.MethodConnect, r.Method)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer proxy.Close()
	pu, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	slept := 0
	c, err := NewClient(t.Context(), ClientConfig{
		Endpoints:   Endpoints{AuthURL: "https://auth.example" + TokenPath, APIURL: "https://api.example"},
		Credentials: func() (Credentials, error) { return Credentials{"u", "p-secret", "c", "s-secret"}, nil },
		Sleep:       func(context.Context, time.Duration) error { slept++; return nil },
		Proxy:       http.ProxyURL(pu),
	})
	require.NoError(t, err)
	err = c.Login(t.Context())
	var le *LoginError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, le.Error(), "Forbidden")
	assert.Equal(t, 1, hits, "one attempt")
	assert.Zero(t, slept)
}
