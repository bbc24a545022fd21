package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

func goodForm() url.Values {
	return url.Values{"username": {DefaultUsername}, "password": {DefaultPassword}, "grant_type": {"password"},
		"scope": {"openid apidata"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
}

func postForm(t *testing.T, h http.Handler, form url.Values, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func login(t *testing.T, s *Server) string {
	t.Helper()
	w := postForm(t, s, goodForm(), nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tok))
	assert.Equal(t, int64(3600), tok.ExpiresIn)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	return tok.AccessToken
}

func TestToken(t *testing.T) {
	change := func(k, v string) url.Values {
		f := goodForm()
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	extra := goodForm()
	extra.Set("extra", "1")
	twice := goodForm()
	twice.Add("scope", "openid")
	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		want   string
	}{
		{"wrong password", change("password", "nope"), nil, "invalid_grant"},
		{"wrong user", change("username", "x@y"), nil, "invalid_grant"},
		{"wrong secret", change("client_secret", "nope"), nil, "invalid_client"},
		{"wrong client", change("client_id", "nope"), nil, "invalid_client"},
		{"grant", change("grant_type", "client_credentials"), nil, "unsupported_grant_type"},
		{"scope", change("scope", "openid"), nil, "invalid_scope"},
		{"missing field", change("scope", ""), nil, "invalid_request"},
		{"extra field", extra, nil, "invalid_request"},
		{"field twice", twice, nil, "invalid_request"},
		{"basic header too", goodForm(), http.Header{"Authorization": {"Basic eDp5"}}, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			w := postForm(t, s, tt.form, tt.header)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.JSONEq(t, `{"error":"`+tt.want+`"}`, w.Body.String())
			require.Len(t, s.Requests(), 1)
			assert.Equal(t, tt.form, s.Requests()[0].Form)
		})
	}
	s := New(Options{})
	assert.Regexp(t, `^sbx\.[0-9a-f]{48}$`, login(t, s))
}

func postAccount(t *testing.T, s *Server, token, dossier, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/app/banking/enterprises/"+dossier+"/manual/ebics/accounts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

const iban = "FR7630004008230001000015611"

func TestAccounts(t *testing.T) {
	s := New(Options{})
	tok := login(t, s)
	good := `{"Iban":"` + iban + `","BankName":"BNP Paribas","IsCfonbControlActive":true}`
	tests := []struct {
		name, token, dossier, body string
		want                       int
	}{
		{"no token", "", "7", good, 401},
		{"bad token", "sbx.nope", "7", good, 401},
		{"dossier", tok, "x7", good, 400},
		{"dossier zero", tok, "0", good, 400},
		{"unknown field", tok, "7", `{"Iban":"` + iban + `","BankName":"B","IsCfonbControlActive":true,"X":1}`, 400},
		{"missing field", tok, "7", `{"Iban":"` + iban + `","BankName":"B"}`, 400},
		{"empty bank", tok, "7", `{"Iban":"` + iban + `","BankName":" ","IsCfonbControlActive":true}`, 400},
		{"bad IBAN", tok, "7", `{"Iban":"FR7630004008230001000015612","BankName":"B","IsCfonbControlActive":true}`, 400},
		{"ok", tok, "7", good, 200},
		{"duplicate", tok, "7", good, 409},
		{"other dossier", tok, "8", good, 200},
	}
	for _, tt := range tests {
		w := postAccount(t, s, tt.token, tt.dossier, tt.body)
		assert.Equal(t, tt.want, w.Code, "%s: %s", tt.name, w.Body.String())
	}
	accts := s.Accounts()
	require.Len(t, accts, 2)
	assert.Equal(t, Account{ID: 1, Dossier: 7, IBAN: iban, BankName: "BNP Paribas", IBANControl: true, Registered: accts[0].Registered}, accts[0])

	s.RefuseAccount("FR1420041010050500013M02606", http.StatusForbidden, "no")
	w := postAccount(t, s, tok, "7", `{"Iban":"FR1420041010050500013M02606","BankName":"LBP","IsCfonbControlActive":false}`)
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "\"no\"\n", w.Body.String())
}

func TestTokenExpiry(t *testing.T) {
	now := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	s := New(Options{TokenLifetime: time.Minute, Now: func() time.Time { return now }})
	tok := login2(t, s)
	good := `{"Iban":"` + iban + `","BankName":"B","IsCfonbControlActive":true}`
	assert.Equal(t, 200, postAccount(t, s, tok, "1", good).Code)
	now = now.Add(time.Minute)
	assert.Equal(t, 401, postAccount(t, s, tok, "1", good).Code)
	tok = login2(t, s)
	s.RevokeTokens()
	assert.Equal(t, 401, postAccount(t, s, tok, "1", good).Code)
}

func login2(t *testing.T, s *Server) string {
	t.Helper()
	w := postForm(t, s, goodForm(), nil)
	require.Equal(t, http.StatusOK, w.Code)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tok))
	return tok.AccessToken
}

