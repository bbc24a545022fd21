package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// csvColumns are the columns before the named fields; "complements" comes
// after them.
var csvColumns = []string{
	"file", "line", "bank", "branch", "account", "iban", "currency",
	"booking_date", "value_date", "amount", "amount_minor",
	"interbank_code", "interbank_label", "internal_code", "rejection_code",
	"label", "entry_number", "reference",
}

// CSVHeader returns the header row of the CSV format, in column order.
func CSVHeader() []string {
	h := append([]string(nil), csvColumns...)
	for n := named(0); n < numNamed; n++ {
		h = append(h, namedKeys[n])
	}
	return append(h, "complements")
}

// csvSink writes CSV rows through encoding/csv.
type csvSink struct {
	bw     *bufio.Writer
	w      *csv.Writer
	opts   Options
	buf    []byte // the row's fields, one after the other
	ends   []int  // end of each field in buf
	fields []string
}

func newCSVSink(w io.Writer, opts Options) *csvSink {
	bw := bufio.NewWriterSize(w, flushSize)
	cw := csv.NewWriter(bw)
	cw.Comma = opts.Comma
	cw.UseCRLF = true // RFC 4180
	return &csvSink{bw: bw, w: cw, opts: opts}
}

// header writes the optional BOM and the header row.
func (s *csvSink) header() error {
	if s.opts.BOM {
		if _, err := s.bw.WriteString("\uFEFF"); err != nil {
			return fmt.Errorf("writing the export: %w", err)
		}
	}
	if err := s.w.Write(CSVHeader()); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}

func (s *csvSink) flush() error {
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}

// end ends the current field.
func (s *csvSink) end() { s.ends = append(s.ends, len(s.buf)) }

// text adds a text field.
func (s *csvSink) text(b []byte) {
	s.buf = appendText(s.buf, b)
	s.end()
}

// decimal adds a decimal field, with a decimal comma if asked.
func (s *csvSink) decimal(b []byte) {
	start := len(s.buf)
	s.buf = append(s.buf, b...)
	if s.opts.DecimalComma {
		for i := start; i < len(s.buf); i++ {
			if s.buf[i] == '.' {
				s.buf[i] = ','
			}
		}
	}
	s.end()
}

// row writes the row of a movement.
func (s *csvSink) row(e *Exporter, v *view) error {
	m := &v.m
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	s.buf = append(s.buf, e.file...)
	s.end()
	s.buf = strconv.AppendInt(s.buf, int64(v.line), 10)
	s.end()
	s.text(accountZone(v.acct.Bank[:]))
	s.text(accountZone(v.acct.Branch[:]))
	s.text(accountZone(v.acct.Number[:]))
	s.text(v.iban)
	s.text(accountZone(v.acct.Currency[:]))
	if v.bookingOK {
		s.buf = m.BookingDate.AppendISO(s.buf)
	}
	s.end()
	if v.valueOK {
		s.buf = m.ValueDate.AppendISO(s.buf)
	}
	s.end()
	if v.amountOK {
		var d [32]byte
		s.decimal(cfonb.AppendDecimal(d[:0], m.Amount, v.decimals))
		s.buf = strconv.AppendInt(s.buf, m.Amount, 10)
	} else {
		s.end()
	}
	s.end()
	s.text(m.InterbankCode)
	label, _ := cfonb.InterbankLabel(m.InterbankCode)
	s.buf = append(s.buf, label...)
	s.end()
	s.text(m.InternalCode)
	s.text(m.RejectCode)
	s.text(v.get(v.label))
	s.text(m.EntryNumber)
	s.text(m.Reference)
	for n := named(0); n < numNamed; n++ {
		var val []byte
		if v.named[n].set {
			val = v.get(v.named[n])
		}
		if n.isDecimal() {
			s.decimal(val)
		} else {
			s.text(val)
		}
	}
	// complements: "QUALIFIER:text", separated by " | ".
	for i, c := range v.comps {
		if i > 0 {
			s.buf = append(s.buf, " | "...)
		}
		s.buf = appendText(s.buf, c.qualifier)
		s.buf = append(s.buf, ':')
		s.buf = appendText(s.buf, c.text)
	}
	s.end()

	// One string for the whole row, sliced into its fields.
	all := string(s.buf)
	s.fields = s.fields[:0]
	start := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, all[start:end])
		start = end
	}
	if err := s.w.Write(s.fields); err != nil {
		return fmt.Errorf("writing the export: %w", err)
	}
	return nil
}
