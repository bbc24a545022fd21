package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SchemaVersion is the version of the database schema this cfonb writes.
const SchemaVersion = 1

// chunk bounds the parameters of one IN (...) list.
const chunk = 400

// dialect is what differs between the SQL databases.
type dialect interface {
	// rebind turns the ? placeholders of q into the database's.
	rebind(q string) string
	// ddl returns the statements creating the schema.
	ddl() []string
	// lock serialises the transaction tx with every other one that calls
	// lock with the same key, across processes ("" for the schema).
	lock(ctx context.Context, tx *sql.Tx, key string) error
	// live reports whether the process that owns owner is running.
	live(ctx context.Context, q querier, owner string) (bool, error)
	// afterRestore makes the next entry id follow those restored with
	// their ids (Restore).
	afterRestore(ctx context.Context, tx *sql.Tx) error
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// sqlStore is the Store over database/sql shared by SQLite and PostgreSQL.
type sqlStore struct {
	db    *sql.DB
	d     dialect
	name  string // for people
	spec  string // the directory or URL it was opened with
	owner string // liveness identity of this process; "" when read-only
	info  string // host and pid, for messages
	// closeFirst and onClose run before and after closing db.
	closeFirst, onClose func() error
}

func ownerInfo() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "?"
	}
	return fmt.Sprintf("host %s, pid %d", host, os.Getpid())
}

// initSchema creates the schema if the database has none, and checks its
// version otherwise.
func (s *sqlStore) initSchema(ctx context.Context, readOnly bool) error {
	if readOnly {
		v, err := s.schemaVersion(ctx, s.db)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return fmt.Errorf("%w (schema %d; this one reads %d): upgrade cfonb", ErrNewerSchema, v, SchemaVersion)
		}
		return nil
	}
	return s.tx(ctx, "", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS cfonb_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
			return err
		}
		v, err := s.schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case v == SchemaVersion:
			return nil
		case v > SchemaVersion:
			return fmt.Errorf("%w (schema %d; this one reads %d): upgrade cfonb", ErrNewerSchema, v, SchemaVersion)
		}
		for _, q := range s.d.ddl() {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("creating the schema: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO cfonb_meta (name, value) VALUES ('schema', ?)`), strconv.Itoa(SchemaVersion))
		return err
	})
}

func (s *sqlStore) schemaVersion(ctx context.Context, q querier) (int, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM cfonb_meta WHERE name = 'schema'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || err != nil && isNoTable(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("schema version %q: %w", v, err)
	}
	return n, nil
}

func isNoTable(err error) bool {
	m := err.Error()
	return strings.Contains(m, "no such table") || strings.Contains(m, "does not exist")
}

