package journal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
	"github.com/cfonb-dev/cfonb/internal/plural"
)

// The JSON files of cfonb versions before the SQLite journal.
const (
	AccountsJSON = "accounts.json"
	JournalJSON  = "journal.json"
	// MigratedSuffix is appended to the JSON files once migrated: they
	// are kept as a backup, never deleted.
	MigratedSuffix = ".migrated"
	jsonVersion    = 1
	// stubVersion marks the journal.json left in place of a migrated one,
	// which an older cfonb refuses to read (rather than taking a missing
	// journal for an empty one and importing everything again).
	stubVersion = 2
)

type accountsDoc struct {
	Version  int             `json:"version"`
	Accounts []AccountRecord `json:"accounts"`
}

type journalDoc struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

type stubDoc struct {
	Version int    `json:"version"`
	MovedTo string `json:"moved_to"`
	Note    string `json:"note"`
}

// readJSON decodes a JSON state file strictly: unknown fields, trailing
// data and another version are damage. It returns the file's SHA-256, ""
// if it does not exist, and whether it is the stub of a migrated journal.
func readJSON(path string, doc any, version *int) (sum string, stub bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("state: %w", err)
	}
	h := sha256.Sum256(b)
	sum = hex.EncodeToString(h[:])
	var st stubDoc
	if json.Unmarshal(b, &st) == nil && st.Version == stubVersion && st.MovedTo != "" {
		return sum, true, nil
	}
	damaged := func(err error) error {
		return fmt.Errorf("state file %s is damaged (restore it from a backup; it is not overwritten): %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(doc); err != nil {
		return "", false, damaged(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the end of the document")
		}
		return "", false, damaged(err)
	}
	if *version != jsonVersion {
		return "", false, fmt.Errorf("state file %s has version %d; this cfonb reads version %d", path, *version, jsonVersion)
	}
	return sum, false, nil
}

// checkJSON reads the JSON files of dir, if any: a damaged one, or a
// journal.json without entries (unless allowed), is an error. It reports
// whether there is one to migrate (not a stub).
func checkJSON(dir string, opts Options) (bool, error) {
	var jd journalDoc
	jsum, stub, err := readJSON(filepath.Join(dir, JournalJSON), &jd, &jd.Version)
	if err != nil {
		return false, err
	}
	if stub {
		jsum = ""
		// The stub is there so that a missing journal is never taken for
		// an empty one.
		if _, err := os.Stat(filepath.Join(dir, DBFile)); errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("journal: %w: %s says the journal moved to %s, which is not there (deleted, or not restored with the rest of the directory?), "+
				"and cfonb would send every file again. Restore it from a backup, with its -wal file if there is one; if no import is to be remembered, remove %[2]s to start a new journal",
				ErrMissingJournal, filepath.Join(dir, JournalJSON), DBFile)
		}
	}
	if jsum != "" && len(jd.Entries) == 0 && !opts.AllowEmptyJSON {
		return false, emptyJournal(filepath.Join(dir, JournalJSON))
	}
	var ad accountsDoc
	asum, _, err := readJSON(filepath.Join(dir, AccountsJSON), &ad, &ad.Version)
	if err != nil {
		return false, err
	}
	return jsum != "" || asum != "", nil
}

func emptyJournal(path string) error {
	return fmt.Errorf("%w: %s was never written empty by cfonb, so its entries were lost (restore it from a backup); if it truly has no import to remember, say so with --allow-empty-journal: %w",
		ErrEmptyJSONJournal, path, errors.New("refusing to migrate it"))
}

