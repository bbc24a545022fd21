package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

// Statement is the identity of one statement of a file, from its 01 and 07
// records: the journal knows a statement by it even when it is re-exported
// into another file.
type Statement struct {
	Account  cfonb.Account
	Decimals int
	From     cfonb.Date // date of the 01 (old balance)
	To       cfonb.Date // date of the 07 (new balance)
	Opening  int64      // minor units
	Closing  int64      // minor units
	Line     int        // line of the 01 in its file
}

// Key is the statement's identity as one string: bank, branch, account,
// currency, decimals, first and last dates, opening and closing balances.
func (s Statement) Key() string {
	a := s.Account
	return string(a.Bank[:]) + "/" + string(a.Branch[:]) + "/" + string(a.Number[:]) + "/" +
		string(a.Currency[:]) + "/" + strconv.Itoa(s.Decimals) + "/" + s.From.String() + "/" +
		s.To.String() + "/" + strconv.FormatInt(s.Opening, 10) + "/" + strconv.FormatInt(s.Closing, 10)
}

// String describes the statement for people, e.g.
// "10278 02204 00012345603 EUR 2020-04-03..2020-04-06 16695.65 → 16695.65".
func (s Statement) String() string {
	return fmt.Sprintf("%s %s..%s %s → %s", s.Account, s.From, s.To,
		cfonb.FormatDecimal(s.Opening, s.Decimals), cfonb.FormatDecimal(s.Closing, s.Decimals))
}

// File is a statement file ready for upload: validated, hashed and
// identified.
type File struct {
	Path       string
	Size       int64
	SHA256     string // lower-case hex
	Statements []Statement
	// Report is the validation report; its diagnostics include the
	// problems that prevent identifying the statements.
	Report *validate.Report
}

// Valid reports whether the file has no validation error.
func (f *File) Valid() bool { return f.Report.Errors == 0 }

// PrepareFile validates the file at path with the rules of cfonb validate,
// hashes it on the way and identifies its statements from the validator's
// statement summaries. The error is an I/O error; problems in the content
// are in the returned File's Report. A file without validation errors has
// every statement closed, so its Statements are complete.
func PrepareFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	h := sha256.New()
	tee := io.TeeReader(io.LimitReader(fh, fi.Size()), h)
	rep, err := validate.Stream(path, tee, validate.Options{Summary: true, MaxSummaries: -1}) // every statement is uploaded
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, tee); err != nil { // validation may stop early
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &File{Path: path, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil)), Report: rep}
	for _, s := range rep.Summaries {
		if s.EndLine == 0 {
			continue // never closed: a sequence error of the report
		}
		f.Statements = append(f.Statements, Statement{Account: s.Account, Decimals: s.Decimals,
			From: s.OpenDate, To: s.CloseDate, Opening: s.Opening, Closing: s.Closing, Line: s.StartLine})
	}
	return f, nil
}
