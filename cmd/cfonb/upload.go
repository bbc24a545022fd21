package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cfonb-dev/cfonb/upload"
)

func newUploadCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use: `upload --dossier ID [--env prod|staging] [--auth-url URL] [--api-url URL]
  [--state-dir DIR] [--bank-name NAME|CODE=NAME]... [--no-iban-control]
  [--dry-run] [--force] [-v] FILE...`,
		Short: "validate, register missing accounts and import into Inqom",
		Long: `Takes statement files to the Inqom platform, in this order:
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
network or API failure (the output says what was and was not done).`,
		Example: `  cfonb upload --dossier 12345 --dry-run releves/
  cfonb upload --dossier 12345 --env staging releves/2026-03-*.txt
  cfonb upload --dossier 1 --auth-url http://127.0.0.1:8642/identity/connect/token \
      --api-url http://127.0.0.1:8642 --state-dir /tmp/rehearsal statement.txt`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := uploadFlags{
		dossier:       fs.String("dossier", "", "Inqom dossier id (required)"),
		envName:       fs.String("env", "prod", "platform: prod or staging (recette)"),
		authURL:       fs.String("auth-url", "", "token endpoint URL, overriding --env's"),
		apiURL:        fs.String("api-url", "", "API base URL, overriding --env's"),
		stateDir:      fs.String("state-dir", "", "directory of the account registry and the journal (default $XDG_STATE_HOME/cfonb)"),
		bankNames:     fs.StringArray("bank-name", nil, "bank name for banks missing from the built-in table (NAME), or for one bank code (CODE=NAME); repeatable"),
		noIBANControl: fs.Bool("no-iban-control", false, "register accounts with Inqom's IBAN control off"),
		dryRun:        fs.Bool("dry-run", false, "validate and print the decisions; send nothing, write nothing"),
		force:         fs.Bool("force", false, "import files even if the journal says they were, or may have been, imported"),
		verbose:       fs.BoolP("verbose", "v", false, "print each HTTP exchange (secrets redacted) on standard error"),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runUpload(ctx, e, c, args, fl) })
	return c
}

// uploadFlags are the flags of cfonb upload.
type uploadFlags struct {
	dossier, envName, authURL, apiURL, stateDir *string
	bankNames                                   *[]string
	noIBANControl, dryRun, force, verbose       *bool
}

func runUpload(ctx context.Context, e *env, c *cobra.Command, args []string, fl uploadFlags) int {
	fs := c.Flags()
	dossier, envName, authURL, apiURL, stateDir := fl.dossier, fl.envName, fl.authURL, fl.apiURL, fl.stateDir
	bankNames, noIBANControl, dryRun, force, verbose := fl.bankNames, fl.noIBANControl, fl.dryRun, fl.force, fl.verbose
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
