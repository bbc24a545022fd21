package upload

import (
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Redacted is what replaces a secret in any output.
const Redacted = "[redacted]"

// Redactor scrubs known secrets (password, client secret, access tokens)
// from text before it is written anywhere: a second line of defence behind
// never formatting them at all. A server may echo a secret in another
// spelling: JSON-escaped ("\u002B" for "+", "\/" for "/"), percent- or
// HTML-encoded, or wrapped over several lines. The Redactor finds a secret
// in all of these, by comparing the text and the secret once both are
// decoded and stripped of line breaks and spaces. It is safe for
// concurrent use.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
	canon   []string // canonical form of each secret
}

// minSecretLen is the shortest secret scrubbed: shorter strings would
// mangle unrelated text, and cfonb never prints a secret anyway.
const minSecretLen = 3

// Add registers a secret to scrub.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	c, _ := canonical(secret)
	r.secrets = append(r.secrets, secret)
	r.canon = append(r.canon, string(c))
}

// String returns s with every registered secret, in any of the spellings
// above, replaced by Redacted.
func (r *Redactor) String(s string) string {
	r.mu.Lock()
	secrets, canon := r.secrets, r.canon
	r.mu.Unlock()
	if len(secrets) == 0 {
		return s
	}
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	c, spans := canonical(s)
	cs := string(c)
	var cuts [][2]int
	for _, sec := range canon {
		if len(sec) < minSecretLen {
			continue
		}
		for from := 0; ; {
			i := strings.Index(cs[from:], sec)
			if i < 0 {
				break
			}
			i += from
			cuts = append(cuts, [2]int{spans[i][0], spans[i+len(sec)-1][1]})
			from = i + 1
		}
	}
	if len(cuts) == 0 {
		return s
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i][0] < cuts[j][0] })
	var b strings.Builder
	last := 0
	for _, c := range cuts {
		if c[0] < last { // overlaps the previous cut
			if c[1] > last {
				last = c[1]
			}
			continue
		}
		b.WriteString(s[last:c[0]])
		b.WriteString(Redacted)
		last = c[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// canonical decodes the escapes a server may put on echoed text (JSON
// \uXXXX, \/ and the other backslash escapes, %XX, &#N; and &#xH;) and
// drops line breaks, spaces and escaped line breaks. It returns the
// decoded bytes and, for each, the span of s it comes from.
func canonical(s string) ([]byte, [][2]int) {
	out := make([]byte, 0, len(s))
	spans := make([][2]int, 0, len(s))
	emit := func(b []byte, from, to int) {
		for _, c := range b {
			out = append(out, c)
			spans = append(spans, [2]int{from, to})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
			continue
		case c == '\\' && i+1 < len(s):
			switch n := s[i+1]; n {
			case 'n', 'r', 't':
				i += 2
				continue
			case 'u':
				if i+6 <= len(s) {
					if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
						emit(utf8.AppendRune(nil, rune(v)), i, i+6)
						i += 6
						continue
					}
				}
			case '/', '\\', '"', '\'':
				emit([]byte{n}, i, i+2)
				i += 2
				continue
			}
		case c == '%' && i+3 <= len(s):
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				emit([]byte{byte(v)}, i, i+3)
				i += 3
				continue
			}
		case c == '&' && i+3 < len(s) && s[i+1] == '#':
			if end := strings.IndexByte(s[i:min(len(s), i+12)], ';'); end > 2 {
				num := s[i+2 : i+end]
				base := 10
				if num[0] == 'x' || num[0] == 'X' {
					num, base = num[1:], 16
				}
				if v, err := strconv.ParseUint(num, base, 32); err == nil {
					emit(utf8.AppendRune(nil, rune(v)), i, i+end+1)
					i += end + 1
					continue
				}
			}
		}
		emit([]byte{c}, i, i+1)
		i++
	}
	return out, spans
}

// Writer returns a writer that scrubs each Write before passing it to w.
// Callers write whole lines, so a secret is never split across two writes.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return &redactWriter{r: r, w: w}
}

type redactWriter struct {
	r *Redactor
	w io.Writer
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// JSON returns the JSON text b with every registered secret scrubbed from
// its string values, as String does; object keys, numbers and the
// literals true, false and null are left alone, so that the result is
// still JSON with the same shape (found by a review: a password "true"
// turned the report's "sent": true into [redacted], and a script
// could no longer parse it). b must be valid JSON.
func (r *Redactor) JSON(b []byte) []byte {
	r.mu.Lock()
	none := len(r.secrets) == 0
	r.mu.Unlock()
	if none {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '"' {
			out = append(out, b[i])
			i++
			continue
		}
		end := i + 1 // the closing quote
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(b) {
			return append(out, b[i:]...) // not JSON: left as it is
		}
		next := end + 1
		for next < len(b) && (b[next] == ' ' || b[next] == '\t' || b[next] == '\r' || b[next] == '\n') {
			next++
		}
		body := string(b[i+1 : end])
		if next >= len(b) || b[next] != ':' { // a value, not a key
			if red := r.String(body); red != body {
				body = red
				// A cut inside an escape (a secret matching "u00e9" of
				// "\u00e9") would leave a broken one: the whole value
				// goes then.
				if !json.Valid([]byte(`"` + body + `"`)) {
					body = Redacted
				}
			}
		}
		out = append(append(append(out, '"'), body...), '"')
		i = end + 1
	}
	return out
}
