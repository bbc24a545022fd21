package serve

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// contentSecurityPolicy allows the page's own script, styles and images and
// nothing else: no inline script, no eval, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// secure wraps h with the checks and headers every answer gets.
func (s *Server) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
		hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
		hdr.Set("Cache-Control", "no-store")
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if s.opts.Log != nil {
				// Method, path, status, size, time: never a file name,
				// a query or a byte of content.
				s.opts.Log.Printf("%s %s %d %dB %s", r.Method, r.URL.Path, sw.code(), sw.n, time.Since(start).Round(time.Millisecond))
			}
		}()
		if !s.checkHost(r.Host) {
			// A DNS-rebinding page reaches a loopback server under its own
			// host name: refuse any name we do not know.
			apiError(sw, http.StatusMisdirectedRequest, "unknown host %q: open the page at http://127.0.0.1 or http://localhost (or start cfonb serve with --allow-host)", r.Host)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			apiError(sw, http.StatusForbidden, "cross-origin request refused")
			return
		}
		if s.started != nil {
			s.started(r)
		}
		// Slow clients: a first deadline for reading the body and for
		// writing the answer, moved forward as data flows (deadlineReader,
		// deadlineWriter, writeJSON).
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(start.Add(s.opts.Timeout))
		_ = rc.SetWriteDeadline(start.Add(s.opts.Timeout))
		h.ServeHTTP(sw, r)
	})
}

// checkHost reports whether host (the Host header, maybe with a port) is
// one this server answers to: an IP literal (DNS rebinding needs a name),
// localhost, or one of Options.AllowedHosts.
func (s *Server) checkHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return false
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return true
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	for _, a := range s.opts.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), host) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether a state-changing request comes from the page
// itself or from a client that is not a browser (curl sends no Origin):
// another site's page posting a form to the loopback server is refused.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// statusWriter records the status and size of an answer, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
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
	w.n += int64(n)
	return n, err
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap gives http.ResponseController the underlying writer (deadlines,
// flushes).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
