package upload

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// Issue 10, defect 3: the scheme is "Bearer" whatever token_type the
// server names; the sandbox answers 401 to any other scheme.
func TestRunAlwaysSendsBearer(t *testing.T) {
	for _, tokenType := range []string{"JWT", "bearer", "MAC", ""} {
		t.Run(tokenType, func(t *testing.T) {
			f := newFixtureWith(t, sandbox.Options{TokenType: tokenType})
			a := f.file(t, "a.txt", lclMarch)
			_, err := f.run(t, f.opts(), a)
			require.NoError(t, err, f.out.String())
			assert.Equal(t, []string{"token 200", "accounts 200", "import 200"}, f.routes())
			for _, r := range f.sb.Requests()[1:] {
				assert.Equal(t, "Bearer", r.AuthScheme(), r.Path)
			}
		})
	}
}

// Issue 16, item 7: after an import to http://127.0.0.1:P, no other
// spelling of that URL imports the file again.
func TestRunOtherSpellingsOfOneURLDoNotImportAgain(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	_, err := f.run(t, f.opts(), a)
	require.NoError(t, err, f.out.String())
	require.Len(t, f.sb.Imports(), 1)
	port := f.srv.URL[strings.LastIndexByte(f.srv.URL, ':')+1:]
	for _, base := range []string{
		"http://localhost:" + port,
		"http://LOCALHOST.:" + port,
		"http://127.0.0.1:0" + port,
		"http://[::ffff:127.0.0.1]:" + port,
		"http://127.0.0.1:" + port + "/.",
		"http://127.0.0.1:" + port + "/x/..",
		"http://127.0.0.1:" + port + "/",
	} {
		t.Run(base, func(t *testing.T) {
			opts := f.opts()
			opts.Endpoints = Endpoints{AuthURL: base + TokenPath, APIURL: base}
			sum, err := f.run(t, opts, a)
			require.NoError(t, err, f.out.String())
			assert.Equal(t, 1, sum.Skipped)
			assert.Equal(t, 0, sum.Imported)
		})
	}
	assert.Len(t, f.sb.Imports(), 1)
	assert.Equal(t, []string{"token 200", "accounts 200", "import 200"}, f.routes())
}
