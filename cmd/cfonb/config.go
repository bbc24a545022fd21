package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cfonb-dev/cfonb/internal/config"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/validate"
)

// configSchema lists the flags that .cfonb.toml may set, per command.
// Credentials are never among them.
func configSchema() config.Schema {
	return config.Schema{
		"validate": {"select", "ignore", "strict", "pedantic", "max-errors", "include", "exclude", "format", "jobs"},
		"fmt":      {"encoding", "eol", "include", "exclude", "jobs"},
		"export":   {"format", "csv-sep", "decimal-comma", "bom"},
		"upload":   {"env", "dossier", "mapping", "state-dir", "bank-name", "auth-url", "api-url"},
	}
}

// configSection is the section of c, if the file may configure it.
func configSection(c *cobra.Command) (string, bool) {
	_, ok := configSchema()[c.Name()]
	return c.Name(), ok && c.HasParent()
}

// findConfig returns the configuration file that applies: $CFONB_CONFIG
// (a path, or "none" for no file), else .cfonb.toml in the current
// directory or its nearest parent; "" if none.
func findConfig(e *env) (string, error) {
	if e.getenv == nil { // tests that touch no environment
		return "", nil
	}
	if p := e.getenv("CFONB_CONFIG"); p != "" {
		if p == "none" {
			return "", nil
		}
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return config.Find(wd)
}

// loadConfig finds and loads the configuration file; nil when there is
// none.
func loadConfig(e *env) (*config.File, error) {
	p, err := findConfig(e)
	if err != nil || p == "" {
		return nil, err
	}
	return config.Load(p, configSchema())
}

// applyConfig sets the flags of c that the configuration file sets and
// the command line does not, and records where each came from.
func applyConfig(e *env, c *cobra.Command) error {
	section, ok := configSection(c)
	if !ok {
		return nil
	}
	f, err := loadConfig(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "cfonb %s: configuration: %s\n", c.Name(), validate.SafeText(err.Error()))
		return exitStatus(exitUsage)
	}
	return setFromConfig(e, c, f, section)
}

// setFromConfig applies the settings of section to c's flags.
func setFromConfig(e *env, c *cobra.Command, f *config.File, section string) error {
	for _, s := range f.Section(section) {
		fl := c.Flags().Lookup(s.Key)
		if fl == nil || fl.Changed {
			continue // the command line wins
		}
		for _, v := range s.Values {
			// Set as the command line would (Changed, as a flag given).
			if err := c.Flags().Set(s.Key, v); err != nil {
				fmt.Fprintf(e.stderr, "cfonb %s: %s:%d: %s: %v\n", c.Name(), f.Path, s.Line, s.Key, err)
				return exitStatus(exitUsage)
			}
		}
		if fl.Annotations == nil {
			fl.Annotations = map[string][]string{}
		}
		fl.Annotations["cfonb-config"] = []string{fmt.Sprintf("%s:%d", f.Path, s.Line)}
	}
	return nil
}

func newConfigCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "config [COMMAND]",
		Short: "print the effective settings and where each came from",
		Long: `Prints the settings that .cfonb.toml may hold, per command, with their
effective values and where each came from: the configuration file (with
its line) or the default. The file is .cfonb.toml in the current directory
or its nearest parent (as ruff and golangci-lint find theirs), or the file
named by $CFONB_CONFIG ("none": no file).

The file has one section per command, whose keys are the command's long
flag names; a flag given on the command line overrides the file. A key the
command does not take is refused with its line and the closest key.
Credentials never go in the file: they come from the environment.

  [validate]
  ignore = ["reserved-zone"]   # rule ids or families (file, fields, statements)
  strict = true
  exclude = ["archive"]

  [fmt]
  eol = "crlf"

  [export]
  format = "csv"
  csv-sep = ";"
  decimal-comma = true

  [upload]
  env = "staging"
  dossier = "12345"

The output is itself a valid .cfonb.toml.

Exit status: 0 printed, 2 the file is refused (the message names the line).`,
		Example: `  cfonb config
  cfonb config validate`,
		Args:                  cobra.MaximumNArgs(1),
		DisableFlagsInUseLine: true,
	}
	c.RunE = body(func(_ context.Context, args []string) int {
		f, err := loadConfig(e)
		if err != nil {
			fmt.Fprintf(e.stderr, "cfonb config: %s\n", validate.SafeText(err.Error()))
			return exitUsage
		}
		schema := configSchema()
		var sections []string
		for _, cmd := range commands(e) {
			if _, ok := schema[cmd.Name()]; ok && (len(args) == 0 || args[0] == cmd.Name()) {
				sections = append(sections, cmd.Name())
			}
		}
		if len(sections) == 0 {
			var known []string
			for s := range schema {
				known = append(known, s)
			}
			slices.Sort(known)
			return usageError(e, "config", "no settings for %q: the file configures %s", args[0], strings.Join(known, ", "))
		}
		w := &stickyWriter{w: e.stdout}
		if f != nil {
			fmt.Fprintf(w, "# configuration file: %s\n", f.Path)
		} else {
			fmt.Fprintln(w, "# no configuration file (.cfonb.toml here or in a parent directory): defaults")
		}
		for _, cmd := range commands(e) {
			if !slices.Contains(sections, cmd.Name()) {
				continue
			}
			if f != nil {
				if err := setFromConfig(e, cmd, f, cmd.Name()); err != nil {
					return exitUsage
				}
			}
			fmt.Fprintf(w, "\n[%s]\n", cmd.Name())
			for _, key := range schema[cmd.Name()] {
				fl := cmd.Flags().Lookup(key)
				if fl == nil {
					continue
				}
				from := "default"
				if src := fl.Annotations["cfonb-config"]; len(src) > 0 {
					from = src[0]
				}
				value := tomlValue(fl)
				raw := fl.Value.String()
				if key == "state-dir" && from == "default" && e.getenv(envState) != "" {
					// The journal the command uses (stateFromFlags):
					// $CFONB_STATE, when neither a flag nor the file
					// names one.
					raw = e.getenv(envState)
					value, from = strconv.Quote(raw), "from $"+envState
				}
				if key == "state-dir" && journal.IsPostgres(raw) {
					// A PostgreSQL URL may hold its password: printed
					// as every other command prints it (journal.Redact).
					value = strconv.Quote(journal.Redact(raw))
					from += ", password hidden"
				}
				line := fmt.Sprintf("%s = %s", key, value)
				fmt.Fprintf(w, "%-40s # %s\n", line, from)
			}
		}
		if w.err != nil {
			return outputFailed(e, "config", w.err)
		}
		return exitOK
	})
	return c
}

// tomlValue writes a flag's value as TOML.
func tomlValue(fl *pflag.Flag) string {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		var parts []string
		for _, s := range sv.GetSlice() {
			parts = append(parts, strconv.Quote(s))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	switch fl.Value.Type() {
	case "bool", "int", "int64", "float64":
		return fl.Value.String()
	}
	return strconv.Quote(fl.Value.String())
}
