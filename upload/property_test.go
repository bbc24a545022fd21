package upload

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Property (issue 16, item 7): every spelling of one server has one
// PlatformID, and a PlatformID is its own identity. The spellings are drawn
// at random from the ways a user may type a URL.
func TestPlatformIDSpellingsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 7))
	randCase := func(s string) string {
		b := []byte(s)
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = strings.ToUpper(string(b[i]))[0]
			}
		}
		return string(b)
	}
	type server struct {
		scheme string
		hosts  []string // aliases
		port   int      // 0: the default
		path   string
	}
	servers := []server{
		{"https", []string{"wa-fred-banking-prod.azurewebsites.net"}, 0, ""},
		{"https", []string{"api.example"}, 8443, "/base"},
		{"http", []string{"127.0.0.1", "localhost", "127.0.0.2", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:0:0:1]"}, 8642, ""},
		{"https", []string{"[2001:db8::1]", "[2001:0DB8:0:0:0:0:0:1]"}, 0, "/v1"},
	}
	ids := map[string]bool{}
	for _, sv := range servers {
		want := ""
		for i := 0; i < 300; i++ {
			host := sv.hosts[r.IntN(len(sv.hosts))]
			if !strings.HasPrefix(host, "[") {
				host = randCase(host)
				if r.IntN(3) == 0 {
					host += "."
				}
			}
			port := ""
			switch p := sv.port; {
			case p == 0 && r.IntN(2) == 0:
				port = map[string]string{"https": ":443", "http": ":80"}[sv.scheme]
			case p == 0:
			default:
				port = ":" + strings.Repeat("0", r.IntN(3)) + fmt.Sprint(p)
			}
			if port != "" && r.IntN(4) == 0 {
				port = ":" + strings.Repeat("0", 1+r.IntN(2)) + port[1:]
			}
			path := sv.path
			for range r.IntN(3) {
				switch r.IntN(4) {
				case 0:
					path += "/."
				case 1:
					path += "/x/.."
				case 2:
					path += "/"
				case 3:
					path = strings.Replace(path, "/", "//", 1)
				}
			}
			raw := randCase(sv.scheme) + "://" + host + port + path
			_, err := url.Parse(raw)
			require.NoError(t, err, raw)
			id := PlatformID(raw)
			if want == "" {
				want = id
			}
			require.Equal(t, want, id, raw)
			require.Equal(t, id, PlatformID(id), "idempotent: %s", raw)
		}
		assert.False(t, ids[want], "two servers, one identity: %s", want)
		ids[want] = true
	}
}

// Property (issue 16, item 8): a secret echoed in any mix of the escapes a
// server may use, cut into lines anywhere, never survives the Redactor.
func TestRedactorEscapesProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 8))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.~"
	for i := 0; i < 500; i++ {
		n := 12 + r.IntN(60)
		b := make([]byte, n)
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		secret := string(b)
		var echo strings.Builder
		echo.WriteString(`{"Message":"invalid token `)
		for j := 0; j < n; j++ {
			c := secret[j]
			switch k := r.IntN(8); {
			case k == 0:
				fmt.Fprintf(&echo, `\u%04X`, c)
			case k == 1:
				fmt.Fprintf(&echo, `\u%04x`, c)
			case k == 2 && c == '/':
				echo.WriteString(`\/`)
			case k == 3 && !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", rune(c)):
				fmt.Fprintf(&echo, "%%%02X", c)
			case k == 4:
				fmt.Fprintf(&echo, "&#%d;", c)
			default:
				echo.WriteByte(c)
			}
			if r.IntN(15) == 0 {
				echo.WriteString([]string{"\n", "\r\n ", `\n`, `\r\n`, " "}[r.IntN(5)])
			}
		}
		echo.WriteString(` refused"}`)
		red := &Redactor{}
		red.Add(secret)
		got := red.String(echo.String())
		require.Contains(t, got, Redacted, "secret %q echoed as %q", secret, echo.String())
		require.NotContains(t, got, secret)
		c, _ := canonical(got)
		require.NotContains(t, string(c), secret, "secret %q echoed as %q gave %q", secret, echo.String(), got)
		require.True(t, strings.HasPrefix(got, `{"Message":"invalid token `) && strings.HasSuffix(got, ` refused"}`), got)
	}
}

// TestRedactorJSON: Redactor.JSON scrubs secrets from string values only,
// so a report stays JSON of the same shape whatever the password.
func TestRedactorJSON(t *testing.T) {
	for _, tt := range []struct{ secret, in, want string }{
		{"true", `{"iban_control": true, "m": "true story"}`, `{"iban_control": true, "m": "[redacted] story"}`},
		{"files", `{"files": 2, "path": "/x/files/a.txt"}`, `{"files": 2, "path": "/x/[redacted]/a.txt"}`},
		{"2026", `{"n": 2026, "d": "2026-01-02"}`, `{"n": 2026, "d": "[redacted]-01-02"}`},
		{"s3cr\"t", `{"m": "bad s3cr\"t here"}`, `{"m": "bad [redacted] here"}`},
		{"u00e9x", `{"m": "caf\u00e9x"}`, `{"m": "[redacted]"}`}, // a cut inside an escape: the whole value
		{"none", `{"a": ["none", null, {"none": "none"}]}`, `{"a": ["[redacted]", null, {"none": "[redacted]"}]}`},
	} {
		red := &Redactor{}
		red.Add(tt.secret)
		got := string(red.JSON([]byte(tt.in)))
		assert.Equal(t, tt.want, got, tt.secret)
		assert.True(t, json.Valid([]byte(got)), got)
	}
}

// Property: whatever the secret, Redactor.JSON keeps a JSON document
// valid, with the same keys, and no string value holds the secret.
func TestRedactorJSONProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	words := []string{"true", "false", "null", "done", "files", "imported", "2026", `a"b`, `c\d`, "é", "\u00e9t", "x/y", "u00", "\\u0041"}
	for i := 0; i < 2000; i++ {
		doc := map[string]any{}
		for k := range 1 + r.IntN(5) {
			w := words[r.IntN(len(words))]
			switch r.IntN(4) {
			case 0:
				doc[fmt.Sprintf("k%d_%s", k, w)] = w + words[r.IntN(len(words))]
			case 1:
				doc[fmt.Sprintf("k%d", k)] = []any{w, r.IntN(3000), true, nil}
			case 2:
				doc[w] = r.IntN(2) == 0
			default:
				doc[fmt.Sprintf("k%d", k)] = map[string]any{w: w}
			}
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		require.NoError(t, err)
		secret := words[r.IntN(len(words))]
		if len(secret) < minSecretLen {
			continue
		}
		red := &Redactor{}
		red.Add(secret)
		got := red.JSON(b)
		var back map[string]any
		require.NoError(t, json.Unmarshal(got, &back), "secret %q:\n%s", secret, got)
		require.Len(t, back, len(doc))
		for k := range doc {
			require.Contains(t, back, k, "the keys stay")
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				require.NotContains(t, v, secret, "secret %q in\n%s", secret, got)
			case []any:
				for _, x := range v {
					walk(x)
				}
			case map[string]any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(back)
	}
}
