package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/almerlucke/go-iban/iban"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/interrupt"
	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/validate"
)

// The kinds of failure of Run, for the exit status: test with errors.Is.
var (
	// ErrInvalid: a file has validation errors; nothing was sent.
	ErrInvalid = errors.New("invalid input")
	// ErrSetup: the command line or the local state is wrong (a bank
	// name or a dossier is missing, the state directory is locked,
	// damaged, read-only or full, a file cannot be read, the credentials
	// are refused or missing).
	ErrSetup = errors.New("setup problem")
	// ErrRemote: a network or API failure, or files left for the user to
	// decide (an earlier import's outcome is unknown).
	ErrRemote = errors.New("upload incomplete")
)

// Options configure a Run.
type Options struct {
	// Dossier is the Inqom dossier id of every account (a single company).
	// Exactly one of Dossier and Mapping is set.
	Dossier int64
	// Mapping gives each account its dossier (a firm-wide batch).
	Mapping *Mapping
	// Endpoints are the token URL and the API base URL.
	Endpoints Endpoints
	// Store is the account registry and the journal. Nil opens the one
	// of StateDir (read-only for a dry run).
	Store Store
	// StateDir holds the account registry and the journal when Store is
	// nil: a state directory (SQLite), or a postgres:// URL.
	StateDir string
	// Journal are the options of opening it (ReadOnly is DryRun's).
	Journal journal.Options
	// BankNames names the banks of the accounts to register (a mapping's
	// bank name comes first).
	BankNames BankNames
	// NoIBANControl registers accounts with IsCfonbControlActive false.
	NoIBANControl bool
	// DryRun decides, sends nothing and writes nothing.
	DryRun bool
	// RetryUnknown sends again the files whose earlier import has an
	// unknown outcome (or never finished). Files recorded as imported are
	// never sent again by it.
	RetryUnknown bool
	// Reimport lists files (paths, as given in the batch) to import again
	// although the journal records them as imported. Only these files.
	Reimport []string
	// FailFast stops at the first import that fails or whose outcome is
	// unknown; by default the other files go on.
	FailFast bool
	// SkipRegistration lists IBANs the user knows are registered in their
	// dossier: they are not registered, nor recorded. SkipAllRegistration
	// does so for every account.
	SkipRegistration    []string
	SkipAllRegistration bool
	// Credentials is called once, when the first login is due.
	Credentials func() (Credentials, error)
	// OnAccount and OnFile, if set, receive each account and each file as
	// soon as its outcome is known (the same values end up in the Report).
	OnAccount func(*AccountResult)
	OnFile    func(*FileResult)
	// Notify receives one line per retry or re-login; nil discards them.
	Notify io.Writer
	// Verbose receives one line per HTTP exchange; nil for none.
	Verbose io.Writer
	// Progress, if set, is called as an import's body is sent.
	Progress func(path string, sent, total int64)
	// UserAgent is sent with every request ("cfonb/<version>").
	UserAgent string
	// Redactor scrubs secrets; nil means a new one.
	Redactor *Redactor

	// Retry, Timeouts, Sleep and Now: the zero values are the defaults.
	Retry    RetryPolicy
	Timeouts Timeouts
	Sleep    func(context.Context, time.Duration) error
	Now      func() time.Time
}

// planned is one file with its accounts, and what to do with it.
type planned struct {
	res      *FileResult
	accounts []*AccountResult
	send     bool
	// seen is the snapshot of the journal entries related to the file
	// that the decision was taken on (the claim checks it still holds);
	// wait is an import of it in progress elsewhere (the claim waits).
	seen []string
	wait *Entry
}

