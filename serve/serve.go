// Package serve is the web page and JSON API of cfonb serve: a local HTTP
// server where an accountant drops statement files and sees what is wrong,
// line by line, gets a repaired file back, exports movements and previews
// an upload, with the data staying on the machine.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: no
// CDN, no network access at run time. The JSON API (POST /api/validate,
// /api/inspect, /api/fmt, /api/export) takes a raw body or a multipart
// file and streams it: a request of any size is processed in constant
// memory, never buffered whole (fmt, export and the page's line excerpts
// go through a temporary file, always removed).
//
// Security: the handler checks the Host header against DNS rebinding,
// refuses cross-origin POSTs, sets a Content-Security-Policy with no inline
// script and no eval, caps the request size (413) and never logs a file's
// content.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// DefaultAddr is the address served when none is given: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// DefaultMaxBytes is the default cap of a request body: 2 GiB.
const DefaultMaxBytes int64 = 2 << 30

// DefaultMaxDiagnostics is how many diagnostics a file's report keeps for
// the page (the counts include them all).
const DefaultMaxDiagnostics = 10000

// Options configure a Server. The zero value is usable.
type Options struct {
	// MaxBytes caps a request body; a larger one gets 413. Zero means
	// DefaultMaxBytes.
	MaxBytes int64
	// AllowedHosts are host names (without port) accepted in the Host
	// header besides IP literals and "localhost". See checkHost.
	AllowedHosts []string
	// Timeout is how long a client may stay silent while sending a request
	// or reading a response (the slow-client timeout). Zero means 30 s.
	Timeout time.Duration
	// TempDir is where temporary files go; empty means os.TempDir().
	TempDir string
	// Log receives one line per request (method, path, status, size,
	// duration: never a file's name or content); nil for none.
	Log *log.Logger
	// StateDir is the upload state directory read by the upload preview;
	// empty means upload's default.
	StateDir string
}

// Server serves the page and the API.
type Server struct {
	opts Options
	mux  *http.ServeMux
	// started, if set (tests), is called when a request reaches its
	// handler.
	started func(*http.Request)
}

// New returns a Server.
func New(opts Options) *Server {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	s.routes()
	return s
}

// Handler returns the server's http.Handler, with its security checks and
// headers.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Serve serves on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections and waits up to 10 s for the requests under
// way. It returns nil after a graceful shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0), // TLS-handshake and similar noise
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// IsLoopback reports whether addr ("host:port") listens on loopback only.
// An empty host ("":8080) listens on every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL returns the address of the page served on ln.
func URL(ln net.Listener) string {
	addr := ln.Addr().String()
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		addr = net.JoinHostPort(host, port)
	}
	return fmt.Sprintf("http://%s/", addr)
}
