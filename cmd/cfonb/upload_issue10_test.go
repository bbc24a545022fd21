package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
	"github.com/cfonb-dev/cfonb/upload/words"
)

// The --format json report: per file its outcome, import id, statements
// and the accounts registered; nothing else on standard output.
func TestUploadJSONReport(t *testing.T) {
	f := newUpFixture(t)
	r := f.upload(t, "--format", "json", f.files[0], f.files[1])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Empty(t, r.stderr)
	var doc struct {
		Platform string `json:"platform"`
		Files    []struct {
			Path       string   `json:"path"`
			Outcome    string   `json:"outcome"`
			ImportID   string   `json:"import_id"`
			Registered []string `json:"accounts_registered"`
			Dossiers   []int64  `json:"dossiers"`
			Statements []struct {
				IBAN string `json:"iban"`
				From string `json:"from"`
			} `json:"statements"`
		} `json:"files"`
		Summary map[string]int `json:"summary"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	assert.Equal(t, f.srv.URL, doc.Platform)
	require.Len(t, doc.Files, 2)
	assert.Equal(t, "imported", doc.Files[0].Outcome)
	assert.Equal(t, "1", doc.Files[0].ImportID)
	assert.Equal(t, []string{"FR7030002005500000157845Z02"}, doc.Files[0].Registered)
	assert.Equal(t, []int64{77}, doc.Files[0].Dossiers)
	assert.Equal(t, "FR7030002005500000157845Z02", doc.Files[0].Statements[0].IBAN)
	assert.Equal(t, "2", doc.Files[1].ImportID)
	assert.Equal(t, 2, doc.Summary["imported"])
	assert.Equal(t, 2, doc.Summary["accounts_registered"])

	r = f.upload(t, "--format", "json", f.files[0])
	require.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, `"outcome": "skipped"`)
	assert.Contains(t, r.stdout, `"reason": "already-imported"`)
	assert.Contains(t, r.stdout, `"accounts_registered": []`)
}

// Issue 10, defect 1: the flags that replace --force.
func TestUploadReimportAndRetryFlags(t *testing.T) {
	f := newUpFixture(t)
	r := f.upload(t, f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	n := len(f.sb.Requests())

	r = f.upload(t, "--force", f.files[0])
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--force is gone: it re-imported files already imported. Use --retry-unknown")

	dir := filepath.Dir(f.files[0])
	r = f.upload(t, "--reimport", dir, dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--reimport "+dir+": not a regular file: name each file to import again")

	r = f.upload(t, "--reimport", f.files[0], f.files[1])
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--reimport "+f.files[0]+": give the file among the FILEs too")

	// Every flag but --reimport: the done file is never sent.
	r = f.upload(t, "--retry-unknown", "--fail-fast", dir)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "skip "+f.files[0]+": already imported on ")
	assert.Equal(t, []string{"token", "accounts", "import", "import"}, f.routes()[n:], "the two other files only")

	// The dry run warns of a re-import.
	r = f.upload(t, "--dry-run", "--reimport", f.files[0], dir)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "WARNING: would import "+f.files[0]+" AGAIN (--reimport): it was imported on ")
	assert.Contains(t, r.stdout, "(1 again)")
	n = len(f.sb.Imports())
	r = f.upload(t, "--reimport", f.files[0], dir)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "imported "+f.files[0]+" AGAIN (--reimport) (1 statement)")
	assert.Len(t, f.sb.Imports(), n+1)
}

// Firm-wide: the line to add to the mapping for an unmapped account.
func TestUploadMappingHoldsBackUnmapped(t *testing.T) {
	f := newUpFixture(t)
	mapping := filepath.Join(t.TempDir(), "clients.csv")
	require.NoError(t, os.WriteFile(mapping, []byte("account,dossier,bank_name\nFR7030002005500000157845Z02,1001,\n"), 0o644))
	r := f.run(t, "", false, "upload", "--auth-url", f.srv.URL+"/identity/connect/token", "--api-url", f.srv.URL,
		"--mapping", mapping, "--state-dir", f.state, f.files[0], f.files[1])
	assert.Equal(t, exitUsage, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "registered account FR7030002005500000157845Z02 (30002 00550 0000157845Z EUR) in dossier 1001")
	assert.Contains(t, r.stdout, "imported "+f.files[0])
	assert.Contains(t, r.stdout, "held back "+f.files[1]+": account FR7630004008230001000015611 (30004 00823 00010000156 EUR, line 1) has no dossier in "+mapping+"; add the line:\n"+
		"    FR7630004008230001000015611,DOSSIER,BNP Paribas\n")
	assert.Contains(t, r.stdout, "1 held back")
	assert.Equal(t, []string{"token", "accounts", "import"}, f.routes())
}

// Issue 10, defect 4: the ways out of a refused "exists": the account
// recorded by hand, after which the file goes.
func TestUploadMarkRegistered(t *testing.T) {
	// The platform answers 400, not 409, for an account that exists.
	f := newUpFixtureWith(t, sandbox.Options{ExistsStatus: 400, ExistsMessage: "Account already exists in this enterprise."})
	r := f.upload(t, f.files[0]) // registers the LCL account
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	f.state = filepath.Join(t.TempDir(), "new-state") // a new machine
	r = f.upload(t, f.files[1], f.files[2])
	assert.Equal(t, exitNetwork, r.code)
	assert.Contains(t, r.stdout, "account FR7030002005500000157845Z02 (30002 00550 0000157845Z EUR, "+f.files[2]+" line 1) could not be registered in dossier 77: HTTP 400: \"Account already exists in this enterprise.\"\n")
	assert.Contains(t, r.stdout, "    cfonb journal --mark-registered --dossier 77 --state-dir "+f.state+" --api-url "+f.srv.URL+" FR7030002005500000157845Z02\n")
	assert.Contains(t, r.stdout, "held back "+f.files[2]+": account FR7030002005500000157845Z02 is not registered in dossier 77 (see above)\n")
	assert.Contains(t, r.stdout, "imported "+f.files[1])

	m := f.run(t, "", false, "journal", "--mark-registered", "--dossier", "77", "--state-dir", f.state, "--api-url", f.srv.URL, "FR7030002005500000157845Z02")
	require.Equal(t, exitOK, m.code, m.stderr)
	assert.Equal(t, "recorded account FR7030002005500000157845Z02 as registered in dossier 77 on "+f.srv.URL+"\n", m.stdout)
	n := len(f.sb.Requests())
	r = f.upload(t, f.files[1], f.files[2])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, []string{"token", "import"}, f.routes()[n:])
}

// Issue 16, item 8 through the command: nothing printed holds the token.
func TestUploadVerboseShowsRequestIDsAndUserAgent(t *testing.T) {
	f := newUpFixture(t)
	r := f.upload(t, "-v", f.files[0])
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "platform "+f.srv.URL+": token URL "+f.srv.URL+"/identity/connect/token, API URL "+f.srv.URL+"; dossier 77; state "+f.state+"\n")
	for _, req := range f.sb.Requests() {
		assert.Regexp(t, `^cfonb/`, req.Header.Get("User-Agent"), req.Path)
	}
	_ = sandbox.DefaultPassword
}
func TestMarkDoneHint(t *testing.T) {
	// The hint is copied into a shell: a path with spaces or quotes must
	// stay one argument.
	tests := []struct{ state, path, want string }{
		{"/home/u/.local/state/cfonb", "files/bnp-2026-03.txt",
			"cfonb journal --mark-done --state-dir /home/u/.local/state/cfonb --api-url https://api.example files/bnp-2026-03.txt"},
		{"/tmp/my state", "relevés mars/l'avril.txt",
			`cfonb journal --mark-done --state-dir '/tmp/my state' --api-url https://api.example 'relevés mars/l'\''avril.txt'`},
		{"", "$(rm -rf ~).txt", `cfonb journal --mark-done --state-dir '' --api-url https://api.example '$(rm -rf ~).txt'`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, words.MarkDoneHint("https://api.example", tt.state, tt.path, 0))
	}
	assert.Equal(t, "cfonb journal --mark-done --dossier 12 --state-dir /s --api-url https://api.example f.txt", words.MarkDoneHint("https://api.example", "/s", "f.txt", 12))
}

