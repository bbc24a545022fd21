package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

const uploadUsage = `Usage: cfonb upload --dossier ID [--env prod|staging] [--auth-url URL] [--api-url URL]
                    [--state-dir DIR] [--bank-name NAME|CODE=NAME]... [--no-iban-control]
                    [--dry-run] [--force] [-v] FILE...

Takes statement files to the Inqom platform, in this order:
  1. validates every file with the rules of cfonb validate: any error in any
     file prints the diagnostics and sends nothing at all;
  2. logs in (OAuth2 password grant), once;
  3. registers every account of the files that the state directory does not
     record as registered in this dossier (HTTP 409 "already there" is fine);
     any other refusal stops before any import;
  4. imports each file, unless the journal says it (or one of its statements)
     was already imported to this platform: such a file is skipped, or needs
     --force if an earlier import's outcome is unknown.
Nothing is ever imported twice without --force, and an import whose answer
was lost is never resent automatically: it is recorded as "unknown", and you
are told what to check.

Credentials come from the environment, never from flags: INQOM_USERNAME,
INQOM_PASSWORD (prompted for, without echo, if unset and standard input is a
terminal), INQOM_CLIENT_ID and INQOM_CLIENT_SECRET.

The state directory (default $XDG_STATE_HOME/cfonb, else
~/.local/state/cfonb) holds the account registry and the upload journal:
back it up with your books (see cfonb journal --help).

Exit status: 0 every file imported or skipped as already imported, 1 a file
has validation errors (nothing sent), 2 a usage or local I/O error, 3 a
network or API failure (the output says what was and was not done).

Examples:
  cfonb upload --dossier 12345 --dry-run releves/
  cfonb upload --dossier 12345 --env staging releves/2026-03-*.txt
  cfonb upload --dossier 1 --auth-url http://127.0.0.1:8642/identity/connect/token \
      --api-url http://127.0.0.1:8642 --state-dir /tmp/rehearsal statement.txt

Flags:
`

func runUpload(ctx context.Context, e *env, args []string) int {
	fs := pflag.NewFlagSet("upload", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dossier := fs.String("dossier", "", "Inqom dossier id (required)")
	envName := fs.String("env", "prod", "platform: prod or staging (recette)")
	authURL := fs.String("auth-url", "", "token endpoint URL, overriding --env's")
	apiURL := fs.String("api-url", "", "API base URL, overriding --env's")
	stateDir := fs.String("state-dir", "", "directory of the account registry and the journal (default $XDG_STATE_HOME/cfonb)")
	bankNames := fs.StringArray("bank-name", nil, "bank name for banks missing from the built-in table (NAME), or for one bank code (CODE=NAME); repeatable")
	noIBANControl := fs.Bool("no-iban-control", false, "register accounts with Inqom's IBAN control off")
	dryRun := fs.Bool("dry-run", false, "validate and print the decisions; send nothing, write nothing")
	force := fs.Bool("force", false, "import files even if the journal says they were, or may have been, imported")
	verbose := fs.BoolP("verbose", "v", false, "print each HTTP exchange (secrets redacted) on standard error")
	fs.Usage = func() { fmt.Fprint(e.stderr, uploadUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, e, args); done {
		return code
	}
	dossierID, err := strconv.ParseInt(*dossier, 10, 64)
	if *dossier == "" {
		return usageError(e, "upload", "--dossier is required")
	}
	if err != nil || dossierID <= 0 {
		return usageError(e, "upload", "--dossier must be a positive integer, not %q", *dossier)
	}
	ep, code := endpointsFromFlags(e, "upload", fs, *envName, *authURL, *apiURL)
	if code != exitOK {
		return code
	}
	dir, code := stateDirFromFlag(e, "upload", *stateDir)
	if code != exitOK {
		return code
	}
	names, err := upload.ParseBankNames(*bankNames)
	if err != nil {
		return usageError(e, "upload", "%v", err)
	}
	if fs.NArg() == 0 {
		return usageError(e, "upload", "no FILE given")
	}
	for _, a := range fs.Args() {
		if a == "-" {
			return usageError(e, "upload", "standard input cannot be uploaded: give files (their journal entry is kept by content)")
		}
	}
	paths, err := expandPaths(fs.Args())
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb upload: %v\n", err)
		return exitUsage
	}
	if len(paths) == 0 {
		return usageError(e, "upload", "no file found in %s", strings.Join(fs.Args(), " "))
	}

	red := &upload.Redactor{}
	var creds func() (upload.Credentials, error)
	if !*dryRun {
		c, code := credentialsFromEnv(e)
		if code != exitOK {
			return code
		}
		creds = func() (upload.Credentials, error) {
			if c.Password == "" {
				pw, err := promptPassword(e, c.Username)
				if err != nil {
					return c, err
				}
				c.Password = pw
			}
			return c, nil
		}
		// Known secrets are scrubbed from everything printed from now on.
		red.Add(c.Password)
		red.Add(c.ClientSecret)
	}
	opts := upload.Options{
		Dossier: dossierID, Endpoints: ep, StateDir: dir, BankNames: names,
		NoIBANControl: *noIBANControl, DryRun: *dryRun, Force: *force,
		Credentials: creds, Out: e.stdout, Redactor: red,
	}
	if *verbose {
		opts.Verbose = e.stderr
	}
	_, err = upload.Run(ctx, opts, paths)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, upload.ErrInvalid):
		fmt.Fprintf(e.stderr, "cfonb upload: %s\n", red.String(err.Error()))
		return exitInvalid
	case errors.Is(err, upload.ErrSetup):
		fmt.Fprintf(e.stderr, "cfonb upload: %s\n", red.String(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "cfonb upload: %s\n", red.String(err.Error()))
		return exitNetwork
	}
}

