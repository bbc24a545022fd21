package journal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Files of a state directory.
const (
	// DBFile is the SQLite journal in a state directory.
	DBFile = "journal.sqlite"
	// ownersDir holds one lock file per running writer: a pending entry
	// whose owner's file is not locked was interrupted.
	ownersDir = "owners"
	// busyTimeout is how long a writer waits for another one's
	// transaction (they last milliseconds; a migration, seconds).
	busyTimeout = "120000"
	// setupLock is held while a process opens the journal for writing:
	// its first connection (which turns on WAL mode), the schema and the
	// migration of the JSON files. SQLite answers "database is locked"
	// at once, whatever the busy timeout, to processes that switch a new
	// database to WAL mode together: one at a time, they wait instead.
	setupLock = "journal.setup.lock"
	// creatingMark exists, under the setup lock, from before journal.sqlite
	// is made until its schema is committed: a journal.sqlite left empty by
	// a crash in between is then told from one emptied since (refused,
	// ErrEmptyJournal).
	creatingMark = "journal.sqlite.creating"
)

// sqliteDialect is SQLite: one writer at a time (BEGIN IMMEDIATE, waiting
// up to busyTimeout), and owners known by a lock file in the state
// directory.
type sqliteDialect struct{ dir string }

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) ddl() []string {
	return []string{
		`CREATE TABLE cfonb_accounts (
			platform TEXT NOT NULL, dossier INTEGER NOT NULL, iban TEXT NOT NULL,
			bank_name TEXT NOT NULL, iban_control BOOLEAN NOT NULL, http_status INTEGER NOT NULL,
			registered INTEGER NOT NULL, marked BOOLEAN NOT NULL,
			PRIMARY KEY (platform, dossier, iban))`,
		`CREATE TABLE cfonb_entries (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			platform TEXT NOT NULL, dossier INTEGER NOT NULL, file TEXT NOT NULL,
			sha256 TEXT NOT NULL, size INTEGER NOT NULL,
			status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'unknown', 'failed')),
			forced BOOLEAN NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL,
			http_status INTEGER NOT NULL, detail TEXT NOT NULL, owner TEXT NOT NULL)`,
		`CREATE INDEX cfonb_entries_file ON cfonb_entries (platform, sha256)`,
		// The claim: one unforced pending import per file and platform.
		`CREATE UNIQUE INDEX cfonb_entries_claim ON cfonb_entries (platform, sha256) WHERE status = 'pending' AND NOT forced`,
		`CREATE TABLE cfonb_statements (
			entry_id INTEGER NOT NULL REFERENCES cfonb_entries (id), pos INTEGER NOT NULL,
			platform TEXT NOT NULL, stmt_key TEXT NOT NULL, account TEXT NOT NULL, iban TEXT NOT NULL,
			date_from TEXT NOT NULL, date_to TEXT NOT NULL, opening TEXT NOT NULL, closing TEXT NOT NULL,
			PRIMARY KEY (entry_id, pos))`,
		`CREATE INDEX cfonb_statements_key ON cfonb_statements (platform, stmt_key)`,
	}
}

// lock: the transaction began with BEGIN IMMEDIATE (the _txlock of the
// DSN), which already serialises it with every other writer.
func (sqliteDialect) lock(context.Context, *sql.Tx, string) error { return nil }

// afterRestore: SQLite's next rowid follows the largest one by itself.
func (sqliteDialect) afterRestore(context.Context, *sql.Tx) error { return nil }

func (d sqliteDialect) live(_ context.Context, _ querier, owner string) (bool, error) {
	if d.dir == "" || owner == "" || strings.ContainsAny(owner, `/\.`) {
		return false, nil
	}
	path := filepath.Join(d.dir, ownersDir, owner)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	l := flock.New(path)
	ok, err := l.TryLock()
	if err != nil {
		return false, fmt.Errorf("checking the owner %s: %w", owner, err)
	}
	if !ok {
		return true, nil // held: its process runs
	}
	// Nobody holds it: that process is gone.
	_ = os.Remove(path)
	_ = l.Unlock()
	return false, nil
}

// sqliteDSN is the data source name of the journal at path.
func sqliteDSN(path string, readOnly bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Path: filepath.ToSlash(abs)}
	q := "_txlock=immediate&_busy_timeout=" + busyTimeout + "&_foreign_keys=1"
	if readOnly {
		q += "&_query_only=1"
	} else {
		q += "&_journal_mode=WAL&_synchronous=FULL"
	}
	return "file:" + u.EscapedPath() + "?" + q, nil
}

