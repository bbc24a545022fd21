package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/almerlucke/go-iban/iban"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

// The three kinds of failure of Run, for the exit status: test with
// errors.Is.
var (
	// ErrInvalid: a file has validation errors; nothing was sent.
	ErrInvalid = errors.New("invalid input")
	// ErrSetup: the command line or the local state is wrong (a bank
	// name is missing, the state directory is locked or damaged, a file
	// cannot be read, no password was given); nothing was sent, except
	// when the state cannot be saved after an account registration.
	ErrSetup = errors.New("setup problem")
	// ErrRemote: a network or API failure, or files left undone because
	// an earlier import's outcome is unknown.
	ErrRemote = errors.New("upload incomplete")
)

// Options configure a Run.
type Options struct {
	// Dossier is the Inqom dossier id the accounts are registered in.
	Dossier int64
	// Endpoints are the token URL and the API base URL.
	Endpoints Endpoints
	// StateDir holds the account registry and the journal.
	StateDir string
	// BankNames names the banks of the accounts to register.
	BankNames BankNames
	// NoIBANControl registers accounts with IsCfonbControlActive false.
	NoIBANControl bool
	// DryRun decides and prints, sends nothing and writes nothing.
	DryRun bool
	// Force imports files that the journal says were imported, or may
	// have been.
	Force bool
	// Credentials is called once, when the first login is due.
	Credentials func() (Credentials, error)
	// Out receives the diagnostics and one line per action.
	Out io.Writer
	// Verbose receives one line per HTTP exchange; nil for none.
	Verbose io.Writer
	// Redactor scrubs secrets from Out and Verbose; nil means a new one.
	Redactor *Redactor

	// Retry, Timeouts, Sleep and Now are plumbing for tests; the zero
	// values are the defaults.
	Retry    RetryPolicy
	Timeouts Timeouts
	Sleep    func(context.Context, time.Duration) error
	Now      func() time.Time
}

// Summary counts what a Run did.
type Summary struct {
	Files              int  // files given
	Registered         int  // accounts registered now
	AlreadyRegistered  int  // accounts the state or the platform (409) knew
	Imported           int  // files imported now
	Skipped            int  // files skipped as already imported
	Blocked            int  // files not imported: the journal asks for --force
	Failed             int  // files whose import failed (not processed)
	Unknown            int  // files whose import's outcome is unknown
	NotAttempted       int  // files left after a failure
	Sent               bool // whether anything was sent at all
	ValidationErrors   int
	ValidationWarnings int
}

// account is a distinct account of the batch.
type account struct {
	Account  cfonb.Account
	IBAN     string
	BankName string
	File     string
	Line     int
	Known    *AccountRecord // registration recorded in the state
}

// decision is what becomes of one file.
type decision struct {
	File   *File
	Action action
	Reason string
	Forced bool
	// Seen is the snapshot of the journal entries related to the file
	// that the decision was taken on; Force is the run's --force; Wait is
	// an import of the file in progress elsewhere (the claim waits for it).
	Seen  []string
	Force bool
	Wait  *Entry
}

type action uint8

const (
	actImport action = iota + 1
	actSkip
	actBlock
)

