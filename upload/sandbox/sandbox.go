// Package sandbox is a local stand-in for the two documented endpoints of
// the Inqom banking API and its token endpoint (../shared/inqom-api.md),
// keeping registered accounts and imported files in memory. It follows the
// working assumptions of cfonb upload (409 on a duplicate account; a
// re-import is booked again, as the real platform is assumed to do) and
// can inject faults (an error status, a Retry-After, a dropped connection,
// an expired token, a refused account) so that the whole pipeline can be
// rehearsed and tested without credentials.
//
// It serves plain HTTP and is meant for loopback addresses only.
package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The sandbox's default test credentials. They open nothing but a sandbox.
const (
	DefaultUsername     = "rehearsal@sandbox.invalid"
	DefaultPassword     = "sandbox-password"
	DefaultClientID     = "cfonb-sandbox"
	DefaultClientSecret = "sandbox-client-secret"
)

// Paths served, as documented.
const (
	TokenPath    = "/identity/connect/token"
	AccountsPath = "/api/app/banking/enterprises/{dossier}/manual/ebics/accounts"
	ImportPath   = "/api/app/banking/ebics/accounts/import"
	// StatePath shows the sandbox's accounts and imports as JSON (not part
	// of the real API: it is how a rehearsal checks what arrived).
	StatePath = "/sandbox/state"
)

// maxUpload caps an imported file.
const maxUpload = 64 << 20

// Options configure a Server. The zero value uses the default credentials.
type Options struct {
	Username, Password, ClientID, ClientSecret string
	// TokenLifetime is the expires_in of the tokens; zero means one hour.
	TokenLifetime time.Duration
	// Log receives one line per request (method, path, status; never a
	// body or a header); nil for none.
	Log io.Writer
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// TokenType is the token_type of the tokens; empty means "Bearer".
	// Whatever it says, resource calls must carry "Authorization: Bearer"
	// (the documented scheme): anything else is answered 401.
	TokenType string
	// ExistsStatus is the status answered to the registration of an
	// account already registered in the dossier; zero means 409 (cfonb's
	// working assumption; the real answer is not documented).
	ExistsStatus int
	// ExistsMessage is the body of that answer (a JSON string); empty
	// means "account already exists".
	ExistsMessage string
}

// Route names an endpoint, for faults and the request log.
type Route string

// Routes.
const (
	RouteToken    Route = "token"
	RouteAccounts Route = "accounts"
	RouteImport   Route = "import"
	RouteOther    Route = "other"
)

// Fault changes how the sandbox answers the next requests of a route.
type Fault struct {
	Route Route
	// Status is answered instead of the normal answer (after handling the
	// request normally if Process is set).
	Status int
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string
	// Process handles the request normally (an account is registered, a
	// file imported) before the fault's answer: the "processed, but the
	// answer was lost" case.
	Process bool
	// Drop closes the connection without any answer.
	Drop bool
	// Hang waits, without answering, until the client goes away.
	Hang bool
	// ExpireToken revokes the caller's token and answers 401, as when a
	// token expires between two calls.
	ExpireToken bool
}

// Request is one request as the sandbox received it.
type Request struct {
	Route  Route
	Method string
	Path   string
	Status int // 0 when the connection was dropped or the client left
	Header http.Header
	// Form is the token request's form.
	Form url.Values
	// Body is an account request's JSON, or an import's "file" part.
	Body []byte
	// FileName is the file name of an import's part.
	FileName string
	// Parts lists the names of an import's multipart parts.
	Parts []string
	// ContentLength is the request's declared length (-1: chunked).
	ContentLength int64
	// Close is set when the client asked to close the connection after
	// the request (a fresh connection per import).
	Close bool
	// RemoteAddr is the client's address: two requests from the same
	// address and port came on the same connection.
	RemoteAddr string
}

// AuthScheme returns the scheme of the request's Authorization header
// ("Bearer" when cfonb is right), or "" when there is none.
func (r Request) AuthScheme() string {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return scheme
}

