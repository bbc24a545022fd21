package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/journal/journaltest"
)

// opener opens one more Store on the same journal, as another process
// would.
type opener func(t *testing.T, opts Options) Store

// stores is the table of store constructors every behaviour test runs on.
func stores() []struct {
	name string
	make func(t *testing.T) opener
} {
	return []struct {
		name string
		make func(t *testing.T) opener
	}{
		{"sqlite", func(t *testing.T) opener {
			dir := t.TempDir()
			return func(t *testing.T, opts Options) Store {
				s, err := OpenSQLite(context.Background(), dir, opts)
				require.NoError(t, err)
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
		}},
		{"postgres", func(t *testing.T) opener {
			url := journaltest.PostgresURL(t)
			return func(t *testing.T, opts Options) Store {
				s, err := OpenPostgres(context.Background(), url, opts)
				require.NoError(t, err)
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
		}},
	}
}

// eachStore runs test on every store.
func eachStore(t *testing.T, test func(t *testing.T, open opener)) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) { test(t, st.make(t)) })
	}
}

var t0 = time.Date(2026, 4, 2, 9, 30, 0, 123456000, time.UTC)

func stmt(key string) StatementRecord {
	return StatementRecord{Key: key, Account: "30002 00550 0000157845Z EUR", IBAN: "FR7030002005500000157845Z02",
		From: "2026-03-01", To: "2026-03-31", Opening: "12500.00", Closing: "15140.10"}
}

func entry(platform, sha string, keys ...string) Entry {
	e := Entry{Platform: platform, Dossier: 7, File: "/files/" + sha + ".txt", SHA256: sha, Size: 1234,
		Status: StatusDone, Started: t0, Finished: t0.Add(time.Second), HTTPStatus: 200, Detail: `"2"`,
		Statements: []StatementRecord{}}
	for _, k := range keys {
		e.Statements = append(e.Statements, stmt(k))
	}
	return e
}

func all(t *testing.T, s Store, platform string) []Entry {
	var out []Entry
	require.NoError(t, s.Entries(context.Background(), platform, func(e Entry) error { out = append(out, e); return nil }))
	return out
}

func ids(es []Entry) []int {
	out := []int{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestStoreAccounts(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{})
		a, err := s.Account(ctx, "https://p", 7, "FR76")
		require.NoError(t, err)
		assert.Nil(t, a)
		rec := AccountRecord{Platform: "https://p", Dossier: 7, IBAN: "FR76", BankName: "BNP Paribas", IBANControl: true, HTTPStatus: 201, Registered: t0}
		require.NoError(t, s.AddAccount(ctx, rec))
		// Recorded per (platform, dossier, IBAN): a second registration
		// of the same triple keeps the first.
		again := rec
		again.BankName, again.Registered = "other", t0.Add(time.Hour)
		require.NoError(t, s.AddAccount(ctx, again))
		other := rec
		other.Dossier, other.HTTPStatus, other.Registered = 8, 409, t0.Add(time.Minute)
		require.NoError(t, s.AddAccount(ctx, other))
		a, err = s.Account(ctx, "https://p", 7, "FR76")
		require.NoError(t, err)
		assert.Equal(t, &rec, a)
		a, err = s.Account(ctx, "https://q", 7, "FR76")
		require.NoError(t, err)
		assert.Nil(t, a)
		var list []AccountRecord
		require.NoError(t, s.Accounts(ctx, func(a AccountRecord) error { list = append(list, a); return nil }))
		assert.Equal(t, []AccountRecord{rec, other}, list)
		// Another process sees them.
		list = nil
		require.NoError(t, open(t, Options{ReadOnly: true}).Accounts(ctx, func(a AccountRecord) error { list = append(list, a); return nil }))
		assert.Len(t, list, 2)
	})
}

func TestStoreEntriesRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{})
		assert.Empty(t, all(t, s, ""))
		done := entry("https://p", "aa", "k1", "k2")
		id1, err := s.Add(ctx, done)
		require.NoError(t, err)
		pend := entry("https://q", "bb", "k3")
		pend.Status, pend.Finished, pend.HTTPStatus, pend.Detail, pend.Forced = StatusPending, time.Time{}, 0, "", true
		id2, err := s.Claim(ctx, pend, func([]Entry) error { return nil })
		require.NoError(t, err)
		assert.Greater(t, id2, id1)
		got := all(t, s, "")
		require.Len(t, got, 2)
		done.ID = id1
		assert.Equal(t, done, got[0])
		assert.Equal(t, StatusPending, got[1].Status)
		assert.True(t, got[1].Forced)
		assert.Contains(t, got[1].Detail, "claimed by host ")
		require.NoError(t, s.Finish(ctx, id2, StatusUnknown, t0.Add(time.Minute), 502, "HTTP 502"))
		got = all(t, open(t, Options{ReadOnly: true}), "https://q")
		require.Len(t, got, 1)
		assert.Equal(t, Entry{ID: id2, Platform: "https://q", Dossier: 7, File: "/files/bb.txt", SHA256: "bb", Size: 1234,
			Statements: []StatementRecord{stmt("k3")}, Status: StatusUnknown, Forced: true, Started: t0,
			Finished: t0.Add(time.Minute), HTTPStatus: 502, Detail: "HTTP 502"}, got[0])
		// An entry without statements lists with none.
		id3, err := s.Add(ctx, entry("https://p", "cc"))
		require.NoError(t, err)
		got = all(t, s, "https://p")
		assert.Equal(t, []int{id1, id3}, ids(got))
		assert.Equal(t, []StatementRecord{}, got[1].Statements)
	})
}

