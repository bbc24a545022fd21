package upload

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/cfonb-dev/cfonb/internal/plural"
)

// Documented endpoints (../shared/inqom-api.md, "Authentication" and
// "Resources").
const (
	ProdAuthURL    = "https://auth.inqom.com/identity/connect/token"
	StagingAuthURL = "https://auth-staging.inqom.com/identity/connect/token"
	ProdAPIURL     = "https://wa-fred-banking-prod.azurewebsites.net"
	StagingAPIURL  = "https://wa-fred-banking-staging.azurewebsites.net"
)

// Resource paths under the API base URL.
const (
	accountsPathFormat = "/api/app/banking/enterprises/%d/manual/ebics/accounts"
	importPath         = "/api/app/banking/ebics/accounts/import"
)

// TokenPath is the path of the token endpoint on the identity server (and on
// the sandbox).
const TokenPath = "/identity/connect/token"

// Endpoints are the two URLs a run talks to.
type Endpoints struct {
	// AuthURL is the full URL of the OAuth2 token endpoint.
	AuthURL string
	// APIURL is the base URL of the banking API; it also names the
	// platform in the journal, so that staging and production never mix.
	APIURL string
}

// EnvEndpoints returns the documented endpoints of an environment, "prod"
// or "staging".
func EnvEndpoints(env string) (Endpoints, error) {
	switch env {
	case "prod", "production":
		return Endpoints{AuthURL: ProdAuthURL, APIURL: ProdAPIURL}, nil
	case "staging", "recette":
		return Endpoints{AuthURL: StagingAuthURL, APIURL: StagingAPIURL}, nil
	}
	return Endpoints{}, fmt.Errorf("unknown environment %q: want prod or staging", env)
}

// Check verifies both URLs (see CheckURL) and that they belong to one
// platform (see CheckPair), and trims the API base URL's trailing slashes.
// It does not canonicalise the URLs: requests go where the user said; the
// journal names the platform by PlatformID.
func (e Endpoints) Check() (Endpoints, error) {
	if _, err := CheckURL(e.AuthURL); err != nil {
		return e, fmt.Errorf("auth URL: %w", err)
	}
	if _, err := CheckURL(e.APIURL); err != nil {
		return e, fmt.Errorf("API URL: %w", err)
	}
	if err := e.CheckPair(); err != nil {
		return e, err
	}
	e.APIURL = strings.TrimRight(e.APIURL, "/")
	return e, nil
}

// Platform returns the canonical identity of the API base URL (PlatformID).
func (e Endpoints) Platform() string { return PlatformID(e.APIURL) }

// endpointKind is where a URL points: one of Inqom's documented
// environments, a loopback test server, or another host.
func endpointKind(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "other"
	}
	host := canonicalHost(u.Hostname())
	if host == "127.0.0.1" {
		return "loopback"
	}
	for env, urls := range map[string][]string{"prod": {ProdAuthURL, ProdAPIURL}, "staging": {StagingAuthURL, StagingAPIURL}} {
		for _, known := range urls {
			if k, _ := url.Parse(known); k != nil && host == k.Hostname() {
				return env
			}
		}
	}
	return "other"
}

// CheckPair refuses a token URL and an API URL of different platforms:
// Inqom's production with its staging, or either with a loopback test
// server or another host. A login at one platform and imports at another
// send real credentials, or real statements, where the user did not mean.
func (e Endpoints) CheckPair() error {
	ak, pk := endpointKind(e.AuthURL), endpointKind(e.APIURL)
	if ak == pk {
		return nil
	}
	name := map[string]string{"prod": "Inqom production", "staging": "Inqom staging", "loopback": "a loopback test server", "other": "another host"}
	return fmt.Errorf("the token URL %s is %s but the API URL %s is %s: give both URLs of one platform (--env, or both --auth-url and --api-url)",
		e.AuthURL, name[ak], e.APIURL, name[pk])
}

// CheckURL parses an endpoint URL and refuses what cfonb will not send
// credentials or statements to: anything but https, except plain http to a
// loopback address (a local sandbox); URLs with user info, a query or a
// fragment.
func CheckURL(raw string) (*url.URL, error) {
	// Messages never show a query, a fragment or a password: a URL
	// pasted from a browser or a script may hold client_secret=...
	shown := urlForMessage(raw)
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the whole URL
		}
		return nil, fmt.Errorf("%q is not a URL: %w", shown, err)
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", shown)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: credentials in a URL are refused (use the INQOM_* environment variables)", shown)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, fmt.Errorf("%s: a query is not allowed (%s): remove it", shown, queryNames(u.RawQuery))
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%s: a fragment (#...) is not allowed", shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%s: plain http is refused except towards a loopback address (127.0.0.1, ::1, localhost); use https", shown)
		}
	default:
		return nil, fmt.Errorf("%s: scheme %q is not https", shown, u.Scheme)
	}
	return u, nil
}

