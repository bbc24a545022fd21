package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/words"
)

func newUploadCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use: `upload (--dossier ID | --mapping FILE) [--env prod|staging | --auth-url URL --api-url URL]
  [--state-dir DIR] [--bank-name NAME|CODE=NAME]... [--no-iban-control]
  [--dry-run] [--retry-unknown] [--reimport FILE]... [--fail-fast]
  [--skip-registration IBAN|all]... [--timeout D] [--format text|json] [-v] FILE...`,
		Short: "validate, register missing accounts and import into Inqom",
		Long: `Takes statement files to the Inqom platform, in this order:
  1. validates every file with the rules of cfonb validate: any error in any
     file prints the diagnostics and sends nothing at all;
  2. decides each file from the journal: a file (or each of its statements)
     already imported to this platform is skipped; one whose earlier import
     has an unknown outcome waits for you (see below);
  3. logs in (OAuth2 password grant), once;
  4. registers the accounts of the files to send that the state directory
     does not record as registered in their dossier (HTTP 409 "already
     there" is fine); a refused account holds back only its files;
  5. imports each file; a failed import does not stop the others (unless
     --fail-fast); the summary and the exit status say what failed.
Nothing is ever imported twice by accident, and an import whose answer was
lost is never resent automatically: it is recorded as "unknown", and you are
told what to check. Then either record it (cfonb journal --mark-done) or
send it again (--retry-unknown). A file recorded as imported is sent again
only when named with --reimport FILE (never through a directory).

One company: --dossier ID. An accounting firm: --mapping FILE, a CSV file
of account,dossier,bank_name lines (the account is an IBAN, or bank, branch
and account number), so that each account goes to its own dossier; a file
with an account missing from the mapping is held back, with the line to add.

Credentials come from the environment, never from flags: INQOM_USERNAME,
INQOM_PASSWORD (prompted for, without echo, if unset and standard input is a
terminal), INQOM_CLIENT_ID and INQOM_CLIENT_SECRET.

The journal (the account registry and every import) is an SQLite database
in the state directory (--state DIR, default $CFONB_STATE, else
$XDG_STATE_HOME/cfonb, else ~/.local/state/cfonb; %LocalAppData%\cfonb on
Windows), or a PostgreSQL database that several machines share (--state
postgres://USER@HOST/DB, or CFONB_STATE). Back it up with your books (see
cfonb journal --help). It must be writable: that is checked before any
request. Runs sharing a journal do not lock each other out: each file is
claimed before it is sent, and a run waits for a file another one is
sending, then skips it.

Exit status: 0 every file imported or skipped as already imported, 1 a file
has validation errors (nothing sent), 2 a usage or local error (the state
cannot be written, the credentials are refused, a file waits for a dossier
or a bank name), 3 a network or API failure, or a file that waits for your
decision (the output says what was and was not done).`,
		Example: `  cfonb upload --dossier 12345 --dry-run releves/
  cfonb upload --dossier 12345 --env staging releves/2026-03-*.txt
  cfonb upload --mapping clients.csv --format json releves/
  cfonb upload --dossier 12345 --retry-unknown releves/
  cfonb upload --dossier 12345 --reimport releves/2026-03.txt releves/2026-03.txt
  cfonb upload --dossier 1 --auth-url http://127.0.0.1:8642/identity/connect/token \
      --api-url http://127.0.0.1:8642 --state-dir /tmp/rehearsal statement.txt`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := uploadFlags{
		dossier:       fs.String("dossier", "", "Inqom dossier id of every account (one company)"),
		mapping:       fs.String("mapping", "", "CSV `FILE` of account,dossier,bank_name lines (a firm's clients)"),
		envName:       fs.String("env", "prod", "platform: prod or staging (recette)"),
		authURL:       fs.String("auth-url", "", "token endpoint URL, with --api-url, instead of --env's"),
		apiURL:        fs.String("api-url", "", "API base URL, with --auth-url, instead of --env's"),
		stateDir:      fs.String("state-dir", "", "the same as --state (a state directory)"),
		sf:            addStateFlags(fs),
		bankNames:     fs.StringArray("bank-name", nil, "bank name for banks missing from the built-in table (NAME), or for one bank code (CODE=NAME); repeatable"),
		noIBANControl: fs.Bool("no-iban-control", false, "register accounts with Inqom's IBAN control off"),
		dryRun:        fs.Bool("dry-run", false, "validate and print the decisions; send nothing, write nothing"),
		retryUnknown:  fs.Bool("retry-unknown", false, "send again the files whose earlier import has an unknown outcome (checked in Inqom: not there)"),
		reimport:      fs.StringArray("reimport", nil, "import this `FILE` again although the journal says it was imported; repeatable; a file, never a directory"),
		failFast:      fs.Bool("fail-fast", false, "stop at the first import that fails (default: go on with the other files)"),
		skipReg:       fs.StringArray("skip-registration", nil, "do not register this `IBAN` (you know it is registered in its dossier), or all; repeatable"),
		timeout:       fs.Duration("timeout", 0, "longest wait for an answer to one request (default 60s, 5m for an import)"),
		format:        fs.String("format", "text", "output: text, or json (one report: per file its outcome, import id, statements and accounts registered)"),
		verbose:       fs.BoolP("verbose", "v", false, "print the URLs, the dossier and each HTTP exchange (secrets redacted) on standard error"),
		force:         fs.Bool("force", false, "removed: use --retry-unknown or --reimport FILE"),
	}
	_ = fs.MarkHidden("force")
	c.RunE = body(func(ctx context.Context, args []string) int { return runUpload(ctx, e, c, args, fl) })
	return c
}

