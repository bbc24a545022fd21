// Package journal keeps what cfonb upload registered and imported: the
// account registry and the upload journal, in a database. Two stores
// implement the one Store interface and pass one behaviour test suite:
// SQLite (a file in the state directory, the default) and PostgreSQL (for
// several machines uploading to the same platform).
//
// The journal is what makes "each file is imported exactly once" true. A
// file is claimed before it is sent: in one transaction, serialised per
// platform across processes and machines, the store reads the entries that
// concern the file (same bytes, or one of the same statements), lets the
// caller decide, and records the claim as a pending entry. The pending
// entry names its owner, a process whose liveness the store can check, so
// that another process can tell an import in progress elsewhere (wait for
// it) from one interrupted by a crash (a person decides).
package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Status is the state of an import in the journal.
type Status string

// Import statuses. Pending is written before the request is sent, then
// replaced by done (2xx), unknown (the request may have reached the server
// but no answer came) or failed (the server did not process it).
const (
	StatusPending Status = "pending"
	StatusDone    Status = "done"
	StatusUnknown Status = "unknown"
	StatusFailed  Status = "failed"
)

// Blocks reports whether an entry of this status stops a new import of the
// same file or statement (without --force).
func (s Status) Blocks() bool { return s != StatusFailed }

func (s Status) valid() bool {
	switch s {
	case StatusPending, StatusDone, StatusUnknown, StatusFailed:
		return true
	}
	return false
}

// AccountRecord is an account registered on a platform, in a dossier.
type AccountRecord struct {
	Platform    string    `json:"platform"`
	Dossier     int64     `json:"dossier"`
	IBAN        string    `json:"iban"`
	BankName    string    `json:"bank_name"`
	IBANControl bool      `json:"iban_control"`
	HTTPStatus  int       `json:"http_status"` // 2xx, or 409 for "already there"
	Registered  time.Time `json:"registered"`
	// Marked is set for a registration recorded by hand (cfonb journal
	// --mark-registered), not by a request.
	Marked bool `json:"marked,omitempty"`
}

// RegistrationKey identifies an account registration: an account (IBAN) is
// registered in one dossier of one platform. A registration in another
// dossier, or on another platform, says nothing about this one.
type RegistrationKey struct {
	// Platform is the canonical platform identity.
	Platform string
	// Dossier is the Inqom dossier id.
	Dossier int64
	// IBAN is the account's IBAN, upper case without spaces.
	IBAN string
}

// Key returns the record's registration key.
func (a AccountRecord) Key() RegistrationKey {
	return RegistrationKey{Platform: a.Platform, Dossier: a.Dossier, IBAN: a.IBAN}
}