// endpointsFromFlags picks the documented URLs of --env, then applies the
// overrides, and checks them (https, or http to a loopback address).
func endpointsFromFlags(e *env, cmd string, fs *pflag.FlagSet, envName, authURL, apiURL string) (upload.Endpoints, int) {
	ep, err := upload.EnvEndpoints(envName)
	if err != nil {
		return ep, usageError(e, cmd, "--env: %v", err)
	}
	// Both or neither: a test server's API URL with the default token URL
	// would log in at the real platform with real credentials.
	if fs.Changed("auth-url") != fs.Changed("api-url") {
		given, missing := "--auth-url", "--api-url"
		if fs.Changed("api-url") {
			given, missing = missing, given
		}
		return ep, usageError(e, cmd, "%s without %s: give both URLs of one platform, or --env alone", given, missing)
	}
	if fs.Changed("auth-url") {
		ep.AuthURL, ep.APIURL = authURL, apiURL
	}
	ep, err = ep.Check()
	if err != nil {
		return ep, usageError(e, cmd, "%v", err)
	}
	return ep, exitOK
}

// stateDirFromFlag returns --state-dir or the default state directory,
// refusing a cache directory.
func stateDirFromFlag(e *env, cmd, flag string) (string, int) {
	dir := flag
	if dir == "" {
		var err error
		if dir, err = upload.DefaultStateDir(e.getenv); err != nil {
			return "", usageError(e, cmd, "%v", err)
		}
	}
	if err := upload.CheckStateDir(dir, e.getenv); err != nil {
		return "", usageError(e, cmd, "%v", err)
	}
	return dir, exitOK
}

// credentialsFromEnv reads the INQOM_* variables. The password may be
// missing if it can be prompted for.
func credentialsFromEnv(e *env) (upload.Credentials, int) {
	c := upload.Credentials{
		Username:     e.getenv("INQOM_USERNAME"),
		Password:     e.getenv("INQOM_PASSWORD"),
		ClientID:     e.getenv("INQOM_CLIENT_ID"),
		ClientSecret: e.getenv("INQOM_CLIENT_SECRET"),
	}
	var missing []string
	if c.Username == "" {
		missing = append(missing, "INQOM_USERNAME")
	}
	if c.Password == "" && !e.stdinIsTerminal {
		missing = append(missing, "INQOM_PASSWORD")
	}
	if c.ClientID == "" {
		missing = append(missing, "INQOM_CLIENT_ID")
	}
	if c.ClientSecret == "" {
		missing = append(missing, "INQOM_CLIENT_SECRET")
	}
	if len(missing) > 0 {
		return c, usageError(e, "upload", "set %s in the environment (credentials are never flags)", strings.Join(missing, ", "))
	}
	return c, exitOK
}

// promptPassword asks for the password on the terminal without echo. An
// empty answer is refused, whichever way it was read: it would only be
// sent to be refused.
func promptPassword(e *env, user string) (string, error) {
	fmt.Fprintf(e.stderr, "Inqom password for %s: ", user)
	defer fmt.Fprintln(e.stderr)
	pw, err := readPassword(e.stdin)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if pw == "" {
		return "", errors.New("no password given (set INQOM_PASSWORD, or type it at the prompt)")
	}
	return pw, nil
}