// migrateJSON imports the JSON files of dir into s, once, in one
// transaction; with rename, it then renames them with MigratedSuffix and
// leaves a stub journal.json that older versions refuse. A crash between
// the commit and the renames is finished by the next run.
func migrateJSON(ctx context.Context, s *sqlStore, dir string, opts Options, rename bool) error {
	jpath, apath := filepath.Join(dir, JournalJSON), filepath.Join(dir, AccountsJSON)
	var jd journalDoc
	jsum, stub, err := readJSON(jpath, &jd, &jd.Version)
	if err != nil {
		return err
	}
	if stub {
		jsum = ""
	}
	var ad accountsDoc
	asum, _, err := readJSON(apath, &ad, &ad.Version)
	if err != nil {
		return err
	}
	if jsum == "" && asum == "" {
		return nil
	}
	if jsum != "" && len(jd.Entries) == 0 && !opts.AllowEmptyJSON {
		return emptyJournal(jpath)
	}
	var imported, migrated bool
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		doneJ, err := s.meta(ctx, tx, "json_journal_sha256")
		if err != nil {
			return err
		}
		doneA, err := s.meta(ctx, tx, "json_accounts_sha256")
		if err != nil {
			return err
		}
		if doneJ != "" || doneA != "" {
			// Migrated before: the files left are those of an
			// interrupted migration, unless they changed since.
			migrated = true
			if jsum != "" && metaSum(jsum) != doneJ || asum != "" && metaSum(asum) != doneA {
				return fmt.Errorf("%s already holds the journal migrated from the JSON files, and %s or %s appeared or changed since: they are not read; move them away (or merge them by hand)",
					DBFile, jpath, apath)
			}
			return nil
		}
		if n, err := s.count(ctx, tx, "cfonb_entries"); err != nil || n > 0 {
			if err == nil {
				err = fmt.Errorf("%s already holds %d entries: %s and %s are not read; move them away", DBFile, n, jpath, apath)
			}
			return err
		}
		for _, a := range ad.Accounts {
			if err := s.insertAccount(ctx, tx, a, true); err != nil {
				return err
			}
		}
		for _, e := range jd.Entries {
			if _, err := s.insertID(ctx, tx, e, "", true); err != nil {
				return fmt.Errorf("entry %d: %w", e.ID, err)
			}
		}
		if err := s.setMeta(ctx, tx, "json_journal_sha256", metaSum(jsum)); err != nil {
			return err
		}
		imported, migrated = true, true
		return s.setMeta(ctx, tx, "json_accounts_sha256", metaSum(asum))
	})
	if err != nil {
		return fmt.Errorf("migrating the JSON journal of %s: %w", dir, err)
	}
	if !rename {
		return nil
	}
	var kept []string
	for _, p := range []struct {
		path, sum string
	}{{jpath, jsum}, {apath, asum}} {
		if p.sum == "" {
			continue
		}
		to := p.path + MigratedSuffix
		for i := 1; ; i++ {
			if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
				break
			}
			to = p.path + MigratedSuffix + "." + strconv.Itoa(i)
		}
		if err := os.Rename(p.path, to); err != nil {
			return fmt.Errorf("migrating the JSON journal: %w", err)
		}
		kept = append(kept, filepath.Base(to))
	}
	if _, err := os.Lstat(jpath); errors.Is(err, fs.ErrNotExist) && migrated {
		stub := stubDoc{Version: stubVersion, MovedTo: DBFile,
			Note: "the journal moved to " + DBFile + " (read it with cfonb journal); the old file is kept as " + JournalJSON + MigratedSuffix}
		if err := atomicfile.Write(jpath, 0o600, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(stub)
		}); err != nil {
			return fmt.Errorf("migrating the JSON journal: %w", err)
		}
	}
	if imported && opts.Notify != nil {
		opts.Notify(fmt.Sprintf("the journal of %s moved from JSON to %s (%s, %s); the JSON files are kept, unread, as %v",
			dir, DBFile, plural.CountAs(len(jd.Entries), "entry", "entries"), plural.Count(len(ad.Accounts), "account"), kept))
	}
	return nil
}

// metaSum is how the migration records a file's hash ("none": no file).
func metaSum(sum string) string {
	if sum == "" {
		return "none"
	}
	return sum
}
