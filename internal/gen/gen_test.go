package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/cfonb-dev/cfonb/normalize"
)

func generate(t *testing.T, opts Options) ([]byte, Stats, []Break) {
	t.Helper()
	var breaks []Break
	opts.OnBreak = func(b Break) { breaks = append(breaks, b) }
	var buf bytes.Buffer
	st, err := Write(context.Background(), &buf, opts)
	require.NoError(t, err)
	require.Equal(t, int64(buf.Len()), st.Bytes, "Stats.Bytes")
	return buf.Bytes(), st, breaks
}

func TestOffsetsMatchLayout(t *testing.T) {
	tests := []struct {
		off   int
		field cfonb.FieldID
	}{
		{offCode, cfonb.FieldCode},
		{offBank, cfonb.FieldBank},
		{offInternal, cfonb.FieldInternalCode},
		{offBranch, cfonb.FieldBranch},
		{offCurrency, cfonb.FieldCurrency},
		{offDecimals, cfonb.FieldDecimals},
		{offAccount, cfonb.FieldAccount},
		{offInterbank, cfonb.FieldInterbankCode},
		{offDate, cfonb.FieldBookingDate},
		{offDate, cfonb.FieldBalanceDate},
		{offValueDate, cfonb.FieldValueDate},
		{offLabel, cfonb.FieldLabel},
		{offEntry, cfonb.FieldEntryNumber},
		{offExemption, cfonb.FieldExemption},
		{offAmount, cfonb.FieldAmount},
		{offReference, cfonb.FieldReference},
		{offQualifier, cfonb.FieldQualifier},
		{offInformation, cfonb.FieldInformation},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.field.Start(), tt.off+1, tt.field.String())
	}
	assert.Equal(t, cfonb.FieldLabel.Len(), lenLabel)
	assert.Equal(t, cfonb.FieldReference.Len(), lenReference)
	assert.Equal(t, cfonb.FieldInformation.Len(), lenInformation)
}

func TestDeterministic(t *testing.T) {
	base := Options{Seed: 42, Size: 64 << 10, EOL: cfonb.EOLCRLF, ErrorRate: 0.02}
	a, _, _ := generate(t, base)
	b, _, _ := generate(t, base)
	assert.Equal(t, a, b, "same options, same bytes")
	other := base
	other.Seed = 43
	c, _, _ := generate(t, other)
	assert.NotEqual(t, a, c, "another seed, another file")
}

func TestGolden(t *testing.T) {
	// The generator's output is part of its contract (benchmarks compare
	// runs on "the same" file): a change here must be deliberate.
	out, st, _ := generate(t, Options{Seed: 1, Size: 4000, Accounts: 2, EOL: cfonb.EOLLF})
	lines := strings.Split(string(out), "\n")
	assert.Equal(t, "0113335    03074EUR2 68340000001  010121                                                  0000001627646G                ", lines[0])
	assert.Equal(t, "0420041010151295EUR2 5498000A00201040121  040121CHEQUE No 1556786                         0000000002330}7908336         ", lines[3])
	assert.Equal(t, "0520041000251295EUR2 5498000A00205040121     CPYFR7630066879815985545264405 BNPAFRPPXXX                                 ", lines[5])
	assert.Equal(t, Stats{Bytes: 3872, Records: 32, Statements: 6, Movements: 9, Accounts: 2}, st)
	sum := sha256.Sum256(out)
	assert.Equal(t, "100cd540c0741d3513de996920c199f99b0b923a936535be66f1135d0cfcd739", hex.EncodeToString(sum[:]))
}

// checker reads a generated file and checks it the way a strict validator
// would, independently of package validate. It returns the lines of the
// records it finds broken.
type checker struct {
	t        *testing.T
	latin1   bool
	origCode map[int]cfonb.Code // code before an UnknownCode break, by line
	bad      map[int]bool

	// statement state
	in        bool
	acct      cfonb.Account
	acctOK    bool // acct is from an intact 01
	opening   int64
	openDate  cfonb.Date
	sum       int64
	sumOK     bool
	lastCode  cfonb.Code
	closeDate map[string]cfonb.Date // by accountKey
	closing   map[string]int64

	statements, movements int64
	reconciled            map[int]bool // 07 lines whose statement could be summed
	unbalanced            map[int]bool // 07 lines that do not reconcile
}

func newChecker(t *testing.T, latin1 bool, breaks []Break) *checker {
	c := &checker{t: t, latin1: latin1, origCode: map[int]cfonb.Code{}, bad: map[int]bool{},
		closeDate: map[string]cfonb.Date{}, closing: map[string]int64{},
		reconciled: map[int]bool{}, unbalanced: map[int]bool{}}
	for _, b := range breaks {
		c.origCode[b.Line] = b.Code
	}
	return c
}

