package upload

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
)

// Files of the state directory.
const (
	accountsFile = "accounts.json"
	journalFile  = "journal.json"
	lockFile     = "lock"
	stateVersion = 1
)

// ErrLocked is returned by OpenState when another process holds the state
// directory's lock.
var ErrLocked = errors.New("the state directory is in use by another cfonb upload")

// DefaultStateDir returns where the account registry and the journal live
// by default: $XDG_STATE_HOME/cfonb, else ~/.local/state/cfonb. getenv is
// os.Getenv or a stand-in.
func DefaultStateDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "cfonb"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_STATE_HOME nor HOME is set: give --state-dir")
	}
	return filepath.Join(home, ".local", "state", "cfonb"), nil
}

// CheckStateDir refuses a state directory inside a cache directory
// ($XDG_CACHE_HOME, ~/.cache), which may be wiped at any time: the journal
// is what prevents a double import.
func CheckStateDir(dir string, getenv func(string) string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("state directory %s: %w", dir, err)
	}
	var caches []string
	if x := getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		caches = append(caches, x)
	}
	if home := getenv("HOME"); home != "" {
		caches = append(caches, filepath.Join(home, ".cache"))
	}
	for _, c := range caches {
		c = filepath.Clean(c)
		if abs == c || strings.HasPrefix(abs, c+string(filepath.Separator)) {
			return fmt.Errorf("state directory %s is inside the cache directory %s, which may be wiped: the journal there is what prevents a double import; choose another --state-dir", dir, c)
		}
	}
	return nil
}

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

// blocks reports whether an entry of this status stops a new import of the
// same file or statement (without --force).
func (s Status) blocks() bool { return s != StatusFailed }

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
}

type accountsDoc struct {
	Version  int             `json:"version"`
	Accounts []AccountRecord `json:"accounts"`
}

type journalDoc struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// State is the state directory: the account registry and the upload
// journal. Open it with OpenState; every change is written atomically
// before the method that makes it returns.
type State struct {
	dir      string
	lock     *flock.Flock
	accounts []AccountRecord
	entries  []Entry
	// failWrite, if set, is called before each write with the path about
	// to be written; an error it returns is the write's (tests stand in a
	// read-only or full disk with it, which root cannot get with chmod).
	failWrite func(path string) error
}

// OpenState reads the state in dir. With lock, it creates dir (0700) if
// needed and takes its lock (a file lock released by Close, or by the
// system if the process dies), failing with ErrLocked if another process
// holds it; a State opened without lock is read-only.
func OpenState(dir string, lock bool) (*State, error) {
	s := &State{dir: dir}
	if lock {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
		s.lock = flock.New(filepath.Join(dir, lockFile), flock.SetPermissions(0o600))
		ok, err := s.lock.TryLock()
		if err != nil {
			return nil, fmt.Errorf("state directory %s: lock: %w", dir, err)
		}
		if !ok {
			return nil, fmt.Errorf("%w (lock %s): wait for it to finish", ErrLocked, s.lock.Path())
		}
	}
	var ad accountsDoc
	if err := readDoc(filepath.Join(dir, accountsFile), &ad, &ad.Version); err != nil {
		s.Close()
		return nil, err
	}
	var jd journalDoc
	if err := readDoc(filepath.Join(dir, journalFile), &jd, &jd.Version); err != nil {
		s.Close()
		return nil, err
	}
	s.accounts, s.entries = ad.Accounts, jd.Entries
	// Journals written before the canonical platform identity named a
	// platform by its URL as typed: read them by identity.
	for i := range s.accounts {
		s.accounts[i].Platform = PlatformID(s.accounts[i].Platform)
	}
	for i := range s.entries {
		s.entries[i].Platform = PlatformID(s.entries[i].Platform)
	}
	return s, nil
}

// readDoc decodes a JSON state file; a missing file is an empty one.
func readDoc(path string, doc any, version *int) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		*version = stateVersion
		return nil
	}
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	damaged := func(err error) error {
		return fmt.Errorf("state file %s is damaged (restore it from a backup; it is not overwritten): %w", path, err)
	}
	if err := dec.Decode(doc); err != nil {
		return damaged(err)
	}
	// Anything after the document (a second document, a stray brace) is
	// damage too: accepting it would drop it at the next write.
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the end of the document")
		}
		return damaged(err)
	}
	if *version != stateVersion {
		return fmt.Errorf("state file %s has version %d; this cfonb reads version %d", path, *version, stateVersion)
	}
	return nil
}

// Dir returns the state directory.
func (s *State) Dir() string { return s.dir }

// Close releases the lock, if held.
func (s *State) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Unlock()
	s.lock = nil
	return err
}

func (s *State) writable() error {
	if s.lock == nil || !s.lock.Locked() {
		return errors.New("state: opened read-only")
	}
	return nil
}

// ErrStateWrite is wrapped by every error of writing the state (a
// read-only directory, a full disk): a local problem, not the network's.
var ErrStateWrite = errors.New("the state directory cannot be written")

