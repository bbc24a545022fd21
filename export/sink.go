package export

import (
	"fmt"
	"math"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// Columns is a layout of the rows of the CSV and XLSX formats.
type Columns uint8

// The column layouts.
const (
	// ColumnsDefault has every field of a movement, with snake_case
	// headers (see CSVHeader).
	ColumnsDefault Columns = iota
	// ColumnsFR is a French accounting layout: Date, Date de valeur,
	// Libellé, Débit, Crédit, Solde, Référence, Compte, IBAN; one row per
	// movement, with the statement's running balance.
	ColumnsFR
)

// String returns the layout's name as ParseColumns accepts it.
func (c Columns) String() string {
	switch c {
	case ColumnsDefault:
		return "default"
	case ColumnsFR:
		return "fr"
	}
	return fmt.Sprintf("Columns(%d)", uint8(c))
}

// ParseColumns returns the layout called s: "default" (also "") or "fr".
func ParseColumns(s string) (Columns, error) {
	switch strings.ToLower(s) {
	case "", "default":
		return ColumnsDefault, nil
	case "fr":
		return ColumnsFR, nil
	}
	return 0, fmt.Errorf("unknown columns %q (want default or fr)", s)
}

// frHeader is the header row of the French layout.
var frHeader = []string{"Date", "Date de valeur", "Libellé", "Débit", "Crédit", "Solde", "Référence", "Compte", "IBAN"}

// FRHeader returns the header row of the French layout (ColumnsFR).
func FRHeader() []string { return append([]string(nil), frHeader...) }

// sink is an output written from the exporter's events rather than from
// its byte buffer alone: the xlsx and ofx formats, and the CSV in the
// French layout. A sink records its errors in Exporter.err.
type sink interface {
	start(e *Exporter)
	openStatement(e *Exporter)
	movement(e *Exporter, v *view)
	closeStatement(e *Exporter, line int, closing *balance)
	close(e *Exporter) error
	discard() // removes the sink's temporary files, if any
}

// newSink returns the sink of opts, or nil when the exporter writes the
// output itself.
func newSink(opts Options) (sink, error) {
	switch {
	case opts.Format == XLSX:
		return newXLSXSink(opts)
	case opts.Format == OFX:
		return newOFXSink(opts), nil
	case opts.Format == CSV && opts.Columns == ColumnsFR:
		return &frCSVSink{csv: newCSVSink(opts)}, nil
	}
	return nil, nil
}

// running is a statement's running balance: its opening balance plus the
// movements so far, exact, at the statement's decimals. It is unknown
// when the statement has no opening balance or a movement's amount does
// not decode (and stays so until the next statement).
type running struct {
	sum      cfonb.Sum
	ok       bool
	decimals int
}

// open starts the balance of the exporter's open statement.
func (r *running) open(e *Exporter) {
	st := &e.st
	*r = running{decimals: st.m.Decimals}
	if st.line > 0 && st.opening.amountOK {
		r.sum.Add(st.opening.amount)
		r.ok = true
	}
}

// add adds a movement to the balance.
func (r *running) add(v *view) {
	if !r.ok {
		return
	}
	if !v.amountOK || v.decimals > r.decimals {
		r.ok = false
		return
	}
	amount := v.m.Amount
	for d := v.decimals; d < r.decimals; d++ {
		if amount > math.MaxInt64/10 || amount < math.MinInt64/10 {
			r.ok = false
			return
		}
		amount *= 10
	}
	r.sum.Add(amount)
}

// value returns the balance in minor units (at r.decimals); ok is false
// when it is unknown or does not fit an int64.
func (r *running) value() (int64, bool) {
	if !r.ok {
		return 0, false
	}
	return r.sum.Int64()
}

// appendFRDate appends d as DD/MM/YYYY, the form French spreadsheets read
// as a date.
func appendFRDate(b []byte, d cfonb.Date) []byte {
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = two(b, d.Day())
	b = append(b, '/')
	b = two(b, d.Month())
	b = append(b, '/')
	y := d.Year()
	return append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// frReference is the Référence of a movement: the 04's reference zone,
// else the end-to-end reference of its complements.
func frReference(v *view) []byte {
	if len(v.m.Reference) > 0 {
		return v.m.Reference
	}
	if s := v.named[nEndToEndReference]; s.set {
		return v.get(s)
	}
	return nil
}

// frCSVSink writes the CSV in the French layout.
type frCSVSink struct {
	csv *csvSink
	bal running
}

func (s *frCSVSink) start(e *Exporter) {
	c := s.csv
	if c.opts.BOM {
		e.out = append(e.out, "\uFEFF"...)
	}
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	for _, h := range frHeader {
		c.buf = append(c.buf, h...)
		c.end()
	}
	e.out = c.appendRow(e.out)
}

func (s *frCSVSink) openStatement(e *Exporter) { s.bal.open(e) }

func (s *frCSVSink) movement(e *Exporter, v *view) {
	c := s.csv
	m := &v.m
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	if v.bookingOK {
		c.buf = appendFRDate(c.buf, m.BookingDate)
	}
	c.end()
	if v.valueOK {
		c.buf = appendFRDate(c.buf, m.ValueDate)
	}
	c.end()
	c.text(v.labelText())
	var d [32]byte
	switch {
	case !v.amountOK:
		c.end()
		c.end()
	case m.Amount < 0:
		c.decimal(cfonb.AppendDecimal(d[:0], -m.Amount, v.decimals))
		c.end()
	default:
		c.end()
		c.decimal(cfonb.AppendDecimal(d[:0], m.Amount, v.decimals))
	}
	s.bal.add(v)
	if b, ok := s.bal.value(); ok {
		c.decimal(cfonb.AppendDecimal(d[:0], b, s.bal.decimals))
	} else {
		c.end()
	}
	c.text(frReference(v))
	c.text(accountZone(e.st.m.Account.Number[:]))
	c.text(e.st.iban)
	e.out = c.appendRow(e.out)
}

func (s *frCSVSink) closeStatement(*Exporter, int, *balance) {}

func (s *frCSVSink) close(*Exporter) error { return nil }

func (s *frCSVSink) discard() {}
