package upload

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
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
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: credentials in a URL are refused (use the INQOM_* environment variables)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s: a query or fragment is not allowed", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%s: plain http is refused except towards a loopback address (127.0.0.1, ::1, localhost); use https", raw)
		}
	default:
		return nil, fmt.Errorf("%s: scheme %q is not https", raw, u.Scheme)
	}
	return u, nil
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