func multipartOf(t *testing.T, parts map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range parts {
		w, err := mw.CreateFormFile(name, name+".txt")
		require.NoError(t, err)
		_, _ = w.Write(data)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

func postImport(t *testing.T, s *Server, tok string, body io.Reader, ctype string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, ImportPath, body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

func TestImport(t *testing.T) {
	s := New(Options{})
	tok := login(t, s)
	file, err := SampleFile("\r\n", SampleStatement{Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: 100, Movements: []int64{-50, 20}})
	require.NoError(t, err)

	body, ct := multipartOf(t, map[string][]byte{"file": file})
	w := postImport(t, s, tok, body, ct)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, "\"account "+iban+" is not registered\"\n", w.Body.String())

	require.Equal(t, 200, postAccount(t, s, tok, "3", `{"Iban":"`+iban+`","BankName":"B","IsCfonbControlActive":true}`).Code)
	body, ct = multipartOf(t, map[string][]byte{"file": file})
	w = postImport(t, s, tok, body, ct)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "\"1\"\n", w.Body.String())
	imps := s.Imports()
	require.Len(t, imps, 1)
	assert.Equal(t, file, imps[0].Data)
	assert.Equal(t, []string{iban}, imps[0].IBANs)
	assert.Equal(t, 1, imps[0].Statements)
	assert.Equal(t, "file.txt", imps[0].FileName)

	for name, parts := range map[string]map[string][]byte{
		"wrong name": {"upload": file},
		"two parts":  {"file": file, "other": file},
		"not cfonb":  {"file": []byte("hello\n")},
	} {
		body, ct := multipartOf(t, parts)
		assert.Equal(t, http.StatusBadRequest, postImport(t, s, tok, body, ct).Code, name)
	}
	assert.Equal(t, http.StatusBadRequest, postImport(t, s, tok, strings.NewReader("x"), "text/plain").Code)
	assert.Len(t, s.Imports(), 1)

	// The state page shows what arrived, without the bytes.
	req := httptest.NewRequest(http.MethodGet, StatePath, nil)
	rw := httptest.NewRecorder()
	s.ServeHTTP(rw, req)
	assert.Equal(t, http.StatusOK, rw.Code)
	var st struct {
		Accounts []Account        `json:"accounts"`
		Imports  []map[string]any `json:"imports"`
	}
	require.NoError(t, json.Unmarshal(rw.Body.Bytes(), &st))
	assert.Len(t, st.Accounts, 1)
	require.Len(t, st.Imports, 1)
	assert.NotContains(t, st.Imports[0], "Data")
	assert.Equal(t, imps[0].SHA256, st.Imports[0]["sha256"])
}

func TestFaults(t *testing.T) {
	s := New(Options{})
	s.Inject(Fault{Route: RouteToken, Status: 503, RetryAfter: "2"}, 2)
	w := postForm(t, s, goodForm(), nil)
	assert.Equal(t, 503, w.Code)
	assert.Equal(t, "2", w.Header().Get("Retry-After"))
	assert.Equal(t, 503, postForm(t, s, goodForm(), nil).Code)
	tok := login(t, s)

	good := `{"Iban":"` + iban + `","BankName":"B","IsCfonbControlActive":true}`
	s.Inject(Fault{Route: RouteAccounts, Status: 502, Process: true}, 1)
	assert.Equal(t, 502, postAccount(t, s, tok, "1", good).Code)
	assert.Len(t, s.Accounts(), 1, "processed before the fault's answer")
	assert.Equal(t, 409, postAccount(t, s, tok, "1", good).Code)

	s.Inject(Fault{Route: RouteAccounts, ExpireToken: true}, 1)
	assert.Equal(t, 401, postAccount(t, s, tok, "2", good).Code)
	assert.Equal(t, 401, postAccount(t, s, tok, "2", good).Code, "the token stays revoked")

	var got []string
	for _, r := range s.Requests() {
		got = append(got, string(r.Route))
	}
	assert.Equal(t, []string{"token", "token", "token", "accounts", "accounts", "accounts", "accounts"}, got)
}

func TestDropClosesTheConnection(t *testing.T) {
	s := New(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.Inject(Fault{Route: RouteToken, Drop: true}, 1)
	_, err := http.PostForm(srv.URL+TokenPath, goodForm())
	require.Error(t, err)
	resp, err := http.PostForm(srv.URL+TokenPath, goodForm())
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 0, s.Requests()[0].Status)
}

func TestParseFault(t *testing.T) {
	tests := []struct {
		in      string
		want    Fault
		n       int
		wantErr string
	}{
		{"import=502", Fault{Route: RouteImport, Status: 502}, 1, ""},
		{"import=processed-502", Fault{Route: RouteImport, Status: 502, Process: true}, 1, ""},
		{"token=503*2,retry-after=1", Fault{Route: RouteToken, Status: 503, RetryAfter: "1"}, 2, ""},
		{"accounts=expire", Fault{Route: RouteAccounts, ExpireToken: true}, 1, ""},
		{"import=processed-drop", Fault{Route: RouteImport, Drop: true, Process: true}, 1, ""},
		{"import=hang*3", Fault{Route: RouteImport, Hang: true}, 3, ""},
		{"import", Fault{}, 0, "no '='"},
		{"x=502", Fault{}, 0, "route must be"},
		{"import=teapot", Fault{}, 0, "what must be"},
		{"import=502*0", Fault{}, 0, "count must be"},
		{"import=processed-expire", Fault{}, 0, "expire cannot be processed"},
		{"import=502,later", Fault{}, 0, "the only option"},
		// A login has no token to expire and nothing to process: such a
		// fault would silently be a plain 503 or 502.
		{"token=expire", Fault{}, 0, "expire applies to accounts or import, not to the login"},
		{"token=processed-502", Fault{}, 0, "processed- applies to accounts or import, not to the login"},
		{"token=drop", Fault{Route: RouteToken, Drop: true}, 1, ""},
	}
	for _, tt := range tests {
		f, n, err := ParseFault(tt.in)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, f, tt.in)
		assert.Equal(t, tt.n, n, tt.in)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.1:0", "example.com:80"} {
		_, err := Listen(addr)
		assert.ErrorContains(t, err, "only a loopback address", addr)
	}
	_, err := Listen("nonsense")
	assert.Error(t, err)
	l, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	_ = l.Close()
}