// uploadFlags are the flags of cfonb upload.
type uploadFlags struct {
	dossier, mapping, envName, authURL, apiURL, stateDir, format  *string
	bankNames, reimport, skipReg                                  *[]string
	noIBANControl, dryRun, retryUnknown, failFast, verbose, force *bool
	timeout                                                       *time.Duration
	sf                                                            stateFlags
}

func runUpload(ctx context.Context, e *env, c *cobra.Command, args []string, fl uploadFlags) int {
	fs := c.Flags()
	// A write to a closed pipe (cfonb upload -v ... 2>&1 | head) must fail
	// with EPIPE, not kill the process by SIGPIPE between an import and
	// the journal's record of it: the run finishes its bookkeeping, and a
	// lost report is said below (found by a review: the file was booked,
	// the journal said pending, and nothing was said).
	signal.Ignore(syscall.SIGPIPE)
	if *fl.force {
		return usageError(e, "upload", "--force is gone: it re-imported files already imported. Use --retry-unknown for imports whose outcome is unknown, or --reimport FILE for one file you want imported again")
	}
	var dossierID int64
	var mapping *upload.Mapping
	// The command line wins over .cfonb.toml: a --mapping typed replaces a
	// configured dossier, and a --dossier typed a configured mapping.
	switch d, m := flagOrigin(fs, "dossier"), flagOrigin(fs, "mapping"); {
	case d == originConfig && m == originCommandLine:
		*fl.dossier = ""
	case m == originConfig && d == originCommandLine:
		*fl.mapping = ""
	}
	switch {
	case *fl.dossier != "" && *fl.mapping != "":
		return usageError(e, "upload", "give --dossier or --mapping, not both")
	case *fl.mapping != "":
		m, err := upload.LoadMapping(*fl.mapping)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb upload: %v\n", err)
			return exitUsage
		}
		mapping = m
	case *fl.dossier == "":
		return usageError(e, "upload", "--dossier is required (or --mapping for a firm's clients)")
	default:
		d, err := strconv.ParseInt(*fl.dossier, 10, 64)
		if err != nil || d <= 0 {
			return usageError(e, "upload", "--dossier must be a positive integer, not %q", *fl.dossier)
		}
		dossierID = d
	}
	if *fl.format != "text" && *fl.format != "json" {
		return usageError(e, "upload", "--format must be text or json, not %q", *fl.format)
	}
	if *fl.timeout < 0 {
		return usageError(e, "upload", "--timeout must be positive")
	}
	ep, code := endpointsFromFlags(e, "upload", fs, *fl.envName, *fl.authURL, *fl.apiURL)
	if code != exitOK {
		return code
	}
	dir, code := stateFromFlags(e, "upload", fl.sf, *fl.stateDir)
	if code != exitOK {
		return code
	}
	names, err := upload.ParseBankNames(*fl.bankNames)
	if err != nil {
		return usageError(e, "upload", "%v", err)
	}
	skipAll := false
	var skip []string
	for _, v := range *fl.skipReg {
		if strings.EqualFold(v, "all") {
			skipAll = true
			continue
		}
		ib, err := upload.MappingAccount(v)
		if err != nil {
			return usageError(e, "upload", "--skip-registration: %v", err)
		}
		skip = append(skip, ib)
	}
	if len(args) == 0 {
		return usageError(e, "upload", "no FILE given")
	}
	for _, a := range args {
		if a == "-" {
			return usageError(e, "upload", "standard input cannot be uploaded: give files (their journal entry is kept by content)")
		}
	}
	// A re-import names one file, never a directory: a directory (or a
	// glob) would re-import files nobody looked at.
	for _, r := range *fl.reimport {
		fi, err := os.Stat(r)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb upload: --reimport: %v\n", err)
			return exitUsage
		}
		if !fi.Mode().IsRegular() {
			return usageError(e, "upload", "--reimport %s: not a regular file: name each file to import again", r)
		}
		if strings.ContainsAny(r, "*?[") {
			return usageError(e, "upload", "--reimport %s: name the file itself, not a pattern", r)
		}
	}
	paths, code := expandFiles(e, "upload", args)
	if paths == nil && code != exitOK {
		return code
	}
	if len(paths) == 0 {
		return usageError(e, "upload", "no file found in %s", strings.Join(args, " "))
	}
	for _, r := range *fl.reimport {
		if !containsPath(paths, r) {
			return usageError(e, "upload", "--reimport %s: give the file among the FILEs too", r)
		}
	}

	red := &upload.Redactor{}
	var creds func() (upload.Credentials, error)
	if !*fl.dryRun {
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
	out := &stickyWriter{w: e.stdout} // the report: its loss is an error
	stdout, stderr := red.Writer(out), red.Writer(e.stderr)
	asJSON := *fl.format == "json"
	w := &words.Words{Out: stdout, StateDir: dir, StateVar: stateVar(e, fl.sf, *fl.stateDir, dir), Platform: upload.PlatformID(ep.APIURL), Control: !*fl.noIBANControl,
		Mapping: mapping, DryRun: *fl.dryRun}
	opts := upload.Options{
		Dossier: dossierID, Mapping: mapping, Endpoints: ep, StateDir: dir, BankNames: names,
		Journal:       journalOptions(e, "upload", fl.sf, *fl.dryRun),
		NoIBANControl: *fl.noIBANControl, DryRun: *fl.dryRun, RetryUnknown: *fl.retryUnknown,
		Reimport: *fl.reimport, FailFast: *fl.failFast, SkipRegistration: skip, SkipAllRegistration: skipAll,
		Credentials: creds, Notify: stderr, Redactor: red, UserAgent: userAgent(),
	}
	if *fl.timeout > 0 {
		opts.Timeouts = upload.Timeouts{Request: *fl.timeout, ImportResponse: *fl.timeout, Import: max(*fl.timeout*3, upload.DefaultTimeouts().Import)}
	}
	if !asJSON {
		opts.OnAccount, opts.OnFile = w.Account, w.File
	}
	if *fl.verbose || *fl.dryRun {
		where := fmt.Sprintf("dossier %d", dossierID)
		if mapping != nil {
			where = fmt.Sprintf("dossiers from %s (%s)", mapping.Path, plural.Count(mapping.Len(), "account"))
		}
		fmt.Fprintf(stderr, "platform %s: token URL %s, API URL %s; %s; state %s\n", upload.PlatformID(ep.APIURL), ep.AuthURL, ep.APIURL, where, journal.Redact(dir))
	}
	if *fl.verbose {
		opts.Verbose = e.stderr
	}
	if e.stderrIsTerminal && !asJSON {
		opts.Progress = words.Progress(stderr)
	}
	rep, err := upload.Run(ctx, opts, paths)
	diag := stdout // with the decisions, as cfonb validate prints them
	if asJSON {
		diag = stderr
	}
	for _, v := range rep.Validation {
		for _, line := range upload.Diagnostics(v) {
			fmt.Fprintln(diag, line)
		}
	}
	if asJSON {
		// Scrubbed as JSON, not as text: a password that is also a
		// word of the report ("true") must not break it (found by a
		// review).
		if jerr := writeUploadJSON(out, rep, red); jerr != nil {
			out.fail(jerr)
		}
	} else {
		w.Summary(rep, err)
	}
	if out.err != nil {
		// Every import made is in the journal: only the report is lost.
		fmt.Fprintf(stderr, "cfonb upload: writing the report: %v; what was imported is recorded in the journal all the same (cfonb journal lists it)\n", out.err)
		if err == nil {
			return exitUsage
		}
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, upload.ErrInvalid):
		fmt.Fprintf(stderr, "cfonb upload: %s\n", err)
		return exitInvalid
	case errors.Is(err, upload.ErrSetup):
		fmt.Fprintf(stderr, "cfonb upload: %s\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "cfonb upload: %s\n", err)
		return exitNetwork
	}
}

