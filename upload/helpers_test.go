package upload

import (
	"bytes"
	"context"
	"database/sql"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// Statements of the test files.
var (
	lclMarch = sandbox.SampleStatement{Bank: "30002", Branch: "00550", Account: "0000157845Z",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: 1_250_000, Movements: []int64{-45_990, 310_000}}
	lclApril = sandbox.SampleStatement{Bank: "30002", Branch: "00550", Account: "0000157845Z",
		From: cfonb.NewDate(2026, 3, 31), To: cfonb.NewDate(2026, 4, 30), Opening: 1_514_010, Movements: []int64{-99_900}}
	bnpMarch = sandbox.SampleStatement{Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: -20_000, Movements: []int64{150_000}}
	// unknownBank has a bank code missing from the table.
	unknownBank = sandbox.SampleStatement{Bank: "99999", Branch: "00001", Account: "12345678901",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: 0, Movements: []int64{100}}
)

// IBANs of the test accounts (computed by cfonb.FrenchIBAN, checked by
// the worked examples of ../shared/cfonb120.md for BNP).
const (
	lclIBAN = "FR7030002005500000157845Z02"
	bnpIBAN = "FR7630004008230001000015611"
)

// The secrets of the sandbox, which must never be printed.
var secrets = []string{sandbox.DefaultPassword, sandbox.DefaultClientSecret}

func sampleBytes(t *testing.T, eol string, stmts ...sandbox.SampleStatement) []byte {
	t.Helper()
	b, err := sandbox.SampleFile(eol, stmts...)
	require.NoError(t, err)
	return b
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// fixture is a sandbox behind a loopback HTTP server, a state directory
// and captured output, with sleeps recorded instead of slept.
type fixture struct {
	sb       *sandbox.Server
	srv      *httptest.Server
	files    string // directory of the statement files
	state    string
	out      syncBuffer
	verbose  syncBuffer
	mu       sync.Mutex
	sleeps   []time.Duration
	now      time.Time
	timeouts Timeouts
	retry    RetryPolicy
	rep      *Report // the last run's report
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, sandbox.Options{})
}

// newFixtureWith is newFixture with a sandbox configured by so.
func newFixtureWith(t *testing.T, so sandbox.Options) *fixture {
	t.Helper()
	f := &fixture{sb: sandbox.New(so), state: filepath.Join(t.TempDir(), "state"), files: t.TempDir(),
		now: time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(f.sb)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) endpoints() Endpoints {
	return Endpoints{AuthURL: f.srv.URL + TokenPath, APIURL: f.srv.URL}
}

func (f *fixture) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	return ctx.Err()
}

func (f *fixture) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

func (f *fixture) opts() Options {
	return Options{
		Dossier:   4242,
		Endpoints: f.endpoints(),
		StateDir:  f.state,
		Credentials: func() (Credentials, error) {
			u, p, id, s := f.sb.Credentials()
			return Credentials{Username: u, Password: p, ClientID: id, ClientSecret: s}, nil
		},
		Notify:   &f.out,
		Verbose:  &f.verbose,
		Sleep:    f.sleep,
		Now:      func() time.Time { return f.now },
		Timeouts: f.timeouts,
		Retry:    f.retry,
	}
}

func (f *fixture) file(t *testing.T, name string, stmts ...sandbox.SampleStatement) string {
	t.Helper()
	return writeFile(t, f.files, name, sampleBytes(t, "\r\n", stmts...))
}

// run runs an upload and returns its summary; the report is in f.rep.
func (f *fixture) run(t *testing.T, opts Options, paths ...string) (*Summary, error) {
	t.Helper()
	rep, err := Run(t.Context(), opts, paths)
	f.rep = rep
	return rep.Summary(), err
}

// outcomes returns "outcome reason" of each file of the last run.
func (f *fixture) outcomes() []string {
	var out []string
	for _, r := range f.rep.Files {
		out = append(out, strings.TrimSpace(string(r.Outcome)+" "+string(r.Reason)))
	}
	return out
}

// routes returns the route and status of each request the sandbox saw.
func (f *fixture) routes() []string {
	var out []string
	for _, r := range f.sb.Requests() {
		status := "-" // no answer
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		out = append(out, string(r.Route)+" "+status)
	}
	return out
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

func errCanceled(ctx context.Context) error { return ctx.Err() }

// forgetRegistrations deletes the account registry of the SQLite journal
// in dir, as if it were lost.
func forgetRegistrations(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "journal.sqlite"))
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	_, err = db.Exec(`DELETE FROM cfonb_accounts`)
	require.NoError(t, err)
}
