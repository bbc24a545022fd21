package upload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cfonb-dev/cfonb/upload/journal"
)

// DefaultStateDir returns where the account registry and the journal live
// by default: $XDG_STATE_HOME/cfonb, else ~/.local/state/cfonb; on Windows
// %LocalAppData%\cfonb (the per-machine application data, never roamed
// to another computer). getenv is os.Getenv or a stand-in.
func DefaultStateDir(getenv func(string) string) (string, error) {
	return defaultStateDir(runtime.GOOS, getenv)
}

func defaultStateDir(goos string, getenv func(string) string) (string, error) {
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "cfonb"), nil
	}
	if goos == "windows" {
		if x := getenv("LocalAppData"); x != "" {
			return filepath.Join(x, "cfonb"), nil
		}
		if x := getenv("USERPROFILE"); x != "" {
			return filepath.Join(x, "AppData", "Local", "cfonb"), nil
		}
		return "", errors.New("neither LocalAppData nor USERPROFILE is set: give --state-dir")
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_STATE_HOME nor HOME is set: give --state-dir")
	}
	return filepath.Join(home, ".local", "state", "cfonb"), nil
}

// CheckStateDir refuses a state directory inside a cache or temporary
// directory, which may be wiped at any time: the journal there is what
// prevents a double import. The cache directories are $XDG_CACHE_HOME and
// ~/.cache; on macOS also ~/Library/Caches; on Windows also %TEMP%, %TMP%
// and %LocalAppData%\Temp (emptied by Storage Sense), compared without
// regard to case. getenv is os.Getenv or a stand-in.
func CheckStateDir(dir string, getenv func(string) string) error {
	return checkStateDir(runtime.GOOS, dir, getenv)
}

func checkStateDir(goos, dir string, getenv func(string) string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("state directory %s: %w", dir, err)
	}
	var caches []string
	absolute := func(names ...string) {
		for _, name := range names {
			if x := getenv(name); x != "" && filepath.IsAbs(x) {
				caches = append(caches, x)
			}
		}
	}
	absolute("XDG_CACHE_HOME")
	if home := getenv("HOME"); home != "" {
		caches = append(caches, filepath.Join(home, ".cache"))
		if goos == "darwin" {
			caches = append(caches, filepath.Join(home, "Library", "Caches"))
		}
	}
	same := func(a, b string) bool { return a == b }
	if goos == "windows" {
		absolute("TEMP", "TMP")
		if x := getenv("LocalAppData"); x != "" && filepath.IsAbs(x) {
			caches = append(caches, filepath.Join(x, "Temp"))
		}
		same = strings.EqualFold // NTFS names are compared without case
	}
	sep := string(filepath.Separator)
	for _, c := range caches {
		c = filepath.Clean(c)
		if same(abs, c) || len(abs) > len(c) && same(abs[:len(c)+1], c+sep) {
			return fmt.Errorf("state directory %s is inside the cache directory %s, which may be wiped: the journal there is what prevents a double import; choose another --state-dir", dir, c)
		}
	}
	return nil
}

// The journal's types, from package journal.
type (
	// Status is the state of an import in the journal.
	Status = journal.Status
	// AccountRecord is an account registered on a platform, in a dossier.
	AccountRecord = journal.AccountRecord
	// StatementRecord is a statement as the journal keeps it.
	StatementRecord = journal.StatementRecord
	// Entry is one import attempt in the journal.
	Entry = journal.Entry
)

// Import statuses (see journal.Status).
const (
	StatusPending = journal.StatusPending
	StatusDone    = journal.StatusDone
	StatusUnknown = journal.StatusUnknown
	StatusFailed  = journal.StatusFailed
)

