package main

import (
	"bytes"
	"context"
	"fmt"

	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/cfonb-dev/cfonb/internal/atomicfile"
)

func newManCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "man [--dir DIR] [COMMAND]",
		Short: "print the manual page (or write one per command)",
		Long: `Prints cfonb's manual page in roff, generated from the same definitions as
--help, so that they never disagree: cfonb(1), or cfonb-COMMAND(1) for one
command. With --dir, writes every page (cfonb.1, cfonb-validate.1...) into
DIR instead.

Exit status: 0 written, 2 a usage or I/O error.`,
		Example: `  cfonb man | man -l -
  cfonb man validate > cfonb-validate.1
  cfonb man --dir /usr/local/share/man/man1`,
		DisableFlagsInUseLine: true,
	}
	dir := c.Flags().String("dir", "", "write every page into `DIR` instead of printing one")
	c.RunE = body(func(ctx context.Context, args []string) int {
		root := c.Root()
		if len(args) > 1 {
			return usageError(e, "man", "at most one COMMAND")
		}
		if *dir != "" {
			if len(args) > 0 {
				return usageError(e, "man", "--dir writes every page: give no COMMAND")
			}
			if err := writeManTree(root, *dir); err != nil {
				fmt.Fprintf(e.stderr, "cfonb man: %v\n", err)
				return exitUsage
			}
			return exitOK
		}
		target := root
		if len(args) == 1 {
			sub, _, err := root.Find(args)
			if err != nil || sub == root {
				return usageError(e, "man", "unknown command %q", args[0])
			}
			target = sub
		}
		page, err := manPage(target)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb man: %v\n", err)
			return exitUsage
		}
		if _, err := e.stdout.Write(page); err != nil {
			fmt.Fprintf(e.stderr, "cfonb man: %v\n", err)
			return exitUsage
		}
		return exitOK
	})
	return c
}

// manHeader is the header of every page. The date is the build's commit
// date when known, so that a build's pages are reproducible.
func manHeader() *doc.GenManHeader {
	h := &doc.GenManHeader{Title: "CFONB", Section: "1", Source: strings.TrimPrefix(versionString(), "cfonb "), Manual: "cfonb manual"}
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if bi := buildTime(); !bi.IsZero() {
		d = bi
	}
	h.Date = &d
	return h
}

// boolDefault matches the "[=false]" cobra/doc writes after a boolean
// flag: help shows boolean flags as --flag, and so does the manual.
var boolDefault = regexp.MustCompile(`(\\fB--[a-z0-9-]+\\fP)\[=(false|true)\]`)

// manPage renders one command's page.
func manPage(c *cobra.Command) ([]byte, error) {
	var buf bytes.Buffer
	h := manHeader()
	h.Title = strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-"))
	if err := doc.GenMan(c, h, &buf); err != nil {
		return nil, err
	}
	return boolDefault.ReplaceAll(buf.Bytes(), []byte("$1")), nil
}

// writeManTree writes the page of c and of each of its subcommands into
// dir.
func writeManTree(c *cobra.Command, dir string) error {
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := writeManTree(sub, dir); err != nil {
			return err
		}
	}
	page, err := manPage(c)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
	return atomicfile.WriteFile(name, page, 0o644)
}