// StatementRecord is a statement as the journal keeps it.
type StatementRecord struct {
	Key     string `json:"key"`
	Account string `json:"account"`
	IBAN    string `json:"iban,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
	Opening string `json:"opening"`
	Closing string `json:"closing"`
}

// Entry is one import attempt in the journal.
type Entry struct {
	ID         int               `json:"id"`
	Platform   string            `json:"platform"`
	Dossier    int64             `json:"dossier,omitempty"`
	File       string            `json:"file"`
	SHA256     string            `json:"sha256"`
	Size       int64             `json:"size"`
	Statements []StatementRecord `json:"statements"`
	Status     Status            `json:"status"`
	Forced     bool              `json:"forced,omitempty"`
	Started    time.Time         `json:"started"`
	Finished   time.Time         `json:"finished,omitzero"`
	HTTPStatus int               `json:"http_status,omitempty"`
	Detail     string            `json:"detail,omitempty"`
	// Live is set by Related and Claim on a pending entry whose owner (the
	// process that claimed it) is still running: the import is in
	// progress elsewhere. A pending entry that is not live was
	// interrupted. Never stored.
	Live bool `json:"-"`
}

// Store is a journal: the account registry and the import attempts. Every
// method that changes it commits one short transaction before returning.
// The callbacks of Accounts and Entries must not call the store.
type Store interface {
	// Account returns the registration of iban on platform in dossier,
	// or nil.
	Account(ctx context.Context, platform string, dossier int64, iban string) (*AccountRecord, error)
	// AddAccount records a registration; one already recorded for the
	// same (platform, dossier, IBAN) is kept as it is.
	AddAccount(ctx context.Context, a AccountRecord) error
	// Accounts calls fn for every registration, oldest first.
	Accounts(ctx context.Context, fn func(AccountRecord) error) error

	// Related returns the entries on platform that block importing a
	// file with this SHA-256 or one of these statement keys (any status
	// but failed), oldest first. Each entry's Statements holds only the
	// statements whose key is among keys.
	Related(ctx context.Context, platform, sha256 string, keys []string) ([]Entry, error)
	// Claim records e as a pending import owned by this store's process,
	// unless judge, called inside the transaction with what Related
	// would return, returns an error: then nothing is written and Claim
	// returns that error. Claims on one platform are serialised across
	// processes and machines, so two claims never both see a file as
	// free. It returns the new entry's id.
	Claim(ctx context.Context, e Entry, judge func(related []Entry) error) (int, error)
	// Finish sets the outcome of the pending entry id.
	Finish(ctx context.Context, id int, status Status, finished time.Time, httpStatus int, detail string) error
	// Add records an entry as it is, with no check and no owner (a file
	// marked done by hand, an imported backup). It returns its id.
	Add(ctx context.Context, e Entry) (int, error)
	// Entries calls fn for every entry on platform ("" for all), oldest
	// first, with all its statements.
	Entries(ctx context.Context, platform string, fn func(Entry) error) error

	// CheckWritable proves that a change can be committed (a read-only
	// or full disk, a read-only database role fail here), writing nothing.
	CheckWritable(ctx context.Context) error
	// String names the store for people, without any password.
	String() string
	// Close releases the store (and the owner identity of its process).
	Close() error
}

// ErrNewerSchema is returned when opening a journal written by a newer
// cfonb.
var ErrNewerSchema = errors.New("the journal was written by a newer cfonb")

// ErrEmptyJSONJournal is returned when a journal.json to migrate holds no
// entry: cfonb never writes one, so its entries were lost.
var ErrEmptyJSONJournal = errors.New("journal.json holds no entry")

// ErrEmptyJournal is returned when a state directory's journal.sqlite is
// empty (0 bytes, and no write-ahead log holds its content): cfonb makes
// the file and its tables under a lock, so it was emptied since (a failed
// restore or copy, a shell's "> journal.sqlite"). Taken for a new journal,
// it would let every file be imported again.
var ErrEmptyJournal = errors.New("the journal is empty (0 bytes)")

// ErrMissingJournal is returned when a state directory's journal.json is
// the stub a migration leaves ("moved to journal.sqlite") but
// journal.sqlite is not there: taken for a new journal, it would let every
// file be imported again.
var ErrMissingJournal = errors.New("the journal is missing")

// Options configure Open.
type Options struct {
	// ReadOnly opens the journal for reading: nothing is created or
	// written (a missing SQLite journal reads as the JSON files of the
	// directory, or as empty).
	ReadOnly bool
	// AllowEmptyJSON migrates a journal.json that holds no entry instead
	// of refusing it.
	AllowEmptyJSON bool
	// Notify receives the one-time migration message; nil for none.
	Notify func(msg string)
	// Restore opens a state directory's journal to restore a dump into
	// (Restore): a journal.sqlite that is missing from a directory used
	// before (ErrMissingJournal), or emptied (ErrEmptyJournal), is then
	// made anew, since restoring a backup is the way back from both, and
	// Restore itself refuses a journal that is not empty.
	Restore bool
}

// IsPostgres reports whether spec names a PostgreSQL database rather than
// a state directory.
func IsPostgres(spec string) bool {
	s := strings.ToLower(spec)
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open opens the journal named by spec: a postgres:// or postgresql://
// URL for PostgreSQL, else a state directory holding an SQLite journal.
func Open(ctx context.Context, spec string, opts Options) (Store, error) {
	if IsPostgres(spec) {
		return OpenPostgres(ctx, spec, opts)
	}
	return OpenSQLite(ctx, spec, opts)
}

// Redact returns spec with any password replaced by "xxxxx", for messages.
func Redact(spec string) string {
	if !IsPostgres(spec) {
		return spec
	}
	return redactURL(spec)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("journal: %s: %w", what, err)
}

// Dump writes the whole journal of s to w as one JSON document, streamed:
// {"version":1,"accounts":[...],"entries":[...]}, with the fields of
// AccountRecord and Entry: a backup that any JSON tool reads.
func Dump(ctx context.Context, s Store, w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	sep := func(first *bool) {
		if !*first {
			_, _ = bw.WriteString(",\n")
		}
		*first = false
	}
	_, _ = bw.WriteString(`{"version":1,"accounts":[` + "\n")
	first := true
	if err := s.Accounts(ctx, func(a AccountRecord) error { sep(&first); return enc.Encode(a) }); err != nil {
		return err
	}
	_, _ = bw.WriteString(`],"entries":[` + "\n")
	first = true
	if err := s.Entries(ctx, "", func(e Entry) error { sep(&first); return enc.Encode(e) }); err != nil {
		return err
	}
	_, _ = bw.WriteString("]}\n")
	return bw.Flush()
}