// Issue 16, item 10: a state directory that cannot be written stops the
// run before any request, with exit status 2 (local), not 3.
func TestUploadStateNotWritableSendsNothing(t *testing.T) {
	f := newUpFixture(t)
	notDir := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	f.state = filepath.Join(notDir, "state") // root cannot create it either
	r := f.upload(t, f.files[0])
	assert.Equal(t, exitUsage, r.code, r.stdout+r.stderr)
	assert.Empty(t, f.sb.Requests())

	if os.Geteuid() == 0 {
		return // root writes into a read-only directory; the library tests stand a read-only and a full disk in
	}
	f.state = filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.Mkdir(f.state, 0o700))
	require.NoError(t, os.Chmod(f.state, 0o500))
	t.Cleanup(func() { _ = os.Chmod(f.state, 0o700) })
	r = f.upload(t, f.files[0])
	assert.Equal(t, exitUsage, r.code, r.stdout+r.stderr)
	assert.Empty(t, f.sb.Requests())
}

// Issue 10, defect 8: --timeout bounds the wait for an answer; an import
// that gets none is recorded as unknown (exit 3), not resent.
func TestUploadTimeout(t *testing.T) {
	f := newUpFixture(t)
	f.sb.Inject(sandbox.Fault{Route: sandbox.RouteImport, Hang: true}, 1)
	r := f.upload(t, "--timeout", "200ms", f.files[0])
	assert.Equal(t, exitNetwork, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, f.files[0]+": OUTCOME UNKNOWN: ")
	assert.Equal(t, []string{"token", "accounts", "import"}, f.routes())

	r = f.upload(t, "--timeout", "-1s", f.files[0])
	assert.Equal(t, exitUsage, r.code)
}