// newRequest starts the record of r.
func newRequest(route Route, r *http.Request) Request {
	return Request{Route: route, Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(),
		ContentLength: r.ContentLength, Close: r.Close, RemoteAddr: r.RemoteAddr}
}

// Account is a registered account.
type Account struct {
	ID          int       `json:"id"`
	Dossier     int64     `json:"dossier"`
	IBAN        string    `json:"iban"`
	BankName    string    `json:"bank_name"`
	IBANControl bool      `json:"iban_control"`
	Registered  time.Time `json:"registered"`
}

// Import is an imported file.
type Import struct {
	ID         int       `json:"id"`
	FileName   string    `json:"file_name"`
	SHA256     string    `json:"sha256"`
	Size       int       `json:"size"`
	Statements int       `json:"statements"`
	IBANs      []string  `json:"ibans"`
	Time       time.Time `json:"time"`
	Data       []byte    `json:"-"`
}

type refusal struct {
	status  int
	message string
}

type queuedFault struct {
	f Fault
	n int
}

// Server is the sandbox; it is an http.Handler, safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	tokens   map[string]time.Time // token -> expiry
	accounts []Account
	imports  []Import
	requests []Request
	faults   []queuedFault
	refused  map[string]refusal
}

// New returns a sandbox with no accounts and no imports.
func New(opts Options) *Server {
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenType == "" {
		opts.TokenType = "Bearer"
	}
	if opts.ExistsStatus == 0 {
		opts.ExistsStatus = http.StatusConflict
	}
	if opts.ExistsMessage == "" {
		opts.ExistsMessage = "account already exists"
	}
	s := &Server{opts: opts, tokens: map[string]time.Time{}, refused: map[string]refusal{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.handleToken)
	mux.HandleFunc("POST "+AccountsPath, s.handleAccount)
	mux.HandleFunc("POST "+ImportPath, s.handleImport)
	mux.HandleFunc("GET "+StatePath, s.handleState)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rec := newRequest(RouteOther, r)
		rec.Status = http.StatusNotFound
		s.record(rec)
		http.NotFound(w, r)
	})
	s.mux = mux
	return s
}

// Credentials returns the credentials the sandbox accepts.
func (s *Server) Credentials() (username, password, clientID, clientSecret string) {
	return s.opts.Username, s.opts.Password, s.opts.ClientID, s.opts.ClientSecret
}

// Inject queues a fault for the next times requests of f.Route (faults of
// a route apply in the order injected).
func (s *Server) Inject(f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, queuedFault{f: f, n: times})
}

// RefuseAccount makes every registration of iban answer status with
// message as body.
func (s *Server) RefuseAccount(iban string, status int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[iban] = refusal{status, message}
}

// RevokeTokens invalidates every token issued so far.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Accounts returns the registered accounts.
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.accounts)
}

// Imports returns the imported files, duplicates included.
func (s *Server) Imports() []Import {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.imports)
}

// ServeHTTP serves the sandbox's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lw := &statusWriter{ResponseWriter: w}
	s.mux.ServeHTTP(lw, r)
	if s.opts.Log != nil {
		status := strconv.Itoa(lw.status)
		if lw.status == 0 {
			status = "no answer"
		}
		if lw.err != nil {
			status += " (answer not sent: " + lw.err.Error() + ")"
		}
		fmt.Fprintf(s.opts.Log, "sandbox: %s %s -> %s\n", r.Method, r.URL.Path, status)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	err    error // the error writing the answer, if any
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (to drop it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1
}

func (s *Server) setStatus(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = status
}

// takeFault pops the next fault for route, if any.
func (s *Server) takeFault(route Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		q := &s.faults[i]
		if q.f.Route != route || q.n <= 0 {
			continue
		}
		q.n--
		f := q.f
		if q.n == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f, true
	}
	return Fault{}, false
}

// answer writes a JSON value with a status.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		answerFailed(w, err)
	}
}