// State is the account registry and the upload journal: an SQLite journal
// in a state directory, or a PostgreSQL database (package journal). Open
// it with OpenState or OpenStore; every change is committed before the
// method that makes it returns. Several processes, on one machine or
// (PostgreSQL) several, may use one journal at once: a file is claimed
// before it is sent.
type State struct {
	spec  string
	store journal.Store
	// err is the first error of a read that has no error result
	// (Registration, Registrations, Entries): once set, every write
	// refuses, so that a journal that could not be read never lets a file
	// be sent.
	err error
	// failWrite, if set, is called before each write with the path about
	// to be written; an error it returns is the write's (tests stand in a
	// read-only or full disk with it, which root cannot get with chmod).
	failWrite func(path string) error
	// byIBAN is the registry by platform and IBAN (Registrations), read
	// once; nil until then, and after AddRegistration.
	byIBAN map[[2]string][]AccountRecord
}

// OpenState opens the SQLite journal of the state directory dir (see
// OpenStore); with write false it is read-only and creates nothing.
func OpenState(dir string, write bool) (*State, error) {
	return OpenStore(context.Background(), dir, journal.Options{ReadOnly: !write})
}

// OpenStore opens the journal named by spec: a postgres:// URL, or a state
// directory (created with mode 0700 if needed, its JSON files of earlier
// versions migrated the first time).
func OpenStore(ctx context.Context, spec string, opts journal.Options) (*State, error) {
	st, err := journal.Open(ctx, spec, opts)
	if err != nil {
		return nil, err
	}
	return &State{spec: spec, store: st}, nil
}

// Dir returns the state directory, or the PostgreSQL URL with its
// password hidden.
func (s *State) Dir() string { return journal.Redact(s.spec) }

// Store returns the journal store.
func (s *State) Store() journal.Store { return s.store }

// Close releases the store.
func (s *State) Close() error { return s.store.Close() }

// journalFile is the SQLite journal of a state directory (the path given
// to failWrite for a write of the journal).
const journalFile = journal.DBFile

// ErrStateWrite is wrapped by every error of writing the state (a
// read-only directory, a full disk): a local problem, not the network's.
var ErrStateWrite = errors.New("the state cannot be written")

func (s *State) writeErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrStateWrite, err)
}

func (s *State) readErr(err error) {
	if err != nil && s.err == nil {
		s.err = err
	}
}

// ReadErr returns the first error of a read made through the methods that
// return no error (Entries, Accounts, Registrations...): what they
// returned after it is partial. A listing must check it, or a journal
// that cannot be read whole is shown as a short or empty one.
func (s *State) ReadErr() error {
	if s.err == nil {
		return nil
	}
	return fmt.Errorf("the journal could not be read whole: %w", s.err)
}

// CheckWritable proves that the journal takes a change: a state directory
// takes a new file of one disk block (written, synced and removed), and the
// database a write transaction (rolled back). Call it before any request,
// so that a read-only or full disk stops a run before a login or a
// registration.
func (s *State) CheckWritable() error {
	if !journal.IsPostgres(s.spec) {
		// A name of its own: several runs may probe at once.
		probe := filepath.Join(s.spec, ".write-probe")
		err := func() error {
			if s.failWrite != nil {
				if err := s.failWrite(probe); err != nil {
					return err
				}
			}
			f, err := os.CreateTemp(s.spec, ".write-probe-*")
			if err != nil {
				return err
			}
			probe = f.Name()
			_, werr := f.Write(make([]byte, 4096))
			serr := f.Sync()
			cerr := f.Close()
			rerr := os.Remove(probe)
			return errors.Join(werr, serr, cerr, rerr)
		}()
		if err != nil {
			_ = os.Remove(probe)
			return fmt.Errorf("%w: %s: %w", ErrStateWrite, s.spec, err)
		}
	}
	return s.writeErr(s.store.CheckWritable(context.Background()))
}

// check refuses a write after a failed read, and applies failWrite.
func (s *State) check(file string) error {
	if s.err != nil {
		return fmt.Errorf("the journal could not be read, so nothing is recorded or sent: %w", s.err)
	}
	if s.failWrite != nil {
		if err := s.failWrite(filepath.Join(s.spec, file)); err != nil {
			return s.writeErr(err)
		}
	}
	return nil
}