// OpenSQLite opens the SQLite journal of the state directory dir, creating
// both if needed (mode 0700 and 0600), and migrates the JSON files of
// earlier versions (accounts.json, journal.json) into it the first time.
// Concurrent writers wait for each other's transactions.
func OpenSQLite(ctx context.Context, dir string, opts Options) (Store, error) {
	path := filepath.Join(dir, DBFile)
	// The JSON files of an earlier version are checked before anything is
	// created: a damaged or emptied journal.json stops here.
	jsonLeft, err := checkJSON(dir, opts)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		exists, empty, marked := lookJournal(dir, path)
		switch {
		case !exists && !marked && !jsonLeft && usedDir(dir):
			return nil, missingJournal(dir)
		case !exists, marked && empty:
			// None yet, or being made (or its making was interrupted):
			// nothing was ever recorded in it.
			return openMemory(ctx, dir, opts)
		case empty:
			return nil, emptiedJournal(path)
		}
		dsn, err := sqliteDSN(path, true)
		if err != nil {
			return nil, wrap(dir, err)
		}
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, wrap(path, err)
		}
		db.SetMaxOpenConns(1)
		s := &sqlStore{db: db, d: sqliteDialect{dir: dir}, name: "SQLite journal " + path, spec: dir}
		if err := s.initSchema(ctx, true); err != nil {
			_ = db.Close()
			if s, err = openImmutable(ctx, dir, path, dsn, err); err != nil {
				return nil, err
			}
		}
		if jsonLeft {
			// Not migrated yet (the database was made by a run that
			// stopped before): what counts is still the JSON.
			if done, err := s.meta(ctx, s.db, "json_journal_sha256"); err != nil || done == "" {
				_ = db.Close()
				return openMemory(ctx, dir, opts)
			}
		}
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	// A journal is made only in a directory where none was kept before
	// (or from the JSON files of an earlier version): the mark is made
	// first, before anything shows the directory used.
	mark := filepath.Join(dir, creatingMark)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !usedDir(dir) {
		if err := makeMark(mark); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ownersDir), 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	setup := flock.New(filepath.Join(dir, setupLock), flock.SetPermissions(0o600))
	if _, err := setup.TryLockContext(ctx, 20*time.Millisecond); err != nil {
		return nil, fmt.Errorf("state directory %s: waiting for another process opening the journal: %w", dir, err)
	}
	defer func() { _ = setup.Unlock() }()
	// Created with mode 0600 before SQLite opens it (its -wal and -shm
	// files take the same mode), under the setup lock, with its tables,
	// between the making and the removal of creatingMark: so an empty file
	// without the mark was emptied since, and a missing one in a directory
	// used before was lost.
	exists, empty, creating := lookJournal(dir, path) // creating: a making begun here, or interrupted before
	if opts.Restore && !creating && (!exists || empty) {
		// Missing or emptied: what a restore is for. It is made anew,
		// an emptied one's leftovers with it.
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("state directory: %w", err)
			}
		}
		exists, creating = false, true
	}
	switch {
	case !exists && !creating && !jsonLeft:
		return nil, missingJournal(dir)
	case !exists:
		if err := makeMark(mark); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
		creating = true
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
		_ = f.Close()
	case empty && !creating:
		return nil, emptiedJournal(path)
	}
	owner, release, err := takeOwner(dir)
	if err != nil {
		return nil, err
	}
	dsn, err := sqliteDSN(path, false)
	if err != nil {
		_ = release()
		return nil, wrap(dir, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		_ = release()
		return nil, wrap(path, err)
	}
	db.SetMaxOpenConns(1)
	s := &sqlStore{db: db, d: sqliteDialect{dir: dir}, name: "SQLite journal " + path, spec: dir,
		owner: owner, info: ownerInfo(), onClose: release}
	if err := s.initSchema(ctx, false); err != nil {
		_ = s.Close()
		return nil, wrap(path, err)
	}
	if creating {
		if err := os.Remove(mark); err != nil && !errors.Is(err, fs.ErrNotExist) {
			_ = s.Close()
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	if err := migrateJSON(ctx, s, dir, opts, true); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// usedDir reports whether the state directory dir shows that a journal
// was kept there: the owners folder or the setup lock, which a process
// makes only after the creatingMark of a new journal.
func usedDir(dir string) bool {
	for _, name := range []string{ownersDir, setupLock} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// missingJournal is the error of a state directory used before whose
// journal.sqlite is gone.
func missingJournal(dir string) error {
	return fmt.Errorf("journal: %w: %s was used by cfonb (it holds %s and %s) but has no %s (deleted, or left out of a backup or a sync?), "+
		"and a new journal would send every file again. %s",
		ErrMissingJournal, dir, ownersDir+string(filepath.Separator), setupLock, DBFile, wayBack(dir))
}

// wayBack says how to recover a lost journal in the state directory dir:
// from a dump, from a copy of the database, or by starting anew.
func wayBack(dir string) string {
	return fmt.Sprintf("Restore it from a backup: a dump with cfonb journal --restore DUMP --state-dir %s, or a copy of %s (with its -wal file if there is one); "+
		"if no import is to be remembered, remove %s, %s and %s to start a new journal",
		dir, DBFile, DBFile, ownersDir+string(filepath.Separator), setupLock)
}

// makeMark makes the creatingMark file at path, durably (it and its
// directory synced), before the journal it speaks of is made.
func makeMark(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // not every system syncs a directory
		_ = d.Close()
	}
	return nil
}

// openImmutable opens the journal at path for reading after opening it
// with dsn failed with openErr: a journal on read-only media (a backup
// disk, a read-only mount) cannot be read in WAL mode, which needs its
// -shm file (SQLite: "unable to open database file (14)"; found by a
// review). It is then read as immutable, which is exact when no
// write-ahead log holds changes not yet in the file; when one does, it
// says what to do instead.
func openImmutable(ctx context.Context, dir, path, dsn string, openErr error) (*sqlStore, error) {
	if !strings.Contains(openErr.Error(), "(14)") { // SQLITE_CANTOPEN
		return nil, wrap(path, openErr)
	}
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
		return nil, fmt.Errorf("journal: %s: %w; its write-ahead log (%s-wal) holds changes not yet in it, which cannot be read where nothing can be written: copy the state directory somewhere writable and read the copy",
			path, openErr, DBFile)
	}
	db, err := sql.Open("sqlite", dsn+"&immutable=1")
	if err != nil {
		return nil, wrap(path, openErr)
	}
	db.SetMaxOpenConns(1)
	s := &sqlStore{db: db, d: sqliteDialect{dir: dir}, name: "SQLite journal " + path + " (read-only media)", spec: dir}
	if err := s.initSchema(ctx, true); err != nil {
		_ = db.Close()
		return nil, wrap(path, openErr)
	}
	return s, nil
}

// lookJournal says what the state directory dir shows of its journal at
// path: whether it exists, whether it is empty (0 bytes; a new journal
// holds 4096 before anything is committed), and whether the creatingMark
// is there (a making under way, or interrupted). A file that cannot be
// looked at counts as there and not empty: SQLite reports its error.
func lookJournal(dir, path string) (exists, empty, marked bool) {
	fi, err := os.Stat(path)
	exists = !errors.Is(err, fs.ErrNotExist)
	empty = err == nil && fi.Size() == 0
	_, err = os.Stat(filepath.Join(dir, creatingMark))
	return exists, empty, err == nil
}

// emptiedJournal is the error of a journal at path that was made whole (no
// creatingMark) and is empty now. A write-ahead log next to it does not
// save it: SQLite deletes the log of a database of no pages when it opens
// it (found by a review; the file is therefore not opened).
func emptiedJournal(path string) error {
	return fmt.Errorf("journal: %s: %w: its entries were lost, by a failed restore or copy perhaps, and cfonb would send every file again. %s",
		path, ErrEmptyJournal, wayBack(filepath.Dir(path)))
}

// openMemory is the read-only view of a state directory without an SQLite
// journal: its JSON files, if any, loaded into an in-memory database.
func openMemory(ctx context.Context, dir string, opts Options) (Store, error) {
	db, err := sql.Open("sqlite", "file:cfonb-view?mode=memory&_foreign_keys=1")
	if err != nil {
		return nil, wrap("memory", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	s := &sqlStore{db: db, d: sqliteDialect{dir: dir}, name: "JSON journal in " + dir, owner: "view", info: ownerInfo()}
	if err := s.initSchema(ctx, false); err != nil {
		_ = db.Close()
		return nil, wrap("memory", err)
	}
	if err := migrateJSON(ctx, s, dir, opts, false); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.owner = "" // read-only from now on
	return s, nil
}

// takeOwner creates and locks this process's owner file; release unlocks
// and removes it.
func takeOwner(dir string) (string, func() error, error) {
	var b [12]byte
	rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	path := filepath.Join(dir, ownersDir, owner)
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil || !ok {
		if err == nil {
			err = errors.New("locked by another process")
		}
		return "", nil, fmt.Errorf("state directory %s: owner lock: %w", dir, err)
	}
	return owner, func() error {
		_ = os.Remove(path)
		return l.Unlock()
	}, nil
}