// answerFailed keeps the error encoding or writing an answer (the client
// went away) for ServeHTTP's log line.
func answerFailed(w http.ResponseWriter, err error) {
	if sw, ok := w.(*statusWriter); ok && sw.err == nil {
		sw.err = err
	}
}

// applyFault carries out a fault's answer; it returns the status sent (0
// for none).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) int {
	switch {
	case f.Drop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return 0
	case f.Hang:
		<-r.Context().Done()
		return 0
	}
	status := f.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	answer(w, status, http.StatusText(status))
	return status
}

// oauthError answers an RFC 6749 error the way IdentityServer3 does:
// HTTP 400 whatever the error, even invalid_client.
func oauthError(w http.ResponseWriter, code string) int {
	answer(w, http.StatusBadRequest, map[string]string{"error": code})
	return http.StatusBadRequest
}

// tokenFields are the token request's fields, exactly.
var tokenFields = []string{"client_id", "client_secret", "grant_type", "password", "scope", "username"}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	rec := newRequest(RouteToken, r)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	form, perr := url.ParseQuery(string(body))
	rec.Form = form
	i := s.record(rec)
	if f, ok := s.takeFault(RouteToken); ok {
		s.setStatus(i, s.applyFault(w, r, f))
		return
	}
	s.setStatus(i, s.token(w, r, form, perr))
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, form url.Values, perr error) int {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || ct != "application/x-www-form-urlencoded" {
		return oauthError(w, "invalid_request")
	}
	var keys []string
	for k, v := range form {
		if len(v) != 1 {
			return oauthError(w, "invalid_request")
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, tokenFields) || r.Header.Get("Authorization") != "" {
		// Exactly the documented fields, the client's in the form only.
		return oauthError(w, "invalid_request")
	}
	switch {
	case form.Get("grant_type") != "password":
		return oauthError(w, "unsupported_grant_type")
	case form.Get("client_id") != s.opts.ClientID || form.Get("client_secret") != s.opts.ClientSecret:
		return oauthError(w, "invalid_client")
	case form.Get("scope") != "openid apidata":
		return oauthError(w, "invalid_scope")
	case form.Get("username") != s.opts.Username || form.Get("password") != s.opts.Password:
		return oauthError(w, "invalid_grant")
	}
	var b [24]byte
	rand.Read(b[:])
	tok := "sbx." + hex.EncodeToString(b[:])
	s.mu.Lock()
	s.tokens[tok] = s.opts.Now().Add(s.opts.TokenLifetime)
	s.mu.Unlock()
	answer(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_in":   int64(s.opts.TokenLifetime / time.Second),
		"token_type":   s.opts.TokenType,
	})
	return http.StatusOK
}

// authorized checks the bearer token; it answers 401 and returns false if
// the scheme is not exactly "Bearer", or the token is missing, unknown or
// expired.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	exp, known := s.tokens[tok]
	valid := ok && known && s.opts.Now().Before(exp)
	s.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

func (s *Server) revoke(r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	delete(s.tokens, tok)
	s.mu.Unlock()
}