// meta reads a value of cfonb_meta ("" if absent).
func (s *sqlStore) meta(ctx context.Context, q querier, name string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, s.d.rebind(`SELECT value FROM cfonb_meta WHERE name = ?`), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (s *sqlStore) setMeta(ctx context.Context, q querier, name, value string) error {
	_, err := q.ExecContext(ctx, s.d.rebind(`INSERT INTO cfonb_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value)
	return err
}

// tx runs fn in a write transaction serialised on key.
func (s *sqlStore) tx(ctx context.Context, key string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := s.d.lock(ctx, tx, key); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) writable() error {
	if s.owner == "" {
		return errors.New("journal: opened read-only")
	}
	return nil
}

func (s *sqlStore) String() string { return s.name }

// errRollback ends CheckWritable's transaction without committing.
var errRollback = errors.New("rollback")

// CheckWritable implements Store: a write transaction that changes a row
// to its own value, rolled back.
func (s *sqlStore) CheckWritable(ctx context.Context) error {
	if err := s.writable(); err != nil {
		return err
	}
	err := s.tx(ctx, "", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cfonb_meta SET value = value WHERE name = 'schema'`); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return wrap("checking that it can be written", err)
}

func (s *sqlStore) Close() error {
	var err error
	if s.closeFirst != nil {
		err = s.closeFirst()
		s.closeFirst = nil
	}
	err = errors.Join(err, s.db.Close())
	if s.onClose != nil {
		err = errors.Join(err, s.onClose())
		s.onClose = nil
	}
	return err
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// Account implements Store.
func (s *sqlStore) Account(ctx context.Context, platform string, dossier int64, iban string) (*AccountRecord, error) {
	row := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT platform, dossier, iban, bank_name, iban_control, http_status, registered, marked
		FROM cfonb_accounts WHERE platform = ? AND dossier = ? AND iban = ?`), platform, dossier, iban)
	a, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("reading an account", err)
	}
	return &a, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanAccount(r scanner) (AccountRecord, error) {
	var a AccountRecord
	var reg int64
	err := r.Scan(&a.Platform, &a.Dossier, &a.IBAN, &a.BankName, &a.IBANControl, &a.HTTPStatus, &reg, &a.Marked)
	a.Registered = fromMicros(reg)
	return a, err
}

// insertAccount records a with q (the database or a transaction), as it
// is. keepExisting keeps a registration already recorded for the same
// (platform, dossier, IBAN) instead of failing on it (AddAccount, the JSON
// migration); a restore fails, since a dump holds each once.
func (s *sqlStore) insertAccount(ctx context.Context, q querier, a AccountRecord, keepExisting bool) error {
	query := `INSERT INTO cfonb_accounts
		(platform, dossier, iban, bank_name, iban_control, http_status, registered, marked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	if keepExisting {
		query += ` ON CONFLICT (platform, dossier, iban) DO NOTHING`
	}
	_, err := q.ExecContext(ctx, s.d.rebind(query),
		a.Platform, a.Dossier, a.IBAN, a.BankName, a.IBANControl, a.HTTPStatus, micros(a.Registered), a.Marked)
	return err
}

// AddAccount implements Store.
func (s *sqlStore) AddAccount(ctx context.Context, a AccountRecord) error {
	if err := s.writable(); err != nil {
		return err
	}
	return wrap("recording an account", s.insertAccount(ctx, s.db, a, true))
}

// Accounts implements Store.
func (s *sqlStore) Accounts(ctx context.Context, fn func(AccountRecord) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT platform, dossier, iban, bank_name, iban_control, http_status, registered, marked
		FROM cfonb_accounts ORDER BY registered, platform, dossier, iban`)
	if err != nil {
		return wrap("reading the accounts", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return wrap("reading the accounts", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return wrap("reading the accounts", rows.Err())
}

const entryCols = `id, platform, dossier, file, sha256, size, status, forced, started, finished, http_status, detail, owner`

func scanEntry(r scanner, owner *string) (Entry, error) {
	var e Entry
	var started, finished int64
	var status string
	err := r.Scan(&e.ID, &e.Platform, &e.Dossier, &e.File, &e.SHA256, &e.Size, &status, &e.Forced,
		&started, &finished, &e.HTTPStatus, &e.Detail, owner)
	e.Status, e.Started, e.Finished = Status(status), fromMicros(started), fromMicros(finished)
	return e, err
}

// placeholders returns "?, ?, ..." for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Related implements Store.
func (s *sqlStore) Related(ctx context.Context, platform, sha256 string, keys []string) ([]Entry, error) {
	es, err := s.related(ctx, s.db, platform, sha256, keys)
	return es, wrap("reading the journal", err)
}

func (s *sqlStore) related(ctx context.Context, q querier, platform, sha256 string, keys []string) ([]Entry, error) {
	byID := map[int]*Entry{}
	owners := map[int]string{}
	addEntries := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			var owner string
			e, err := scanEntry(rows, &owner)
			if err != nil {
				return err
			}
			if byID[e.ID] == nil {
				byID[e.ID], owners[e.ID] = &e, owner
			}
		}
		return rows.Err()
	}
	if err := addEntries(`SELECT `+entryCols+` FROM cfonb_entries WHERE platform = ? AND sha256 = ? AND status <> 'failed'`, platform, sha256); err != nil {
		return nil, err
	}
	// The statements of those keys, in blocking entries.
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	type hit struct {
		id int
		st StatementRecord
	}
	var hits []hit
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := make([]any, 0, len(part)+1)
		args = append(args, platform)
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT s.entry_id, s.stmt_key, s.account, s.iban, s.date_from, s.date_to, s.opening, s.closing
			FROM cfonb_statements s JOIN cfonb_entries e ON e.id = s.entry_id
			WHERE s.platform = ? AND s.stmt_key IN (`+placeholders(len(part))+`) AND e.status <> 'failed'
			ORDER BY s.entry_id, s.pos`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.st.Key, &h.st.Account, &h.st.IBAN, &h.st.From, &h.st.To, &h.st.Opening, &h.st.Closing); err != nil {
				_ = rows.Close()
				return nil, err
			}
			hits = append(hits, h)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var missing []any
	for _, h := range hits {
		if byID[h.id] == nil && !slices.Contains(missing, any(h.id)) {
			missing = append(missing, h.id)
		}
	}
	for start := 0; start < len(missing); start += chunk {
		part := missing[start:min(start+chunk, len(missing))]
		if err := addEntries(`SELECT `+entryCols+` FROM cfonb_entries WHERE id IN (`+placeholders(len(part))+`)`, part...); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.id - b.id })
	for _, h := range hits {
		e := byID[h.id]
		e.Statements = append(e.Statements, h.st)
	}
	out := make([]Entry, 0, len(byID))
	for id, e := range byID {
		if e.Status == StatusPending && owners[id] != "" {
			live, err := s.d.live(ctx, q, owners[id])
			if err != nil {
				return nil, err
			}
			e.Live = live
		}
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return a.ID - b.ID })
	return out, nil
}

// Claim implements Store.
func (s *sqlStore) Claim(ctx context.Context, e Entry, judge func(related []Entry) error) (int, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	e.Status = StatusPending
	if e.Detail == "" {
		e.Detail = "claimed by " + s.info
	}
	keys := make([]string, len(e.Statements))
	for i, st := range e.Statements {
		keys[i] = st.Key
	}
	var id int
	var judged error
	err := s.tx(ctx, "platform "+e.Platform, func(tx *sql.Tx) error {
		rel, err := s.related(ctx, tx, e.Platform, e.SHA256, keys)
		if err != nil {
			return err
		}
		if judged = judge(rel); judged != nil {
			return judged
		}
		id, err = s.insertID(ctx, tx, e, s.owner, false)
		return err
	})
	if judged != nil {
		return 0, judged
	}
	return id, wrap("claiming "+e.File, err)
}

// storable returns a file name or a detail as the journal keeps it: as it
// is when it is UTF-8 text, else quoted with Go escapes ("relev\xe9.txt"),
// as cfonb prints such names. PostgreSQL's text holds only UTF-8 (found by
// a review: a Latin-1 file name stopped the whole upload with "the journal
// could not be written"), and SQLite keeps the same, so that both stores,
// and a dump, say the same.
func storable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strconv.Quote(s)
}

