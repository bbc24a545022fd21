// Package config reads cfonb's configuration file, .cfonb.toml, found in
// the current directory or its nearest parent as ruff and golangci-lint
// find theirs. The file holds a section per command ([validate], [fmt],
// [export], [upload]) whose keys are that command's long flag names; a
// flag given on the command line overrides the file.
//
// The file is refused, naming its line, when it holds a key that the
// command does not take (with the closest key as a suggestion) or a
// credential: credentials come from the environment only.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/suggest"
)

// FileName is the name of the configuration file.
const FileName = ".cfonb.toml"

// Schema lists, per section, the keys a file may set.
type Schema map[string][]string

// Setting is one key set in the file.
type Setting struct {
	Section, Key string
	// Values are the value as command-line flag values: one for a
	// scalar, one per element for an array.
	Values []string
	// Line is the line of the key in the file.
	Line int
}

// File is a configuration file that Load accepted.
type File struct {
	Path     string
	Settings []Setting
}

// Section returns the settings of one section, in the file's order.
func (f *File) Section(name string) []Setting {
	if f == nil {
		return nil
	}
	var out []Setting
	for _, s := range f.Settings {
		if s.Section == name {
			out = append(out, s)
		}
	}
	return out
}

// Find returns the path of the configuration file in dir or its nearest
// parent, or "" if there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("%s: not a regular file", p)
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// credentialWords are the key words that name a credential.
var credentialWords = []string{"password", "secret", "token", "username", "user", "client-id", "client_id", "clientid", "api-key", "apikey"}

// isCredential reports whether key names a credential.
func isCredential(key string) bool {
	k := strings.ToLower(key)
	for _, w := range credentialWords {
		if k == w || strings.Contains(k, w) && w != "user" {
			return true
		}
	}
	return false
}

// Load reads and checks the file at path against schema. Every problem
// is named with the file, line and column, and the errors are joined.
func Load(path string, schema Schema) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A file saved by Notepad or Excel may start with a UTF-8 byte order
	// mark, which the TOML parser refuses: skip one.
	data = bytes.TrimPrefix(data, []byte(cfonb.UTF8BOM))
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %s", path, row, col, de.Error())
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pos := keyPositions(data)
	where := func(key string) string {
		if p, ok := pos[key]; ok {
			return fmt.Sprintf("%s:%d:%d", path, p.Line, p.Column)
		}
		return path
	}
	f := &File{Path: path}
	var errs []error
	var sections []string
	for s := range schema {
		sections = append(sections, s)
	}
	slices.Sort(sections)
	for _, name := range sortedKeys(doc) {
		v := doc[name]
		if isCredential(name) {
			errs = append(errs, credentialError(where(name), name))
			continue
		}
		keys, known := schema[name]
		table, isTable := v.(map[string]any)
		if !known || !isTable {
			errs = append(errs, fmt.Errorf("%s: unknown section %q%s: the sections are %s", where(name), name,
				didYouMean(name, sections), strings.Join(sections, ", ")))
			continue
		}
		for _, key := range sortedKeys(table) {
			full := name + "." + key
			if isCredential(key) {
				errs = append(errs, credentialError(where(full), full))
				continue
			}
			if !slices.Contains(keys, key) {
				errs = append(errs, fmt.Errorf("%s: unknown key %q in [%s]%s: its keys are %s", where(full), key, name,
					didYouMean(key, keys), strings.Join(keys, ", ")))
				continue
			}
			values, err := flagValues(table[key])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", where(full), full, err))
				continue
			}
			f.Settings = append(f.Settings, Setting{Section: name, Key: key, Values: values, Line: pos[full].Line})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortStableFunc(f.Settings, func(a, b Setting) int { return a.Line - b.Line })
	return f, nil
}

func credentialError(where, key string) error {
	return fmt.Errorf("%s: %s: credentials never go in %s (it is shared, and often committed): set INQOM_USERNAME, INQOM_PASSWORD, INQOM_CLIENT_ID and INQOM_CLIENT_SECRET in the environment", where, key, FileName)
}

// flagValues turns a TOML value into command-line flag values.
func flagValues(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case bool:
		return []string{strconv.FormatBool(v)}, nil
	case int64:
		return []string{strconv.FormatInt(v, 10)}, nil
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}, nil
	case []any:
		out := []string{}
		for _, e := range v {
			if _, nested := e.([]any); nested {
				return nil, errors.New("an array holds strings, numbers or booleans only")
			}
			s, err := flagValues(e)
			if err != nil || len(s) != 1 {
				return nil, errors.New("an array holds strings, numbers or booleans only")
			}
			out = append(out, s[0])
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string, a number, a boolean or an array of them, not %T", v)
}

// keyPositions returns the position of each key of data, as
// "section.key" (and "section" for a table header).
func keyPositions(data []byte) map[string]unstable.Position {
	pos := map[string]unstable.Position{}
	var p unstable.Parser
	p.Reset(data)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		var parts []string
		var first unstable.Position
		it := e.Key()
		for it.Next() {
			n := it.Node()
			if len(parts) == 0 {
				first = p.Shape(n.Raw).Start
			}
			parts = append(parts, string(n.Data))
		}
		key := strings.Join(parts, ".")
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = key
			pos[key] = first
		case unstable.KeyValue:
			if table != "" {
				key = table + "." + key
			}
			pos[key] = first
		}
	}
	return pos
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// didYouMean returns " (did you mean X?)" for the closest of names, if close.
func didYouMean(typed string, names []string) string {
	best := suggest.Closest(typed, names)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