// resource runs the common part of the two resource calls: record, fault,
// token. handle does the work and returns the status it answered.
func (s *Server) resource(w http.ResponseWriter, r *http.Request, rec Request, handle func(w http.ResponseWriter) int) {
	i := s.record(rec)
	f, faulty := s.takeFault(rec.Route)
	if faulty && f.ExpireToken {
		s.revoke(r)
	}
	if !s.authorized(w, r) {
		s.setStatus(i, http.StatusUnauthorized)
		return
	}
	if !faulty {
		s.setStatus(i, handle(w))
		return
	}
	if f.Process {
		handle(discardWriter{h: http.Header{}})
	}
	s.setStatus(i, s.applyFault(w, r, f))
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

// accountBody is the documented JSON body; every field is required.
type accountBody struct {
	Iban                 *string `json:"Iban"`
	BankName             *string `json:"BankName"`
	IsCfonbControlActive *bool   `json:"IsCfonbControlActive"`
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	rec := newRequest(RouteAccounts, r)
	rec.Body = body
	s.resource(w, r, rec, func(w http.ResponseWriter) int {
		dossier, err := strconv.ParseInt(r.PathValue("dossier"), 10, 64)
		if err != nil || dossier <= 0 {
			answer(w, http.StatusBadRequest, "dossierId must be a positive integer")
			return http.StatusBadRequest
		}
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/json" {
			answer(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return http.StatusUnsupportedMediaType
		}
		var ab accountBody
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ab); err != nil || ab.Iban == nil || ab.BankName == nil || ab.IsCfonbControlActive == nil {
			answer(w, http.StatusBadRequest, "body must be {Iban, BankName, IsCfonbControlActive}")
			return http.StatusBadRequest
		}
		if err := cfonb.CheckIBAN(*ab.Iban); err != nil {
			answer(w, http.StatusBadRequest, err.Error())
			return http.StatusBadRequest
		}
		if strings.TrimSpace(*ab.BankName) == "" {
			answer(w, http.StatusBadRequest, "BankName is required")
			return http.StatusBadRequest
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if ref, ok := s.refused[*ab.Iban]; ok {
			answer(w, ref.status, ref.message)
			return ref.status
		}
		for _, a := range s.accounts {
			if a.Dossier == dossier && a.IBAN == *ab.Iban {
				answer(w, s.opts.ExistsStatus, s.opts.ExistsMessage)
				return s.opts.ExistsStatus
			}
		}
		a := Account{ID: len(s.accounts) + 1, Dossier: dossier, IBAN: *ab.Iban, BankName: *ab.BankName,
			IBANControl: *ab.IsCfonbControlActive, Registered: s.opts.Now()}
		s.accounts = append(s.accounts, a)
		answer(w, http.StatusOK, strconv.Itoa(a.ID)) // a bare JSON value, as observed
		return http.StatusOK
	})
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	rec := newRequest(RouteImport, r)
	data, name, parts, perr := readFilePart(r)
	rec.Body, rec.FileName, rec.Parts = data, name, parts
	s.resource(w, r, rec, func(w http.ResponseWriter) int {
		if perr != nil {
			answer(w, http.StatusBadRequest, perr.Error())
			return http.StatusBadRequest
		}
		ibans, stmts, err := fileAccounts(data)
		if err != nil {
			answer(w, http.StatusBadRequest, err.Error())
			return http.StatusBadRequest
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, ib := range ibans {
			if !slices.ContainsFunc(s.accounts, func(a Account) bool { return a.IBAN == ib }) {
				msg := "account " + ib + " is not registered"
				answer(w, http.StatusBadRequest, msg)
				return http.StatusBadRequest
			}
		}
		sum := sha256.Sum256(data)
		im := Import{ID: len(s.imports) + 1, FileName: name, SHA256: hex.EncodeToString(sum[:]), Size: len(data),
			Statements: stmts, IBANs: ibans, Time: s.opts.Now(), Data: data}
		s.imports = append(s.imports, im)
		answer(w, http.StatusOK, strconv.Itoa(im.ID))
		return http.StatusOK
	})
}

// readFilePart reads a multipart/form-data body that must hold exactly one
// part, a file named "file".
func readFilePart(r *http.Request) (data []byte, name string, parts []string, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", nil, fmt.Errorf("want multipart/form-data: %w", err)
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", parts, fmt.Errorf("bad multipart body: %w", err)
		}
		parts = append(parts, p.FormName())
		if p.FormName() == "file" && data == nil {
			name = p.FileName()
			data, err = io.ReadAll(io.LimitReader(p, maxUpload+1))
			if err != nil {
				return nil, name, parts, fmt.Errorf("bad multipart body: %w", err)
			}
			if len(data) > maxUpload {
				return nil, name, parts, fmt.Errorf("file larger than %d bytes", maxUpload)
			}
		}
	}
	if len(parts) != 1 || parts[0] != "file" || name == "" {
		return nil, name, parts, fmt.Errorf("want exactly one file part named \"file\", got parts %q", parts)
	}
	return data, name, parts, nil
}

