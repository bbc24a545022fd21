package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
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

// RuleStructure is the rule id of the problems found while identifying a
// file's statements, reported only when validation found no error.
const RuleStructure = "upload-statements"

// PrepareFile validates the file at path with the rules of cfonb validate,
// hashes it and identifies its statements. The error is an I/O error;
// problems in the content are in the returned File's Report.
func PrepareFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	// Pass 1: validation, hashing on the way.
	h := sha256.New()
	tee := io.TeeReader(fh, h)
	rep, err := validate.Stream(path, tee, validate.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, tee); err != nil { // validation may stop early
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// Pass 2: statements, hashed again to catch a file changed meanwhile.
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h2 := sha256.New()
	cr := &countingReader{r: io.TeeReader(fh, h2)}
	stmts, probs, err := scanStatements(cr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if hex.EncodeToString(h2.Sum(nil)) != sum {
		return nil, fmt.Errorf("%s: the file changed while it was being read", path)
	}
	if rep.Errors == 0 {
		for _, p := range probs {
			p.File = path
			rep.Diagnostics = append(rep.Diagnostics, p)
			rep.Errors++
		}
	}
	return &File{Path: path, Size: cr.n, SHA256: sum, Statements: stmts, Report: rep}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// scanStatements reads the 01 ... 07 sequences of a CFONB120 stream. The
// problems it returns are those that prevent identifying a statement; it
// leaves every other check to package validate.
func scanStatements(r io.Reader) ([]Statement, []validate.Diagnostic, error) {
	var (
		stmts []Statement
		probs []validate.Diagnostic
		open  *Statement
	)
	problem := func(line, col int, format string, args ...any) {
		probs = append(probs, validate.Diagnostic{Line: line, Column: col, Severity: validate.SeverityError,
			Rule: RuleStructure, Message: fmt.Sprintf(format, args...)})
	}
	cr := cfonb.NewReader(r)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch rec.Code() {
		case cfonb.CodeOldBalance:
			b, err := cfonb.ParseBalance(rec.Data)
			if err != nil {
				problem(rec.Line, fieldColumn(err), "old balance (01) cannot be read: %v", err)
				open = nil
				continue
			}
			if open != nil {
				problem(rec.Line, 1, "old balance (01) while the statement opened at line %d has no new balance (07)", open.Line)
			}
			open = &Statement{Account: b.Account, Decimals: b.Decimals, From: b.Date, Opening: b.Amount, Line: rec.Line}
		case cfonb.CodeMovement, cfonb.CodeComplement:
			if open == nil {
				problem(rec.Line, 1, "%s (%s) outside a statement (no old balance 01 before it)", rec.Code().Name(), rec.Code())
			}
		case cfonb.CodeNewBalance:
			b, err := cfonb.ParseBalance(rec.Data)
			if err != nil {
				problem(rec.Line, fieldColumn(err), "new balance (07) cannot be read: %v", err)
				open = nil
				continue
			}
			if open == nil {
				problem(rec.Line, 1, "new balance (07) without an old balance (01) before it")
				continue
			}
			if b.Account != open.Account {
				problem(rec.Line, 3, "new balance (07) is for account %s, its statement (line %d) for %s", b.Account, open.Line, open.Account)
				open = nil
				continue
			}
			open.To, open.Closing = b.Date, b.Amount
			stmts = append(stmts, *open)
			open = nil
		}
	}
	if open != nil {
		problem(open.Line, 1, "statement opened at line %d has no new balance (07)", open.Line)
	}
	if len(stmts) == 0 && len(probs) == 0 {
		problem(0, 0, "no statement (01 ... 07) found: nothing to import")
	}
	return stmts, probs, nil
}

// fieldColumn returns the column of a *cfonb.FieldError, or 1.
func fieldColumn(err error) int {
	var fe *cfonb.FieldError
	if errors.As(err, &fe) {
		return fe.Field.Start()
	}
	return 1
}
