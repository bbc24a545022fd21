package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allCommands are the commands cfonb --help lists.
var allCommands = []string{"validate", "inspect", "fmt", "export", "upload", "journal", "sandbox", "gen", "config", "man", "version", "completion"}

// TestHelpOnStdout: every command's --help (and "cfonb help CMD") goes to
// standard output with exit status 0, starts with its usage line, shows
// boolean flags as --flag and has no empty section.
func TestHelpOnStdout(t *testing.T) {
	for _, name := range allCommands {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := cliRun(t, "", args...)
				assert.Equal(t, exitOK, r.code)
				assert.Empty(t, r.stderr)
				assert.True(t, strings.HasPrefix(r.stdout, "Usage: cfonb "+name), r.stdout)
				assert.NotContains(t, r.stdout, "[=true|false]")
				assert.NotContains(t, r.stdout, "[=false]")
				assert.NotRegexp(t, `(?m)^[A-Z][a-z]+:\n\n`, r.stdout, "an empty section")
				assert.True(t, strings.HasSuffix(r.stdout, "\n") && !strings.HasSuffix(r.stdout, "\n\n"), "one final newline")
			})
		}
	}
	r := cliRun(t, "", "--help")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	for _, name := range allCommands {
		assert.Regexp(t, `(?m)^  `+name+` +[a-z]`, r.stdout)
	}
	assert.Less(t, strings.Index(r.stdout, "  validate "), strings.Index(r.stdout, "  inspect "), "the daily commands first")
}

// TestHelpFlags: a boolean flag is listed bare, a valued one with its type
// and default.
func TestHelpFlags(t *testing.T) {
	r := cliRun(t, "", "validate", "--help")
	assert.Regexp(t, `(?m)^      --strict +fail \(exit 1\) on warnings too$`, r.stdout)
	assert.Regexp(t, `(?m)^  -f, --format string +report format: .* \(default "text"\)$`, r.stdout)
	r = cliRun(t, "", "inspect", "--help")
	assert.Contains(t, r.stdout, "Flags:\n  -f, --format string ")
}

// TestNoCommand: cfonb alone prints its usage on standard error, exit 2.
func TestNoCommand(t *testing.T) {
	r := cliRun(t, "")
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "Usage: cfonb COMMAND")
}

// TestDidYouMean: a mistyped command or flag gets a suggestion, exit 2.
func TestDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"valdate", "x"}, "cfonb: unknown command \"valdate\" for \"cfonb\"\n\nDid you mean this?\n\tvalidate\nRun 'cfonb --help' for the list of commands.\n"},
		{[]string{"frobnicate"}, "cfonb: unknown command \"frobnicate\" for \"cfonb\"\nRun 'cfonb --help' for the list of commands.\n"},
		{[]string{"validate", "--strcit", "x"}, "cfonb validate: unknown flag: --strcit (did you mean --strict?) (see cfonb validate --help)\n"},
		{[]string{"fmt", "--chek"}, "cfonb fmt: unknown flag: --chek (did you mean --check?) (see cfonb fmt --help)\n"},
		{[]string{"fmt", "--zzzzz"}, "cfonb fmt: unknown flag: --zzzzz (see cfonb fmt --help)\n"},
		{[]string{"export", "--out", "x"}, "cfonb export: unknown flag: --out (did you mean --output?) (see cfonb export --help)\n"},
		{[]string{"gen", "--size"}, "cfonb gen: flag needs an argument: --size (see cfonb gen --help)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := cliRun(t, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, tt.want, r.stderr)
		})
	}
}

// TestVersion: --version, -v and "version" print the version, the VCS
// revision and the Go version.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		r := cliRun(t, "", args...)
		assert.Equal(t, exitOK, r.code)
		assert.Empty(t, r.stderr)
		assert.True(t, strings.HasPrefix(r.stdout, "cfonb "), r.stdout)
		assert.True(t, strings.HasSuffix(r.stdout, " "+runtime.Version()+"\n"), r.stdout)
	}
}

