package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileNames are file names that would act on a terminal or a CI log if
// printed raw (issue 16.12).
var hostileNames = []string{
	"x\n::stop-commands::k\n.txt",
	"\x1b[31mred\x1b[0m.txt",
	"::warning file=a.txt::fake.txt",
	"##[error]fake.txt",
	"a\r::error::b.txt",
	"rtl\u202etxt.exe",
	"bad\xffbyte.txt",
	"tab\there.txt",
}

func hostileReport(name string) *Report {
	return &Report{Path: name, Records: 2, Errors: 1, Diagnostics: []Diagnostic{
		{File: name, Line: 1, Column: 3, Severity: SeverityError, Rule: RuleDate, Message: "a bad date \x1b[2J"},
	}}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"statements/2024-01.txt", "statements/2024-01.txt"},
		{"relevé janvier.txt", "relevé janvier.txt"},
		{"<stdin>", "<stdin>"},
		{"", ""},
		{"x\n::stop-commands::k\n.txt", `"x\n::stop-commands::k\n.txt"`},
		{"\x1b[31mred.txt", `"\x1b[31mred.txt"`},
		{"::warning::x", `"::warning::x"`},
		{"##[error]x", `"##[error]x"`},
		{" lead", `" lead"`},
		{"rtl\u202etxt", `"rtl\u202etxt"`},
		{"bad\xff", `"bad\xff"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, SafeName(tt.in), "%q", tt.in)
	}
	assert.Equal(t, `open x\n::stop-commands::k\n.txt: no such file`, SafeText("open x\n::stop-commands::k\n.txt: no such file"))
	assert.Equal(t, `a "quoted" name\x1b`, SafeText("a \"quoted\" name\x1b"))
}

// noRawControl fails if out holds a control byte other than the line
// ends that end its lines, or an invalid UTF-8 byte.
func noRawControl(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.False(t, needsEscape(line), "raw control character or invalid byte in %q", line)
	}
}

// TestEscapeText: the text report prints hostile names escaped.
func TestEscapeText(t *testing.T) {
	for _, name := range hostileNames {
		var b bytes.Buffer
		require.NoError(t, WriteText(&b, []*Report{hostileReport(name)}))
		out := b.String()
		noRawControl(t, out)
		assert.Equal(t, 2, strings.Count(out, "\n"), "one diagnostic line and one summary line: %q", out)
		assert.Contains(t, out, SafeName(name)+":1:3: error: a bad date \\x1b[2J [date]\n")
	}
}

// TestEscapeGitHub: in --format github, no file name can start a workflow
// command: the only lines starting with "::" are cfonb's annotations, and
// a name cannot end their properties.
func TestEscapeGitHub(t *testing.T) {
	for _, name := range hostileNames {
		var b bytes.Buffer
		require.NoError(t, WriteGitHub(&b, []*Report{hostileReport(name)}))
		out := b.String()
		noRawControl(t, out)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, lines, 2, "%q", out)
		assert.Regexp(t, `^::error file=[^,:]*,line=1,col=3,title=date::a bad date \\x1b\[2J$`, lines[0])
		assert.False(t, strings.HasPrefix(strings.TrimLeft(lines[1], " \t"), "::"), lines[1])
		assert.False(t, strings.HasPrefix(strings.TrimLeft(lines[1], " \t"), "##"), lines[1])
	}
	var b bytes.Buffer
	require.NoError(t, WriteGitHub(&b, []*Report{hostileReport("a%3A,b:c.txt")}))
	assert.True(t, strings.HasPrefix(b.String(), "::error file=a%253A%2Cb%3Ac.txt,line=1,"), b.String())
}

// TestEscapeJSON: the JSON report escapes control characters, and reads
// back to the same names.
func TestEscapeJSON(t *testing.T) {
	for _, name := range hostileNames {
		var b bytes.Buffer
		require.NoError(t, WriteJSON(&b, []*Report{hostileReport(name)}))
		noRawControl(t, b.String())
		var doc struct {
			Files []struct{ Path string }
		}
		require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
		require.Len(t, doc.Files, 1)
		if !strings.Contains(name, "\xff") {
			assert.Equal(t, name, doc.Files[0].Path)
		}
	}
}
