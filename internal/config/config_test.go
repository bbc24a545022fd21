package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var schema = Schema{
	"validate": {"select", "ignore", "strict", "max-errors", "include"},
	"upload":   {"env", "dossier", "bank-name"},
}

func write(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, FileName)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func TestLoad(t *testing.T) {
	p := write(t, t.TempDir(), `# team settings
[validate]
ignore = ["reserved-zone", "fields"]
strict = true
max-errors = 50

[upload]
dossier = 12345
env = "staging"
`)
	f, err := Load(p, schema)
	require.NoError(t, err)
	assert.Equal(t, []Setting{
		{"validate", "ignore", []string{"reserved-zone", "fields"}, 3},
		{"validate", "strict", []string{"true"}, 4},
		{"validate", "max-errors", []string{"50"}, 5},
		{"upload", "dossier", []string{"12345"}, 8},
		{"upload", "env", []string{"staging"}, 9},
	}, f.Settings)
	assert.Len(t, f.Section("upload"), 2)
}

// TestLoadRefuses: unknown keys and sections, credentials and bad values
// are refused with the file, line and column, and a suggestion.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown key", "[validate]\nstrict = true\nslect = [\"date\"]\n",
			[]string{`:3:1: unknown key "slect" in [validate] (did you mean "select"?): its keys are select, ignore, strict, max-errors, include`}},
		{"unknown section", "[valdate]\nstrict = true\n",
			[]string{`:1:2: unknown section "valdate" (did you mean "validate"?): the sections are upload, validate`}},
		{"credential", "[upload]\npassword = \"hunter2\"\nclient-secret = \"x\"\n",
			[]string{`:3:1: upload.client-secret: credentials never go in .cfonb.toml`, `:2:1: upload.password: credentials never go in .cfonb.toml`}},
		{"top-level credential", "token = \"x\"\n", []string{`:1:1: token: credentials never go in .cfonb.toml`}},
		{"bad value", "[validate]\ninclude = [[\"a\"]]\n", []string{`:2:1: validate.include: an array holds strings, numbers or booleans only`}},
		{"syntax", "[validate\n", []string{FileName + ":1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, tt.text)
			_, err := Load(p, schema)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), p), err.Error())
			assert.NotContains(t, err.Error(), "hunter2", "a credential's value is never repeated")
		})
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	p, err := Find(sub)
	require.NoError(t, err)
	if p != "" {
		// A .cfonb.toml above the temporary directory: nothing to test.
		t.Skipf("found %s above the test directory", p)
	}
	want := write(t, filepath.Join(root, "a"), "")
	p, err = Find(sub)
	require.NoError(t, err)
	assert.Equal(t, want, p, "the nearest parent's")
	nearer := write(t, sub, "")
	p, err = Find(sub)
	require.NoError(t, err)
	assert.Equal(t, nearer, p)
}

// TestLoadByteOrderMark: a .cfonb.toml saved by Notepad or Excel starts
// with a UTF-8 byte order mark, which the TOML parser refused ("invalid
// character at start of key: U+00EF"): one leading mark is skipped, and
// lines stay those of the file. Found by a review.
func TestLoadByteOrderMark(t *testing.T) {
	p := write(t, t.TempDir(), "\ufeff[validate]\r\nstrict = true\r\n")
	f, err := Load(p, schema)
	require.NoError(t, err)
	assert.Equal(t, []Setting{{"validate", "strict", []string{"true"}, 2}}, f.Settings)

	p = write(t, t.TempDir(), "\ufeff[validate]\nslect = true\n")
	_, err = Load(p, schema)
	require.Error(t, err)
	assert.Equal(t, p+`:2:1: unknown key "slect" in [validate] (did you mean "select"?): its keys are select, ignore, strict, max-errors, include`, err.Error())
}