// fileAccounts returns the IBANs of a CFONB120 file's statements and their
// number.
func fileAccounts(data []byte) ([]string, int, error) {
	var ibans []string
	n := 0
	cr := cfonb.NewReader(bytes.NewReader(data))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if rec.Code() != cfonb.CodeOldBalance {
			continue
		}
		n++
		a := cfonb.AccountOf(rec.Data)
		ib, err := a.IBAN()
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", rec.Line, err)
		}
		if !slices.Contains(ibans, string(ib)) {
			ibans = append(ibans, string(ib))
		}
	}
	if n == 0 {
		return nil, 0, errors.New("not a CFONB120 statement file")
	}
	return ibans, n, nil
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	rec := newRequest(RouteOther, r)
	rec.Status = http.StatusOK
	s.record(rec)
	s.mu.Lock()
	state := struct {
		Accounts []Account `json:"accounts"`
		Imports  []Import  `json:"imports"`
	}{slices.Clone(s.accounts), slices.Clone(s.imports)}
	s.mu.Unlock()
	if state.Accounts == nil {
		state.Accounts = []Account{}
	}
	if state.Imports == nil {
		state.Imports = []Import{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(state); err != nil {
		answerFailed(w, err)
	}
}

// Listen listens on addr, which must be a loopback address: the sandbox
// accepts well-known test credentials and must not be reachable from
// elsewhere.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("sandbox address %q: only a loopback address is allowed (127.0.0.1, [::1], localhost)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return l, nil
}

// ParseFault reads a fault as the sandbox command's --fault flag writes
// it: ROUTE=WHAT[*N][,retry-after=S], where ROUTE is token, accounts or
// import; WHAT is an HTTP status, drop (close the connection), hang (never
// answer) or expire (the token expired: 401), optionally prefixed with
// "processed-" (handle the request, then answer so: the answer is lost);
// N is how many requests it hits (default 1). expire and processed- apply
// to accounts and import only. It returns the fault and N.
func ParseFault(s string) (Fault, int, error) {
	bad := func(why string) (Fault, int, error) {
		return Fault{}, 0, fmt.Errorf("fault %q: %s (want ROUTE=WHAT[*N][,retry-after=S], e.g. import=processed-502 or token=503*2,retry-after=1)", s, why)
	}
	spec, opt, hasOpt := strings.Cut(s, ",")
	route, what, ok := strings.Cut(spec, "=")
	if !ok {
		return bad("no '='")
	}
	var f Fault
	switch Route(route) {
	case RouteToken, RouteAccounts, RouteImport:
		f.Route = Route(route)
	default:
		return bad("route must be token, accounts or import")
	}
	n := 1
	if w, count, ok := strings.Cut(what, "*"); ok {
		c, err := strconv.Atoi(count)
		if err != nil || c < 1 {
			return bad("count must be a positive integer")
		}
		what, n = w, c
	}
	if w, ok := strings.CutPrefix(what, "processed-"); ok {
		if f.Route == RouteToken {
			// The login has nothing to process: the fault would silently
			// be a plain one.
			return bad("processed- applies to accounts or import, not to the login")
		}
		f.Process, what = true, w
	}
	switch what {
	case "drop":
		f.Drop = true
	case "hang":
		f.Hang = true
	case "expire":
		if f.Process {
			return bad("expire cannot be processed")
		}
		if f.Route == RouteToken {
			return bad("expire applies to accounts or import, not to the login")
		}
		f.ExpireToken = true
	default:
		st, err := strconv.Atoi(what)
		if err != nil || st < 100 || st > 599 {
			return bad("what must be an HTTP status, drop, hang or expire")
		}
		f.Status = st
	}
	if hasOpt {
		v, ok := strings.CutPrefix(opt, "retry-after=")
		if !ok || v == "" {
			return bad("the only option is retry-after=S")
		}
		f.RetryAfter = v
	}
	return f, n, nil
}
