package journal

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldState writes a state directory as cfonb wrote it before the SQLite
// journal.
func oldState(t *testing.T, journal, accounts any) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	write := func(name string, doc any) {
		if doc == nil {
			return
		}
		b, ok := doc.(string)
		if !ok {
			j, err := json.MarshalIndent(doc, "", "  ")
			require.NoError(t, err)
			b = string(j)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(b), 0o600))
	}
	write(JournalJSON, journal)
	write(AccountsJSON, accounts)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lock"), nil, 0o600))
	return dir
}

func oldDocs() (journalDoc, accountsDoc) {
	e1 := entry("https://p", "aa", "k1")
	e1.ID = 1
	e2 := entry("https://p", "bb", "k2")
	e2.ID, e2.Status, e2.Finished, e2.HTTPStatus, e2.Detail = 2, StatusPending, time.Time{}, 0, ""
	e4 := entry("https://p", "aa")
	e4.ID, e4.Detail = 4, "marked done by hand"
	return journalDoc{Version: 1, Entries: []Entry{e1, e2, e4}},
		accountsDoc{Version: 1, Accounts: []AccountRecord{{Platform: "https://p", Dossier: 7, IBAN: "FR76", BankName: "BNP", HTTPStatus: 201, Registered: t0}}}
}

func TestMigrateJSON(t *testing.T) {
	ctx := context.Background()
	jd, ad := oldDocs()
	dir := oldState(t, jd, ad)
	jbytes, _ := os.ReadFile(filepath.Join(dir, JournalJSON))

	// A read-only look (cfonb journal, upload --dry-run) reads the JSON
	// files and changes nothing.
	ro, err := OpenSQLite(ctx, dir, Options{ReadOnly: true})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 4}, ids(all(t, ro, "")))
	require.NoError(t, ro.Close())
	_, err = os.Stat(filepath.Join(dir, DBFile))
	assert.True(t, os.IsNotExist(err), "a read-only open creates no database")

	var said []string
	notify := func(m string) { said = append(said, m) }
	s, err := OpenSQLite(ctx, dir, Options{Notify: notify})
	require.NoError(t, err)
	require.Equal(t, []string{"the journal of " + dir + " moved from JSON to journal.sqlite (3 entries, 1 account); the JSON files are kept, unread, as [journal.json.migrated accounts.json.migrated]"}, said)
	got := all(t, s, "")
	assert.Equal(t, jd.Entries, got, "ids, statuses, times and statements kept")
	var accts []AccountRecord
	require.NoError(t, s.Accounts(ctx, func(a AccountRecord) error { accts = append(accts, a); return nil }))
	assert.Equal(t, ad.Accounts, accts)
	// The interrupted (pending) import of the old journal still blocks.
	rel, err := s.Related(ctx, "https://p", "bb", nil)
	require.NoError(t, err)
	require.Len(t, rel, 1)
	assert.False(t, rel[0].Live)
	// New entries number on.
	id, err := s.Add(ctx, entry("https://p", "cc"))
	require.NoError(t, err)
	assert.Equal(t, 5, id)
	require.NoError(t, s.Close())

	// The JSON files are kept, renamed; journal.json is a stub that an
	// older cfonb refuses to read rather than starting empty.
	kept, err := os.ReadFile(filepath.Join(dir, JournalJSON+MigratedSuffix))
	require.NoError(t, err)
	assert.Equal(t, jbytes, kept)
	_, err = os.Stat(filepath.Join(dir, AccountsJSON+MigratedSuffix))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, AccountsJSON))
	assert.True(t, os.IsNotExist(err))
	var stub map[string]any
	b, err := os.ReadFile(filepath.Join(dir, JournalJSON))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &stub))
	assert.Equal(t, float64(2), stub["version"])

	// Said once: the next runs say nothing.
	said = nil
	s, err = OpenSQLite(ctx, dir, Options{Notify: notify})
	require.NoError(t, err)
	assert.Empty(t, said)
	assert.Len(t, all(t, s, ""), 4)
	require.NoError(t, s.Close())
}