func (c *checker) fail(line int, format string, args ...any) {
	c.bad[line] = true
	if c.origCode[line] == 0 { // an unexpected problem
		c.t.Errorf("line %d: "+format, append([]any{line}, args...)...)
	}
}

// accountKey identifies an account by the fields no break touches: its
// number and currency (the generator's account numbers are unique).
func accountKey(a cfonb.Account) string { return string(a.Number[:]) + string(a.Currency[:]) }

// sameAccount checks that a record belongs to the statement's account.
func (c *checker) sameAccount(line int, a cfonb.Account, intact bool) {
	if intact && c.acctOK {
		assert.Equal(c.t, c.acct, a, "line %d: account", line)
	} else {
		assert.Equal(c.t, accountKey(c.acct), accountKey(a), "line %d: account", line)
	}
}

func digits(b []byte) bool {
	for _, x := range b {
		if x < '0' || x > '9' {
			return false
		}
	}
	return len(b) > 0
}

func (c *checker) record(rec *cfonb.Record) {
	t := c.t
	line := rec.Line
	d := rec.Data
	if rec.Length != cfonb.RecordLen {
		c.fail(line, "length %d", rec.Length)
	}
	code := rec.Code()
	if code == cfonb.CodeUnknown {
		c.fail(line, "unknown code %q", d[:2])
		code = c.origCode[line]
	}
	for i, x := range d {
		if x < 0x20 || x == 0x7f || (x >= 0x80 && !c.latin1) {
			c.fail(line, "byte %#x at column %d", x, i+1)
		}
		if x >= 0x80 && c.latin1 {
			lab := (code == cfonb.CodeMovement && i >= offLabel && i < offLabel+lenLabel) ||
				(code == cfonb.CodeComplement && i >= offInformation && i < offInformation+lenInformation)
			assert.True(t, lab, "line %d: Latin-1 byte outside text at column %d", line, i+1)
		}
	}
	for _, f := range []cfonb.FieldID{cfonb.FieldBank, cfonb.FieldBranch, cfonb.FieldDecimals} {
		if !digits(f.Of(d)) {
			c.fail(line, "%s %q", f, f.Of(d))
		}
	}
	acct := cfonb.AccountOf(d)
	// A broken record's fields may be broken too: compare the rest of the
	// statement with it only when it is intact.
	intact := c.origCode[line] == 0
	key := accountKey(acct)
	date, err := cfonb.ParseDate(cfonb.FieldBookingDate.Of(d))
	if err != nil {
		c.fail(line, "date: %v", err)
	}
	var amount int64
	amountOK := true
	if code != cfonb.CodeComplement {
		if amount, err = cfonb.ParseAmount(cfonb.FieldAmount.Of(d)); err != nil {
			c.fail(line, "amount: %v", err)
			amountOK = false
		}
	}
	switch code {
	case cfonb.CodeOldBalance:
		assert.False(t, c.in, "line %d: 01 inside a statement", line)
		c.in, c.acct, c.acctOK, c.opening, c.openDate, c.sum, c.sumOK = true, acct, intact, amount, date, 0, amountOK
		if prev, ok := c.closing[key]; ok && intact {
			assert.Equal(t, prev, amount, "line %d: opening balance continues the previous closing", line)
		}
		if prev, ok := c.closeDate[key]; ok && intact {
			assert.Equal(t, prev, date, "line %d: opening date is the previous closing date", line)
		}
		if intact {
			iban, err := acct.IBAN()
			require.NoError(t, err)
			assert.NoError(t, cfonb.CheckIBAN(string(iban)))
		}
		c.statements++
	case cfonb.CodeMovement:
		assert.True(t, c.in, "line %d: 04 outside a statement", line)
		c.sameAccount(line, acct, intact)
		c.sum += amount
		c.sumOK = c.sumOK && amountOK
		vd, err := cfonb.ParseDate(cfonb.FieldValueDate.Of(d))
		if err != nil {
			c.fail(line, "value date: %v", err)
		} else if !date.IsZero() {
			diff := vd.Time().Sub(date.Time()).Hours() / 24
			assert.True(t, diff >= -1 && diff <= 1, "line %d: value date %s, booking %s", line, vd, date)
		}
		assert.NotEqual(t, "               ", string(cfonb.FieldLabel.Of(d)[:15]), "line %d: label", line)
		c.movements++
	case cfonb.CodeComplement:
		assert.True(t, c.lastCode == cfonb.CodeMovement || c.lastCode == cfonb.CodeComplement,
			"line %d: 05 after %s", line, c.lastCode)
		c.sameAccount(line, acct, intact)
		info := cfonb.FieldInformation.Of(d)
		switch q := string(cfonb.FieldQualifier.Of(d)); q {
		case "CBE", "CPY":
			if !intact {
				break
			}
			iban, _, _ := strings.Cut(string(info), " ")
			assert.NoError(t, cfonb.CheckIBAN(iban), "line %d", line)
		case "IBE":
			if !intact {
				break
			}
			ics := info[:13]
			assert.Equal(t, 1, mod97(ics[7:13], ics[:4]), "line %d: creditor id %s", line, ics)
		case "LIB", "NPY", "NBE", "RCN", "REF", "RUM", "LCC":
		default:
			t.Errorf("line %d: qualifier %q", line, q)
		}
	case cfonb.CodeNewBalance:
		assert.True(t, c.in, "line %d: 07 outside a statement", line)
		c.sameAccount(line, acct, intact)
		if !date.IsZero() && !c.openDate.IsZero() {
			assert.Less(t, c.openDate, date, "line %d: dates in order", line)
		}
		if c.sumOK && amountOK {
			c.reconciled[line] = true
			if c.opening+c.sum != amount {
				c.unbalanced[line] = true
			}
		}
		if amountOK {
			c.closing[key] = amount
		} else {
			delete(c.closing, key)
		}
		if date.IsZero() {
			delete(c.closeDate, key)
		} else {
			c.closeDate[key] = date
		}
		c.in = false
	}
	c.lastCode = code
}

