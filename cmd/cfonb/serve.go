package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/interrupt"
	"github.com/cfonb-dev/cfonb/serve"
)

func newServeCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--open] [--max-size SIZE] [--state DIR|URL]",
		Short: "serve a web page and a JSON API to check, repair and export files",
		Long: `Serves a web page where you drop CFONB120 files (or a folder) and see what
is wrong, line by line; repair them (fmt), export them (CSV, JSON), and
preview an upload (on the journal cfonb upload reads: --state, else
$CFONB_STATE, else the default state directory). The same server answers a JSON API: POST /api/validate,
/api/inspect, /api/fmt and /api/export (see the README).

Everything stays on this computer: the page loads nothing from elsewhere,
the server listens on 127.0.0.1 unless --addr says otherwise, writes only
temporary files (always removed) and never logs a file's content.
Stop it with Ctrl-C.

Exit status: 0 stopped by Ctrl-C or SIGTERM, 2 a usage error or the address
cannot be used.`,
		Example: `  cfonb serve --open
  cfonb serve --addr 127.0.0.1:9000 --max-size 200MiB`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := serveFlags{
		addr:       fs.String("addr", serve.DefaultAddr, "address to listen on; anything but a loopback address exposes your files to the network"),
		open:       fs.Bool("open", false, "open the page in the default browser"),
		maxSize:    fs.String("max-size", "2GiB", "largest request accepted (a larger one gets HTTP 413), e.g. 200MiB, 1GiB"),
		allowHosts: fs.StringSlice("allow-host", nil, "host name accepted in the Host header besides IP addresses and localhost (repeatable)"),
		quiet:      fs.BoolP("quiet", "q", false, "do not log requests"),
		stateDir:   fs.String("state-dir", "", "alias of --state"),
	}
	fl.sf = addStateFlags(fs)
	c.RunE = body(func(ctx context.Context, args []string) int { return runServe(ctx, e, c, fl) })
	return c
}

// serveFlags are the flags of cfonb serve.
type serveFlags struct {
	addr, maxSize *string
	allowHosts    *[]string
	open, quiet   *bool
	// The journal the upload preview reads: cfonb upload's (found by a
	// review: the preview read the default directory whatever
	// CFONB_STATE said, so it decided on another journal than upload).
	sf       stateFlags
	stateDir *string
}

func runServe(ctx context.Context, e *env, c *cobra.Command, fl serveFlags) int {
	fs := c.Flags()
	if fs.NArg() > 0 {
		return usageError(e, "serve", "unexpected argument %q", fs.Arg(0))
	}
	limit, err := gen.ParseSize(*fl.maxSize)
	if err != nil || limit <= 0 {
		return usageError(e, "serve", "--max-size: want a size such as 200MiB or 2GiB, not %q", *fl.maxSize)
	}
	if !serve.IsLoopback(*fl.addr) {
		fmt.Fprintf(e.stderr, "cfonb serve: WARNING: listening on %s, not a loopback address: anyone who can reach this machine can send files to this server and read its answers\n", *fl.addr)
	}
	stateDir := *fl.stateDir
	if *fl.sf.state == "" && stateDir == "" {
		// The journal cfonb upload would read: its section of .cfonb.toml
		// comes before $CFONB_STATE, as for cfonb upload.
		f, err := loadConfig(e)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb serve: %v\n", err)
			return exitUsage
		}
		for _, s := range f.Section("upload") {
			if s.Key == "state-dir" && len(s.Values) > 0 {
				stateDir = s.Values[len(s.Values)-1]
			}
		}
	}
	// Without any of them, the preview finds the default directory when
	// it is asked for (a server without HOME still serves the rest).
	state := ""
	if *fl.sf.state != "" || stateDir != "" || e.getenv(envState) != "" {
		var code int
		if state, code = stateFromFlags(e, "serve", fl.sf, stateDir); code != exitOK {
			return code
		}
	}
	ln, err := net.Listen("tcp", *fl.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb serve: %v\n", err)
		return exitUsage
	}
	opts := serve.Options{MaxBytes: limit, AllowedHosts: *fl.allowHosts, StateDir: state}
	if !*fl.quiet {
		opts.Log = log.New(e.stderr, "cfonb serve: ", log.LstdFlags)
	}
	url := serve.URL(ln)
	fmt.Fprintf(e.stderr, "cfonb serve: open %s (Ctrl-C to stop)\n", url)
	if *fl.open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(e.stderr, "cfonb serve: could not open a browser (%v): open %s yourself\n", err, url)
		}
	}
	// Its shutdown lets the requests under way finish (up to 10 s): a
	// second signal does not cut them (package interrupt).
	defer interrupt.Hold(ctx)()
	if err := serve.New(opts).Serve(ctx, ln); err != nil {
		fmt.Fprintf(e.stderr, "cfonb serve: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(e.stderr, "cfonb serve: stopped")
	return exitOK
}

// openBrowser opens url in the desktop's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		// Reap it; give up waiting after a while (some openers linger).
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
		}
	}()
	return nil
}
