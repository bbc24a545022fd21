package upload

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Mapping says, for a firm-wide batch, which dossier each account belongs
// to, and optionally the bank name to register it with. It is read from a
// CSV file of three columns:
//
//	# account,dossier,bank_name
//	FR76 3000 4008 2300 0100 0015 611,1234,BNP Paribas
//	30002 00550 0000157845Z,5678,
//
// The account is an IBAN (spaces allowed) or a RIB: bank, branch and
// account number (5, 5 and 11 characters, separated by spaces or not); the
// dossier is a positive integer; the bank name may be empty (the bank
// table and --bank-name then apply). Lines starting with # are comments; a
// first line "account,dossier,bank_name" is a header. The separator may
// also be ';' (French Excel's CSV, cfonb export --csv-sep ';'): it is the
// first ',' or ';' of the first line that is not a comment (the account
// column holds neither).
type Mapping struct {
	// Path is the file it was read from, for messages.
	Path    string
	entries map[string]MappingEntry // by IBAN
}

// MappingEntry is one line of a Mapping.
type MappingEntry struct {
	IBAN     string
	Dossier  int64
	BankName string
	Line     int
}

// LoadMapping reads the mapping file at path.
func LoadMapping(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer func() { _ = f.Close() }()
	return ParseMapping(path, f)
}

// ParseMapping reads a mapping in the CSV format of Mapping; path names it
// in messages. An account given twice is an error, even with the same
// dossier: one of the two lines is a mistake. One leading UTF-8 byte order
// mark (Excel's "CSV UTF-8") is skipped. The separator, ',' or ';', is
// detected as Mapping says.
func ParseMapping(path string, r io.Reader) (*Mapping, error) {
	br := bufio.NewReaderSize(r, mappingPeek)
	if head, err := br.Peek(len(cfonb.UTF8BOM)); err == nil && string(head) == cfonb.UTF8BOM {
		_, _ = br.Discard(len(cfonb.UTF8BOM))
	}
	head, _ := br.Peek(mappingPeek) // what there is: a short file ends sooner
	sep := mappingSeparator(head)
	want := strings.ReplaceAll("account,dossier,bank_name", ",", string(sep))
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	m := &Mapping{Path: path, entries: map[string]MappingEntry{}}
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s (want %s)", path, line, fmt.Sprintf(format, args...), want)
		}
		if first {
			first = false
			if len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "account") {
				continue
			}
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, bad("%d fields", len(rec))
		}
		iban, err := MappingAccount(rec[0])
		if err != nil {
			return nil, bad("%v", err)
		}
		d, err := strconv.ParseInt(strings.TrimSpace(rec[1]), 10, 64)
		if err != nil || d <= 0 {
			return nil, bad("dossier %q is not a positive integer", rec[1])
		}
		e := MappingEntry{IBAN: iban, Dossier: d, Line: line}
		if len(rec) == 3 {
			e.BankName = strings.TrimSpace(rec[2])
			if !utf8.ValidString(e.BankName) {
				// French Excel saves its ';' CSV in Windows-1252: a name
				// sent as it is would reach the API garbled, and a
				// PostgreSQL journal would refuse to record it (found by
				// a review).
				if e.BankName, err = charmap.Windows1252.NewDecoder().String(e.BankName); err != nil {
					return nil, bad("bank name %q is neither UTF-8 nor Windows-1252", rec[2])
				}
			}
		}
		if prev, ok := m.entries[iban]; ok {
			return nil, bad("account %s is already on line %d", iban, prev.Line)
		}
		m.entries[iban] = e
	}
	return m, nil
}

// mappingPeek is how much of a mapping is looked at to find its separator.
const mappingPeek = 64 << 10

// mappingSeparator returns the separator of a mapping whose start is head:
// the first ',' or ';' outside quotes on the first line that is neither
// blank nor a comment; ',' when there is none.
func mappingSeparator(head []byte) rune {
	for len(head) > 0 {
		line := head
		if i := strings.IndexByte(string(head), '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		t := strings.TrimSpace(string(line))
		if t == "" || t[0] == '#' {
			continue
		}
		quoted := false
		for _, c := range t {
			switch {
			case c == '"':
				quoted = !quoted
			case !quoted && (c == ',' || c == ';'):
				return c
			}
		}
		return ','
	}
	return ','
}

// MappingAccount reads the account column of a mapping line: an IBAN
// (checked) or bank, branch and account number, and returns the IBAN.
func MappingAccount(s string) (string, error) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if compact == "" {
		return "", errors.New("no account")
	}
	if len(compact) >= 2 && compact[0] >= 'A' && compact[0] <= 'Z' && compact[1] >= 'A' && compact[1] <= 'Z' {
		if err := cfonb.CheckIBAN(compact); err != nil {
			return "", fmt.Errorf("account %q: %w", s, err)
		}
		return compact, nil
	}
	if len(compact) != 21 {
		return "", fmt.Errorf("account %q is neither an IBAN nor bank, branch and account number (5+5+11 characters)", s)
	}
	ib, err := cfonb.FrenchIBAN([]byte(compact[:5]), []byte(compact[5:10]), []byte(compact[10:]))
	if err != nil {
		return "", fmt.Errorf("account %q: %w", s, err)
	}
	return string(ib), nil
}

// Lookup returns the line for iban.
func (m *Mapping) Lookup(iban string) (MappingEntry, bool) {
	if m == nil {
		return MappingEntry{}, false
	}
	e, ok := m.entries[iban]
	return e, ok
}

// Len returns the number of accounts mapped.
func (m *Mapping) Len() int {
	if m == nil {
		return 0
	}
	return len(m.entries)
}
