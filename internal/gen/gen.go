// Package gen writes realistic CFONB120 statement files, deterministically,
// for benchmarks, demos and tests.
//
// A generated file holds daily statements of several French accounts (real
// bank codes, account numbers whose RIB key and IBAN derive, mostly in EUR):
// every statement opens (01) with the previous closing balance of its
// account, lists movements (04) with realistic labels (SEPA direct debits,
// transfers, card payments, cheques, fees) and zero to three complements
// (05: LIB, NPY, NBE, RCN, REF, RUM, IBE, LCC, CBE and CPY with valid IBANs),
// and closes (07) with a balance that reconciles. Dates are calendar dates,
// in order for each account.
//
// With Options.ErrorRate above zero, a fraction of the records is broken on
// purpose, in varied ways (see Kind), and each break is reported through
// Options.OnBreak so that a test can check that a validator finds it.
//
// The same Options always give the same bytes. Write runs in constant memory
// and builds each record in a reused buffer: it writes gigabytes quickly.
package gen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Options configure a generated file. Size is required; the zero value of
// the other fields is a sensible default, except EOL (see there).
type Options struct {
	// Seed selects the file: the same Seed and options give the same bytes.
	Seed int64
	// Size is the target size in bytes. Writing stops at the statement end
	// that keeps the output at or just under Size (a few records under it;
	// a break that lengthens a record may add a few bytes). It must be at
	// least MinSize: a file is whole statements.
	Size int64
	// Accounts is the number of accounts with a statement each business
	// day, at most MaxAccounts. Zero chooses one account per 4 MiB of Size,
	// between 3 and 1000.
	Accounts int
	// ErrorRate is the fraction of records broken on purpose, 0 to 1. The
	// first two records are never broken (they decide the file's framing).
	ErrorRate float64
	// EOL is the line end after each record. Its zero value, cfonb.EOLNone,
	// writes continuous 120-byte records; most files use cfonb.EOLCRLF.
	EOL cfonb.EOL
	// Latin1 writes labels and names with their French accents in
	// ISO-8859-1, as some banks do, instead of folding them to ASCII. Such a
	// file is not valid CFONB120 as is: it is input for "cfonb fmt".
	Latin1 bool
	// Start is the date of the first statements (the opening balances are
	// dated the business day before). Zero means 4 January 2021. When the
	// statements reach the end of 2059, a new set of accounts starts again
	// from Start: JJMMAA years 00-60 read as 2000-2060 (cfonb.ParseDate),
	// and the generator keeps a year short of the last one.
	Start cfonb.Date
	// OnBreak, if set, is called for every record broken on purpose, in
	// file order.
	OnBreak func(Break)
}

// Kind is a way the generator breaks a record.
type Kind uint8

// The kinds of deliberate breaks.
const (
	// BadDate puts a date that is not in the calendar (31 April, 29
	// February of a common year, month 13, day 00) in a date field.
	BadDate Kind = iota + 1
	// BadSign puts a character that is not an overpunch sign (such as a
	// space, '+' or 'S') at the end of an amount.
	BadSign
	// BadDigit puts a letter in a numeric field (bank or branch code,
	// number of decimals, the digits of an amount).
	BadDigit
	// BadLength cuts the record short (80 to 119 bytes) or lengthens it
	// (121 to 125 bytes). Never used for continuous records (EOLNone).
	BadLength
	// UnknownCode replaces the record code by one that CFONB120 does not
	// define.
	UnknownCode
	// NonASCII puts a byte above 0x7F in a label or complement text. Not
	// used with Options.Latin1.
	NonASCII
	// Unbalanced changes the closing balance of a 07 so that it does not
	// equal the opening balance plus the movements. The account's next
	// statement opens with that (wrong) balance.
	Unbalanced
	numKinds
)

// Kinds returns every kind of break, in order.
func Kinds() []Kind {
	k := make([]Kind, 0, numKinds-1)
	for i := BadDate; i < numKinds; i++ {
		k = append(k, i)
	}
	return k
}

var kindNames = [numKinds]string{"", "bad-date", "bad-sign", "bad-digit", "bad-length",
	"unknown-code", "non-ascii", "unbalanced"}

