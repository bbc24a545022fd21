package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/oauth2"
)

// Timeouts bound every network wait. A zero field takes its value from
// DefaultTimeouts: no wait is ever unbounded.
type Timeouts struct {
	Dial         time.Duration // TCP connect
	TLSHandshake time.Duration
	// Request bounds a whole login or account exchange.
	Request time.Duration
	// Import bounds a whole import exchange, upload included.
	Import time.Duration
	// ImportResponse bounds the wait for an import's answer once the file
	// is sent.
	ImportResponse time.Duration
}

// DefaultTimeouts returns the timeouts used when none are given. They are
// generous: a statement file is small, but the platform may take its time
// to book it. It is a function, not a variable, so that no caller can
// change it for every other.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Dial:           15 * time.Second,
		TLSHandshake:   15 * time.Second,
		Request:        60 * time.Second,
		Import:         15 * time.Minute,
		ImportResponse: 5 * time.Minute,
	}
}

// orDefault fills the zero (or negative) fields of t from DefaultTimeouts.
func (t Timeouts) orDefault() Timeouts {
	d := DefaultTimeouts()
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.Dial, &d.Dial}, {&t.TLSHandshake, &d.TLSHandshake}, {&t.Request, &d.Request},
		{&t.Import, &d.Import}, {&t.ImportResponse, &d.ImportResponse},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return t
}

// earlyExpiry is how long before its expiry a token is replaced.
const earlyExpiry = 30 * time.Second

// maxBody is how much of a response body is read.
const maxBody = 64 << 10

// ClientConfig configures a Client.
type ClientConfig struct {
	// Endpoints are the token URL and the API base URL (see CheckURL).
	Endpoints Endpoints
	// Credentials is called once, at the first login (so that a password
	// prompt comes only when a login is needed).
	Credentials func() (Credentials, error)
	// Redactor scrubs the secrets from Notify and Verbose; the client
	// registers the credentials and every token it obtains. Nil means a
	// new one.
	Redactor *Redactor
	// Notify receives one line per retry or re-login; nil discards them.
	Notify io.Writer
	// Verbose receives one line per HTTP exchange; nil discards them.
	Verbose io.Writer
	// Retry bounds the retries; zero fields take DefaultRetryPolicy's.
	Retry RetryPolicy
	// Timeouts bound the network waits; zero fields take DefaultTimeouts'.
	Timeouts Timeouts
	// Sleep waits between retries; nil sleeps for real (tests inject one).
	Sleep func(context.Context, time.Duration) error
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// UserAgent is the User-Agent of every request; empty leaves Go's.
	UserAgent string
	// Progress, if set, is called as an import's file is sent, with the
	// bytes of the file sent so far and its size.
	Progress func(path string, sent, total int64)
	// Proxy chooses the proxy of a request; nil is
	// http.ProxyFromEnvironment (HTTPS_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
}

// Client talks to the Inqom banking API: one login reused for every call,
// retries by the rules of classify, and imports sent on a fresh connection
// each. Create it with NewClient; it is safe for concurrent use.
type Client struct {
	cfg      ClientConfig
	authURL  string
	apiURL   string
	api      *http.Client // login and accounts: keep-alive connections
	imp      *http.Client // imports: one fresh HTTP/1.1 connection each
	retry    *retrier
	notify   func(format string, args ...any)
	pw       *passwordSource
	mu       sync.Mutex
	ts       oauth2.TokenSource
	logins   atomic.Int32
	credOnce sync.Once
	creds    Credentials
	credErr  error
}

