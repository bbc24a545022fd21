package words

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cfonb-dev/cfonb/upload"
)

// Issue 16, item 12: a file name (or a server message) holding a line end
// or an escape sequence cannot forge a line of its own in a terminal or in
// a CI log, such as a GitHub workflow command.
func TestWordsEscapeNames(t *testing.T) {
	hostile := "x\n::stop-commands::k\n\x1b[31m.txt"
	tests := []struct {
		name string
		res  upload.FileResult
		want string
	}{
		{
			name: "would import",
			res:  upload.FileResult{Path: hostile, Outcome: upload.OutcomeWouldImport, SHA256: strings.Repeat("ab", 32)},
			want: `would import x\n::stop-commands::k\n\x1b[31m.txt (0 statements, sha256 abababababababab) to p, dossier 7` + "\n",
		},
		{
			name: "failed, server message on two lines",
			res:  upload.FileResult{Path: hostile, Outcome: upload.OutcomeFailed, Reason: upload.ReasonRefused, HTTPStatus: 400, Message: "bad\n::error::forged"},
			want: `x\n::stop-commands::k\n\x1b[31m.txt was not imported: `,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := &Words{Out: &out, Platform: "p", DryRun: true}
			r := tt.res
			r.Dossiers = []int64{7}
			w.File(&r)
			got := out.String()
			assert.True(t, strings.HasPrefix(got, tt.want), "got %q", got)
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				assert.False(t, strings.HasPrefix(line, "::"), "a forged workflow command: %q", got)
				assert.NotContains(t, line, "\x1b", "a raw escape sequence: %q", got)
			}
		})
	}
}

func TestProgressEscapesName(t *testing.T) {
	var out bytes.Buffer
	Progress(&out)("a\nb\x1b.txt", 2<<20, 2<<20)
	assert.Equal(t, "\rsending a\\nb\\x1b.txt: 100% (2097152 of 2097152 bytes)\n", out.String())
}

// TestQuoteFor: the --mark-done hint is pasted into the user's shell, so a
// path is one word there: POSIX quoting on Unix, PowerShell's on Windows
// (where backslashes are ordinary and quotes are doubled).
func TestQuoteFor(t *testing.T) {
	tests := []struct{ goos, in, want string }{
		{"linux", "releves/2026-03.txt", "releves/2026-03.txt"},
		{"linux", "relevés mars.txt", `'relevés mars.txt'`},
		{"linux", "it's.txt", `'it'\''s.txt'`},
		{"linux", `C:\x.txt`, `'C:\x.txt'`},
		{"linux", "", "''"},
		{"windows", `C:\Users\compta\releves\2026-03.txt`, `C:\Users\compta\releves\2026-03.txt`},
		{"windows", `C:\Users\Léa Martin\relevé.txt`, `'C:\Users\Léa Martin\relevé.txt'`},
		{"windows", `D:\it's\a.txt`, `'D:\it''s\a.txt'`},
		{"windows", "D:\\it\u2019s.txt", "'D:\\it\u2019\u2019s.txt'"},
		{"windows", `\\server\share\$x.txt`, `'\\server\share\$x.txt'`},
		{"windows", "a,b.txt", "'a,b.txt'"},
		{"windows", "@a.txt", "'@a.txt'"},
		{"windows", "https://app.inqom.com", "https://app.inqom.com"},
		{"windows", "", "''"},
	}
	for _, tt := range tests {
		t.Run(tt.goos+" "+tt.in, func(t *testing.T) {
			if got := QuoteFor(tt.goos, tt.in); got != tt.want {
				t.Errorf("QuoteFor(%q, %q) = %s, want %s", tt.goos, tt.in, got, tt.want)
			}
		})
	}
}

// TestWordsPartlyImported: the refusal of a file that shares statements
// with an import agrees with its counts ("1 of its 3 statements was").
func TestWordsPartlyImported(t *testing.T) {
	for _, tt := range []struct {
		shared []string
		want   string
	}{
		{[]string{"A 2026-03"}, "not importing b.txt: 1 of its 3 statements was already imported in a.txt, in this run (A 2026-03): importing it would book it twice; remove it from the file, or name it with --reimport b.txt\n"},
		{[]string{"A 2026-03", "A 2026-04"}, "not importing b.txt: 2 of its 3 statements were already imported in a.txt, in this run (A 2026-03; A 2026-04): importing it would book them twice; remove them from the file, or name it with --reimport b.txt\n"},
	} {
		var out bytes.Buffer
		w := &Words{Out: &out, Platform: "p"}
		w.File(&upload.FileResult{
			Path: "b.txt", Outcome: upload.OutcomeBlocked, Reason: upload.ReasonPartlyImported,
			Statements: make([]upload.StatementRecord, 3), Shared: tt.shared, PreviousFile: "a.txt", Dossiers: []int64{7},
		})
		assert.Equal(t, tt.want, out.String())
	}
}

// TestPathArg: a path that starts with '-' is never read as options by
// the command printed for the user to copy.
func TestPathArg(t *testing.T) {
	sep := string(filepath.Separator)
	for _, tt := range []struct{ in, want string }{
		{"a.txt", "a.txt"},
		{"-x.txt", "." + sep + "-x.txt"},
		{"--reimport", "." + sep + "--reimport"},
		{"/tmp/-x.txt", "/tmp/-x.txt"},
		{"dir/-x.txt", "dir/-x.txt"},
	} {
		assert.Equal(t, QuoteFor(runtime.GOOS, tt.want), PathArg(tt.in), tt.in)
	}
}

// TestStateArg: the journal in a suggested command is the variable its URL
// came from, if any, else the URL without its password; a directory is
// given as a path.
func TestStateArg(t *testing.T) {
	const url = "postgres://cfonb:S3cret@db.example/cfonb"
	assert.Equal(t, `--state "$CFONB_STATE"`, stateArg(url, "CFONB_STATE"))
	assert.Equal(t, "--state "+QuoteFor(runtime.GOOS, "postgres://cfonb@db.example/cfonb"), stateArg(url, ""))
	assert.Equal(t, "--state-dir "+PathArg("/var/lib/cfonb"), stateArg("/var/lib/cfonb", "CFONB_STATE"))
}
