package upload

import (
	"github.com/cfonb-dev/cfonb/validate"
)

// Outcome is what became of one file in a run.
type Outcome string

// File outcomes.
const (
	// OutcomeImported: sent, and the platform answered 2xx.
	OutcomeImported Outcome = "imported"
	// OutcomeWouldImport: a dry run would send it.
	OutcomeWouldImport Outcome = "would-import"
	// OutcomeSkipped: already imported (the journal, or the same bytes or
	// statements earlier in this batch): not sent, nothing to do.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeBlocked: the journal holds an import of it (or of one of its
	// statements) whose outcome is unknown, or part of its statements
	// were imported: not sent until the user decides.
	OutcomeBlocked Outcome = "blocked"
	// OutcomeHeld: not sent because one of its accounts is not registered
	// in its dossier (no dossier in the mapping, no bank name, or the
	// registration failed).
	OutcomeHeld Outcome = "held"
	// OutcomeFailed: sent and refused, or not processed (retries
	// exhausted), or not sent at all (the file changed): not imported.
	OutcomeFailed Outcome = "failed"
	// OutcomeUnknown: sent, and the answer was lost: it may have been
	// imported. Recorded as unknown; never resent automatically.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeNotAttempted: left unsent because the run stopped (fail-fast,
	// an interrupt, a refused login, the journal could not be written).
	OutcomeNotAttempted Outcome = "not-attempted"
)

// Reason says why a file has its outcome, as a stable code for scripts.
type Reason string

// Reasons.
const (
	ReasonNone Reason = ""
	// ReasonAlreadyImported: the journal has a done import of the same
	// bytes on this platform.
	ReasonAlreadyImported Reason = "already-imported"
	// ReasonStatementsImported: every statement of the file was imported
	// in another file.
	ReasonStatementsImported Reason = "statements-imported"
	// ReasonSameInBatch: the same bytes or statements are in a file
	// before it in this batch.
	ReasonSameInBatch Reason = "same-in-batch"
	// ReasonUnknownOutcome: an earlier import of it (or of one of its
	// statements) has an unknown outcome.
	ReasonUnknownOutcome Reason = "unknown-outcome"
	// ReasonPending: an earlier import of it never finished (a crash).
	ReasonPending Reason = "pending"
	// ReasonPartlyImported: some of its statements were imported, not all.
	ReasonPartlyImported Reason = "partly-imported"
	// ReasonNoDossier: an account of it has no dossier in the mapping.
	ReasonNoDossier Reason = "no-dossier"
	// ReasonNoBankName: an account of it has no bank name.
	ReasonNoBankName Reason = "no-bank-name"
	// ReasonNotRegistered: the registration of an account of it failed.
	ReasonNotRegistered Reason = "account-not-registered"
	// ReasonRefused: the platform answered with an error status.
	ReasonRefused Reason = "refused"
	// ReasonNetwork: no usable answer (retries exhausted, a network
	// failure, a timeout).
	ReasonNetwork Reason = "network"
	// ReasonFileChanged: the file changed since it was validated; it was
	// not sent.
	ReasonFileChanged Reason = "file-changed"
	// ReasonLogin: the login failed.
	ReasonLogin Reason = "login-failed"
	// ReasonFailFast: an earlier import failed and FailFast is set.
	ReasonFailFast Reason = "fail-fast"
	// ReasonInterrupted: the run was interrupted.
	ReasonInterrupted Reason = "interrupted"
	// ReasonStateWrite: the journal could not be written.
	ReasonStateWrite Reason = "state-write"
)

// FileResult is the decision about one file and what became of it.
type FileResult struct {
	Path       string            `json:"path"`
	SHA256     string            `json:"sha256"`
	Size       int64             `json:"size"`
	Statements []StatementRecord `json:"statements"`
	// Dossiers are the dossiers of its accounts (one, usually).
	Dossiers []int64 `json:"dossiers"`
	Outcome  Outcome `json:"outcome"`
	Reason   Reason  `json:"reason,omitempty"`
	// Reimport is set when the file was (or would be) imported again
	// although the journal records it as imported: named by the user.
	Reimport bool `json:"reimport,omitempty"`
	// Retry is set when the file was (or would be) sent again although an
	// earlier import's outcome is unknown: the user asked for it.
	Retry bool `json:"retry,omitempty"`
	// Previous is the journal entry that decided a skip, a block, a
	// re-import or a retry; PreviousFile names the file of this batch
	// instead for ReasonSameInBatch.
	Previous     *Entry `json:"previous,omitempty"`
	PreviousFile string `json:"previous_file,omitempty"`
	// OtherDossier is set when Previous was imported under another
	// dossier than this run's (a warning: the platform routes by account).
	OtherDossier int64 `json:"other_dossier,omitempty"`
	// Shared lists the statements found in Previous (or PreviousFile),
	// for a skip or a block by statement.
	Shared []string `json:"shared,omitempty"`
	// HeldBy lists the accounts that hold the file back.
	HeldBy []*AccountResult `json:"-"`
	// HTTPStatus and ImportID are the platform's answer; ImportID is its
	// bare value (often an id), when it is one.
	HTTPStatus int    `json:"http_status,omitempty"`
	ImportID   string `json:"import_id,omitempty"`
	// Message is the server's answer or the error, scrubbed of secrets.
	Message string `json:"message,omitempty"`
	// Registered lists the accounts of this file that this run
	// registered.
	Registered []string `json:"accounts_registered"`
	// JournalID is the id of the journal entry of this run's attempt.
	JournalID int `json:"journal_id,omitempty"`
	// Err is the error behind Failed, Unknown or NotAttempted.
	Err error `json:"-"`

	file *File
}