// containsPath reports whether paths holds p (compared as absolute paths).
func containsPath(paths []string, p string) bool {
	abs := func(s string) string {
		if a, err := filepath.Abs(s); err == nil {
			return a
		}
		return s
	}
	want := abs(p)
	for _, q := range paths {
		if abs(q) == want {
			return true
		}
	}
	return false
}

// writeUploadJSON prints the report as one JSON document, with the secrets
// of red scrubbed from its string values (upload.Redactor.JSON).
func writeUploadJSON(w io.Writer, rep *upload.Report, red *upload.Redactor) error {
	type validation struct {
		Path     string `json:"path"`
		Errors   int    `json:"errors"`
		Warnings int    `json:"warnings"`
	}
	type summary struct {
		Files             int `json:"files"`
		Imported          int `json:"imported"`
		Skipped           int `json:"skipped"`
		Blocked           int `json:"blocked"`
		Held              int `json:"held"`
		Failed            int `json:"failed"`
		Unknown           int `json:"unknown"`
		NotAttempted      int `json:"not_attempted"`
		Registered        int `json:"accounts_registered"`
		AlreadyRegistered int `json:"accounts_already_registered"`
	}
	s := rep.Summary()
	doc := struct {
		*upload.Report
		Validation []validation `json:"validation"`
		Summary    summary      `json:"summary"`
	}{Report: rep, Validation: []validation{}, Summary: summary{s.Files, s.Imported, s.Skipped, s.Blocked, s.Held, s.Failed,
		s.Unknown, s.NotAttempted, s.Registered, s.AlreadyRegistered}}
	for _, v := range rep.Validation {
		doc.Validation = append(doc.Validation, validation{v.Path, v.Errors, v.Warnings})
	}
	if doc.Files == nil {
		doc.Files = []*upload.FileResult{}
	}
	if doc.Accounts == nil {
		doc.Accounts = []*upload.AccountResult{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := w.Write(red.JSON(b.Bytes()))
	return err
}

// endpointsFromFlags picks the documented URLs of --env, then applies the
// overrides, and checks them (https, or http to a loopback address).
func endpointsFromFlags(e *env, cmd string, fs *pflag.FlagSet, envName, authURL, apiURL string) (upload.Endpoints, int) {
	ep, err := upload.EnvEndpoints(envName)
	if err != nil {
		return ep, usageError(e, cmd, "--env: %v", err)
	}
	auth, api := flagOrigin(fs, "auth-url"), flagOrigin(fs, "api-url")
	// --env on the command line wins over URLs from .cfonb.toml: the
	// platform typed is the platform meant.
	if flagOrigin(fs, "env") == originCommandLine && auth != originCommandLine && api != originCommandLine {
		auth, api = originNone, originNone
	}
	// Both or neither, from one place: a test server's API URL with the
	// default token URL (or the configuration's) would log in at another
	// platform with real credentials.
	if auth != api {
		return ep, usageError(e, cmd, "--auth-url (%s) and --api-url (%s): give both URLs of one platform, in one place, or --env alone",
			originWords[auth], originWords[api])
	}
	if auth != originNone {
		ep.AuthURL, ep.APIURL = authURL, apiURL
	}
	ep, err = ep.Check()
	if err != nil {
		return ep, usageError(e, cmd, "%v", err)
	}
	return ep, exitOK
}

// flagSource says where a flag's value came from.
type flagSource int

const (
	originNone        flagSource = iota // not set: the default
	originCommandLine                   // typed
	originConfig                        // from .cfonb.toml
)

var originWords = map[flagSource]string{originNone: "not given", originCommandLine: "on the command line", originConfig: "from the configuration file"}

// flagOrigin tells where the flag name of fs came from (setFromConfig
// marks the flags it sets).
func flagOrigin(fs *pflag.FlagSet, name string) flagSource {
	f := fs.Lookup(name)
	switch {
	case f == nil || !f.Changed:
		return originNone
	case len(f.Annotations["cfonb-config"]) > 0:
		return originConfig
	}
	return originCommandLine
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

// userAgent is "cfonb/<module version>", sent with every request.
func userAgent() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return "cfonb/" + v
}