// .cfonb.toml may name the platform, the dossier or the mapping; the
// command line wins, and a pair of URLs never comes half from each.
func TestUploadConfigurationAndCommandLine(t *testing.T) {
	f := newUpFixture(t)
	conf := filepath.Join(t.TempDir(), "cfonb.toml")
	mapping := filepath.Join(t.TempDir(), "clients.csv")
	require.NoError(t, os.WriteFile(mapping, []byte("FR7030002005500000157845Z02,1001,\n"), 0o644))
	require.NoError(t, os.WriteFile(conf, []byte("[upload]\ndossier = \"5\"\nauth-url = \""+f.srv.URL+"/identity/connect/token\"\napi-url = \""+f.srv.URL+"\"\n"), 0o644))
	f.environ["CFONB_CONFIG"] = conf
	up := func(args ...string) upResult {
		return f.run(t, "", false, append([]string{"upload", "--state-dir", f.state}, args...)...)
	}

	r := up("--dry-run", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "to "+f.srv.URL+", dossier 5\n")

	r = up("--dry-run", "--mapping", mapping, f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "to "+f.srv.URL+", dossier 1001\n", "the mapping typed replaces the dossier configured")

	r = up("--dry-run", "--env", "staging", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "to "+upload.StagingAPIURL+", dossier 5\n", "the platform typed is the platform meant")

	r = up("--dry-run", "--api-url", "http://127.0.0.1:1", f.files[0])
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--auth-url (from the configuration file) and --api-url (on the command line): give both URLs of one platform, in one place")
	assert.Empty(t, f.sb.Requests())
}