func check(t *testing.T, data []byte, opts Options, breaks []Break) *checker {
	t.Helper()
	c := newChecker(t, opts.Latin1, breaks)
	r := cfonb.NewReader(bytes.NewReader(data))
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		n++
		if opts.EOL != cfonb.EOLNone {
			assert.Equal(t, opts.EOL, rec.EOL, "line %d: line end", rec.Line)
		}
		c.record(&rec)
	}
	if opts.EOL == cfonb.EOLNone {
		assert.Equal(t, cfonb.FramingContinuous, r.Framing)
	}
	assert.False(t, c.in, "the file ends inside a statement")
	return c
}

func TestValidFiles(t *testing.T) {
	tests := []Options{
		{Seed: 1, Size: 300 << 10, EOL: cfonb.EOLCRLF},
		{Seed: 2, Size: 300 << 10, EOL: cfonb.EOLLF, Accounts: 1},
		{Seed: 3, Size: 300 << 10, EOL: cfonb.EOLNone, Accounts: 7},
		{Seed: -4, Size: 1 << 20, EOL: cfonb.EOLCRLF, Accounts: 40},
		{Seed: 5, Size: 300 << 10, EOL: cfonb.EOLLF, Latin1: true},
	}
	for _, opts := range tests {
		t.Run(fmt.Sprintf("seed=%d,eol=%d,accounts=%d,latin1=%v", opts.Seed, opts.EOL, opts.Accounts, opts.Latin1), func(t *testing.T) {
			data, st, breaks := generate(t, opts)
			assert.Empty(t, breaks)
			eol := map[cfonb.EOL]int64{cfonb.EOLNone: 0, cfonb.EOLLF: 1, cfonb.EOLCRLF: 2}[opts.EOL]
			assert.Equal(t, st.Records*(cfonb.RecordLen+eol), st.Bytes)
			assert.LessOrEqual(t, st.Bytes, opts.Size)
			assert.Greater(t, st.Bytes, opts.Size-7*(cfonb.RecordLen+eol), "close to the target size")
			c := check(t, data, opts, nil)
			assert.Empty(t, c.bad)
			assert.Empty(t, c.unbalanced)
			assert.Equal(t, st.Statements, c.statements)
			assert.Equal(t, st.Movements, c.movements)
			if opts.Accounts > 0 {
				assert.Equal(t, opts.Accounts, st.Accounts)
			} else {
				assert.Equal(t, 3, st.Accounts)
			}
		})
	}
}

