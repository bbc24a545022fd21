package upload

import "time"

// RegistrationKey identifies an account registration: an account (IBAN) is
// registered in one dossier of one platform. A registration in another
// dossier, or on another platform, says nothing about this one.
type RegistrationKey struct {
	// Platform is the canonical platform identity (PlatformID).
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

// Store is what a run needs of the upload state: the account registrations
// per (platform, dossier, IBAN) and the import journal per (platform,
// SHA-256, statements). The JSON state directory (State) implements it; so
// can a database. Every platform passed in or stored is a PlatformID.
//
// A Store is used by one run at a time (the implementation takes whatever
// lock that needs); every method that changes it has made the change
// durable before it returns.
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
	// Entries returns the journal entries of platform, oldest first.
	Entries(platform string) []Entry
	// Begin records e (status pending) before its import is sent and
	// returns its id.
	Begin(e Entry) (int, error)
	// Finish records the outcome of the entry id.
	Finish(id int, status Status, finished time.Time, httpStatus int, detail string) error
	// Close releases the store.
	Close() error
}

var _ Store = (*State)(nil)
