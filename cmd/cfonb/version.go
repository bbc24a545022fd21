package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newVersionCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "version",
		Short: "print the version, the VCS revision and the Go version",
		Long: `Prints the version cfonb was built as, the version control revision it was
built from (with "modified" if the tree had uncommitted changes) and the Go
version, as cfonb --version does.`,
		Args: cobra.NoArgs,
	}
	c.RunE = body(func(context.Context, []string) int {
		fmt.Fprintln(e.stdout, versionString())
		return exitOK
	})
	return c
}

// version is the release version, stamped at link time by release builds
// (goreleaser: -ldflags "-X main.version=1.2.3"); empty otherwise, when
// the module version of the build information is shown. It is never
// written at run time.
var version string

// versionString is what cfonb --version prints, from the binary's build
// information.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(bi)
}

// formatVersion describes a build: "cfonb VERSION (revision REV[,
// modified], TIME) GOVERSION". Missing parts are left out.
func formatVersion(bi *debug.BuildInfo) string {
	if bi == nil {
		return "cfonb (devel) (no build information)"
	}
	v := bi.Main.Version
	if version != "" {
		v = version
	}
	if v == "" {
		v = "(devel)"
	}
	var rev, when string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var vcs []string
	if rev != "" {
		r := "revision " + rev[:min(12, len(rev))]
		if modified {
			r += ", modified"
		}
		vcs = append(vcs, r)
	}
	if when != "" {
		vcs = append(vcs, when)
	}
	s := "cfonb " + v
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	} else {
		s += " (no VCS revision)"
	}
	return s + " " + bi.GoVersion
}

// buildTime is the commit time of the build's revision, or zero.
func buildTime() time.Time {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			t, _ := time.Parse(time.RFC3339, s.Value)
			return t
		}
	}
	return time.Time{}
}