// String returns the kind's name, e.g. "bad-date".
func (k Kind) String() string {
	if k == 0 || k >= numKinds {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// MarshalText encodes k as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Break describes one record broken on purpose.
type Break struct {
	// Line is the 1-based number of the broken record.
	Line int `json:"line"`
	// Offset is the byte offset of the record in the output.
	Offset int64 `json:"offset"`
	// Kind is how it was broken.
	Kind Kind `json:"kind"`
	// Code is the record's code as generated (before an UnknownCode break).
	Code cfonb.Code `json:"-"`
	// Column is the 1-based column where the changed field starts; for
	// BadLength, where the length goes wrong (the column after the last
	// byte of a short record, 121 for a long one).
	Column int `json:"column"`
	// Field is the field that was changed; for BadLength and UnknownCode it
	// is FieldCode.
	Field cfonb.FieldID `json:"-"`
}

// Stats counts what Write wrote.
type Stats struct {
	Bytes      int64 // bytes written
	Records    int64 // records written, broken ones included
	Statements int64 // statements (01 ... 07)
	Movements  int64 // 04 records
	Accounts   int   // distinct accounts
	Broken     int64 // records broken on purpose
	// ByKind counts the broken records by kind (index: Kind).
	ByKind [numKinds]int64
}

// Column offsets (0-based) of the fields the generator writes: package
// cfonb's table, under short names (TestOffsetsMatchLayout checks each
// against its field). offDate is a 01's or 07's balance date and a 04's
// or 05's booking date, at the same columns.
const (
	offCode         = cfonb.OffCode
	offBank         = cfonb.OffBank
	offInternal     = cfonb.OffInternalCode
	offBranch       = cfonb.OffBranch
	offCurrency     = cfonb.OffCurrency
	offDecimals     = cfonb.OffDecimals
	offAccount      = cfonb.OffAccount
	offInterbank    = cfonb.OffInterbankCode
	offDate         = cfonb.OffBookingDate
	offValueDate    = cfonb.OffValueDate
	offLabel        = cfonb.OffLabel
	lenLabel        = cfonb.EndLabel - cfonb.OffLabel
	offEntry        = cfonb.OffEntryNumber
	offExemption    = cfonb.OffExemption
	offAmount       = cfonb.OffAmount
	offReference    = cfonb.OffReference
	lenReference    = cfonb.EndReference - cfonb.OffReference
	offQualifier    = cfonb.OffQualifier
	offInformation  = cfonb.OffInformation
	lenInformation  = cfonb.EndInformation - cfonb.OffInformation
	maxRecordLength = cfonb.RecordLen + 5 // a BadLength break adds up to 5
)

// The balance date and the booking date share offDate: one of these
// fails to compile (a negative constant) if they moved apart.
const (
	_ = uint(cfonb.OffBalanceDate - cfonb.OffBookingDate)
	_ = uint(cfonb.OffBookingDate - cfonb.OffBalanceDate)
)

// MaxAccounts is the largest Options.Accounts.
const MaxAccounts = 100_000

// Errors returned for bad options.
var (
	ErrSize      = errors.New("gen: size too small")
	ErrAccounts  = errors.New("gen: accounts must be between 0 (automatic) and 100000")
	ErrErrorRate = errors.New("gen: error rate must be between 0 and 1")
	ErrEOL       = errors.New("gen: unknown line end")
	ErrStart     = errors.New("gen: start date is not a calendar date between 2000 and 2059")
)

// MinSize is the size of the smallest file Write makes: one statement
// without movements (an old and a new balance record) with line ends eol.
func MinSize(eol cfonb.EOL) int64 {
	n := int64(cfonb.RecordLen)
	switch eol {
	case cfonb.EOLLF:
		n++
	case cfonb.EOLCRLF:
		n += 2
	}
	return 2 * n
}

// Write writes a generated file to w and returns what it wrote. It stops
// with ctx's error when ctx is cancelled, and returns w's first error.
func Write(ctx context.Context, w io.Writer, opts Options) (Stats, error) {
	g, err := newGenerator(w, opts)
	if err != nil {
		return Stats{}, err
	}
	err = g.run(ctx)
	if ferr := g.w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("gen: %w", ferr)
	}
	g.stats.Accounts = g.serial
	return g.stats, err
}

// currency is one currency an account may hold.
type currency struct {
	code     string
	decimals byte
	num, den int64 // minor units per euro cent, as a fraction
	weight   int
}

var currencies = []currency{
	{"EUR", 2, 1, 1, 880},
	{"USD", 2, 11, 10, 50},
	{"GBP", 2, 85, 100, 20},
	{"CHF", 2, 95, 100, 20},
	{"XPF", 0, 119, 100, 20},
	{"JPY", 0, 16, 10, 10},
}

// banks are real French bank codes (BNP Paribas, Société Générale, LCL,
// Crédit Agricole, CIC, Crédit Mutuel, La Banque Postale, Caisse d'Épargne,
// BRED, Crédit Coopératif, Crédit du Nord, Banque Populaire, HSBC, Qonto).
var banks = []string{"30004", "30003", "30002", "30006", "30066", "10278", "20041",
	"17515", "10107", "42559", "30076", "10207", "30056", "16958", "18206", "13335"}

// account is the state of one account across its statements.
type account struct {
	head     [offAccount + 11]byte // columns 1-32 of its records
	cur      *currency
	balance  int64
	lastDate [6]byte // the date of its last closing balance
	activity int     // mean number of movements per statement
	entry    uint32  // entry-number counter
}

type generator struct {
	w     *bufio.Writer
	opts  Options
	r     *rand.Rand
	t     texts
	stats Stats

	accounts []account
	serial   int // accounts created so far
	start    time.Time
	day      time.Time // the current statement day
	prevDay  [6]byte   // JJMMAA of the business day before start (for new accounts)
	today    [6]byte   // JJMMAA of day
	near     [7][6]byte
	nearDDMM [7][5]byte // "DD/MM" of day-3 .. day+3

	rec [maxRecordLength + 2]byte
	eol []byte
	bic string // the BIC that goes with the last IBAN written
}

func newGenerator(w io.Writer, opts Options) (*generator, error) {
	if opts.Size <= 0 {
		return nil, ErrSize
	}
	if opts.Accounts < 0 || opts.Accounts > MaxAccounts {
		return nil, ErrAccounts
	}
	if !(opts.ErrorRate >= 0 && opts.ErrorRate <= 1) { // also rejects NaN
		return nil, ErrErrorRate
	}
	g := &generator{
		w:    bufio.NewWriterSize(w, 1<<20),
		opts: opts,
		r:    rand.New(rand.NewPCG(uint64(opts.Seed), uint64(opts.Seed)^0x9e3779b97f4a7c15)),
		t:    newTexts(opts.Latin1),
	}
	switch opts.EOL {
	case cfonb.EOLNone:
	case cfonb.EOLLF:
		g.eol = []byte("\n")
	case cfonb.EOLCRLF:
		g.eol = []byte("\r\n")
	default:
		return nil, ErrEOL
	}
	start := opts.Start
	if start == 0 {
		start = cfonb.NewDate(2021, 1, 4)
	}
	if _, err := cfonb.ParseDate(start.AppendJJMMAA(nil)); err != nil || start.Year() < 2000 || start.Year() > 2059 {
		return nil, ErrStart
	}
	if smallest := MinSize(opts.EOL); opts.Size < smallest {
		// A file is whole statements: a smaller size cannot be kept.
		return nil, fmt.Errorf("%w: %d bytes is less than the smallest file, one statement without movements (%d bytes)",
			ErrSize, opts.Size, smallest)
	}
	g.start = businessDay(start.Time(), 1) // 31 December 2059 is a Wednesday: never past lastDay
	n := opts.Accounts
	if n == 0 {
		n = int(min(max(opts.Size/(4<<20), 3), 1000))
	}
	g.accounts = make([]account, n)
	return g, nil
}

// lastDay is the last statement day: JJMMAA dates are read as 20AA up to
// AA = 60 only.
var lastDay = time.Date(2059, 12, 31, 0, 0, 0, 0, time.UTC)

// businessDay returns t if it is a weekday, else the next (step 1) or
// previous (step -1) weekday.
func businessDay(t time.Time, step int) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, step)
	}
	return t
}