// TestStoreNonUTF8Text: a file name or a detail that is not UTF-8 (a
// Latin-1 name from an old share) is kept quoted with Go escapes, the same
// in every store: PostgreSQL's text refused it, which stopped a whole
// upload (found by a review).
func TestStoreNonUTF8Text(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{})
		e := entry("https://p", "aa", "k1")
		e.Status, e.Finished, e.HTTPStatus, e.Detail = StatusPending, time.Time{}, 0, ""
		e.File = "/files/relev\xe9.txt"
		id, err := s.Claim(ctx, e, func([]Entry) error { return nil })
		require.NoError(t, err)
		require.NoError(t, s.Finish(ctx, id, StatusFailed, t0, 400, "refused: relev\xe9.txt\x00"))
		e2 := entry("https://p", "bb")
		e2.File = "/files/b\xff.txt"
		_, err = s.Add(ctx, e2)
		require.NoError(t, err)
		got := all(t, s, "")
		require.Len(t, got, 2)
		assert.Equal(t, `"/files/relev\xe9.txt"`, got[0].File)
		assert.Equal(t, `"refused: relev\xe9.txt\x00"`, got[0].Detail)
		assert.Equal(t, `"/files/b\xff.txt"`, got[1].File)
	})
}

func TestStoreFinishRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{})
		id, err := s.Add(ctx, entry("p", "aa"))
		require.NoError(t, err)
		assert.EqualError(t, s.Finish(ctx, id, StatusFailed, t0, 0, ""), fmt.Sprintf("journal: no pending entry %d", id))
		assert.EqualError(t, s.Finish(ctx, id+10, StatusDone, t0, 0, ""), fmt.Sprintf("journal: no pending entry %d", id+10))
		assert.EqualError(t, s.Finish(ctx, id, StatusPending, t0, 0, ""), fmt.Sprintf("journal: cannot finish entry %d as \"pending\"", id))
		_, err = s.Add(ctx, Entry{Platform: "p", SHA256: "x", Status: "weird"})
		assert.ErrorContains(t, err, `invalid status "weird"`)
		ro := open(t, Options{ReadOnly: true})
		_, err = ro.Add(ctx, entry("p", "bb"))
		assert.EqualError(t, err, "journal: opened read-only")
		assert.EqualError(t, ro.AddAccount(ctx, AccountRecord{}), "journal: opened read-only")
		assert.EqualError(t, ro.Finish(ctx, id, StatusDone, t0, 0, ""), "journal: opened read-only")
	})
}

func TestStoreRelated(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{})
		a, _ := s.Add(ctx, entry("p", "aa", "k1", "k2"))
		failed := entry("p", "bb", "k3")
		failed.Status = StatusFailed
		if _, err := s.Add(ctx, failed); err != nil {
			t.Fatal(err)
		}
		other, _ := s.Add(ctx, entry("q", "aa", "k1"))
		c, _ := s.Add(ctx, entry("p", "cc", "k2", "k4"))
		unknown := entry("p", "dd", "k5")
		unknown.Status = StatusUnknown
		d, _ := s.Add(ctx, unknown)

		rel, err := s.Related(ctx, "p", "aa", nil)
		require.NoError(t, err)
		assert.Equal(t, []int{a}, ids(rel))
		assert.Empty(t, rel[0].Statements, "only the statements of the keys asked for")
		rel, err = s.Related(ctx, "p", "zz", []string{"k2", "k3", "k5", "k2"})
		require.NoError(t, err)
		assert.Equal(t, []int{a, c, d}, ids(rel), "failed entries and other platforms do not block")
		assert.Equal(t, []StatementRecord{stmt("k2")}, rel[0].Statements)
		assert.Equal(t, []StatementRecord{stmt("k2")}, rel[1].Statements)
		assert.Equal(t, StatusUnknown, rel[2].Status)
		rel, err = s.Related(ctx, "q", "zz", []string{"k1"})
		require.NoError(t, err)
		assert.Equal(t, []int{other}, ids(rel))
		rel, err = s.Related(ctx, "p", "zz", []string{"k3", "nope"})
		require.NoError(t, err)
		assert.Empty(t, rel)

		// More keys than one query takes.
		keys := make([]string, 3*chunk+7)
		for i := range keys {
			keys[i] = fmt.Sprintf("big%05d", i)
		}
		big := entry("p", "ee", keys...)
		e, err := s.Add(ctx, big)
		require.NoError(t, err)
		rel, err = s.Related(ctx, "p", "zz", append([]string{"k4"}, keys[len(keys)-3:]...))
		require.NoError(t, err)
		assert.Equal(t, []int{c, e}, ids(rel))
		assert.Len(t, rel[1].Statements, 3)
		got := all(t, s, "p")
		assert.Len(t, got[len(got)-1].Statements, len(keys))
		assert.Equal(t, keys[100], got[len(got)-1].Statements[100].Key, "statements keep their order")
	})
}

func TestStoreClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		a := open(t, Options{})
		b := open(t, Options{})
		claim := entry("p", "aa", "k1")
		var seen []Entry
		judge := func(rel []Entry) error { seen = rel; return nil }
		id, err := a.Claim(ctx, claim, judge)
		require.NoError(t, err)
		assert.Empty(t, seen)

		// Another process sees the claim, live: in progress elsewhere.
		busy := errors.New("busy")
		_, err = b.Claim(ctx, entry("p", "aa"), func(rel []Entry) error { seen = rel; return busy })
		require.ErrorIs(t, err, busy)
		require.Len(t, seen, 1)
		assert.Equal(t, id, seen[0].ID)
		assert.Equal(t, StatusPending, seen[0].Status)
		assert.True(t, seen[0].Live)
		rel, err := b.Related(ctx, "p", "zz", []string{"k1"})
		require.NoError(t, err)
		assert.True(t, rel[0].Live)
		assert.Len(t, all(t, b, ""), 1, "a refused claim writes nothing")

		// The owner ends without finishing (a crash): the claim is
		// interrupted, no longer live.
		require.NoError(t, a.Close())
		rel, err = b.Related(ctx, "p", "aa", nil)
		require.NoError(t, err)
		require.Len(t, rel, 1)
		assert.Equal(t, StatusPending, rel[0].Status)
		assert.False(t, rel[0].Live)

		// The unique claim key refuses a second unforced pending import
		// of the same file on the same platform, whatever the judge says.
		_, err = b.Claim(ctx, entry("p", "aa"), func([]Entry) error { return nil })
		require.Error(t, err)
		forced := entry("p", "aa")
		forced.Forced = true
		id2, err := b.Claim(ctx, forced, func([]Entry) error { return nil })
		require.NoError(t, err)
		require.NoError(t, b.Finish(ctx, id2, StatusDone, t0, 200, "ok"))
		rel, err = b.Related(ctx, "p", "aa", nil)
		require.NoError(t, err)
		assert.Equal(t, []int{id, id2}, ids(rel))
		assert.False(t, rel[1].Live)
	})
}

// TestStoreClaimConcurrent: 8 processes claim the same 20 files at once;
// each file is claimed exactly once.
func TestStoreClaimConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		const procs, files = 8, 20
		ss := make([]Store, procs)
		for i := range ss {
			ss[i] = open(t, Options{})
		}
		taken := errors.New("taken")
		var mu sync.Mutex
		won := map[string]int{}
		var wg sync.WaitGroup
		for p := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := range files {
					// Files 2k and 2k+1 share a statement: only one of
					// them may be claimed.
					sha := fmt.Sprintf("f%02d", (f+p)%files)
					key := fmt.Sprintf("s%02d", ((f+p)%files)/2)
					_, err := ss[p].Claim(ctx, entry("p", sha, key), func(rel []Entry) error {
						if len(rel) > 0 {
							return taken
						}
						return nil
					})
					if errors.Is(err, taken) {
						continue
					}
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					won[key]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Len(t, won, files/2)
		for k, n := range won {
			assert.Equal(t, 1, n, k)
		}
		assert.Len(t, all(t, ss[0], ""), files/2)
	})
}

func TestStoreSchemaVersion(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t, Options{}).(*sqlStore)
		v, err := s.schemaVersion(ctx, s.db)
		require.NoError(t, err)
		assert.Equal(t, SchemaVersion, v)
		open(t, Options{}) // an up-to-date schema is left alone
		_, err = s.db.ExecContext(ctx, `UPDATE cfonb_meta SET value = '99' WHERE name = 'schema'`)
		require.NoError(t, err)
		for _, ro := range []bool{false, true} {
			_, err := Open(ctx, s.spec, Options{ReadOnly: ro})
			require.ErrorIs(t, err, ErrNewerSchema)
			assert.ErrorContains(t, err, "(schema 99; this one reads 1): upgrade cfonb")
		}
	})
}