// TestTinySize: the smallest size gives one statement without movements;
// a smaller one is refused (gen --size 1 wrote 244 bytes, issue 16.14).
func TestTinySize(t *testing.T) {
	data, st, _ := generate(t, Options{Seed: 9, Size: 244, EOL: cfonb.EOLCRLF})
	assert.Equal(t, Stats{Bytes: 244, Records: 2, Statements: 1, Accounts: 3}, st)
	assert.Equal(t, "01", string(data[:2]))
	assert.Equal(t, "07", string(data[122:124]))
	for _, tt := range []struct {
		eol  cfonb.EOL
		size int64
	}{{cfonb.EOLCRLF, 244}, {cfonb.EOLLF, 242}, {cfonb.EOLNone, 240}} {
		assert.Equal(t, tt.size, MinSize(tt.eol))
		var buf bytes.Buffer
		_, err := Write(context.Background(), &buf, Options{Seed: 9, Size: tt.size - 1, EOL: tt.eol})
		require.ErrorIs(t, err, ErrSize)
		assert.Equal(t, fmt.Sprintf("gen: size too small: %d bytes is less than the smallest file, one statement without movements (%d bytes)", tt.size-1, tt.size), err.Error())
		assert.Zero(t, buf.Len())
	}
}

func TestAccountsRenewBefore2060(t *testing.T) {
	// Starting in mid-December 2059, the accounts run out of dates within
	// days and a new set starts again from 2021 (then from the start date).
	opts := Options{Seed: 11, Size: 400 << 10, Accounts: 2, EOL: cfonb.EOLLF, Start: cfonb.NewDate(2059, 12, 20)}
	data, st, _ := generate(t, opts)
	c := check(t, data, opts, nil)
	assert.Empty(t, c.bad)
	assert.Greater(t, st.Accounts, 2, "accounts were renewed")
	for a, d := range c.closeDate {
		assert.LessOrEqual(t, d, cfonb.NewDate(2059, 12, 31), "account %s", a)
	}
}

func TestLatin1DiffersOnlyByAccents(t *testing.T) {
	ascii, st1, _ := generate(t, Options{Seed: 7, Size: 200 << 10, EOL: cfonb.EOLCRLF})
	latin, st2, _ := generate(t, Options{Seed: 7, Size: 200 << 10, EOL: cfonb.EOLCRLF, Latin1: true})
	require.Equal(t, st1, st2)
	require.Len(t, latin, len(ascii))
	accents := 0
	for i := range latin {
		if latin[i] == ascii[i] {
			continue
		}
		require.GreaterOrEqual(t, latin[i], byte(0x80), "offset %d", i)
		assert.Equal(t, normalize.Transliterate(rune(latin[i])), ascii[i], "offset %d: %q folds to %q", i, rune(latin[i]), ascii[i])
		accents++
	}
	assert.Greater(t, accents, 500, "Latin-1 accents in labels")
	assert.True(t, bytes.Contains(latin, []byte("\xc9CH\xc9ANCE PR\xcaT")) || bytes.Contains(latin, []byte("CH\xc8QUE N\xb0 ")),
		"accented labels in ISO-8859-1")
}

