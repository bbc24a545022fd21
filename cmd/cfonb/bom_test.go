package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadByteOrderMarkInputs: a mapping saved by Excel as "CSV UTF-8"
// and a .cfonb.toml saved by Notepad start with a UTF-8 byte order mark.
// The mapping's header was taken for an account (exit 2) and the
// configuration was refused ("invalid character at start of key"); both
// are read now. Found by a review.
func TestUploadByteOrderMarkInputs(t *testing.T) {
	f := newUpFixture(t)
	dir := t.TempDir()
	mapping := filepath.Join(dir, "clients.csv")
	require.NoError(t, os.WriteFile(mapping, []byte("\ufeffaccount,dossier,bank_name\r\nFR7030002005500000157845Z02,1001,LCL\r\n"), 0o644))
	conf := filepath.Join(dir, "cfonb.toml")
	require.NoError(t, os.WriteFile(conf, []byte("\ufeff[upload]\r\nauth-url = \""+f.srv.URL+"/identity/connect/token\"\r\napi-url = \""+f.srv.URL+"\"\r\nmapping = \""+filepath.ToSlash(mapping)+"\"\r\n"), 0o644))
	f.environ["CFONB_CONFIG"] = conf
	r := f.run(t, "", false, "upload", "--state-dir", f.state, "--dry-run", f.files[0])
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "to "+f.srv.URL+", dossier 1001\n")
	assert.Empty(t, f.sb.Requests())
}