// File returns the validated file.
func (r *FileResult) File() *File { return r.file }

// AccountOutcome is what became of one account of the batch.
type AccountOutcome string

// Account outcomes.
const (
	// AccountKnown: the state records it as registered in its dossier.
	AccountKnown AccountOutcome = "known"
	// AccountRegistered: this run registered it (2xx).
	AccountRegistered AccountOutcome = "registered"
	// AccountExists: the platform answered "already exists" (409).
	AccountExists AccountOutcome = "exists"
	// AccountAssumed: not registered by the user's word (SkipRegistration).
	AccountAssumed AccountOutcome = "assumed-registered"
	// AccountWouldRegister: a dry run would register it.
	AccountWouldRegister AccountOutcome = "would-register"
	// AccountFailed: its registration failed; its files are held back.
	AccountFailed AccountOutcome = "failed"
	// AccountNotNeeded: none of its files is sent: not registered
	// (registrations cannot be undone).
	AccountNotNeeded AccountOutcome = "not-needed"
	// AccountNoDossier: the mapping has no dossier for it.
	AccountNoDossier AccountOutcome = "no-dossier"
	// AccountNoBankName: no bank name is known for its bank code.
	AccountNoBankName AccountOutcome = "no-bank-name"
	// AccountNotAttempted: the run stopped before its registration.
	AccountNotAttempted AccountOutcome = "not-attempted"
)

// AccountResult is one account of the batch, in its dossier.
type AccountResult struct {
	IBAN string `json:"iban"`
	// Account is "bank branch number currency".
	Account  string `json:"account"`
	Bank     string `json:"bank"`
	Dossier  int64  `json:"dossier,omitempty"`
	BankName string `json:"bank_name,omitempty"`
	// File and Line are where the account first appears.
	File    string         `json:"file"`
	Line    int            `json:"line"`
	Outcome AccountOutcome `json:"outcome"`
	// Known is the state's registration record, for AccountKnown.
	Known *AccountRecord `json:"-"`
	// OtherDossiers are dossiers the state records it in, other than
	// Dossier (a warning).
	OtherDossiers []int64 `json:"other_dossiers,omitempty"`
	HTTPStatus    int     `json:"http_status,omitempty"`
	// Message is the server's whole answer, or the error, scrubbed.
	Message string `json:"message,omitempty"`
	Err     error  `json:"-"`
}

// Report is everything a run decided and did.
type Report struct {
	// Platform is the canonical platform identity (PlatformID); AuthURL
	// and APIURL are the URLs used.
	Platform string `json:"platform"`
	AuthURL  string `json:"auth_url"`
	APIURL   string `json:"api_url"`
	DryRun   bool   `json:"dry_run"`
	// Validation holds each file's validation report, in order.
	Validation []*validate.Report `json:"-"`
	Files      []*FileResult      `json:"files"`
	Accounts   []*AccountResult   `json:"accounts"`
	// Sent says whether any request was sent.
	Sent bool `json:"sent"`
	// Login is the login's failure, if any.
	Login error `json:"-"`
}

// Summary counts what a run did.
type Summary struct {
	Files              int  // files given
	Registered         int  // accounts registered now
	AlreadyRegistered  int  // accounts the state, the user or the platform knew
	Imported           int  // files imported now (or that a dry run would import)
	Skipped            int  // files skipped as already imported
	Blocked            int  // files not imported: the user must decide
	Held               int  // files held back for an account
	Failed             int  // files whose import failed (not processed)
	Unknown            int  // files whose import's outcome is unknown
	NotAttempted       int  // files left after a stop
	Reimported         int  // files imported again by the user's choice
	Sent               bool // whether anything was sent at all
	ValidationErrors   int
	ValidationWarnings int
}

// Summary counts the report's outcomes.
func (r *Report) Summary() *Summary {
	s := &Summary{Files: len(r.Files), Sent: r.Sent}
	for _, v := range r.Validation {
		s.ValidationErrors += v.Errors
		s.ValidationWarnings += v.Warnings
	}
	if len(r.Validation) > len(r.Files) {
		s.Files = len(r.Validation)
	}
	for _, a := range r.Accounts {
		switch a.Outcome {
		case AccountRegistered:
			s.Registered++
		case AccountKnown, AccountExists, AccountAssumed:
			s.AlreadyRegistered++
		}
	}
	for _, f := range r.Files {
		switch f.Outcome {
		case OutcomeImported, OutcomeWouldImport:
			s.Imported++
			if f.Reimport {
				s.Reimported++
			}
		case OutcomeSkipped:
			s.Skipped++
		case OutcomeBlocked:
			s.Blocked++
		case OutcomeHeld:
			s.Held++
		case OutcomeFailed:
			s.Failed++
		case OutcomeUnknown:
			s.Unknown++
		case OutcomeNotAttempted:
			s.NotAttempted++
		}
	}
	return s
}