// Run is the whole of cfonb upload: validate every file (any error: print
// the diagnostics, send nothing), log in, register the missing accounts,
// then import each file not already imported. It prints one line per
// action to opts.Out and returns a Summary and an error that wraps
// ErrInvalid, ErrSetup or ErrRemote.
func Run(ctx context.Context, opts Options, paths []string) (*Summary, error) {
	if opts.Redactor == nil {
		opts.Redactor = &Redactor{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	out := opts.Redactor.Writer(opts.Out)
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	sum := &Summary{Files: len(paths)}

	ep, err := opts.Endpoints.Check()
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	platform := ep.Platform()
	if opts.Dossier <= 0 {
		return sum, fmt.Errorf("%w: the dossier id must be a positive integer", ErrSetup)
	}
	if len(paths) == 0 {
		return sum, fmt.Errorf("%w: no file to upload", ErrSetup)
	}

	// 1. Validate everything before anything is sent.
	files := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := PrepareFile(p)
		if err != nil {
			return sum, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		files = append(files, f)
		printDiagnostics(out, f.Report)
		sum.ValidationErrors += f.Report.Errors
		sum.ValidationWarnings += f.Report.Warnings
	}
	if sum.ValidationErrors > 0 {
		bad := 0
		for _, f := range files {
			if !f.Valid() {
				bad++
			}
		}
		say("%d of %d files have errors (%d in all): nothing was sent", bad, len(files), sum.ValidationErrors)
		return sum, fmt.Errorf("%w: %d validation errors", ErrInvalid, sum.ValidationErrors)
	}

	// Accounts: IBAN and bank name of each, before the network.
	accounts, err := batchAccounts(files, opts.BankNames)
	if err != nil {
		return sum, err
	}

	// State: locked for a real run, read-only for a dry run.
	st, err := OpenState(opts.StateDir, !opts.DryRun)
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer st.Close()

	// 3. Decisions.
	var toRegister []*account
	for _, a := range accounts {
		a.Known = st.Registration(RegistrationKey{Platform: platform, Dossier: opts.Dossier, IBAN: a.IBAN})
		if a.Known == nil {
			toRegister = append(toRegister, a)
		}
	}
	decisions, err := decideFiles(st, platform, opts.StateDir, files, opts.Force)
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	nImport := 0
	for _, d := range decisions {
		if d.Action == actImport {
			nImport++
		}
	}
	control := "on"
	if opts.NoIBANControl {
		control = "off"
	}

	if opts.DryRun {
		for _, a := range accounts {
			if a.Known != nil {
				say("account %s (%s) is registered in dossier %d since %s", a.IBAN, a.Account, opts.Dossier, stamp(a.Known.Registered))
				sum.AlreadyRegistered++
				continue
			}
			say("would register account %s (%s) in dossier %d: bank name %q, IBAN control %s", a.IBAN, a.Account, opts.Dossier, a.BankName, control)
		}
		for _, d := range decisions {
			switch d.Action {
			case actImport:
				say("would import %s (%s, sha256 %s) to %s", d.File.Path, plural(len(d.File.Statements), "statement"), d.File.SHA256[:16], platform)
				if d.Wait != nil {
					say("  (another run is importing it now, journal entry %d: a run would wait for it, then decide again)", d.Wait.ID)
				}
			case actSkip:
				sum.Skipped++
				say("skip %s: %s", d.File.Path, d.Reason)
			case actBlock:
				sum.Blocked++
				say("would not import %s: %s", d.File.Path, d.Reason)
			}
		}
		say("dry run: %s to register, %s to import, %d skipped, %d refused; nothing was sent",
			plural(len(toRegister), "account"), plural(nImport, "file"), sum.Skipped, sum.Blocked)
		return sum, nil
	}

	for _, a := range accounts {
		if a.Known != nil {
			sum.AlreadyRegistered++
		}
	}
	for _, d := range decisions {
		switch d.Action {
		case actSkip:
			sum.Skipped++
			say("skip %s: %s", d.File.Path, d.Reason)
		case actBlock:
			sum.Blocked++
			say("not importing %s: %s", d.File.Path, d.Reason)
		}
	}
	if len(toRegister) == 0 && nImport == 0 {
		return finish(sum, say, "nothing to send")
	}

	// 2. Log in.
	client, err := NewClient(ctx, ClientConfig{
		Endpoints: ep, Credentials: opts.Credentials, Redactor: opts.Redactor,
		Notify: opts.Out, Verbose: opts.Verbose, Retry: opts.Retry, Timeouts: opts.Timeouts,
		Sleep: opts.Sleep, Now: opts.Now,
	})
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer client.Close()
	sum.Sent = true
	if err := client.Login(ctx); err != nil {
		say("%v", err)
		say("nothing was registered or imported")
		if errors.Is(err, ErrNoCredentials) {
			// Nothing was sent: a setup problem, not the network's.
			sum.Sent = false
			return sum, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		return sum, fmt.Errorf("%w: %w", ErrRemote, err)
	}

	// 3. Register the missing accounts.
	for i, a := range toRegister {
		status, err := client.RegisterAccount(ctx, opts.Dossier, a.IBAN, a.BankName, !opts.NoIBANControl)
		if err != nil {
			say("account %s (%s, %s line %d) could not be registered in dossier %d: %v", a.IBAN, a.Account, a.File, a.Line, opts.Dossier, err)
			if rest := len(toRegister) - i - 1; rest > 0 {
				say("%s not tried", plural(rest, "more account"))
			}
			say("no file was imported")
			return sum, fmt.Errorf("%w: %w", ErrRemote, err)
		}
		rec := AccountRecord{Platform: platform, Dossier: opts.Dossier, IBAN: a.IBAN, BankName: a.BankName,
			IBANControl: !opts.NoIBANControl, HTTPStatus: status, Registered: opts.Now().UTC()}
		if err := st.AddRegistration(rec); err != nil {
			say("account %s was registered but the state could not be saved: %v", a.IBAN, err)
			return sum, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		if status == 409 {
			sum.AlreadyRegistered++
			say("account %s (%s) was already registered in dossier %d (HTTP 409)", a.IBAN, a.Account, opts.Dossier)
		} else {
			sum.Registered++
			say("registered account %s (%s) in dossier %d: bank name %q, IBAN control %s", a.IBAN, a.Account, opts.Dossier, a.BankName, control)
		}
	}

	// 4. Import.
	var pending []*decision
	for i := range decisions {
		if decisions[i].Action == actImport {
			pending = append(pending, &decisions[i])
		}
	}
	for i, d := range pending {
		err := importOne(ctx, client, st, opts, platform, d, say)
		if err == nil {
			sum.Imported++
			continue
		}
		if errors.Is(err, errRedecided) {
			// Another run imported it, or one of its statements, meanwhile.
			if d.Action == actSkip {
				sum.Skipped++
				say("skip %s: %s", d.File.Path, d.Reason)
			} else {
				sum.Blocked++
				say("not importing %s: %s", d.File.Path, d.Reason)
			}
			continue
		}
		var re *RequestError
		if errors.As(err, &re) && re.Unknown {
			sum.Unknown++
		} else {
			sum.Failed++
		}
		if rest := pending[i+1:]; len(rest) > 0 {
			sum.NotAttempted = len(rest)
			names := make([]string, len(rest))
			for j, r := range rest {
				names[j] = r.File.Path
			}
			say("stopped: not attempted: %s", strings.Join(names, ", "))
		}
		say("%s", progress(sum))
		return sum, fmt.Errorf("%w: %w", ErrRemote, err)
	}
	return finish(sum, say, "")
}

// finish prints the closing line and returns the run's error.
func finish(sum *Summary, say func(string, ...any), prefix string) (*Summary, error) {
	line := progress(sum)
	if prefix != "" {
		line = prefix + "; " + line
	}
	say("%s", line)
	if sum.Blocked > 0 {
		return sum, fmt.Errorf("%w: %s not imported (see above: re-run with --force once checked)", ErrRemote, plural(sum.Blocked, "file"))
	}
	return sum, nil
}

func progress(sum *Summary) string {
	s := fmt.Sprintf("%s registered, %d already registered; %s imported, %d skipped as already imported",
		plural(sum.Registered, "account"), sum.AlreadyRegistered, plural(sum.Imported, "file"), sum.Skipped)
	if sum.Blocked > 0 {
		s += fmt.Sprintf(", %d refused (need --force)", sum.Blocked)
	}
	if sum.Failed > 0 {
		s += fmt.Sprintf(", %d failed", sum.Failed)
	}
	if sum.Unknown > 0 {
		s += fmt.Sprintf(", %d with an unknown outcome", sum.Unknown)
	}
	if sum.NotAttempted > 0 {
		s += fmt.Sprintf(", %d not attempted", sum.NotAttempted)
	}
	return s
}

// errRedecided: importOne did not send the file, whose decision changed
// (another run recorded it meanwhile): the new one is in the decision.
var errRedecided = errors.New("decided again")

// importOne claims the file (a pending entry), sends it and records its
// outcome.
func importOne(ctx context.Context, client *Client, st Store, opts Options, platform string, d *decision, say func(string, ...any)) error {
	f := d.File
	entry := Entry{
		Platform: platform, Dossier: opts.Dossier, File: absPath(f.Path), SHA256: f.SHA256, Size: f.Size,
		Statements: statementRecords(f), Status: StatusPending, Forced: d.Forced, Started: opts.Now().UTC(),
	}
	// detail is what the journal keeps of a failure: no secret in it.
	detail := func(err error) string { return opts.Redactor.String(sanitize(err.Error(), 300)) }
	id, nd, err := claimFile(ctx, st, opts, platform, markDoneHint(platform, opts.StateDir, f.Path), d, entry, say)
	if err != nil {
		say("%s was not imported: the journal could not be written: %v", f.Path, err)
		return &RequestError{Op: "import " + f.Path, Err: err}
	}
	if nd != nil {
		*d = *nd
		return errRedecided
	}
	res, err := client.Import(ctx, f)
	now := opts.Now().UTC()
	if err == nil {
		if jerr := st.Finish(id, StatusDone, now, res.Status, res.Body); jerr != nil {
			say("%s WAS imported (HTTP %d) but the journal could not be updated (%v): its entry %d stays pending, which blocks a re-import; do not use --force for it", f.Path, res.Status, jerr, id)
			return &RequestError{Op: "import " + f.Path, Err: jerr}
		}
		say("imported %s (%s) to %s: HTTP %d", f.Path, plural(len(f.Statements), "statement"), platform, res.Status)
		return nil
	}
	var le *LoginError
	if errors.As(err, &le) {
		// Not sent: the login before it failed.
		_ = st.Finish(id, StatusFailed, now, 0, detail(le))
		say("%s was not imported: %v", f.Path, le)
		return &RequestError{Op: "import " + f.Path, Err: le}
	}
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Op: "import " + f.Path, Err: err}
	}
	if re.Unknown {
		if jerr := st.Finish(id, StatusUnknown, now, re.Status, detail(re)); jerr != nil {
			say("warning: the journal could not be updated (%v): entry %d stays pending", jerr, id)
		}
		say("%s: OUTCOME UNKNOWN: %v", f.Path, re)
		say("  the file may or may not have been imported; it was not sent again.")
		say("  check the bank entries of dossier %d in Inqom for: %s", opts.Dossier, statementList(f))
		say("  if they are there: %s", markDoneHint(platform, opts.StateDir, f.Path))
		say("  if they are not:   re-run cfonb upload with --force for this file")
		return re
	}
	if jerr := st.Finish(id, StatusFailed, now, re.Status, detail(re)); jerr != nil {
		say("warning: the journal could not be updated (%v): entry %d stays pending", jerr, id)
	}
	say("%s was not imported: %v", f.Path, re)
	return re
}

// absPath returns path made absolute, or path if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

func statementList(f *File) string {
	parts := make([]string, len(f.Statements))
	for i, s := range f.Statements {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

// statementRecords describes a file's statements for the journal.
func statementRecords(f *File) []StatementRecord {
	out := make([]StatementRecord, len(f.Statements))
	for i, s := range f.Statements {
		ibanStr, _ := DeriveIBAN(s.Account) // empty if it cannot be derived
		out[i] = StatementRecord{
			Key: s.Key(), Account: s.Account.String(), IBAN: ibanStr,
			From: s.From.String(), To: s.To.String(),
			Opening: cfonb.FormatDecimal(s.Opening, s.Decimals), Closing: cfonb.FormatDecimal(s.Closing, s.Decimals),
		}
	}
	return out
}

// batchAccounts returns the distinct accounts of the files (by IBAN, so
// one account per RIB whatever its currencies, in order of appearance)
// with their IBAN and bank name.
func batchAccounts(files []*File, names BankNames) ([]*account, error) {
	var out []*account
	seen := make(map[string]bool)
	for _, f := range files {
		for _, s := range f.Statements {
			ibanStr, err := DeriveIBAN(s.Account)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: account %s: %w", ErrInvalid, f.Path, s.Line, s.Account, err)
			}
			if seen[ibanStr] {
				continue
			}
			seen[ibanStr] = true
			name, err := names.Lookup(string(s.Account.Bank[:]))
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: account %s: %w", ErrSetup, f.Path, s.Line, s.Account, err)
			}
			out = append(out, &account{Account: s.Account, IBAN: ibanStr, BankName: name, File: f.Path, Line: s.Line})
		}
	}
	return out, nil
}

// DeriveIBAN computes the French IBAN of an account (RIB key, then IBAN
// check digits) and checks the result with an independent implementation
// (github.com/almerlucke/go-iban).
func DeriveIBAN(a cfonb.Account) (string, error) {
	ib, err := a.IBAN()
	if err != nil {
		return "", fmt.Errorf("no IBAN can be derived: %w", err)
	}
	checked, err := iban.NewIBAN(string(ib))
	if err != nil {
		return "", fmt.Errorf("derived IBAN %s does not check: %w", ib, err)
	}
	return checked.Code, nil
}

// known is something already imported, or to be imported in this run.
type known struct {
	id     int // journal entry; 0 in this run
	sha    string
	keys   map[string]bool
	status Status
	when   time.Time
	file   string
	inRun  bool
}

// decide chooses, for each file in order, import, skip or refuse, from the
// journal and from the files before it in the batch.
// ks are the journal's entries related to the files, oldest first.
func decide(ks []known, platform, stateDir string, files []*File, force bool) []decision {
	out := make([]decision, 0, len(files))
	for _, f := range files {
		d := decideOne(ks, f, force, markDoneHint(platform, stateDir, f.Path))
		out = append(out, d)
		if d.Action == actImport {
			k := known{sha: f.SHA256, keys: map[string]bool{}, status: StatusDone, file: f.Path, inRun: true}
			for _, s := range f.Statements {
				k.keys[s.Key()] = true
			}
			ks = append(ks, k)
		}
	}
	return out
}

func decideOne(ks []known, f *File, force bool, hint string) decision {
	d := decision{File: f, Action: actImport}
	// Same bytes: the latest entry decides.
	for i := len(ks) - 1; i >= 0; i-- {
		k := ks[i]
		if k.sha != f.SHA256 {
			continue
		}
		switch {
		case k.inRun:
			// Twice in one batch is a mistake even with --force.
			return decision{File: f, Action: actSkip, Reason: "same content as " + k.file + ", imported in this run"}
		case k.status == StatusDone && !force:
			return decision{File: f, Action: actSkip, Reason: fmt.Sprintf("already imported on %s (as %s)", stamp(k.when), k.file)}
		case !force:
			return decision{File: f, Action: actBlock, Reason: uncertain(k, hint)}
		}
		d.Forced = true
		return d
	}
	// Same statements in other files.
	var matched []string
	var blocking *known
	allDone := true
	for _, s := range f.Statements {
		key := s.Key()
		for i := len(ks) - 1; i >= 0; i-- {
			if ks[i].keys[key] {
				matched = append(matched, s.String())
				if ks[i].status != StatusDone {
					allDone = false
				}
				if blocking == nil {
					blocking = &ks[i]
				}
				break
			}
		}
	}
	if len(matched) == 0 {
		return d
	}
	if force {
		d.Forced = true
		return d
	}
	where := fmt.Sprintf("imported on %s from %s", stamp(blocking.when), blocking.file)
	if blocking.inRun {
		where = "in " + blocking.file + ", imported in this run"
	}
	switch {
	case !allDone:
		return decision{File: f, Action: actBlock, Reason: fmt.Sprintf("it shares statements with an import whose outcome is unknown (%s): %s", uncertain(*blocking, hint), strings.Join(matched, "; "))}
	case len(matched) == len(f.Statements):
		return decision{File: f, Action: actSkip, Reason: fmt.Sprintf("all its statements were already %s", where)}
	}
	return decision{File: f, Action: actBlock, Reason: fmt.Sprintf("%d of its %d statements were already %s (%s): importing it would book them twice; remove them from the file, or use --force", len(matched), len(f.Statements), where, strings.Join(matched, "; "))}
}

// uncertain explains a pending or unknown journal entry and what to do.
func uncertain(k known, hint string) string {
	what := fmt.Sprintf("the import of %s on %s has an unknown outcome", k.file, stamp(k.when))
	if k.status == StatusPending {
		what = fmt.Sprintf("an import of %s started on %s never finished (interrupted?), so it may have reached the platform", k.file, stamp(k.when))
	}
	return what + "; check in Inqom: if it is there, run " + hint + "; if not, re-run with --force"
}

// markDoneHint is the command that records a file as imported, ready to
// copy into a shell.
func markDoneHint(platform, stateDir, path string) string {
	return fmt.Sprintf("cfonb journal --mark-done --state-dir %s --api-url %s %s", shellQuote(stateDir), shellQuote(platform), shellQuote(path))
}

// shellQuote returns s as one POSIX shell word: unchanged if it holds only
// characters a shell leaves alone, else in single quotes.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown date"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printDiagnostics prints a report's diagnostics like cfonb validate.
func printDiagnostics(w io.Writer, rep *validate.Report) {
	for _, d := range rep.Diagnostics {
		if d.File == "" {
			d.File = rep.Path
		}
		fmt.Fprintln(w, d.String())
	}
	if rep.Omitted > 0 {
		fmt.Fprintf(w, "%s: %d more diagnostics not shown\n", rep.Path, rep.Omitted)
	}
}
