package upload

import (
	"context"
	"time"

	"github.com/cfonb-dev/cfonb/upload/journal"
)

// RegistrationKey identifies an account registration (see
// journal.RegistrationKey).
type RegistrationKey = journal.RegistrationKey

// Store is what a run needs of the upload state: the account registrations
// per (platform, dossier, IBAN) and the import journal per (platform,
// SHA-256, statements). State implements it on the SQLite or PostgreSQL
// journal of package journal. Every platform passed in or stored is a
// PlatformID.
//
// Several runs may use one store at once: each file is claimed before it
// is sent; every method that changes it has made the change durable
// before it returns.
type Store interface {
	// CheckWritable proves, before any request is sent, that the store can
	// record a change (a read-only or full disk fails here, not after a
	// login and a registration). It changes nothing that is recorded.
	CheckWritable() error
	// Registration returns the registration of k, or nil.
	Registration(k RegistrationKey) *AccountRecord
	// Registrations returns every registration of iban on platform, in any
	// dossier, oldest first.
	Registrations(platform, iban string) []AccountRecord
	// AddRegistration records a registration; recording one that exists
	// is a no-op.
	AddRegistration(a AccountRecord) error
	// Related returns the entries of platform that block importing a
	// file with this SHA-256 or one of these statement keys (any status
	// but failed), oldest first, with only the statements of those keys;
	// a pending entry whose owner still runs is Live.
	Related(platform, sha256 string, keys []string) ([]Entry, error)
	// Claim records e as a pending import before it is sent, unless judge,
	// called with what Related returns inside a transaction serialised
	// with every other claim on the platform (across processes and
	// machines), returns an error: then nothing is recorded and Claim
	// returns that error. It returns the new entry's id.
	Claim(ctx context.Context, e Entry, judge func(related []Entry) error) (int, error)
	// Begin records e as it is, with no claim (a file marked done by
	// hand), and returns its id.
	Begin(e Entry) (int, error)
	// Finish records the outcome of the entry id.
	Finish(id int, status Status, finished time.Time, httpStatus int, detail string) error
	// Close releases the store.
	Close() error
}

var _ Store = (*State)(nil)