// insertID writes an entry and its statements in tx, with e.ID as its id
// if keepID (a migration), else a new one.
func (s *sqlStore) insertID(ctx context.Context, tx querier, e Entry, owner string, keepID bool) (int, error) {
	if !e.Status.valid() {
		return 0, fmt.Errorf("invalid status %q", e.Status)
	}
	cols, vals := "", ""
	args := []any{e.Platform, e.Dossier, storable(e.File), e.SHA256, e.Size, string(e.Status), e.Forced,
		micros(e.Started), micros(e.Finished), e.HTTPStatus, storable(e.Detail), owner}
	if keepID {
		cols, vals = "id, ", "?, "
		args = append([]any{e.ID}, args...)
	}
	var id int
	err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO cfonb_entries
		(`+cols+`platform, dossier, file, sha256, size, status, forced, started, finished, http_status, detail, owner)
		VALUES (`+vals+`?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), args...).Scan(&id)
	if err != nil {
		return 0, err
	}
	const nCols = 10
	const perInsert = 50
	for start := 0; start < len(e.Statements); start += perInsert {
		part := e.Statements[start:min(start+perInsert, len(e.Statements))]
		var b strings.Builder
		b.WriteString(`INSERT INTO cfonb_statements (entry_id, pos, platform, stmt_key, account, iban, date_from, date_to, opening, closing) VALUES `)
		args := make([]any, 0, len(part)*nCols)
		for i, st := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(nCols) + ")")
			args = append(args, id, start+i, e.Platform, st.Key, st.Account, st.IBAN, st.From, st.To, st.Opening, st.Closing)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(b.String()), args...); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Add implements Store.