// Registration returns the registration of k, or nil.
func (s *State) Registration(k RegistrationKey) *AccountRecord {
	a, err := s.store.Account(context.Background(), k.Platform, k.Dossier, k.IBAN)
	s.readErr(err)
	return a
}

// Registrations returns every registration of iban on platform, in any
// dossier, oldest first. The registry is read once, then kept until the
// next AddRegistration: a run asks for every account of its batch, and a
// scan per account made it quadratic.
func (s *State) Registrations(platform, iban string) []AccountRecord {
	if s.byIBAN == nil {
		s.byIBAN = map[[2]string][]AccountRecord{}
		s.readErr(s.store.Accounts(context.Background(), func(a AccountRecord) error {
			k := [2]string{a.Platform, a.IBAN}
			s.byIBAN[k] = append(s.byIBAN[k], a)
			return nil
		}))
	}
	return slices.Clone(s.byIBAN[[2]string{platform, iban}])
}

// Accounts returns the account registry.
func (s *State) Accounts() []AccountRecord {
	var out []AccountRecord
	s.readErr(s.store.Accounts(context.Background(), func(a AccountRecord) error { out = append(out, a); return nil }))
	return out
}

// AddRegistration records a registered account.
func (s *State) AddRegistration(a AccountRecord) error {
	if err := s.check("registry"); err != nil {
		return err
	}
	a.Platform = PlatformID(a.Platform)
	s.byIBAN = nil // read again when next asked
	return s.writeErr(s.store.AddAccount(context.Background(), a))
}

// Entries returns the journal entries of platform (all of them for ""),
// oldest first. It holds them all in memory: EachEntry streams them.
func (s *State) Entries(platform string) []Entry {
	var out []Entry
	s.readErr(s.EachEntry(platform, func(e Entry) error { out = append(out, e); return nil }))
	return out
}

// EachEntry calls fn for each journal entry of platform (all for ""),
// oldest first.
func (s *State) EachEntry(platform string, fn func(Entry) error) error {
	return s.store.Entries(context.Background(), platform, fn)
}

// Related returns the entries of platform that block importing a file with
// this SHA-256 or one of these statements (see journal.Store.Related).
func (s *State) Related(platform, sha256 string, keys []string) ([]Entry, error) {
	return s.store.Related(context.Background(), PlatformID(platform), sha256, keys)
}

// Claim records e as pending, owned by this process, unless judge (given
// the related entries, inside a transaction serialised with every other
// claim on the platform) returns an error, which Claim then returns.
func (s *State) Claim(ctx context.Context, e Entry, judge func([]Entry) error) (int, error) {
	if err := s.check(journalFile); err != nil {
		return 0, err
	}
	e.Platform = PlatformID(e.Platform)
	var judged error
	id, err := s.store.Claim(ctx, e, func(rel []Entry) error {
		judged = judge(rel)
		return judged
	})
	if judged != nil {
		return 0, judged
	}
	return id, s.writeErr(err)
}

// Begin records e as it is (MarkDone), with no claim, and returns its id.
func (s *State) Begin(e Entry) (int, error) {
	if err := s.check(journalFile); err != nil {
		return 0, err
	}
	e.Platform = PlatformID(e.Platform)
	id, err := s.store.Add(context.Background(), e)
	return id, s.writeErr(err)
}

// Finish records the outcome of the pending entry id.
func (s *State) Finish(id int, status Status, finished time.Time, httpStatus int, detail string) error {
	if s.failWrite != nil {
		if err := s.failWrite(filepath.Join(s.spec, journalFile)); err != nil {
			return s.writeErr(err)
		}
	}
	return s.writeErr(s.store.Finish(context.Background(), id, status, finished, httpStatus, detail))
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