// NewClient returns a client for cfg. ctx bounds the logins, which the
// token machinery of golang.org/x/oauth2 runs without a context of their
// own.
func NewClient(ctx context.Context, cfg ClientConfig) (*Client, error) {
	ep, err := cfg.Endpoints.Check()
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, errors.New("upload: no credentials")
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &Redactor{}
	}
	cfg.Timeouts = cfg.Timeouts.orDefault()
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, authURL: ep.AuthURL, apiURL: ep.APIURL}
	notify := cfg.Redactor.Writer(cfg.Notify)
	c.notify = func(format string, args ...any) { fmt.Fprintf(notify, format+"\n", args...) }
	c.retry = &retrier{policy: cfg.Retry.orDefault(), sleep: cfg.Sleep, now: cfg.Now, notify: c.notify}

	var verbose func(string)
	if cfg.Verbose != nil {
		vw := cfg.Redactor.Writer(cfg.Verbose)
		verbose = func(line string) { _, _ = io.WriteString(vw, line+"\n") }
	}
	t := cfg.Timeouts
	dialer := &net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}
	proxy := cfg.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	base := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12}, // certificates verified
		TLSHandshakeTimeout:   t.TLSHandshake,
		ResponseHeaderTimeout: t.Request,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	imp := base.Clone()
	// An import travels alone on a connection that is closed after it, over
	// HTTP/1.1: no connection reuse, so no transparent resend of the POST.
	imp.DisableKeepAlives = true
	imp.ForceAttemptHTTP2 = false
	imp.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	imp.ResponseHeaderTimeout = t.ImportResponse
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.api = &http.Client{Transport: &logTransport{base: base, log: verbose, now: cfg.Now, ua: cfg.UserAgent},
		Timeout: t.Request, CheckRedirect: noRedirect}
	c.imp = &http.Client{Transport: &logTransport{base: imp, log: verbose, now: cfg.Now, ua: cfg.UserAgent},
		Timeout: t.Import, CheckRedirect: noRedirect}
	c.pw = &passwordSource{ctx: ctx, c: c}
	c.ts = oauth2.ReuseTokenSourceWithExpiry(nil, c.pw, earlyExpiry)
	return c, nil
}

// Platform returns the normalised API base URL.
func (c *Client) Platform() string { return PlatformID(c.apiURL) }

// Logins returns how many logins succeeded.
func (c *Client) Logins() int { return int(c.logins.Load()) }

// Close releases idle connections.
func (c *Client) Close() {
	c.api.CloseIdleConnections()
	c.imp.CloseIdleConnections()
}

func (c *Client) credentials() (Credentials, error) {
	c.credOnce.Do(func() {
		c.creds, c.credErr = c.cfg.Credentials()
		if c.credErr == nil {
			c.cfg.Redactor.Add(c.creds.Password)
			c.cfg.Redactor.Add(c.creds.ClientSecret)
		}
	})
	return c.creds, c.credErr
}

// Login obtains the token now, so that a refused login stops a run before
// anything else is sent.
func (c *Client) Login(ctx context.Context) error {
	_, err := c.token()
	return err
}

func (c *Client) token() (*oauth2.Token, error) {
	c.mu.Lock()
	ts := c.ts
	c.mu.Unlock()
	return ts.Token()
}

// relogin drops the cached token: the next call logs in again.
func (c *Client) relogin() {
	c.mu.Lock()
	c.ts = oauth2.ReuseTokenSourceWithExpiry(nil, c.pw, earlyExpiry)
	c.mu.Unlock()
}

// ErrNoCredentials is wrapped by a *LoginError when ClientConfig.Credentials
// failed (no password typed at the prompt): nothing was sent.
var ErrNoCredentials = errors.New("no credentials")

// LoginError is a login that failed. Its message holds the OAuth error code
// and the HTTP status, never the request (which carries the password).
type LoginError struct {
	URL    string
	Status int    // HTTP status, 0 if no answer came
	Code   string // RFC 6749 error code, e.g. invalid_grant
	Err    error  // the network error, if any
}