func TestFormatVersion(t *testing.T) {
	set := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		st   stamp
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"},
			Settings: set("vcs.revision", "58c237c0123456789abcdef", "vcs.time", "2026-12-04T15:00:00Z", "vcs.modified", "false")},
			stamp{}, "cfonb v1.2.0 (revision 58c237c01234, 2026-12-04T15:00:00Z) go1.26.0"},
		{"modified tree", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: set("vcs.revision", "58c237c0123456789abcdef", "vcs.modified", "true")},
			stamp{}, "cfonb (devel) (revision 58c237c01234, modified) go1.26.0"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.0"}, stamp{}, "cfonb (devel) (no VCS revision) go1.26.0"},
		{"no build info", nil, stamp{}, "cfonb (devel) (no build information)"},
		// goreleaser: -trimpath and GOFLAGS=-buildvcs=false leave no vcs.*
		// settings; the ldflags stamps stand in for them.
		{"goreleaser stamps", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			stamp{"1.3.0-snapshot+58c237c", "58c237c0123456789abcdef", "2026-12-04T15:00:00Z"},
			"cfonb 1.3.0-snapshot+58c237c (revision 58c237c01234, 2026-12-04T15:00:00Z) go1.26.0"},
		{"build information wins over stamps", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"},
			Settings: set("vcs.revision", "aaaaaaaaaaaaaaaaaaaa")},
			stamp{"", "58c237c0123456789abcdef", "2026-12-04T15:00:00Z"},
			"cfonb v1.2.0 (revision aaaaaaaaaaaa) go1.26.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatVersion(tt.bi, tt.st))
		})
	}
}

// TestCompletion: the four shells get a script, and the completion of a
// flag comes from the command's flag definitions.
func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := cliRun(t, "", "completion", sh)
		assert.Equal(t, exitOK, r.code, sh)
		assert.Contains(t, r.stdout, "cfonb", sh)
		assert.Greater(t, len(r.stdout), 1000, sh)
	}
	r := cliRun(t, "", "completion", "tcsh")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb: unknown command \"tcsh\" for \"cfonb completion\"\nRun 'cfonb --help' for the list of commands.\n", r.stderr)
	r = cliRun(t, "", "completion")
	assert.Equal(t, exitUsage, r.code)

	r = cliRun(t, "", "__complete", "validate", "--st")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "--strict\tfail (exit 1) on warnings too\n")
	r = cliRun(t, "", "__complete", "val")
	assert.Contains(t, r.stdout, "validate\tcheck CFONB120 files and report every problem\n")
}

// TestMan: the manual pages list every flag of the command, from the same
// definitions as --help, with boolean flags shown bare.
func TestMan(t *testing.T) {
	r := cliRun(t, "", "man")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `.TH "CFONB" "1"`)
	assert.Contains(t, r.stdout, `cfonb-validate(1)`)

	e := &env{}
	for _, c := range commands(e) {
		r := cliRun(t, "", "man", c.Name())
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `.TH "CFONB-`+strings.ToUpper(c.Name())+`" "1"`)
		assert.NotContains(t, r.stdout, "[=false]")
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden { // a removed flag kept to explain its replacement
				return
			}
			assert.Contains(t, r.stdout, `\fB--`+f.Name+`\fP`, "%s --%s", c.Name(), f.Name)
		})
	}

	dir := t.TempDir()
	r = cliRun(t, "", "man", "--dir", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, name := range []string{"cfonb.1", "cfonb-validate.1", "cfonb-fmt.1", "cfonb-completion-bash.1"} {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.NoError(t, err, name)
	}
	r = cliRun(t, "", "man", "nope")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb man: unknown command \"nope\" (see cfonb man --help)\n", r.stderr)
}

// TestManDoesNotDependOnTheMachine: a flag's default shown by --help and
// the manual pages is the same on every machine, so that the pages built
// for a release do not carry the build machine's CPU count or home
// directory (--jobs said "default 2" on the build machine).
func TestManDoesNotDependOnTheMachine(t *testing.T) {
	pages := func() string {
		dir := t.TempDir()
		r := cliRun(t, "", "man", "--dir", dir)
		require.Equal(t, exitOK, r.code, r.stderr)
		var all strings.Builder
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, entry := range entries {
			b, err := os.ReadFile(filepath.Join(dir, entry.Name()))
			require.NoError(t, err)
			all.WriteString(entry.Name() + "\n" + string(b))
		}
		return all.String()
	}
	t.Setenv("HOME", "/home/first")
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	first := pages()
	t.Setenv("HOME", "/home/second")
	t.Setenv("XDG_CONFIG_HOME", "/xdg/config")
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	t.Setenv("XDG_CACHE_HOME", "/xdg/cache")
	assert.Equal(t, first, pages())
	assert.NotContains(t, first, "/home/first")

	e := &env{}
	for _, c := range commands(e) {
		if f := c.Flags().Lookup("jobs"); f != nil {
			assert.Equal(t, "0", f.DefValue, "cfonb %s --jobs: the default must not be the CPU count of the machine that runs it", c.Name())
		}
	}
}