// readPassword reads one line from r: without echo if r is a terminal,
// else as is (a stand-in terminal in tests).
func readPassword(r io.Reader) (string, error) {
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pw, err := term.ReadPassword(int(f.Fd()))
		return string(pw), err
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

const journalUsage = `Usage: cfonb journal [--state-dir DIR] [--env prod|staging | --api-url URL] [--accounts] [--json]
       cfonb journal --mark-done [--state-dir DIR] (--env prod|staging | --api-url URL) FILE...

Lists what cfonb upload imported, when and where: one line per import
attempt, with its status:
  done     imported (HTTP 2xx)
  unknown  the answer was lost (502, 504, timeout, broken connection): the
           file may or may not be in Inqom; it was not resent
  pending  the run stopped while sending (crash, power cut): same as unknown
  failed   not processed (refused, or retries exhausted); does not block
With --env or --api-url, only that platform's entries; --accounts lists the
registered accounts instead.

After an "unknown" or "pending" import, check the dossier's bank entries in
Inqom. If the statements are there, record it with --mark-done (nothing is
sent; --env or --api-url must name the platform); if not, re-run cfonb
upload with --force.

The state directory (default $XDG_STATE_HOME/cfonb, else
~/.local/state/cfonb) holds accounts.json and journal.json, each replaced
atomically; back it up like your books, e.g.
  tar czf cfonb-state-$(date +%F).tgz -C ~/.local/state cfonb

Examples:
  cfonb journal
  cfonb journal --env staging --json
  cfonb journal --mark-done --env prod releves/2026-03-02.txt

Flags:
`

func runJournal(ctx context.Context, e *env, args []string) int {
	fs := pflag.NewFlagSet("journal", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	stateDir := fs.String("state-dir", "", "state directory (default $XDG_STATE_HOME/cfonb)")
	envName := fs.String("env", "prod", "platform: prod or staging (recette)")
	apiURL := fs.String("api-url", "", "API base URL, overriding --env's")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	accounts := fs.Bool("accounts", false, "list the registered accounts")
	markDone := fs.Bool("mark-done", false, "record FILEs as imported to the platform, sending nothing")
	fs.Usage = func() { io.WriteString(e.stderr, journalUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, e, args); done {
		return code
	}
	dir, code := stateDirFromFlag(e, "journal", *stateDir)
	if code != exitOK {
		return code
	}
	if *markDone && !fs.Changed("env") && !fs.Changed("api-url") {
		// Recording an import on the wrong platform would make a later
		// upload skip a file that is not there: no default for this.
		return usageError(e, "journal", "--mark-done needs the platform: give --env prod, --env staging or --api-url URL")
	}
	platform := ""
	if fs.Changed("env") || fs.Changed("api-url") {
		ep, err := upload.EnvEndpoints(*envName)
		if err != nil {
			return usageError(e, "journal", "--env: %v", err)
		}
		if fs.Changed("api-url") {
			ep.APIURL = *apiURL
		}
		if platform, err = upload.Platform(ep.APIURL); err != nil {
			return usageError(e, "journal", "%v", err)
		}
	}
	if *markDone {
		if fs.NArg() == 0 {
			return usageError(e, "journal", "--mark-done needs FILEs")
		}
		return journalMarkDone(e, dir, platform, fs.Args())
	}
	if fs.NArg() > 0 {
		return usageError(e, "journal", "unexpected argument %q (FILEs go with --mark-done)", fs.Arg(0))
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stderr, "cfonb journal: no state in %s: nothing was uploaded from here yet\n", dir)
		return exitOK
	}
	st, err := upload.OpenState(dir, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	if *accounts {
		return journalAccounts(e, st, platform, *asJSON)
	}
	entries := st.Entries(platform)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, en := range entries {
			if err := enc.Encode(en); err != nil {
				fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
				return exitUsage
			}
		}
		return exitOK
	}
	if len(entries) == 0 {
		fmt.Fprintf(e.stderr, "cfonb journal: no import recorded in %s\n", dir)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED (UTC)\tSTATUS\tPLATFORM\tFILE\tSHA256\tSTATEMENTS\tDETAIL")
	for _, en := range entries {
		detail := en.Detail
		if en.HTTPStatus != 0 && !strings.Contains(detail, "HTTP") {
			detail = strings.TrimSpace(fmt.Sprintf("HTTP %d %s", en.HTTPStatus, detail))
		}
		if en.Forced {
			detail = strings.TrimSpace("forced " + detail)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.ID, en.Started.UTC().Format("2006-01-02 15:04:05"),
			en.Status, en.Platform, en.File, en.SHA256[:min(12, len(en.SHA256))], statementsCell(en.Statements), detail)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// statementsCell summarises an entry's statements in one table cell.
func statementsCell(ss []upload.StatementRecord) string {
	switch len(ss) {
	case 0:
		return "-"
	case 1:
		return fmt.Sprintf("%s %s..%s", ss[0].IBAN, ss[0].From, ss[0].To)
	}
	from, to := ss[0].From, ss[0].To
	for _, s := range ss[1:] {
		from, to = min(from, s.From), max(to, s.To)
	}
	return fmt.Sprintf("%d statements %s..%s", len(ss), from, to)
}

func journalAccounts(e *env, st *upload.State, platform string, asJSON bool) int {
	var list []upload.AccountRecord
	for _, a := range st.Accounts() {
		if platform == "" || a.Platform == platform {
			list = append(list, a)
		}
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, a := range list {
			if err := enc.Encode(a); err != nil {
				fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
				return exitUsage
			}
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGISTERED (UTC)\tPLATFORM\tDOSSIER\tIBAN\tBANK NAME\tIBAN CONTROL\tHTTP")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%t\t%d\n", a.Registered.UTC().Format("2006-01-02 15:04:05"),
			a.Platform, a.Dossier, a.IBAN, a.BankName, a.IBANControl, a.HTTPStatus)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func journalMarkDone(e *env, dir, platform string, args []string) int {
	paths, err := expandPaths(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	var files []*upload.File
	for _, p := range paths {
		f, err := upload.PrepareFile(p)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		if len(f.Statements) == 0 {
			fmt.Fprintf(e.stderr, "cfonb journal: %s: no statement found: it cannot have been imported\n", p)
			return exitInvalid
		}
		files = append(files, f)
	}
	st, err := upload.OpenState(dir, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	for _, f := range files {
		id, err := upload.MarkDone(st, platform, 0, f, time.Now().UTC())
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(e.stdout, "recorded %s (sha256 %s) as imported to %s: journal entry %d\n", f.Path, f.SHA256[:16], platform, id)
	}
	return exitOK
}

const sandboxUsage = `Usage: cfonb sandbox [--addr HOST:PORT] [--token-lifetime D] [--fault SPEC]... [--refuse IBAN]... [-q]
       cfonb sandbox --write-samples DIR

Runs a local stand-in for the Inqom banking API on a loopback address, with
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
  import=hang                 the import never answers (a timeout)

Examples:
  cfonb sandbox
  cfonb sandbox --write-samples /tmp/rehearsal
  cfonb sandbox --addr 127.0.0.1:0 --fault import=processed-502

Flags:
`

func runSandbox(ctx context.Context, e *env, args []string) int {
	fs := pflag.NewFlagSet("sandbox", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8642", "loopback address to listen on (port 0: any free port)")
	lifetime := fs.Duration("token-lifetime", time.Hour, "lifetime of the tokens it issues")
	faults := fs.StringArray("fault", nil, "inject a fault (see above); repeatable")
	refuse := fs.StringArray("refuse", nil, "answer 400 to the registration of this IBAN; repeatable")
	quiet := fs.BoolP("quiet", "q", false, "do not log each request on standard error")
	samples := fs.String("write-samples", "", "write three small valid statement files into `DIR` for a rehearsal, then exit")
	fs.Usage = func() { fmt.Fprint(e.stderr, sandboxUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, e, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, "sandbox", "unexpected argument %q", fs.Arg(0))
	}
	if *samples != "" {
		paths, err := sandbox.WriteSamples(*samples)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb sandbox: %v\n", err)
			return exitUsage
		}
		for _, p := range paths {
			fmt.Fprintln(e.stdout, p)
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
	fmt.Fprintf(e.stdout, `cfonb sandbox: a stand-in for the Inqom banking API, in memory, on %s
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
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
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
		hs.Close()
	}
	fmt.Fprintln(e.stderr, "cfonb sandbox: stopped")
	return exitOK
}