// Error says who refused the login and why, with a hint for the usual
// causes.
func (e *LoginError) Error() string {
	switch {
	case e.Status != 0 && e.Code != "":
		return fmt.Sprintf("login refused by %s: %s (HTTP %d)%s", e.URL, e.Code, e.Status, loginHint(e.Code))
	case e.Status != 0:
		return fmt.Sprintf("login refused by %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	case e.Err != nil:
		return fmt.Sprintf("login failed: %s: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("login failed: %s", e.URL)
}

// Unwrap returns the network error.
func (e *LoginError) Unwrap() error { return e.Err }

func loginHint(code string) string {
	switch code {
	case "invalid_grant":
		return ": check INQOM_USERNAME and INQOM_PASSWORD"
	case "invalid_client", "unauthorized_client":
		return ": check INQOM_CLIENT_ID and INQOM_CLIENT_SECRET"
	case "invalid_scope":
		return ": the API client is not allowed the scope \"openid apidata\""
	case "unsupported_grant_type":
		return ": the API client is not allowed the password grant"
	}
	return ""
}

// passwordSource runs the OAuth2 password grant each time it is asked for
// a token: the server issues no refresh token, so x/oauth2's own
// Config.TokenSource would fail at expiry. Client wraps it in
// oauth2.ReuseTokenSourceWithExpiry.
type passwordSource struct {
	ctx context.Context
	c   *Client
}

// Token logs in, retrying by the rules of classify.
func (p *passwordSource) Token() (*oauth2.Token, error) {
	c := p.c
	creds, err := c.credentials()
	if err != nil {
		return nil, &LoginError{URL: c.authURL, Err: fmt.Errorf("%w: %w", ErrNoCredentials, err)}
	}
	conf := &oauth2.Config{
		ClientID:     creds.ClientID,
		ClientSecret: creds.ClientSecret,
		// In the form, never as a Basic header: auto-detection would send
		// every failed login twice, and mangle secrets with special
		// characters.
		Endpoint: oauth2.Endpoint{TokenURL: c.authURL, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"openid", "apidata"},
	}
	ctx := context.WithValue(p.ctx, oauth2.HTTPClient, c.api)
	b := c.retry.policy.backoff()
	for n := 1; ; n++ {
		tok, err := conf.PasswordCredentialsToken(ctx, creds.Username, creds.Password)
		if err == nil {
			c.cfg.Redactor.Add(tok.AccessToken)
			c.logins.Add(1)
			return tok, nil
		}
		lerr := &LoginError{URL: c.authURL}
		var re *oauth2.RetrieveError
		var ue *url.Error
		retryAfter := ""
		switch {
		case errors.As(err, &re):
			if re.Response != nil {
				lerr.Status = re.Response.StatusCode
				retryAfter = re.Response.Header.Get("Retry-After")
			}
			lerr.Code = oauthCode(re.ErrorCode)
		case errors.As(err, &ue):
			lerr.Err = netError(ue.Err)
			if refusedBeforeSending(lerr.Err) {
				return nil, lerr
			}
		default:
			// An answer that could not be read (x/oauth2 formats the read
			// error with %v, so it cannot be told apart), or a 2xx whose
			// body is not a usable token. The error value is not shown:
			// x/oauth2's errors may carry the request or the response.
			lerr.Err = errors.New("the token endpoint's answer could not be read, or holds no usable access_token")
			return nil, lerr
		}
		if ctx.Err() != nil {
			lerr.Err = ctx.Err()
			return nil, lerr
		}
		if lerr.Err != nil && isCertError(lerr.Err) {
			return nil, lerr
		}
		if classify(kindToken, lerr.Status, lerr.Err, true) != verdictRetry {
			return nil, lerr
		}
		what := fmt.Sprintf("login at %s: HTTP %d", c.authURL, lerr.Status)
		if lerr.Err != nil {
			what = fmt.Sprintf("login at %s: %v", c.authURL, lerr.Err)
		}
		if werr := c.retry.wait(ctx, b, n, what, retryAfter); werr != nil {
			if lerr.Err != nil {
				lerr.Err = fmt.Errorf("%w; %w", lerr.Err, werr)
			} else {
				lerr.Err = werr
			}
			if lerr.Status != 0 {
				lerr.Err = fmt.Errorf("HTTP %d: %w", lerr.Status, werr)
				lerr.Status = 0
			}
			return nil, lerr
		}
	}
}

// oauthCode returns an RFC 6749 error code as received if it looks like one
// (letters, digits and _.-, at most 64 of them), else "": the code is the
// server's text, and only a well-formed one is worth showing.
func oauthCode(code string) string {
	if code == "" || len(code) > 64 {
		return ""
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return ""
		}
	}
	return code
}

// netError strips the *url.Error wrapper, whose text repeats the URL.
func netError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// refusedBeforeSending reports whether a request failed before it was
// sent for a reason that another attempt would not change: not a network
// error (a connection refused, reset or timed out, which a retry may
// overcome) but an answer, such as a proxy refusing the CONNECT (Go gives
// its status text, "Forbidden", as the error) or a TLS protocol error.
func refusedBeforeSending(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true
}

func isCertError(err error) bool {
	var cv *tls.CertificateVerificationError
	return errors.As(err, &cv)
}

// RequestError is an account registration or an import that did not
// succeed.
type RequestError struct {
	// Op says what was attempted, e.g. "register account FR76…".
	Op string
	// Status is the last HTTP status, 0 if no answer came.
	Status int
	// Body is the start of the last answer's body, cleaned for display.
	Body string
	// Err is the network error or why the retries ended.
	Err error
	// Unknown is set when the request may have been processed.
	Unknown bool
}

// Error says what was attempted, the last answer and whether the outcome
// is unknown.
func (e *RequestError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d %s", e.Status, http.StatusText(e.Status))
		if e.Body != "" {
			fmt.Fprintf(&b, ": %s", e.Body)
		}
		if e.Err != nil {
			b.WriteString("; ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Unknown {
		b.WriteString(" (outcome unknown: the request may have been processed)")
	}
	return b.String()
}

// Unwrap returns the network error.
func (e *RequestError) Unwrap() error { return e.Err }

// response is a finished HTTP exchange.
type response struct {
	Status int
	Body   []byte
}

// do runs one resource call: token, retries, one re-login on a 401. It
// returns the final response (2xx or a definite answer), or a
// *RequestError when no answer came or the outcome is unknown, or a
// *LoginError.
func (c *Client) do(ctx context.Context, kind callKind, op string, build func(context.Context) (*http.Request, error)) (*response, error) {
	client := c.api
	if kind == kindImport {
		client = c.imp
	}
	b := c.retry.policy.backoff()
	reauthed := false
	for n := 1; ; n++ {
		tok, err := c.token()
		if err != nil {
			return nil, err
		}
		var sent atomic.Bool
		tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }})
		req, err := build(tctx)
		if err != nil {
			return nil, &RequestError{Op: op, Err: err}
		}
		// Always "Bearer", as documented, whatever token_type the server
		// names (x/oauth2's SetAuthHeader would send "JWT …" for a
		// token_type JWT).
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := client.Do(req)
		status, retryAfter := 0, ""
		var body []byte
		if err == nil {
			status, retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
			body, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody))
			_ = resp.Body.Close()
		}
		if err != nil {
			err = netError(err)
			if !sent.Load() && refusedBeforeSending(err) {
				return nil, &RequestError{Op: op, Err: err}
			}
			if ctx.Err() != nil || isCertError(err) {
				return nil, &RequestError{Op: op, Err: err, Unknown: kind == kindImport && sent.Load()}
			}
		}
		switch classify(kind, status, err, sent.Load()) {
		case verdictSuccess, verdictFinal:
			return &response{Status: status, Body: body}, nil
		case verdictReauth:
			if reauthed {
				return &response{Status: status, Body: body}, nil
			}
			reauthed = true
			c.notify("%s: HTTP 401 (token expired or revoked): logging in again", op)
			c.relogin()
			n-- // the retry after a re-login is not a backoff attempt
			continue
		case verdictUnknown:
			return nil, &RequestError{Op: op, Status: status, Body: c.answer(body), Err: err, Unknown: true}
		case verdictRetry:
			what := fmt.Sprintf("%s: HTTP %d", op, status)
			if err != nil {
				what = fmt.Sprintf("%s: %v", op, err)
			}
			if werr := c.retry.wait(ctx, b, n, what, retryAfter); werr != nil {
				if err == nil {
					err = werr
				} else {
					err = fmt.Errorf("%w; %w", err, werr)
				}
				return nil, &RequestError{Op: op, Status: status, Body: c.answer(body), Err: err}
			}
		}
	}
}

