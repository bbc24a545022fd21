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
		if _, err := fmt.Fprintln(e.stdout, versionString()); err != nil {
			return outputFailed(e, "version", err)
		}
		return exitOK
	})
	return c
}

// Stamped at link time by release builds (.goreleaser.yaml's ldflags:
// -X main.version=1.2.3 -X main.commit=SHA -X main.commitDate=RFC3339),
// empty otherwise; never written at run time. version overrides the module
// version of the build information. commit and commitDate stand in for the
// build information's VCS settings when the build had none: goreleaser
// builds with -trimpath, and a GOFLAGS=-buildvcs=false in the environment
// (as on this project's machines) leaves no vcs.* settings.
var version, commit, commitDate string

// stamp is what the linker stamped into a build.
type stamp struct{ version, commit, date string }

// versionString is what cfonb --version prints, from the binary's build
// information and link-time stamps.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(bi, stamp{version, commit, commitDate})
}

// formatVersion describes a build: "cfonb VERSION (revision REV[,
// modified], TIME) GOVERSION". Missing parts are left out. The build
// information's VCS settings win over the stamps.
func formatVersion(bi *debug.BuildInfo, st stamp) string {
	if bi == nil {
		return "cfonb (devel) (no build information)"
	}
	v := bi.Main.Version
	if st.version != "" {
		v = st.version
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
	if rev == "" && when == "" {
		rev, when = st.commit, st.date
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

// buildTime is the commit time of the build's revision (or the stamped
// commit date), or zero.
func buildTime() time.Time {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				t, _ := time.Parse(time.RFC3339, s.Value)
				return t
			}
		}
	}
	t, _ := time.Parse(time.RFC3339, commitDate)
	return t
}
