package upload

import (
	"fmt"
	"net"
	"net/url"
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

// Check verifies both URLs (see CheckURL) and normalises APIURL.
func (e Endpoints) Check() (Endpoints, error) {
	if _, err := CheckURL(e.AuthURL); err != nil {
		return e, fmt.Errorf("auth URL: %w", err)
	}
	p, err := Platform(e.APIURL)
	if err != nil {
		return e, fmt.Errorf("API URL: %w", err)
	}
	e.APIURL = p
	return e, nil
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
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Platform normalises an API base URL into the name of a platform, as the
// journal and the account registry record it: scheme and host in lower
// case, no default port (443 for https, 80 for http), no trailing slash.
// Two spellings of one platform must give one name, or the journal would
// not see that a file was already imported there.
func Platform(apiURL string) (string, error) {
	u, err := CheckURL(apiURL)
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		u.Host = strings.TrimSuffix(u.Host, ":"+port)
	}
	u.Host = strings.TrimSuffix(u.Host, ":") // an empty port
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
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