// accountRequest is the documented JSON body of an account registration.
type accountRequest struct {
	Iban                 string `json:"Iban"`
	BankName             string `json:"BankName"`
	IsCfonbControlActive bool   `json:"IsCfonbControlActive"`
}

// RegisterAccount registers iban in dossier. It returns the HTTP status,
// 2xx or 409 (the account exists already, which is success too); any
// other answer is a *RequestError.
func (c *Client) RegisterAccount(ctx context.Context, dossier int64, iban, bankName string, ibanControl bool) (int, error) {
	if bankName == "" {
		return 0, errors.New("upload: empty bank name")
	}
	body, err := json.Marshal(accountRequest{Iban: iban, BankName: bankName, IsCfonbControlActive: ibanControl})
	if err != nil {
		return 0, err
	}
	u := c.apiURL + fmt.Sprintf(accountsPathFormat, dossier)
	op := "register account " + iban
	resp, err := c.do(ctx, kindAccount, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return 0, err
	}
	if resp.Status/100 == 2 || resp.Status == http.StatusConflict {
		return resp.Status, nil
	}
	return resp.Status, &RequestError{Op: op, Status: resp.Status, Body: c.answer(resp.Body)}
}

// ImportResult is the platform's answer to an import.
type ImportResult struct {
	Status int
	// ID is the answer when it is a bare JSON value (an id, as observed
	// on the platform), else "".
	ID string
	// Body is what the journal keeps of the answer: the id, or the start
	// of the answer cleaned for display and scrubbed of secrets.
	Body string
}