// jjmmaa writes t as a JJMMAA date field, as cfonb.Date writes it.
func jjmmaa(dst *[6]byte, t time.Time) {
	cfonb.NewDate(t.Year(), int(t.Month()), t.Day()).AppendJJMMAA(dst[:0])
}

// setDay makes t the current statement day.
func (g *generator) setDay(t time.Time) {
	g.day = t
	jjmmaa(&g.today, t)
	for i := range g.near {
		u := t.AddDate(0, 0, i-3)
		jjmmaa(&g.near[i], u)
		n := &g.near[i]
		g.nearDDMM[i] = [5]byte{n[0], n[1], '/', n[2], n[3]}
	}
}

// renew starts a new set of accounts at the start date.
func (g *generator) renew() {
	g.setDay(g.start)
	jjmmaa(&g.prevDay, businessDay(g.start.AddDate(0, 0, -1), -1))
	for i := range g.accounts {
		g.newAccount(&g.accounts[i])
	}
}

func (g *generator) run(ctx context.Context) error {
	g.renew()
	reserve := int64(2 * (maxRecordLength + 2))
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range g.accounts {
			if g.stats.Statements > 0 && g.stats.Bytes+reserve > g.opts.Size {
				return nil
			}
			a := &g.accounts[i]
			// Some accounts have no statement on some days.
			if g.stats.Statements > 0 && g.r.IntN(100) < 12 {
				continue
			}
			if err := g.statement(a); err != nil {
				return err
			}
		}
		next := businessDay(g.day.AddDate(0, 0, 1), 1)
		if next.After(lastDay) {
			g.renew()
		} else {
			g.setDay(next)
		}
	}
}

