package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/cfonb-dev/cfonb/internal/interrupt"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
)

func newJournalCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use: `journal [--state-dir DIR] [--env prod|staging | --api-url URL] [--accounts] [--json]
  cfonb journal --mark-done [--dossier ID] [--state-dir DIR] (--env prod|staging | --api-url URL) FILE...
  cfonb journal --mark-registered --dossier ID [--bank-name NAME] [--state-dir DIR] (--env prod|staging | --api-url URL) IBAN...
  cfonb journal --dump [--state-dir DIR] > FILE
  cfonb journal --restore FILE [--state-dir DIR]`,
		Short: "list what was imported, when and where",
		Long: `Lists what cfonb upload imported, when and where: one line per import
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
upload with --retry-unknown.

When the platform refuses to register an account that is in the dossier
already (it may say so otherwise than with the 409 cfonb expects), record it
with --mark-registered --dossier ID IBAN...: later uploads then do not try to
register it in that dossier again.

The platform of an entry is the canonical identity of the API URL: scheme
and host in lower case, no trailing dot, no default port, the port as a
number, the path cleaned, every loopback name as 127.0.0.1.

The journal is an SQLite database (journal.sqlite) in the state directory
(--state DIR; default $CFONB_STATE, else $XDG_STATE_HOME/cfonb, else
~/.local/state/cfonb), or a PostgreSQL database shared by several machines
(--state postgres://USER@HOST/DB, or CFONB_STATE). The JSON files of earlier
versions are migrated into it the first time, and kept. Back it up like
your books, e.g.
  cfonb journal --dump > cfonb-journal-$(date +%F).json
and restore such a dump into an empty journal (a new state directory or
database) with --restore FILE.`,
		Example: `  cfonb journal
  cfonb journal --env staging --json
  cfonb journal --dump > backup.json
  cfonb journal --restore backup.json --state-dir /new/state
  CFONB_STATE=postgres://cfonb@db/cfonb cfonb journal --env prod
  cfonb journal --mark-done --env prod --dossier 12345 releves/2026-03-02.txt
  cfonb journal --mark-registered --env prod --dossier 12345 FR7630004008230001000015611`,
		DisableFlagsInUseLine: true,
	}
	fs := c.Flags()
	fl := journalFlags{
		stateDir: fs.String("state-dir", "", "the same as --state (a state directory)"),
		sf:       addStateFlags(fs),
		dump:     fs.Bool("dump", false, "print the whole journal (accounts and every import) as one JSON document, for backups"),
		restore:  fs.String("restore", "", "restore a --dump FILE (- for standard input) into an empty journal"),
		envName:  fs.String("env", "prod", "platform: prod or staging (recette)"),
		apiURL:   fs.String("api-url", "", "API base URL, overriding --env's"),
		format:   fs.StringP("format", "f", "text", "output format: text (a table) or json (one JSON object per line)"),
		asJSON:   fs.Bool("json", false, "one JSON object per line (the same as --format json)"),
		accounts: fs.Bool("accounts", false, "list the registered accounts"),
		markDone: fs.Bool("mark-done", false, "record FILEs as imported to the platform, sending nothing"),
		markReg:  fs.Bool("mark-registered", false, "record IBANs as registered in --dossier on the platform, sending nothing"),
		dossier:  fs.Int64("dossier", 0, "the dossier of --mark-done (named in later messages) or --mark-registered (required)"),
		bankName: fs.String("bank-name", "", "the bank name recorded with --mark-registered"),
	}
	c.RunE = body(func(ctx context.Context, args []string) int { return runJournal(ctx, e, c, args, fl) })
	return c
}

// journalFlags are the flags of cfonb journal.
type journalFlags struct {
	stateDir, envName, apiURL, bankName *string
	format                              *string
	asJSON, accounts, markDone, markReg *bool
	dossier                             *int64
	sf                                  stateFlags
	dump                                *bool
	restore                             *string
}