func TestMigrateJSONRefusals(t *testing.T) {
	ctx := context.Background()
	jd, ad := oldDocs()
	for _, tt := range []struct {
		name    string
		journal any
		want    string
	}{
		// Issue 16.11: cfonb never writes a journal without entries, so
		// one that has none lost them: refused unless the user says so.
		{"version only", `{"version":1}`, "journal.json holds no entry: "},
		{"no entries", `{"version":1,"entries":[]}`, "journal.json holds no entry: "},
		{"null entries", `{"version":1,"entries":null}`, "journal.json holds no entry: "},
		{"damaged", `{"version":1,"entries":[`, "is damaged (restore it from a backup; it is not overwritten)"},
		{"trailing", `{"version":1,"entries":[]} {}`, "is damaged (restore it from a backup; it is not overwritten): data after the end of the document"},
		{"unknown field", `{"version":1,"entries":[],"x":1}`, `is damaged (restore it from a backup; it is not overwritten): json: unknown field "x"`},
		{"other version", `{"version":3,"entries":[]}`, "has version 3; this cfonb reads version 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := oldState(t, tt.journal, ad)
			for _, ro := range []bool{true, false} {
				_, err := OpenSQLite(ctx, dir, Options{ReadOnly: ro})
				require.ErrorContains(t, err, tt.want)
			}
			// Nothing was created or renamed.
			_, err := os.Stat(filepath.Join(dir, DBFile))
			assert.True(t, os.IsNotExist(err), "no database made")
			b, err := os.ReadFile(filepath.Join(dir, JournalJSON))
			require.NoError(t, err)
			assert.Equal(t, tt.journal, string(b))
			_, err = os.Stat(filepath.Join(dir, AccountsJSON))
			require.NoError(t, err)
		})
	}
	t.Run("empty allowed", func(t *testing.T) {
		dir := oldState(t, `{"version":1}`, ad)
		_, err := OpenSQLite(ctx, dir, Options{})
		require.ErrorIs(t, err, ErrEmptyJSONJournal)
		assert.ErrorContains(t, err, "say so with --allow-empty-journal")
		s, err := OpenSQLite(ctx, dir, Options{AllowEmptyJSON: true})
		require.NoError(t, err)
		defer func() { _ = s.Close() }()
		assert.Empty(t, all(t, s, ""))
		a, err := s.Account(ctx, "https://p", 7, "FR76")
		require.NoError(t, err)
		assert.NotNil(t, a)
	})
	t.Run("accounts only", func(t *testing.T) {
		// Accounts registered but nothing imported yet: no journal.json.
		dir := oldState(t, nil, ad)
		s, err := OpenSQLite(ctx, dir, Options{})
		require.NoError(t, err)
		defer func() { _ = s.Close() }()
		_, err = os.Stat(filepath.Join(dir, AccountsJSON+MigratedSuffix))
		require.NoError(t, err)
	})
	t.Run("interrupted before the renames", func(t *testing.T) {
		dir := oldState(t, jd, ad)
		s, err := OpenSQLite(ctx, dir, Options{})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		// Put the files back, as if the process died after the commit.
		for _, n := range []string{JournalJSON, AccountsJSON} {
			require.NoError(t, os.Rename(filepath.Join(dir, n+MigratedSuffix), filepath.Join(dir, n)))
		}
		s, err = OpenSQLite(ctx, dir, Options{})
		require.NoError(t, err)
		assert.Len(t, all(t, s, ""), 3, "not imported twice")
		require.NoError(t, s.Close())
		_, err = os.Stat(filepath.Join(dir, AccountsJSON+MigratedSuffix))
		require.NoError(t, err)
		// A JSON journal that appears after the migration is not read.
		jd2 := jd
		jd2.Entries = jd.Entries[:1]
		b, _ := json.Marshal(jd2)
		require.NoError(t, os.WriteFile(filepath.Join(dir, JournalJSON), b, 0o600))
		_, err = OpenSQLite(ctx, dir, Options{})
		require.ErrorContains(t, err, "appeared or changed since: they are not read; move them away")
	})
}
