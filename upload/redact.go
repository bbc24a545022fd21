package upload

import (
	"io"
	"strings"
	"sync"
)

// Redacted is what replaces a secret in any output.
const Redacted = "[redacted]"

// Redactor scrubs known secrets (password, client secret, access tokens)
// from text before it is written anywhere: a second line of defence behind
// never formatting them at all. It is safe for concurrent use.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
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
	r.secrets = append(r.secrets, secret)
}

// String returns s with every registered secret replaced by Redacted.
func (r *Redactor) String(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return s
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