func (g *generator) newAccount(a *account) {
	g.serial++
	*a = account{}
	for i := range a.head {
		a.head[i] = ' '
	}
	h := a.head[:]
	h[0] = '0'
	bank := banks[g.r.IntN(len(banks))]
	copy(h[offBank:], bank)
	putDigits(h[offBranch:offBranch+5], g.r.Uint64N(100000))
	// Account number: four random digits then a serial number, so that no
	// two accounts share one. La Banque Postale's have a letter.
	num := h[offAccount : offAccount+11]
	putDigits(num[:4], g.r.Uint64N(10000))
	putDigits(num[4:], uint64(g.serial)%10_000_000)
	if bank == "20041" {
		num[7] = 'A' + num[7] - '0'
	}
	w := g.r.IntN(1000)
	for i := range currencies {
		if w < currencies[i].weight || i == len(currencies)-1 {
			a.cur = &currencies[i]
			break
		}
		w -= currencies[i].weight
	}
	copy(h[offCurrency:], a.cur.code)
	h[offDecimals] = '0' + a.cur.decimals
	a.balance = g.scale(a, int64(g.r.IntN(20_000_000))-2_000_000) // -20k to 180k EUR
	a.lastDate = g.prevDay
	a.activity = 1 + g.r.IntN(40)
	if g.r.IntN(10) == 0 {
		a.activity = 0 // a dormant account: statements without movement
	}
	a.entry = uint32(g.r.IntN(1000000))
}

// scale converts euro cents to the account's minor units.
func (g *generator) scale(a *account, cents int64) int64 {
	return cents * a.cur.num / a.cur.den
}

func (g *generator) statement(a *account) error {
	g.stats.Statements++
	b := g.begin(a, '1')
	copy(b[offDate:], a.lastDate[:])
	putAmount(b[offAmount:offAmount+14], a.balance)
	if err := g.emit(a, cfonb.CodeOldBalance); err != nil {
		return err
	}
	n := 0
	if a.activity > 0 {
		n = g.r.IntN(2*a.activity + 1)
	}
	reserve := int64((1 + 3 + 1 + 2) * (maxRecordLength + 2))
	for j := 0; j < n; j++ {
		if g.stats.Bytes+reserve > g.opts.Size {
			break
		}
		if err := g.movement(a); err != nil {
			return err
		}
	}
	b = g.begin(a, '7')
	copy(b[offDate:], g.today[:])
	putAmount(b[offAmount:offAmount+14], a.balance)
	if err := g.emit(a, cfonb.CodeNewBalance); err != nil {
		return err
	}
	a.lastDate = g.today
	return nil
}

// begin starts a record of the account: blanks, then columns 1-32.
func (g *generator) begin(a *account, code byte) []byte {
	b := g.rec[:cfonb.RecordLen]
	copy(b, blanks[:])
	copy(b, a.head[:])
	b[offCode+1] = code
	return b
}

var blanks = func() (b [cfonb.RecordLen]byte) {
	for i := range b {
		b[i] = ' '
	}
	return b
}()

// emit writes the record in g.rec, breaking it first if its turn has come.
func (g *generator) emit(a *account, code cfonb.Code) error {
	n := cfonb.RecordLen
	g.stats.Records++
	if g.opts.ErrorRate > 0 && g.stats.Records > 2 && g.r.Float64() < g.opts.ErrorRate {
		n = g.breakRecord(a, code)
	}
	k := copy(g.rec[n:], g.eol)
	if _, err := g.w.Write(g.rec[:n+k]); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	g.stats.Bytes += int64(n + k)
	return nil
}

// putDigits writes v as len(dst) decimal digits, zero-padded.
func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// putAmount writes v minor units as the 14-character amount field dst
// (13 digits and the overpunch sign, as cfonb.AppendAmount writes it). The
// generator's amounts stay far within cfonb.MaxAmount; one beyond it would
// leave dst as it was.
func putAmount(dst []byte, v int64) {
	_, _ = cfonb.AppendAmount(dst[:0:14], v)
}

// randDigits fills dst with random decimal digits.
func (g *generator) randDigits(dst []byte) {
	for len(dst) > 0 {
		v := g.r.Uint64()
		n := min(len(dst), 19)
		for i := 0; i < n; i++ {
			dst[i] = byte('0' + v%10)
			v /= 10
		}
		dst = dst[n:]
	}
}

// randAlnum fills dst with random digits and upper-case letters.
func (g *generator) randAlnum(dst []byte) {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	v := g.r.Uint64()
	for i := range dst {
		if i%10 == 9 {
			v = g.r.Uint64()
		}
		dst[i] = chars[v%36]
		v /= 36
	}
}

// put copies the parts into dst one after the other, truncating at the end
// of dst, and returns how many bytes it wrote.
func put(dst []byte, parts ...[]byte) int {
	n := 0
	for _, p := range parts {
		n += copy(dst[n:], p)
	}
	return n
}