func TestBreaks(t *testing.T) {
	racedetect.SkipUnderRace(t)
	tests := []Options{
		{Seed: 21, Size: 1 << 20, EOL: cfonb.EOLCRLF, ErrorRate: 0.03},
		{Seed: 22, Size: 1 << 20, EOL: cfonb.EOLLF, ErrorRate: 0.2},
		{Seed: 23, Size: 1 << 20, EOL: cfonb.EOLNone, ErrorRate: 0.05},
		{Seed: 24, Size: 1 << 20, EOL: cfonb.EOLCRLF, ErrorRate: 0.05, Latin1: true},
		{Seed: 25, Size: 64 << 10, EOL: cfonb.EOLCRLF, ErrorRate: 1},
	}
	for _, opts := range tests {
		t.Run(fmt.Sprintf("seed=%d,rate=%g", opts.Seed, opts.ErrorRate), func(t *testing.T) {
			data, st, breaks := generate(t, opts)
			require.Equal(t, st.Broken, int64(len(breaks)))
			var byKind [numKinds]int64
			lines := map[int]Kind{}
			for i, b := range breaks {
				byKind[b.Kind]++
				lines[b.Line] = b.Kind
				assert.Greater(t, b.Line, 2, "the first two records are never broken")
				if i > 0 {
					assert.Greater(t, b.Line, breaks[i-1].Line, "breaks in file order")
				}
				assert.NotZero(t, b.Column)
			}
			assert.Equal(t, st.ByKind, byKind)
			want := opts.ErrorRate * float64(st.Records-2)
			assert.InDelta(t, want, float64(st.Broken), want*0.2+3, "broken fraction")

			// Every kind that applies shows up.
			for _, k := range Kinds() {
				switch {
				case k == BadLength && opts.EOL == cfonb.EOLNone,
					k == NonASCII && opts.Latin1:
					assert.Zero(t, byKind[k], "%s", k)
				case st.Broken > 200:
					assert.NotZero(t, byKind[k], "%s", k)
				}
			}

			// Each break is where it says, and nothing else is broken.
			c := check(t, data, opts, breaks)
			for _, b := range breaks {
				if b.Kind == Unbalanced {
					if !c.reconciled[b.Line] {
						continue // another break hides the statement's sum
					}
					assert.True(t, c.unbalanced[b.Line], "line %d: the 07 does not reconcile", b.Line)
				} else {
					assert.True(t, c.bad[b.Line], "line %d: %s not found", b.Line, b.Kind)
				}
			}
			for line := range c.bad {
				assert.Contains(t, lines, line, "line %d is broken but not reported", line)
			}
			for line := range c.unbalanced {
				assert.Equal(t, Unbalanced, lines[line], "line %d does not reconcile but is not reported", line)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		opts Options
		err  error
	}{
		{Options{}, ErrSize},
		{Options{Size: -1}, ErrSize},
		{Options{Size: 1, Accounts: -1}, ErrAccounts},
		{Options{Size: 1, ErrorRate: -0.1}, ErrErrorRate},
		{Options{Size: 1, ErrorRate: 1.5}, ErrErrorRate},
		{Options{Size: 1, EOL: cfonb.EOL(9)}, ErrEOL},
		{Options{Size: 1, Start: cfonb.NewDate(2026, 2, 30)}, ErrStart},
		{Options{Size: 1, Start: cfonb.NewDate(2061, 1, 1)}, ErrStart},
		{Options{Size: 1, Accounts: MaxAccounts + 1}, ErrAccounts},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		_, err := Write(context.Background(), &buf, tt.opts)
		assert.ErrorIs(t, err, tt.err, "%+v", tt.opts)
		assert.Zero(t, buf.Len())
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := Write(ctx, io.Discard, Options{Size: 1 << 30, EOL: cfonb.EOLCRLF})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, st.Records)
}

type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errDiskFull
	}
	return len(p), nil
}

func TestWriterError(t *testing.T) {
	_, err := Write(context.Background(), &failingWriter{n: 3 << 20}, Options{Size: 64 << 20, EOL: cfonb.EOLCRLF})
	assert.ErrorIs(t, err, errDiskFull)
}

func TestConstantMemory(t *testing.T) {
	allocs := func(size int64) float64 {
		return testing.AllocsPerRun(2, func() {
			_, err := Write(context.Background(), io.Discard, Options{Seed: 3, Size: size, Accounts: 5, EOL: cfonb.EOLCRLF, ErrorRate: 0.01})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	small, big := allocs(64<<10), allocs(16<<20)
	assert.Equal(t, small, big, "allocations do not grow with the size")
}

func TestKindString(t *testing.T) {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.String())
	}
	assert.Equal(t, []string{"bad-date", "bad-sign", "bad-digit", "bad-length", "unknown-code", "non-ascii", "unbalanced"}, names)
	assert.Equal(t, "kind(0)", Kind(0).String())
	b, err := BadSign.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "bad-sign", string(b))
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"4096", 4096, ""},
		{"1", 1, ""},
		{"10MiB", 10 << 20, ""},
		{"10mib", 10 << 20, ""},
		{"1GiB", 1 << 30, ""},
		{"1G", 1 << 30, ""},
		{"4 GiB", 4 << 30, ""},
		{"1.5GiB", 3 << 29, ""},
		{"500MB", 500_000_000, ""},
		{"2kb", 2000, ""},
		{"64K", 64 << 10, ""},
		{"3B", 3, ""},
		{"1TiB", 1 << 40, ""},
		{"", 0, `size "": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"MiB", 0, `size "MiB": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"12XB", 0, `size "12XB": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"-1", 0, `size "-1": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"1e9", 0, `size "1e9": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"1.2.3", 0, `size "1.2.3": want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB`},
		{"0", 0, `size "0": must be between 1 byte and 1 PiB`},
		{"0.1", 0, `size "0.1": must be between 1 byte and 1 PiB`},
		{"2048TiB", 0, `size "2048TiB": must be between 1 byte and 1 PiB`},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err, tt.in)
			continue
		}
		assert.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestFormatSize(t *testing.T) {
	tests := map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 10 << 20: "10 MiB",
		1 << 30: "1 GiB", 1073741764: "1 GiB", 4 << 30: "4 GiB", 1 << 40: "1 TiB",
	}
	for n, want := range tests {
		assert.Equal(t, want, FormatSize(n), "%d", n)
	}
}