func TestSampleFile(t *testing.T) {
	st := SampleStatement{Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31), Opening: -20_000, Movements: []int64{150_000}}
	b, err := SampleFile("\n", st)
	require.NoError(t, err)
	assert.Equal(t, ""+
		"0130004    00823EUR2 00010000156  010326                                                  0000000002000}                \n"+
		"0430004000100823EUR2 0001000015605310326  310326SAMPLE MOVEMENT 1                0000001  0000000015000{REF0000000000001\n"+
		"0730004    00823EUR2 00010000156  310326                                                  0000000013000{                \n", string(b))
	assert.Equal(t, int64(130_000), st.Closing())
	st.Bank = "300"
	_, err = SampleFile("\n", st)
	assert.ErrorContains(t, err, "do not have 5, 5, 11 and 3 characters")

	dir := t.TempDir()
	paths, err := WriteSamples(dir)
	require.NoError(t, err)
	assert.Len(t, paths, 3)
}

// brokenAnswer is a ResponseWriter whose client went away.
type brokenAnswer struct{ header http.Header }

func (b *brokenAnswer) Header() http.Header       { return b.header }
func (b *brokenAnswer) WriteHeader(int)           {}
func (b *brokenAnswer) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestAnswerNotSent: an answer that cannot be written is said in the log
// line, not lost.
func TestAnswerNotSent(t *testing.T) {
	var log bytes.Buffer
	s := New(Options{Log: &log})
	s.ServeHTTP(&brokenAnswer{header: http.Header{}}, httptest.NewRequest("GET", StatePath, nil))
	assert.Equal(t, "sandbox: GET "+StatePath+" -> 200 (answer not sent: connection reset)\n", log.String())

	log.Reset()
	s.ServeHTTP(&brokenAnswer{header: http.Header{}}, httptest.NewRequest("GET", "/nowhere", nil))
	assert.Equal(t, "sandbox: GET /nowhere -> 404 (answer not sent: connection reset)\n", log.String())
}