// CheckWritable proves that the state directory takes a new file: it
// writes, syncs and removes a probe file of one disk block. Call it before
// any request, so that a read-only or full disk stops a run before a login
// or a registration.
func (s *State) CheckWritable() error {
	if err := s.writable(); err != nil {
		return err
	}
	probe := filepath.Join(s.dir, ".write-probe")
	err := func() error {
		if s.failWrite != nil {
			if err := s.failWrite(probe); err != nil {
				return err
			}
		}
		f, err := os.OpenFile(probe, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		_, werr := f.Write(make([]byte, 4096))
		serr := f.Sync()
		cerr := f.Close()
		rerr := os.Remove(probe)
		return errors.Join(werr, serr, cerr, rerr)
	}()
	if err != nil {
		os.Remove(probe)
		return fmt.Errorf("%w: %s: %w", ErrStateWrite, s.dir, err)
	}
	return nil
}

func (s *State) saveAccounts() error {
	return s.writeDoc(filepath.Join(s.dir, accountsFile), accountsDoc{Version: stateVersion, Accounts: s.accounts})
}

func (s *State) saveJournal() error {
	return s.writeDoc(filepath.Join(s.dir, journalFile), journalDoc{Version: stateVersion, Entries: s.entries})
}

func (s *State) writeDoc(path string, doc any) error {
	if s.failWrite != nil {
		if err := s.failWrite(path); err != nil {
			return fmt.Errorf("%w: writing %s: %w", ErrStateWrite, path, err)
		}
	}
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	if err != nil {
		return fmt.Errorf("%w: writing %s: %w", ErrStateWrite, path, err)
	}
	return nil
}

// Registration returns the registration of k, or nil.
func (s *State) Registration(k RegistrationKey) *AccountRecord {
	for i := range s.accounts {
		a := &s.accounts[i]
		if a.Key() == k {
			c := *a
			return &c
		}
	}
	return nil
}

// Registrations returns every registration of iban on platform, in any
// dossier, oldest first.
func (s *State) Registrations(platform, iban string) []AccountRecord {
	var out []AccountRecord
	for _, a := range s.accounts {
		if a.Platform == platform && a.IBAN == iban {
			out = append(out, a)
		}
	}
	return out
}

// Accounts returns a copy of the account registry.
func (s *State) Accounts() []AccountRecord { return append([]AccountRecord(nil), s.accounts...) }

// AddRegistration records a registered account and saves the registry.
func (s *State) AddRegistration(a AccountRecord) error {
	if err := s.writable(); err != nil {
		return err
	}
	a.Platform = PlatformID(a.Platform)
	if s.Registration(a.Key()) != nil {
		return nil
	}
	s.accounts = append(s.accounts, a)
	if err := s.saveAccounts(); err != nil {
		s.accounts = s.accounts[:len(s.accounts)-1]
		return err
	}
	return nil
}

// Entries returns a copy of the journal entries of platform (all of them
// for ""), oldest first.
func (s *State) Entries(platform string) []Entry {
	var out []Entry
	for _, e := range s.entries {
		if platform == "" || e.Platform == platform {
			out = append(out, e)
		}
	}
	return out
}

// Begin appends e to the journal and saves it before returning e's id.
// Call it before sending an import, with e.Status pending.
func (s *State) Begin(e Entry) (int, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	e.Platform = PlatformID(e.Platform)
	e.ID = 1
	if n := len(s.entries); n > 0 {
		e.ID = s.entries[n-1].ID + 1
	}
	s.entries = append(s.entries, e)
	if err := s.saveJournal(); err != nil {
		s.entries = s.entries[:len(s.entries)-1]
		return 0, err
	}
	return e.ID, nil
}

// Finish sets the outcome of the entry id and saves the journal.
func (s *State) Finish(id int, status Status, finished time.Time, httpStatus int, detail string) error {
	if err := s.writable(); err != nil {
		return err
	}
	for i := range s.entries {
		e := &s.entries[i]
		if e.ID != id {
			continue
		}
		old := *e
		e.Status, e.Finished, e.HTTPStatus, e.Detail = status, finished, httpStatus, detail
		if err := s.saveJournal(); err != nil {
			*e = old
			return err
		}
		return nil
	}
	return fmt.Errorf("state: no journal entry %d", id)
}

// MarkDone records in the journal of st that the file f is on platform (in
// dossier, 0 if unknown), without sending anything: for an import whose
// outcome was unknown and that the user found in Inqom. It returns the new
// entry's id.
func MarkDone(st Store, platform string, dossier int64, f *File, now time.Time) (int, error) {
	e := Entry{
		Platform: PlatformID(platform), Dossier: dossier, File: absPath(f.Path), SHA256: f.SHA256, Size: f.Size,
		Statements: statementRecords(f), Status: StatusDone, Started: now, Finished: now,
		Detail: "marked done by hand (cfonb journal --mark-done)",
	}
	return st.Begin(e)
}
