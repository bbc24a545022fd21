package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/internal/interrupt"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

func newSandboxCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use: `sandbox [--addr HOST:PORT] [--token-lifetime D] [--fault SPEC]... [--refuse IBAN]... [-q]
  cfonb sandbox --write-samples DIR`,
		Short: "run a local stand-in of the Inqom API for rehearsals",
		Long: `Runs a local stand-in for the Inqom banking API on a loopback address, with
its token endpoint, the account registration and the file import, keeping
accounts and imported files in memory (gone when it stops). It prints the
URLs and the test credentials to give cfonb upload, so that the whole
pipeline can be rehearsed with no real credentials. It follows cfonb's
working assumptions: a duplicate account answers 409; a re-import is booked
again (so a double import shows). GET /sandbox/state lists what arrived.

Faults rehearse the failure cases, ROUTE=WHAT[*N][,retry-after=S]:
  token=503*2,retry-after=1   the next 2 logins answer 503 (retried)
  accounts=expire             the token "expires" (401, then a new login)
  import=processed-502        the file is imported but the answer is a 502
  import=drop                 the connection breaks after the file is sent
  import=hang                 the import never answers (a timeout)`,
		Example: `  cfonb sandbox
  cfonb sandbox --write-samples /tmp/rehearsal
  cfonb sandbox --addr 127.0.0.1:0 --fault import=processed-502`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := sandboxFlags{
		addr:     fs.String("addr", "127.0.0.1:8642", "loopback address to listen on (port 0: any free port)"),
		lifetime: fs.Duration("token-lifetime", time.Hour, "lifetime of the tokens it issues"),
		faults:   fs.StringArray("fault", nil, "inject a fault (see above); repeatable"),
		refuse:   fs.StringArray("refuse", nil, "answer 400 to the registration of this IBAN; repeatable"),
		quiet:    fs.BoolP("quiet", "q", false, "do not log each request on standard error"),
		samples:  fs.String("write-samples", "", "write three small valid statement files into `DIR` for a rehearsal, then exit"),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runSandbox(ctx, e, c, args, fl) })
	return c
}

// sandboxFlags are the flags of cfonb sandbox.
type sandboxFlags struct {
	addr, samples  *string
	lifetime       *time.Duration
	faults, refuse *[]string
	quiet          *bool
}

func runSandbox(ctx context.Context, e *env, c *cobra.Command, args []string, fl sandboxFlags) int {
	fs := c.Flags()
	addr, lifetime, faults, refuse, quiet, samples := fl.addr, fl.lifetime, fl.faults, fl.refuse, fl.quiet, fl.samples
	if fs.NArg() > 0 {
		return usageError(e, "sandbox", "unexpected argument %q", fs.Arg(0))
	}
	if *samples != "" {
		paths, err := sandbox.WriteSamples(*samples)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb sandbox: %v\n", err)
			return exitUsage
		}
		w := &stickyWriter{w: e.stdout}
		for _, p := range paths {
			fmt.Fprintln(w, p)
		}
		if w.err != nil {
			return outputFailed(e, "sandbox", w.err)
		}
		return exitOK
	}
	if *lifetime < time.Minute {
		return usageError(e, "sandbox", "--token-lifetime must be at least 1m (cfonb renews a token 30s before it expires)")
	}
	opts := sandbox.Options{TokenLifetime: *lifetime}
	if !*quiet {
		opts.Log = e.stderr
	}
	srv := sandbox.New(opts)
	for _, spec := range *faults {
		f, n, err := sandbox.ParseFault(spec)
		if err != nil {
			return usageError(e, "sandbox", "%v", err)
		}
		srv.Inject(f, n)
	}
	for _, ib := range *refuse {
		srv.RefuseAccount(strings.ToUpper(strings.ReplaceAll(ib, " ", "")), http.StatusBadRequest, "refused by the sandbox (--refuse)")
	}
	l, err := sandbox.Listen(*addr)
	if err != nil {
		return usageError(e, "sandbox", "%v", err)
	}
	base := "http://" + l.Addr().String()
	user, pw, id, secret := srv.Credentials()
	// The banner is how the user learns the URLs and credentials: a
	// sandbox that cannot say them is not started. A closed pipe must be
	// that error (EPIPE), not a SIGPIPE that kills the process unsaid.
	signal.Ignore(syscall.SIGPIPE)
	_, err = fmt.Fprintf(e.stdout, `cfonb sandbox: a stand-in for the Inqom banking API, in memory, on %s
  token URL:  %s%s
  API URL:    %s
  what arrived: %s%s
Test credentials (they open nothing but this sandbox):
  export INQOM_USERNAME=%s INQOM_PASSWORD=%s
  export INQOM_CLIENT_ID=%s INQOM_CLIENT_SECRET=%s
Rehearse with:
  cfonb upload --auth-url %s%s --api-url %s --dossier 1 --state-dir /tmp/cfonb-rehearsal FILE...
Stop with Ctrl-C.
`, base, base, sandbox.TokenPath, base, base, sandbox.StatePath, user, pw, id, secret, base, sandbox.TokenPath, base)
	if err != nil {
		_ = l.Close()
		fmt.Fprintf(e.stderr, "cfonb sandbox: writing the output: %v: the sandbox was not started\n", err)
		return exitUsage
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	// Its shutdown lets the requests under way finish (up to 5 s): a
	// second signal does not cut them (package interrupt).
	defer interrupt.Hold(ctx)()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		fmt.Fprintf(e.stderr, "cfonb sandbox: %v\n", err)
		return exitNetwork
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	fmt.Fprintln(e.stderr, "cfonb sandbox: stopped")
	return exitOK
}