func (s *sqlStore) Add(ctx context.Context, e Entry) (int, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	var id int
	err := s.tx(ctx, "platform "+e.Platform, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertID(ctx, tx, e, "", false)
		return err
	})
	return id, wrap("recording "+e.File, err)
}

// Finish implements Store.
func (s *sqlStore) Finish(ctx context.Context, id int, status Status, finished time.Time, httpStatus int, detail string) error {
	if err := s.writable(); err != nil {
		return err
	}
	if !status.valid() || status == StatusPending {
		return fmt.Errorf("journal: cannot finish entry %d as %q", id, status)
	}
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE cfonb_entries SET status = ?, finished = ?, http_status = ?, detail = ?
		WHERE id = ? AND status = 'pending'`), string(status), micros(finished), httpStatus, storable(detail), id)
	if err != nil {
		return wrap(fmt.Sprintf("recording the outcome of entry %d", id), err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("journal: no pending entry %d", id)
	}
	return nil
}

// Entries implements Store.
func (s *sqlStore) Entries(ctx context.Context, platform string, fn func(Entry) error) error {
	q := `SELECT e.id, e.platform, e.dossier, e.file, e.sha256, e.size, e.status, e.forced, e.started, e.finished, e.http_status, e.detail, e.owner,
		s.stmt_key, s.account, s.iban, s.date_from, s.date_to, s.opening, s.closing
		FROM cfonb_entries e LEFT JOIN cfonb_statements s ON s.entry_id = e.id`
	var args []any
	if platform != "" {
		q += ` WHERE e.platform = ?`
		args = append(args, platform)
	}
	q += ` ORDER BY e.id, s.pos`
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return wrap("reading the journal", err)
	}
	defer func() { _ = rows.Close() }()
	var cur *Entry
	for rows.Next() {
		var e Entry
		var started, finished int64
		var status, owner string
		var key, account, iban, from, to, opening, closing sql.NullString
		if err := rows.Scan(&e.ID, &e.Platform, &e.Dossier, &e.File, &e.SHA256, &e.Size, &status, &e.Forced,
			&started, &finished, &e.HTTPStatus, &e.Detail, &owner,
			&key, &account, &iban, &from, &to, &opening, &closing); err != nil {
			return wrap("reading the journal", err)
		}
		if cur == nil || cur.ID != e.ID {
			if cur != nil {
				if err := fn(*cur); err != nil {
					return err
				}
			}
			e.Status, e.Started, e.Finished = Status(status), fromMicros(started), fromMicros(finished)
			e.Statements = []StatementRecord{}
			cur = &e
		}
		if key.Valid {
			cur.Statements = append(cur.Statements, StatementRecord{Key: key.String, Account: account.String, IBAN: iban.String,
				From: from.String, To: to.String, Opening: opening.String, Closing: closing.String})
		}
	}
	if err := rows.Err(); err != nil {
		return wrap("reading the journal", err)
	}
	if cur != nil {
		return fn(*cur)
	}
	return nil
}

// count returns the number of rows of a table.
func (s *sqlStore) count(ctx context.Context, q querier, table string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	return n, err
}