// urlForMessage returns raw as a message may show it: without its query
// and fragment, and with the password of its user info, if any, replaced
// by xxxxx (url.URL.Redacted).
func urlForMessage(raw string) string {
	s, _, _ := strings.Cut(raw, "#")
	s, _, _ = strings.Cut(s, "?")
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	// Unparsable: no user info is shown either.
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			return scheme + "://xxxxx@" + rest[i+1:]
		}
	}
	return s
}

// queryNames says which parameters a URL's query had, by name, never
// with their values: "it had client_id, client_secret; values not shown".
// A part without "=", or whose name is not plain, may be a value (a
// token): it is counted, not named.
func queryNames(rawQuery string) string {
	var names []string
	others := 0
	for part := range strings.SplitSeq(rawQuery, "&") {
		name, _, ok := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		switch {
		case ok && plainName(name):
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		case part != "":
			others++
		}
	}
	if others > 0 {
		names = append(names, plural.Count(others, "other part"))
	}
	if len(names) == 0 {
		return "it was empty"
	}
	return "it had " + strings.Join(names, ", ") + "; values not shown"
}

// plainName reports whether a query parameter's name can be shown: short,
// letters, digits, '_', '-' and '.'.
func plainName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// IsLoopback reports whether host (a host name or an IP address, without
// port) is "localhost" or a loopback IP address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Platform checks an API base URL (CheckURL) and returns its canonical
// identity (PlatformID).
func Platform(apiURL string) (string, error) {
	if _, err := CheckURL(apiURL); err != nil {
		return "", err
	}
	return PlatformID(apiURL), nil
}

// PlatformID returns the canonical identity of an API base URL: the name
// of a platform in the journal and the account registry. Every spelling of
// one server gives one identity, or the journal would not see that a file
// was already imported there:
//   - scheme and host in lower case, without a trailing dot;
//   - the port read as a number (":08642" is ":8642"), dropped when it is
//     the scheme's default (443 for https, 80 for http) or empty;
//   - IP addresses in their canonical form (an IPv4-mapped IPv6 address is
//     its IPv4 address), and every loopback alias (localhost, 127.0.0.0/8,
//     ::1, ::ffff:127.0.0.1) is "127.0.0.1";
//   - the path cleaned ("/x/..", "/." and trailing slashes removed);
//   - user info, query and fragment dropped.
//
// A string that does not parse as a URL is returned trimmed and in lower
// case, so that the function never fails.
func PlatformID(apiURL string) string {
	raw := strings.TrimSpace(apiURL)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(raw)
	}
	scheme := strings.ToLower(u.Scheme)
	host := canonicalHost(u.Hostname())
	port := u.Port()
	if port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err == nil {
			port = strconv.FormatUint(n, 10)
		}
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	p := u.Path
	if p != "" {
		p = path.Clean("/" + p)
	}
	if p == "/" {
		p = ""
	}
	out := url.URL{Scheme: scheme, Host: host, Path: p}
	return out.String()
}

// canonicalHost lower-cases a host name and drops its trailing dot; an IP
// address takes its canonical form; every loopback alias is "127.0.0.1".
func canonicalHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if i := strings.IndexByte(h, '%'); i >= 0 { // an IPv6 zone
		h = h[:i]
	}
	if IsLoopback(h) {
		return "127.0.0.1"
	}
	if ip := net.ParseIP(h); ip != nil {
		if v4 := ip.To4(); v4 != nil {
			return v4.String()
		}
		return ip.String()
	}
	return h
}

// Credentials are the four secrets of a login. Their String and GoString
// never show the password or the client secret.
type Credentials struct {
	Username     string
	Password     string
	ClientID     string
	ClientSecret string
}

// String shows the user name and client id only.
func (c Credentials) String() string {
	return fmt.Sprintf("user %s, client %s (password and secret redacted)", c.Username, c.ClientID)
}

// GoString is String, so that %#v cannot leak a secret either.
func (c Credentials) GoString() string { return c.String() }
