package journal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Advisory lock namespaces (the first key of PostgreSQL's two-key
// advisory locks): claims per platform, and one lock per running writer.
const (
	pgLockClaims = 0x43464f4e // "CFON"
	pgLockOwners = 0x43464f4f
)

// pgDialect is PostgreSQL: claims serialised by a transaction advisory
// lock per platform, owners known by a session advisory lock that the
// server releases when their connection ends (a crash, a kill -9).
type pgDialect struct{}

func (pgDialect) rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// afterRestore moves the entries' id sequence past the ids restored.
func (pgDialect) afterRestore(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('cfonb_entries', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM cfonb_entries`)
	return err
}

func (pgDialect) ddl() []string {
	return []string{
		`CREATE TABLE cfonb_accounts (
			platform TEXT NOT NULL, dossier BIGINT NOT NULL, iban TEXT NOT NULL,
			bank_name TEXT NOT NULL, iban_control BOOLEAN NOT NULL, http_status INTEGER NOT NULL,
			registered BIGINT NOT NULL, marked BOOLEAN NOT NULL,
			PRIMARY KEY (platform, dossier, iban))`,
		`CREATE TABLE cfonb_entries (
			id BIGSERIAL PRIMARY KEY,
			platform TEXT NOT NULL, dossier BIGINT NOT NULL, file TEXT NOT NULL,
			sha256 TEXT NOT NULL, size BIGINT NOT NULL,
			status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'unknown', 'failed')),
			forced BOOLEAN NOT NULL, started BIGINT NOT NULL, finished BIGINT NOT NULL,
			http_status INTEGER NOT NULL, detail TEXT NOT NULL, owner TEXT NOT NULL)`,
		`CREATE INDEX cfonb_entries_file ON cfonb_entries (platform, sha256)`,
		`CREATE UNIQUE INDEX cfonb_entries_claim ON cfonb_entries (platform, sha256) WHERE status = 'pending' AND NOT forced`,
		`CREATE TABLE cfonb_statements (
			entry_id BIGINT NOT NULL REFERENCES cfonb_entries (id), pos INTEGER NOT NULL,
			platform TEXT NOT NULL, stmt_key TEXT NOT NULL, account TEXT NOT NULL, iban TEXT NOT NULL,
			date_from TEXT NOT NULL, date_to TEXT NOT NULL, opening TEXT NOT NULL, closing TEXT NOT NULL,
			PRIMARY KEY (entry_id, pos))`,
		`CREATE INDEX cfonb_statements_key ON cfonb_statements (platform, stmt_key)`,
	}
}

func (pgDialect) lock(ctx context.Context, tx *sql.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, pgLockClaims, key)
	return err
}

func (pgDialect) live(ctx context.Context, q querier, owner string) (bool, error) {
	n, err := strconv.ParseInt(owner, 10, 32)
	if err != nil {
		return false, nil
	}
	var held bool
	err = q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
		AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2 AND granted)`, pgLockOwners, n).Scan(&held)
	return held, err
}

// OpenPostgres opens the journal in the PostgreSQL database of a
// postgres:// URL, creating its tables (all named cfonb_*) if needed. Every
// machine pointed at one database shares one journal: a file claimed by
// one is not sent by another.
func OpenPostgres(ctx context.Context, dsn string, opts Options) (Store, error) {
	name := "PostgreSQL journal " + redactURL(dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, wrap(redactURL(dsn), scrub(err, dsn))
	}
	db.SetMaxOpenConns(4)
	s := &sqlStore{db: db, d: pgDialect{}, name: name, spec: dsn}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, wrap(redactURL(dsn), scrub(err, dsn))
	}
	if err := s.initSchema(ctx, opts.ReadOnly); err != nil {
		_ = db.Close()
		return nil, wrap(redactURL(dsn), scrub(err, dsn))
	}
	if opts.ReadOnly {
		return s, nil
	}
	// The owner: a session advisory lock on a connection of its own, held
	// until Close (or until the connection dies with the process).
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, wrap(redactURL(dsn), scrub(err, dsn))
	}
	// A random id, unique among the running owners of the database (a
	// lock another session holds is another id).
	var n int64
	for tries := 0; ; tries++ {
		var b [4]byte
		rand.Read(b[:])
		n = int64(binary.BigEndian.Uint32(b[:]) & 0x7fffffff)
		var ok bool
		if err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2::int)`, pgLockOwners, n).Scan(&ok); err != nil || ok {
			break
		}
		if tries == 100 {
			err = errors.New("no free owner id")
			break
		}
	}
	if err != nil {
		_ = conn.Close()
		_ = db.Close()
		return nil, wrap("taking an owner lock", scrub(err, dsn))
	}
	s.owner, s.info = strconv.FormatInt(n, 10), ownerInfo()
	// Released before db.Close (which would wait for conn), at once: the
	// server would only notice the end of the connection a little later.
	s.closeFirst = func() error {
		_, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1, $2::int)`, pgLockOwners, n)
		return errors.Join(err, conn.Close())
	}
	return s, nil
}

// redactURL returns a postgres URL with its password replaced.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// WithoutPassword returns the PostgreSQL URL spec without its password
// (in its user part or its password parameter), for a command printed for
// the user to run: the password then comes from PGPASSWORD or ~/.pgpass,
// as PostgreSQL's tools take it, or the user adds it back. Anything else
// is returned as it is; a URL that does not parse gives "".
func WithoutPassword(spec string) string {
	if !IsPostgres(spec) {
		return spec
	}
	u, err := url.Parse(spec)
	if err != nil {
		return ""
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if q := u.Query(); q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// scrub removes the password of dsn from an error message.
func scrub(err error, dsn string) error {
	if err == nil {
		return nil
	}
	u, perr := url.Parse(dsn)
	if perr != nil {
		return fmt.Errorf("%s", "cannot connect: the PostgreSQL URL does not parse")
	}
	pw, ok := u.User.Password()
	if q := u.Query().Get("password"); q != "" {
		pw, ok = q, true
	}
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}