// Import sends the file as the part "file" of a multipart/form-data body,
// on a fresh connection, from a private snapshot: the file is copied and
// hashed first, and sent only if the copy matches f.SHA256 and f.Size, so
// that the bytes sent are always the bytes validated, even if the file
// changes while it is sent. A file changed since it was validated is not
// sent at all (a *RequestError wrapping errFileChanged, not Unknown). A
// non-2xx answer, or no answer, is a *RequestError whose Unknown field says
// whether the file may have been imported all the same.
func (c *Client) Import(ctx context.Context, f *File) (ImportResult, error) {
	u := c.apiURL + importPath
	op := "import " + f.Path
	snap, err := takeSnapshot(f.Path, f.SHA256, f.Size)
	if err != nil {
		return ImportResult{}, &RequestError{Op: op, Err: err}
	}
	defer func() { _ = snap.Close() }()
	resp, err := c.do(ctx, kindImport, op, func(ctx context.Context) (*http.Request, error) {
		var progress func(int64)
		if c.cfg.Progress != nil {
			progress = func(n int64) { c.cfg.Progress(f.Path, n, f.Size) }
		}
		body, ctype, length, err := multipartBody(filepath.Base(f.Path), snap, progress)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
		if err != nil {
			return nil, err
		}
		req.ContentLength = length
		req.GetBody = nil // never replayable
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Status: resp.Status, ID: c.bareValue(resp.Body)}
	res.Body = c.answer(resp.Body)
	if resp.Status/100 != 2 {
		return res, &RequestError{Op: op, Status: resp.Status, Body: res.Body}
	}
	if res.ID != "" {
		res.Body = strconv.Quote(res.ID)
	}
	return res, nil
}

// bareValue returns a JSON answer that is a bare string or number, such
// as an id, if it is short and plain (letters, digits, -_.:), else "". It
// is all of a success answer that is kept: what else a server says is not
// documented.
func (c *Client) bareValue(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strings.TrimSpace(string(body))
	default:
		return ""
	}
	if s == "" || len(s) > 64 {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return ""
		}
	}
	if c.cfg.Redactor.String(s) != s {
		return ""
	}
	return s
}

// errFileChanged stops an import whose file no longer matches its hash.
var errFileChanged = errors.New("the file changed since it was validated: it was not sent")

// snapshotInMemory is the largest file snapshotted in memory; a larger one
// is copied to a private temporary file.
const snapshotInMemory = 32 << 20

// snapshot is a private, verified copy of a file to import.
type snapshot struct {
	data []byte
	file *os.File
	size int64
}

// takeSnapshot copies the file at path, hashing it on the way, and returns
// the copy if it has the size and SHA-256 that were validated, else
// errFileChanged.
func takeSnapshot(path, sha string, size int64) (*snapshot, error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = src.Close() }()
	h := sha256.New()
	s := &snapshot{size: size}
	var w io.Writer
	var buf *bytes.Buffer
	if size <= snapshotInMemory {
		buf = bytes.NewBuffer(make([]byte, 0, size+1))
		w = buf
	} else {
		tmp, err := os.CreateTemp("", "cfonb-upload-*")
		if err != nil {
			return nil, fmt.Errorf("snapshot of %s: %w", path, err)
		}
		s.file, w = tmp, tmp
	}
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(src, size+1))
	if err == nil && (n != size || hex.EncodeToString(h.Sum(nil)) != sha) {
		err = errFileChanged
	}
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if buf != nil {
		s.data = buf.Bytes()
	}
	return s, nil
}

// reader returns a reader of the whole snapshot.
func (s *snapshot) reader() io.Reader {
	if s.file != nil {
		return io.NewSectionReader(s.file, 0, s.size)
	}
	return bytes.NewReader(s.data)
}

// Close removes the snapshot.
func (s *snapshot) Close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	s.file = nil
	return err
}

