package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/journal/journaltest"
)

func (f *upFixture) uploadTo(t *testing.T, stateArgs []string, args ...string) upResult {
	t.Helper()
	base := append([]string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77"}, stateArgs...)
	return f.run(t, "", false, append(base, args...)...)
}

// Issue 11: --state DIR and its alias --state-dir, --state postgres://…,
// and CFONB_STATE choose the journal; cfonb journal works on both stores.
func TestStateChoices(t *testing.T) {
	t.Run("alias", func(t *testing.T) {
		f := newUpFixture(t)
		r := f.uploadTo(t, []string{"--state", f.state}, f.files[0])
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		r = f.uploadTo(t, []string{"--state-dir", f.state}, f.files[0])
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "skip ")
		r = f.uploadTo(t, []string{"--state", f.state, "--state-dir", f.state + "x"}, f.files[0])
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "give --state or --state-dir (its alias), not both")
		assert.Len(t, f.sb.Imports(), 1)
	})
	t.Run("environment", func(t *testing.T) {
		f := newUpFixture(t)
		f.environ["CFONB_STATE"] = f.state
		r := f.uploadTo(t, nil, f.files[0])
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		_, err := os.Stat(filepath.Join(f.state, "journal.sqlite"))
		require.NoError(t, err)
		j := f.run(t, "", false, "journal")
		assert.Equal(t, exitOK, j.code)
		assert.Contains(t, j.stdout, f.files[0])
	})
	t.Run("postgres", func(t *testing.T) {
		url := journaltest.PostgresURL(t)
		f := newUpFixture(t)
		f.environ["CFONB_STATE"] = url
		r := f.uploadTo(t, nil, f.files...)
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Len(t, f.sb.Imports(), 3)
		// Another machine with the same database skips them.
		r = f.uploadTo(t, []string{"--state", url}, f.files...)
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Len(t, f.sb.Imports(), 3)
		assert.Equal(t, 3, strings.Count(r.stdout, "skip "), r.stdout)
		j := f.run(t, "", false, "journal", "--accounts")
		require.Equal(t, exitOK, j.code, j.stderr)
		assert.Contains(t, j.stdout, "FR7630004008230001000015611")
		j = f.run(t, "", false, "journal", "--json", "--api-url", f.srv.URL)
		require.Equal(t, exitOK, j.code, j.stderr)
		assert.Equal(t, 3, strings.Count(j.stdout, "\n"))
		// A password never appears.
		f.environ["CFONB_STATE"] = strings.Replace(url, "postgres://cfonb@", "postgres://cfonb:s3cr3t-pw@", 1)
		if strings.Contains(f.environ["CFONB_STATE"], "s3cr3t-pw") {
			j = f.run(t, "", false, "journal", "--dump")
			assert.NotContains(t, j.stdout+j.stderr, "s3cr3t-pw")
		}
	})
}

func TestJournalDump(t *testing.T) {
	f := newUpFixture(t)
	r := f.upload(t, f.files...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	j := f.run(t, "", false, "journal", "--state-dir", f.state, "--dump")
	require.Equal(t, exitOK, j.code, j.stderr)
	var doc struct {
		Version  int              `json:"version"`
		Accounts []map[string]any `json:"accounts"`
		Entries  []map[string]any `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &doc), j.stdout)
	assert.Equal(t, 1, doc.Version)
	assert.Len(t, doc.Accounts, 2)
	require.Len(t, doc.Entries, 3)
	assert.Equal(t, "done", doc.Entries[0]["status"])
	assert.NotEmpty(t, doc.Entries[0]["statements"])
}

// Issue 11: the JSON state of earlier versions is migrated once, said
// once; issue 16.11: a journal.json without entries is refused unless the
// user says so.
func TestJournalMigrationFromJSON(t *testing.T) {
	f := newUpFixture(t)
	require.NoError(t, os.MkdirAll(f.state, 0o700))
	old := `{"version":1,"entries":[{"id":7,"platform":"` + f.srv.URL + `","file":"/x/a.txt","sha256":"ab","size":1,"statements":[],"status":"done","started":"2026-01-02T03:04:05Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(f.state, "journal.json"), []byte(old), 0o600))
	r := f.upload(t, f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, "cfonb upload: the journal of "+f.state+" moved from JSON to journal.sqlite (1 entry, 0 accounts); the JSON files are kept, unread, as [journal.json.migrated]\n")
	kept, err := os.ReadFile(filepath.Join(f.state, "journal.json.migrated"))
	require.NoError(t, err)
	assert.Equal(t, old, string(kept))
	r = f.upload(t, f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stderr, "moved from JSON")
	j := f.run(t, "", false, "journal", "--state-dir", f.state)
	assert.Contains(t, j.stdout, "/x/a.txt")

	// A journal that lost its entries.
	f = newUpFixture(t)
	require.NoError(t, os.MkdirAll(f.state, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(f.state, "journal.json"), []byte(`{"version":1}`), 0o600))
	r = f.upload(t, f.files[0])
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "journal.json holds no entry")
	assert.Contains(t, r.stderr, "--allow-empty-journal")
	assert.Empty(t, f.sb.Requests(), "nothing sent")
	j = f.run(t, "", false, "journal", "--state-dir", f.state)
	assert.Equal(t, exitUsage, j.code)
	r = f.upload(t, "--allow-empty-journal", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Len(t, f.sb.Imports(), 1)
}
