package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cfonb-dev/cfonb/internal/plural"
)

// ErrNotEmpty is returned by Restore when the journal restored into already
// holds an entry or an account: a dump is restored into an empty journal
// only, never merged (the entries' ids would clash, and what the journal
// holds would be lost from view).
var ErrNotEmpty = errors.New("the journal is not empty")

// Restore reads a dump written by Dump from r and records its accounts and
// entries in the empty journal s, in one transaction: ids, statuses, dates
// and statements as they were (a pending entry is restored as an
// interrupted one: it blocks its file until --retry-unknown or a mark). It
// returns how many accounts and entries it restored. A journal that is
// not empty is refused (ErrNotEmpty), and so is anything that is not a
// dump of this version, with the place where it went wrong; on any error
// nothing is recorded. The dump is read as it comes: a journal of any size
// is restored in constant memory.
func Restore(ctx context.Context, s Store, r io.Reader) (accounts, entries int, err error) {
	st, ok := s.(*sqlStore)
	if !ok {
		return 0, 0, fmt.Errorf("journal: %T cannot be restored into", s)
	}
	if err := st.writable(); err != nil {
		return 0, 0, err
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err = st.tx(ctx, "", func(tx *sql.Tx) error {
		for _, table := range []string{"cfonb_entries", "cfonb_accounts"} {
			n, err := st.count(ctx, tx, table)
			if err != nil {
				return err
			}
			if n > 0 {
				what := plural.CountAs(n, "entry", "entries")
				if table == "cfonb_accounts" {
					what = plural.Count(n, "account")
				}
				return fmt.Errorf("%w: it holds %s; restore into a new state directory or database", ErrNotEmpty, what)
			}
		}
		if err := expectDelim(dec, '{'); err != nil {
			return err
		}
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return dumpErr(dec, err)
			}
			name, _ := key.(string)
			if seen[name] {
				return dumpErr(dec, fmt.Errorf("%q given twice", name))
			}
			seen[name] = true
			if name != "version" && !seen["version"] {
				return dumpErr(dec, errors.New(`"version" must come first`))
			}
			switch name {
			case "version":
				var v int
				if err := dec.Decode(&v); err != nil {
					return dumpErr(dec, err)
				}
				if v != 1 {
					return dumpErr(dec, fmt.Errorf("version %d: this cfonb restores version 1", v))
				}
			case "accounts":
				err = eachElement(dec, func(a AccountRecord) error {
					accounts++
					return st.insertAccount(ctx, tx, a, false) // a dump holds each once
				})
			case "entries":
				err = eachElement(dec, func(e Entry) error {
					if e.Statements == nil {
						e.Statements = []StatementRecord{}
					}
					entries++
					if _, err := st.insertID(ctx, tx, e, "", true); err != nil {
						return fmt.Errorf("entry %d: %w", e.ID, err)
					}
					return nil
				})
			default:
				return dumpErr(dec, fmt.Errorf("unknown key %q", name))
			}
			if err != nil {
				return dumpErr(dec, err)
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return err
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return dumpErr(dec, errors.New("something follows the dump"))
		}
		for _, k := range []string{"version", "accounts", "entries"} {
			if !seen[k] {
				return dumpErr(dec, fmt.Errorf("no %q", k))
			}
		}
		return st.d.afterRestore(ctx, tx)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("journal: restoring: %w", err)
	}
	return accounts, entries, nil
}

// expectDelim reads the JSON delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return dumpErr(dec, err)
	}
	if t != d {
		return dumpErr(dec, fmt.Errorf("want %v, found %v: not a dump of cfonb journal --dump", d, t))
	}
	return nil
}

// eachElement decodes each element of the JSON array that comes next and
// calls fn with it.
func eachElement[T any](dec *json.Decoder, fn func(T) error) error {
	if t, err := dec.Token(); err != nil {
		return err
	} else if t != json.Delim('[') {
		return fmt.Errorf("want an array, found %v", t)
	}
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ]
	return err
}

// dumpErr says where in the dump err happened.
func dumpErr(dec *json.Decoder, err error) error {
	return fmt.Errorf("the dump, near byte %d: %w", dec.InputOffset(), err)
}