// multipartBody returns a multipart/form-data body with one part "file"
// named name holding the snapshot, and the body's exact length. progress,
// if set, is told how much of the file was read.
func multipartBody(name string, snap *snapshot, progress func(int64)) (io.Reader, string, int64, error) {
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("file", name); err != nil {
		return nil, "", 0, err
	}
	headBytes := append([]byte(nil), head.Bytes()...)
	head.Reset()
	if err := mw.Close(); err != nil {
		return nil, "", 0, err
	}
	tail.Write(head.Bytes())
	file := snap.reader()
	if progress != nil {
		file = &progressReader{r: file, f: progress}
	}
	body := io.MultiReader(bytes.NewReader(headBytes), file, &tail)
	return body, mw.FormDataContentType(), int64(len(headBytes)) + snap.size + int64(tail.Len()), nil
}

// progressReader reports the bytes read so far.
type progressReader struct {
	r io.Reader
	n int64
	f func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.n += int64(n)
		p.f(p.n)
	}
	return n, err
}

// answerMax bounds a server's answer as shown: long enough for any error
// message whole, short enough for an error page not to flood the output.
const answerMax = 8 << 10

// answer returns a server's answer, safe to print and to record: on one
// line, at most answerMax bytes, and without any of the secrets the
// redactor knows, even escaped or line-wrapped (a server may echo the
// request, with its Authorization header, in an error page). Redacting
// before cutting keeps a secret cut in two from surviving as a prefix.
func (c *Client) answer(body []byte) string {
	r := c.cfg.Redactor
	return r.String(sanitize(r.String(string(body)), answerMax))
}

// sanitize makes untrusted text (a server's answer) safe to print on one
// line: control characters become spaces, runs of spaces shrink, and it is
// cut to max bytes.
func sanitize(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
		if b.Len() >= max {
			return strings.TrimSpace(b.String()) + "…"
		}
	}
	return strings.TrimSpace(b.String())
}

// logTransport logs one line per HTTP exchange: time, method, URL, status
// and duration, with the Authorization header and the secret form fields
// redacted. It never logs a body otherwise.
type logTransport struct {
	base http.RoundTripper
	log  func(string) // nil: no logging
	now  func() time.Time
	ua   string // User-Agent, if set
}

// requestIDHeaders are the headers in which servers name a request, logged
// with -v so that a support request can quote them.
var requestIDHeaders = []string{"Request-Id", "X-Request-Id", "X-Correlation-Id", "X-Ms-Request-Id", "X-Amzn-Requestid", "Traceparent"}

// secretFields are the form fields whose values are never shown.
var secretFields = map[string]bool{"password": true, "client_secret": true, "refresh_token": true, "access_token": true}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.ua != "" {
		r2 := req.Clone(req.Context())
		r2.Header.Set("User-Agent", t.ua)
		req = r2
	}
	if t.log == nil {
		return t.base.RoundTrip(req)
	}
	start := t.now()
	var extra strings.Builder
	if req.Header.Get("Authorization") != "" {
		extra.WriteString(" Authorization: " + Redacted)
	}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			raw, _ := io.ReadAll(io.LimitReader(rc, maxBody))
			_ = rc.Close()
			if form, err := url.ParseQuery(string(raw)); err == nil {
				keys := make([]string, 0, len(form))
				for k := range form {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				extra.WriteString(" form:")
				for _, k := range keys {
					v := form.Get(k)
					if secretFields[k] {
						v = Redacted
					}
					fmt.Fprintf(&extra, " %s=%q", k, v)
				}
			}
		}
	}
	if req.ContentLength > 0 && !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		fmt.Fprintf(&extra, " (%d bytes)", req.ContentLength)
	}
	resp, err := t.base.RoundTrip(req)
	d := t.now().Sub(start).Round(time.Millisecond)
	stamp := start.Format("15:04:05.000")
	if err != nil {
		t.log(fmt.Sprintf("http %s %s %s: %v after %s%s", stamp, req.Method, req.URL.Redacted(), netError(err), d, extra.String()))
		return resp, err
	}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			fmt.Fprintf(&extra, " %s=%s", strings.ToLower(h), sanitize(v, 128))
		}
	}
	t.log(fmt.Sprintf("http %s %s %s -> %s in %s%s", stamp, req.Method, req.URL.Redacted(), resp.Status, d, extra.String()))
	return resp, nil
}