// Run is the whole of cfonb upload: validate every file (any error: send
// nothing), decide each file from the journal, log in, register the
// accounts of the files to send, then import them. It returns what was
// decided and done, file by file and account by account, and an error
// that wraps ErrInvalid, ErrSetup or ErrRemote when something was not done.
// It prints nothing: the caller words the Report.
func Run(ctx context.Context, opts Options, paths []string) (*Report, error) {
	if opts.Redactor == nil {
		opts.Redactor = &Redactor{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rep := &Report{DryRun: opts.DryRun}
	ep, err := opts.Endpoints.Check()
	if err != nil {
		return rep, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	platform := ep.Platform()
	rep.Platform, rep.AuthURL, rep.APIURL = platform, ep.AuthURL, ep.APIURL
	if opts.Mapping == nil && opts.Dossier <= 0 {
		return rep, fmt.Errorf("%w: the dossier id must be a positive integer", ErrSetup)
	}
	if opts.Mapping != nil && opts.Dossier != 0 {
		return rep, fmt.Errorf("%w: give a dossier or a mapping, not both", ErrSetup)
	}
	if len(paths) == 0 {
		return rep, fmt.Errorf("%w: no file to upload", ErrSetup)
	}
	reimport := map[string]bool{}
	for _, p := range opts.Reimport {
		reimport[absPath(p)] = true
	}
	for _, p := range paths {
		delete(reimport, absPath(p))
	}
	for p := range reimport {
		return rep, fmt.Errorf("%w: %s is named for a re-import but is not in the batch", ErrSetup, p)
	}

	// 1. Validate everything before anything is sent.
	files := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := PrepareFile(p)
		if err != nil {
			return rep, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		files = append(files, f)
		rep.Validation = append(rep.Validation, f.Report)
	}
	if errs := rep.Summary().ValidationErrors; errs > 0 {
		return rep, fmt.Errorf("%w: %d validation errors", ErrInvalid, errs)
	}

	// 2. Each file's accounts, with their dossier and bank name.
	plan, err := planAccounts(rep, files, opts)
	if err != nil {
		return rep, err
	}

	// 3. The state: its writability is proven before any request.
	st := opts.Store
	if st == nil {
		jo := opts.Journal
		jo.ReadOnly = opts.DryRun
		s, err := OpenStore(context.WithoutCancel(ctx), opts.StateDir, jo)
		if err != nil {
			return rep, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		defer func() { _ = s.Close() }()
		st = s
	}
	if !opts.DryRun {
		if err := st.CheckWritable(); err != nil {
			return rep, fmt.Errorf("%w: %w", ErrSetup, err)
		}
	}

	// 4. Decisions: the journal first, then the accounts of what is sent.
	names := map[string]bool{}
	for _, p := range opts.Reimport {
		names[absPath(p)] = true
	}
	if err := decideFiles(st, platform, plan, opts.RetryUnknown, names); err != nil {
		return rep, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	skip := map[string]bool{}
	for _, ib := range opts.SkipRegistration {
		skip[ib] = true
	}
	var toRegister []*AccountResult
	// The accounts of the files to send, gathered once: a search of the
	// plan per account made a batch quadratic in its accounts, as did a
	// scan of the registry per account in State.Registrations (found by a
	// review: 2,656 registered accounts took 24 s before the first
	// request).
	needed := map[*AccountResult]bool{}
	for _, p := range plan {
		if p.send {
			for _, a := range p.accounts {
				needed[a] = true
			}
		}
	}
	for _, a := range rep.Accounts {
		if a.Outcome != "" {
			continue // no dossier or no bank name
		}
		for _, r := range st.Registrations(platform, a.IBAN) {
			if r.Dossier != a.Dossier && !slices.Contains(a.OtherDossiers, r.Dossier) {
				a.OtherDossiers = append(a.OtherDossiers, r.Dossier)
			}
		}
		known := st.Registration(RegistrationKey{Platform: platform, Dossier: a.Dossier, IBAN: a.IBAN})
		switch {
		case known != nil:
			a.Outcome, a.Known = AccountKnown, known
		case !needed[a]:
			a.Outcome = AccountNotNeeded
		case opts.SkipAllRegistration || skip[a.IBAN]:
			a.Outcome = AccountAssumed
		case opts.DryRun:
			a.Outcome = AccountWouldRegister
		default:
			toRegister = append(toRegister, a)
		}
	}

	if opts.DryRun {
		for _, a := range rep.Accounts {
			emitAccount(opts, a)
		}
		for _, p := range plan {
			if p.send {
				p.res.Outcome = OutcomeWouldImport
			}
			emitFile(opts, p.res)
		}
		return rep, runError(rep)
	}
	for _, a := range rep.Accounts {
		if a.Outcome != "" {
			emitAccount(opts, a)
		}
	}
	// Files that are not sent are final now.
	var toSend []*planned
	for _, p := range plan {
		if p.send {
			toSend = append(toSend, p)
		} else {
			emitFile(opts, p.res)
		}
	}
	if len(toSend) == 0 {
		return rep, runError(rep)
	}

	// 5. Log in.
	client, err := NewClient(ctx, ClientConfig{
		Endpoints: ep, Credentials: opts.Credentials, Redactor: opts.Redactor,
		Notify: opts.Notify, Verbose: opts.Verbose, Retry: opts.Retry, Timeouts: opts.Timeouts,
		Sleep: opts.Sleep, Now: opts.Now, UserAgent: opts.UserAgent, Progress: opts.Progress,
	})
	if err != nil {
		return rep, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer client.Close()
	rep.Sent = true
	if err := client.Login(ctx); err != nil {
		rep.Login = err
		var le *LoginError
		if errors.As(err, &le) && le.Status == 0 && errors.Is(err, ErrNoCredentials) {
			rep.Sent = false
		}
		for _, a := range toRegister {
			a.Outcome = AccountNotAttempted
			emitAccount(opts, a)
		}
		stopAll(opts, toSend, ReasonLogin, err)
		if loginIsLocal(err) {
			return rep, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		return rep, fmt.Errorf("%w: %w", ErrRemote, err)
	}

	// 6. Register the accounts of the files to send.
	for i, a := range toRegister {
		status, err := client.RegisterAccount(ctx, a.Dossier, a.IBAN, a.BankName, !opts.NoIBANControl)
		a.HTTPStatus = status
		if err != nil {
			a.Outcome, a.Err, a.Message = AccountFailed, err, opts.Redactor.String(err.Error())
			var re *RequestError
			if errors.As(err, &re) {
				a.Message = re.Body
			}
			emitAccount(opts, a)
			var le *LoginError
			if errors.As(err, &le) || ctx.Err() != nil {
				// No login, or interrupted: nothing more can be done.
				for _, b := range toRegister[i+1:] {
					b.Outcome = AccountNotAttempted
					emitAccount(opts, b)
				}
				reason := ReasonLogin
				if ctx.Err() != nil {
					reason = ReasonInterrupted
				}
				stopAll(opts, toSend, reason, err)
				return rep, fmt.Errorf("%w: %w", ErrRemote, err)
			}
			continue
		}
		rec := AccountRecord{Platform: platform, Dossier: a.Dossier, IBAN: a.IBAN, BankName: a.BankName,
			IBANControl: !opts.NoIBANControl, HTTPStatus: status, Registered: opts.Now().UTC()}
		a.Outcome = AccountRegistered
		if status == registeredExists {
			a.Outcome = AccountExists
		}
		release := interrupt.Hold(ctx)
		err = st.AddRegistration(rec)
		release()
		if err != nil {
			// Registered, but not recorded: the next run registers it
			// again (harmless). Nothing more may be sent without a journal.
			a.Message = opts.Redactor.String(err.Error())
			emitAccount(opts, a)
			for _, b := range toRegister[i+1:] {
				b.Outcome = AccountNotAttempted
				emitAccount(opts, b)
			}
			stopAll(opts, toSend, ReasonStateWrite, err)
			return rep, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		emitAccount(opts, a)
	}

	// 7. Import, file by file.
	for i, p := range toSend {
		if err := ctx.Err(); err != nil {
			stopAll(opts, toSend[i:], ReasonInterrupted, err)
			break
		}
		var held []*AccountResult
		for _, a := range p.accounts {
			if a.Outcome == AccountFailed || a.Outcome == AccountNotAttempted {
				held = append(held, a)
			}
		}
		if len(held) > 0 {
			p.res.Outcome, p.res.Reason, p.res.HeldBy = OutcomeHeld, ReasonNotRegistered, held
			emitFile(opts, p.res)
			continue
		}
		for _, a := range p.accounts {
			if a.Outcome == AccountRegistered && !slices.Contains(p.res.Registered, a.IBAN) {
				p.res.Registered = append(p.res.Registered, a.IBAN)
			}
		}
		stop := importOne(ctx, client, st, opts, platform, p)
		emitFile(opts, p.res)
		if stop != ReasonNone || (opts.FailFast && p.res.Outcome != OutcomeImported) {
			reason := stop
			if reason == ReasonNone {
				reason = ReasonFailFast
			}
			stopAll(opts, toSend[i+1:], reason, p.res.Err)
			break
		}
	}
	return rep, runError(rep)
}

// registeredExists is the status taken as "the account exists already".
const registeredExists = 409

// loginIsLocal reports whether a failed login is the user's to fix
// (credentials refused or not given) rather than the network's.
func loginIsLocal(err error) bool {
	if errors.Is(err, ErrNoCredentials) {
		return true
	}
	var le *LoginError
	if errors.As(err, &le) {
		switch le.Code {
		case "invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope", "unsupported_grant_type":
			return true
		}
	}
	return false
}

// stopAll marks files not yet attempted as such.
func stopAll(opts Options, ps []*planned, reason Reason, err error) {
	for _, p := range ps {
		if p.res.Outcome != "" && p.res.Outcome != OutcomeWouldImport {
			continue
		}
		p.res.Outcome, p.res.Reason, p.res.Err = OutcomeNotAttempted, reason, err
		emitFile(opts, p.res)
	}
}

func emitFile(opts Options, r *FileResult) {
	if opts.OnFile != nil {
		opts.OnFile(r)
	}
}

func emitAccount(opts Options, a *AccountResult) {
	if opts.OnAccount != nil {
		opts.OnAccount(a)
	}
}

// runError sums up a report as the run's error: ErrSetup when the state
// could not be written or files wait for a dossier or a bank name only;
// ErrRemote when a file was not imported for the platform's sake, or waits
// for the user's decision.
func runError(rep *Report) error {
	var remote, local, unrecorded int
	for _, f := range rep.Files {
		switch f.Outcome {
		case OutcomeImported:
			if f.Reason == ReasonStateWrite {
				unrecorded++ // imported, but the journal could not say so
			}
		case OutcomeFailed, OutcomeUnknown, OutcomeBlocked:
			remote++
		case OutcomeNotAttempted:
			if f.Reason == ReasonStateWrite {
				local++
			} else {
				remote++
			}
		case OutcomeHeld:
			if f.Reason == ReasonNotRegistered {
				remote++
			} else {
				local++
			}
		}
	}
	switch {
	case remote > 0:
		return fmt.Errorf("%w: %s not imported", ErrRemote, plural.Of(remote+local, len(rep.Files), "file"))
	case local > 0:
		return fmt.Errorf("%w: %s not imported", ErrSetup, plural.Of(local, len(rep.Files), "file"))
	case unrecorded > 0:
		return fmt.Errorf("%w: %s imported, but the journal could not record %s as done: %s pending, which blocks sending %[3]s again; "+
			"once the journal can be written, check the %[5]s in Inqom and record %[3]s with cfonb journal --mark-done",
			ErrSetup, plural.Of(unrecorded, len(rep.Files), "file"), plural.Choose(unrecorded, "it", "them"),
			plural.Choose(unrecorded, "it stays", "they stay"), plural.Choose(unrecorded, "import", "imports"))
	}
	return nil
}

// planAccounts fills rep.Files and rep.Accounts: each file's accounts in
// their dossier, with their bank name; a file with an account that has no
// dossier or no bank name is held back.
func planAccounts(rep *Report, files []*File, opts Options) ([]*planned, error) {
	type key struct {
		dossier int64
		iban    string
	}
	byKey := map[key]*AccountResult{}
	unmapped := map[string]*AccountResult{}
	var plan []*planned
	for _, f := range files {
		p := &planned{res: &FileResult{Path: f.Path, SHA256: f.SHA256, Size: f.Size, Statements: statementRecords(f),
			Registered: []string{}, file: f}}
		for _, s := range f.Statements {
			ibanStr, err := DeriveIBAN(s.Account)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: account %s: %w", ErrInvalid, f.Path, s.Line, s.Account, err)
			}
			dossier, bankName := opts.Dossier, ""
			if opts.Mapping != nil {
				e, ok := opts.Mapping.Lookup(ibanStr)
				if !ok {
					a := unmapped[ibanStr]
					if a == nil {
						a = &AccountResult{IBAN: ibanStr, Account: s.Account.String(), Bank: string(s.Account.Bank[:]),
							File: f.Path, Line: s.Line, Outcome: AccountNoDossier}
						a.BankName, _ = opts.BankNames.Lookup(a.Bank)
						unmapped[ibanStr] = a
						rep.Accounts = append(rep.Accounts, a)
					}
					if !slices.Contains(p.accounts, a) {
						p.accounts = append(p.accounts, a)
					}
					continue
				}
				dossier, bankName = e.Dossier, e.BankName
			}
			k := key{dossier, ibanStr}
			a := byKey[k]
			if a == nil {
				a = &AccountResult{IBAN: ibanStr, Account: s.Account.String(), Bank: string(s.Account.Bank[:]),
					Dossier: dossier, BankName: bankName, File: f.Path, Line: s.Line}
				if a.BankName == "" {
					name, err := opts.BankNames.Lookup(a.Bank)
					if err != nil {
						a.Outcome, a.Err, a.Message = AccountNoBankName, err, err.Error()
					}
					a.BankName = name
				}
				byKey[k] = a
				rep.Accounts = append(rep.Accounts, a)
			}
			if !slices.Contains(p.accounts, a) {
				p.accounts = append(p.accounts, a)
			}
			if !slices.Contains(p.res.Dossiers, dossier) {
				p.res.Dossiers = append(p.res.Dossiers, dossier)
			}
		}
		for _, a := range p.accounts {
			switch a.Outcome {
			case AccountNoDossier:
				p.res.Outcome, p.res.Reason = OutcomeHeld, ReasonNoDossier
				p.res.HeldBy = append(p.res.HeldBy, a)
			case AccountNoBankName:
				if p.res.Reason != ReasonNoDossier {
					p.res.Outcome, p.res.Reason = OutcomeHeld, ReasonNoBankName
				}
				p.res.HeldBy = append(p.res.HeldBy, a)
			}
		}
		if p.res.Dossiers == nil {
			p.res.Dossiers = []int64{}
		}
		plan = append(plan, p)
		rep.Files = append(rep.Files, p.res)
	}
	return plan, nil
}

// importOne records the import as pending, sends it and records its
// outcome in r. It returns a reason to stop the whole run (the journal
// cannot be written, no login, an interrupt), or ReasonNone.
func importOne(ctx context.Context, client *Client, st Store, opts Options, platform string, p *planned) Reason {
	// From the claim to the record of its outcome, a forced exit on an
	// interrupt waits (package interrupt): the import request follows
	// ctx, so it ends at once, and its outcome is recorded.
	defer interrupt.Hold(ctx)()
	r := p.res
	f := r.file
	var dossier int64
	if len(r.Dossiers) > 0 {
		dossier = r.Dossiers[0]
	}
	entry := Entry{
		Platform: platform, Dossier: dossier, File: absPath(f.Path), SHA256: f.SHA256, Size: f.Size,
		Statements: r.Statements, Status: StatusPending, Forced: r.Reimport || r.Retry, Started: opts.Now().UTC(),
	}
	// detail is what the journal keeps of a failure: no secret in it.
	detail := func(err error) string { return opts.Redactor.String(sanitize(err.Error(), 300)) }
	id, err := claimFile(ctx, st, opts, platform, p, entry)
	if err != nil {
		if ctx.Err() != nil {
			r.Outcome, r.Reason, r.Err = OutcomeNotAttempted, ReasonInterrupted, err
			return ReasonInterrupted
		}
		r.Outcome, r.Reason, r.Err, r.Message = OutcomeNotAttempted, ReasonStateWrite, err, opts.Redactor.String(err.Error())
		return ReasonStateWrite
	}
	if id == 0 {
		return ReasonNone // another run recorded it meanwhile: decided again
	}
	r.JournalID = id
	res, err := client.Import(ctx, f)
	now := opts.Now().UTC()
	if err == nil {
		r.Outcome, r.HTTPStatus, r.ImportID = OutcomeImported, res.Status, res.ID
		if jerr := st.Finish(id, StatusDone, now, res.Status, res.Body); jerr != nil {
			// Imported, but recorded as pending: that blocks a re-import,
			// which is right; nothing more may be sent without a journal.
			r.Reason, r.Err, r.Message = ReasonStateWrite, jerr, opts.Redactor.String(jerr.Error())
			return ReasonStateWrite
		}
		return ReasonNone
	}
	r.Err = err
	var le *LoginError
	if errors.As(err, &le) {
		// Not sent: the login before it failed.
		r.Outcome, r.Reason, r.Message = OutcomeFailed, ReasonLogin, opts.Redactor.String(le.Error())
		if jerr := st.Finish(id, StatusFailed, now, 0, detail(le)); jerr != nil {
			return ReasonStateWrite
		}
		return ReasonLogin
	}
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Op: "import " + f.Path, Err: err}
	}
	r.HTTPStatus, r.Message = re.Status, re.Body
	if r.Message == "" {
		r.Message = detail(re)
	}
	status := StatusFailed
	switch {
	case re.Unknown:
		r.Outcome, r.Reason, status = OutcomeUnknown, ReasonNetwork, StatusUnknown
	case errors.Is(re, errFileChanged):
		r.Outcome, r.Reason = OutcomeFailed, ReasonFileChanged
	case re.Err != nil:
		r.Outcome, r.Reason = OutcomeFailed, ReasonNetwork
	case re.Status != 0:
		r.Outcome, r.Reason = OutcomeFailed, ReasonRefused
	default:
		r.Outcome, r.Reason = OutcomeFailed, ReasonNetwork
	}
	if jerr := st.Finish(id, status, now, re.Status, detail(re)); jerr != nil {
		r.Err = errors.Join(err, jerr)
		return ReasonStateWrite
	}
	if ctx.Err() != nil {
		return ReasonInterrupted
	}
	return ReasonNone
}

// absPath returns path made absolute, or path if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
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
	entry *Entry // nil for a file of this run
	sha   string
	keys  map[string]bool
	file  string
	inRun bool
}

func (k known) status() Status {
	if k.entry == nil {
		return StatusDone
	}
	return k.entry.Status
}

// decide chooses, for each file not held back, in order, to send it or
// not, from the journal of platform and from the files before it in the
// batch. retryUnknown sends files whose earlier import has an unknown
// outcome; reimport names (absolute paths) the files to send although
// they were imported.
// ks are the journal's entries related to the files, oldest first.
func decide(ks []known, plan []*planned, retryUnknown bool, reimport map[string]bool) {
	for _, p := range plan {
		if p.res.Outcome == OutcomeHeld {
			continue
		}
		decideOne(ks, p, retryUnknown, reimport[absPath(p.res.Path)])
		if p.send {
			k := known{sha: p.res.SHA256, keys: map[string]bool{}, file: p.res.Path, inRun: true}
			for _, s := range p.res.Statements {
				k.keys[s.Key] = true
			}
			ks = append(ks, k)
		}
	}
}

func decideOne(ks []known, p *planned, retryUnknown, reimport bool) {
	r := p.res
	previous := func(k known) {
		if k.inRun {
			r.PreviousFile = k.file
			return
		}
		r.Previous = k.entry
		if k.entry.Dossier != 0 && !slices.Contains(r.Dossiers, k.entry.Dossier) {
			r.OtherDossier = k.entry.Dossier
		}
	}
	// Same bytes: the latest entry decides.
	for i := len(ks) - 1; i >= 0; i-- {
		k := ks[i]
		if k.sha != r.SHA256 {
			continue
		}
		previous(k)
		switch {
		case k.inRun:
			// Twice in one batch is a mistake whatever the flags.
			r.Outcome, r.Reason = OutcomeSkipped, ReasonSameInBatch
		case k.status() == StatusDone && !reimport:
			r.Outcome, r.Reason = OutcomeSkipped, ReasonAlreadyImported
		case k.status() == StatusDone:
			p.send, r.Reimport = true, true
		case !retryUnknown:
			r.Outcome, r.Reason = OutcomeBlocked, ReasonUnknownOutcome
			if k.status() == StatusPending {
				r.Reason = ReasonPending
			}
		default:
			p.send, r.Retry = true, true
		}
		return
	}
	// The same statements in other files: the latest entry of each.
	var matched []string
	var first *known
	inRun, done, uncertain := 0, 0, 0
	for _, s := range r.Statements {
		for i := len(ks) - 1; i >= 0; i-- {
			if !ks[i].keys[s.Key] {
				continue
			}
			matched = append(matched, s.Account+" "+s.From+".."+s.To)
			if first == nil {
				first = &ks[i]
			}
			switch {
			case ks[i].inRun:
				inRun++
			case ks[i].status() == StatusDone:
				done++
			default:
				uncertain++
			}
			break
		}
	}
	if len(matched) == 0 {
		p.send = true
		return
	}
	previous(*first)
	r.Shared = matched
	all := len(matched) == len(r.Statements)
	switch {
	case inRun > 0 && all && done == 0 && uncertain == 0:
		r.Outcome, r.Reason = OutcomeSkipped, ReasonSameInBatch
	case inRun > 0:
		r.Outcome, r.Reason = OutcomeBlocked, ReasonPartlyImported
	case uncertain > 0 && done == 0 && retryUnknown:
		p.send, r.Retry = true, true
	case uncertain > 0 && !(reimport && retryUnknown):
		r.Outcome, r.Reason = OutcomeBlocked, ReasonUnknownOutcome
	case reimport:
		p.send, r.Reimport = true, true
	case all && uncertain == 0:
		r.Outcome, r.Reason = OutcomeSkipped, ReasonStatementsImported
	default:
		r.Outcome, r.Reason = OutcomeBlocked, ReasonPartlyImported
	}
}

// Diagnostics returns the lines cfonb validate prints for a report.
func Diagnostics(rep *validate.Report) []string {
	var out []string
	for _, d := range rep.Diagnostics {
		if d.File == "" {
			d.File = rep.Path
		}
		out = append(out, d.String())
	}
	if rep.Omitted > 0 {
		out = append(out, fmt.Sprintf("%s: %s not shown", rep.Path, plural.Count(rep.Omitted, "more diagnostic")))
	}
	return out
}