func runJournal(ctx context.Context, e *env, c *cobra.Command, args []string, fl journalFlags) int {
	fs := c.Flags()
	stateDir, envName, apiURL, asJSON, accounts, markDone := fl.stateDir, fl.envName, fl.apiURL, fl.asJSON, fl.accounts, fl.markDone
	switch *fl.format {
	case "text":
	case "json":
		*asJSON = true
	default:
		return usageError(e, "journal", "--format must be text or json, not %q", *fl.format)
	}
	dir, code := stateFromFlags(e, "journal", fl.sf, *stateDir)
	if code != exitOK {
		return code
	}
	if *markDone && *fl.markReg {
		return usageError(e, "journal", "give --mark-done or --mark-registered, not both")
	}
	if *fl.restore != "" {
		if *markDone || *fl.markReg || *fl.dump || *accounts || *asJSON || fs.NArg() > 0 {
			return usageError(e, "journal", "--restore FILE goes alone (with the journal's --state)")
		}
		return journalRestore(ctx, e, fl.sf, dir, *fl.restore)
	}
	if (*markDone || *fl.markReg) && !fs.Changed("env") && !fs.Changed("api-url") {
		// Recording an import on the wrong platform would make a later
		// upload skip a file that is not there: no default for this.
		flag := "--mark-done"
		if *fl.markReg {
			flag = "--mark-registered"
		}
		return usageError(e, "journal", "%s needs the platform: give --env prod, --env staging or --api-url URL", flag)
	}
	switch {
	case *fl.dossier < 0:
		return usageError(e, "journal", "--dossier must be a positive integer, not %d", *fl.dossier)
	case *fl.markReg && *fl.dossier == 0:
		return usageError(e, "journal", "--mark-registered needs --dossier ID, a positive integer")
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
		return journalMarkDone(ctx, e, fl.sf, dir, platform, *fl.dossier, fs.Args())
	}
	if *fl.markReg {
		if fs.NArg() == 0 {
			return usageError(e, "journal", "--mark-registered needs IBANs")
		}
		return journalMarkRegistered(ctx, e, fl.sf, dir, platform, *fl.dossier, *fl.bankName, fs.Args())
	}
	if fs.NArg() > 0 {
		return usageError(e, "journal", "unexpected argument %q (FILEs go with --mark-done)", fs.Arg(0))
	}
	if _, err := os.Stat(dir); !journal.IsPostgres(dir) && errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stderr, "cfonb journal: no state in %s: nothing was uploaded from here yet\n", dir)
		return exitOK
	}
	st, code := openState(ctx, e, "journal", dir, fl.sf, true)
	if code != exitOK {
		return code
	}
	defer func() { _ = st.Close() }()
	dir = st.Dir()
	if *fl.dump {
		if err := journal.Dump(ctx, st.Store(), e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if *accounts {
		return journalAccounts(e, st, platform, *asJSON)
	}
	if *asJSON {
		// Streamed: a journal of millions of statements is never held.
		enc := json.NewEncoder(e.stdout)
		if err := st.EachEntry(platform, func(en upload.Entry) error { return enc.Encode(en) }); err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	entries := st.Entries(platform)
	if err := st.ReadErr(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	if len(entries) == 0 {
		others := journalOtherPlatforms(st, platform)
		if err := st.ReadErr(); err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		if others != "" {
			fmt.Fprintf(e.stderr, "cfonb journal: no import to %s recorded in %s, but %s (run cfonb journal without --env or --api-url to list them)\n", platform, dir, others)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "cfonb journal: no import recorded in %s\n", dir)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED (UTC)\tSTATUS\tPLATFORM\tDOSSIER\tFILE\tSHA256\tSTATEMENTS\tDETAIL")
	for _, en := range entries {
		detail := en.Detail
		if en.HTTPStatus != 0 && !strings.Contains(detail, "HTTP") {
			detail = strings.TrimSpace(fmt.Sprintf("HTTP %d %s", en.HTTPStatus, detail))
		}
		if en.Forced {
			detail = strings.TrimSpace("forced " + detail)
		}
		dossier := "-"
		if en.Dossier != 0 {
			dossier = fmt.Sprint(en.Dossier)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.ID, en.Started.UTC().Format("2006-01-02 15:04:05"),
			en.Status, en.Platform, dossier, en.File, en.SHA256[:min(12, len(en.SHA256))], statementsCell(en.Statements), detail)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// journalRestore restores the dump at path (cfonb journal --dump; "-" for
// standard input) into the empty journal spec: the way back from the
// backup the README recommends (found by a review: there was none).
func journalRestore(ctx context.Context, e *env, sf stateFlags, spec, path string) int {
	r := e.stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			return exitUsage
		}
		defer func() { _ = f.Close() }()
		r, name = f, path
	}
	// A journal lost from its state directory (missing, emptied) is what
	// a restore is for: it is made anew (journal.Options.Restore; found by
	// a review: the refusals that say "restore it" refused the restore).
	opts := journalOptions(e, "journal", sf, false)
	opts.Restore = true
	st, err := upload.OpenStore(ctx, spec, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
	}
	defer func() { _ = st.Close() }()
	accounts, entries, err := journal.Restore(ctx, st.Store(), bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %s: %v (nothing was restored)\n", name, err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "cfonb journal: restored %s and %s from %s into %s\n", plural.CountAs(entries, "entry", "entries"),
		plural.Count(accounts, "account"), name, journal.Redact(st.Dir()))
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
	if err := st.ReadErr(); err != nil {
		fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
		return exitUsage
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

func journalMarkDone(ctx context.Context, e *env, sf stateFlags, dir, platform string, dossier int64, args []string) int {
	// A write to a closed pipe must fail (EPIPE, reported below), not
	// kill the process by SIGPIPE between two marks.
	signal.Ignore(syscall.SIGPIPE)
	paths, code := expandFiles(e, "journal", args)
	if paths == nil && code != exitOK {
		return code
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
	st, code := openState(ctx, e, "journal", dir, sf, false)
	if code != exitOK {
		return code
	}
	defer func() { _ = st.Close() }()
	// Each mark is recorded whether its line can be written or not: a
	// failed write is said at the end, with what was recorded.
	w := &stickyWriter{w: e.stdout}
	var marked []string
	for _, f := range files {
		release := interrupt.Hold(ctx) // a forced exit waits for the mark
		id, err := upload.MarkDone(st, platform, dossier, f, time.Now().UTC())
		release()
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			markedOutputFailed(e, w, "file", "as imported", "cfonb journal", marked)
			return exitUsage
		}
		in := ""
		if dossier != 0 {
			in = fmt.Sprintf(" (dossier %d)", dossier)
		}
		fmt.Fprintf(w, "recorded %s (sha256 %s) as imported to %s%s: journal entry %d\n", f.Path, f.SHA256[:16], platform, in, id)
		marked = append(marked, fmt.Sprintf("%s (journal entry %d)", f.Path, id))
	}
	return markedOutputFailed(e, w, "file", "as imported", "cfonb journal", marked)
}

// markedOutputFailed says on standard error, when writing the
// confirmations of --mark-done or --mark-registered to w failed, that
// the marks were recorded all the same (they are: a script must not make
// them again), naming them, and returns exitUsage; otherwise it says
// nothing and returns exitOK. what names a mark ("file"), as how it was
// recorded ("as imported"), and list, the command that lists them.
func markedOutputFailed(e *env, w *stickyWriter, what, as, list string, marked []string) int {
	if w.err == nil {
		return exitOK
	}
	if len(marked) == 0 {
		fmt.Fprintf(e.stderr, "cfonb journal: writing the output: %v\n", w.err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "cfonb journal: writing the output: %v; %s recorded %s all the same: %s (do not mark %s again; %s lists %[5]s)\n",
		w.err, plural.Count(len(marked), what)+" "+plural.Choose(len(marked), "was", "were"), as, strings.Join(marked, ", "),
		plural.Choose(len(marked), "it", "them"), list)
	return exitUsage
}

// journalMarkRegistered records accounts as registered in a dossier,
// sending nothing: the way out when the platform refuses to register an
// account that it has already.
func journalMarkRegistered(ctx context.Context, e *env, sf stateFlags, dir, platform string, dossier int64, bankName string, args []string) int {
	if !utf8.ValidString(bankName) {
		return usageError(e, "journal", "--bank-name %q is not UTF-8 text (is the terminal's character set UTF-8?)", bankName)
	}
	// A write to a closed pipe must fail (EPIPE, reported below), not
	// kill the process by SIGPIPE between two marks.
	signal.Ignore(syscall.SIGPIPE)
	var ibans []string
	for _, a := range args {
		ib, err := upload.MappingAccount(a)
		if err != nil {
			return usageError(e, "journal", "%v", err)
		}
		ibans = append(ibans, ib)
	}
	st, code := openState(ctx, e, "journal", dir, sf, false)
	if code != exitOK {
		return code
	}
	defer func() { _ = st.Close() }()
	w := &stickyWriter{w: e.stdout} // as journalMarkDone's
	var marked []string
	registered := fmt.Sprintf("as registered in dossier %d on %s", dossier, platform)
	for _, ib := range ibans {
		rec := upload.AccountRecord{Platform: platform, Dossier: dossier, IBAN: ib, BankName: bankName,
			Registered: time.Now().UTC(), Marked: true}
		release := interrupt.Hold(ctx) // a forced exit waits for the mark
		err := st.AddRegistration(rec)
		release()
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb journal: %v\n", err)
			markedOutputFailed(e, w, "account", registered, "cfonb journal --accounts", marked)
			return exitUsage
		}
		fmt.Fprintf(w, "recorded account %s as registered in dossier %d on %s\n", ib, dossier, platform)
		marked = append(marked, ib)
	}
	return markedOutputFailed(e, w, "account", registered, "cfonb journal --accounts", marked)
}

// journalOtherPlatforms says how many imports the journal records for
// platforms other than platform, and which: "2 imports to
// https://a and https://b", or "" if none (or no platform was chosen).
func journalOtherPlatforms(st *upload.State, platform string) string {
	if platform == "" {
		return ""
	}
	var names []string
	n := 0
	for _, en := range st.Entries("") {
		if en.Platform == platform {
			continue
		}
		n++
		if !slices.Contains(names, en.Platform) {
			names = append(names, en.Platform)
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s to %s", plural.Count(n, "import"), strings.Join(names, " and "))
}
