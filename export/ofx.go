package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The OFX format is an OFX 2.2 document (XML) of bank statement
// responses: one STMTTRNRS per CFONB statement, in a BANKMSGSRSV1. The
// elements are written with encoding/xml from the types below, in the
// order the OFX 2.x specification gives (section 11.4.2 STMTRS, 11.4.3
// BANKTRANLIST, 11.4.4 STMTTRN).
//
// A BANKTRANLIST starts with the statement's last date, known only at its
// 07, so a statement's transactions are encoded first into a buffer (in
// memory, then a temporary file past ofxSpill bytes) and the statement is
// written when it closes.

// ofxHeader starts the document: the XML declaration and the OFX
// processing instruction of version 2.2.
const ofxHeader = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n" +
	`<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>` + "\n"

// ofxSpill is the size past which a statement's transactions go to a
// temporary file.
const ofxSpill = 8 << 20

// ofxStatus is a STATUS aggregate: success.
type ofxStatus struct {
	Code     int    `xml:"CODE"`
	Severity string `xml:"SEVERITY"`
}

var ofxOK = ofxStatus{Code: 0, Severity: "INFO"}

// ofxSONRS is the signon response (required before the statements).
type ofxSONRS struct {
	XMLName  xml.Name  `xml:"SONRS"`
	Status   ofxStatus `xml:"STATUS"`
	DTServer string    `xml:"DTSERVER"`
	Language string    `xml:"LANGUAGE"`
}

// ofxBankAcct is a BANKACCTFROM aggregate.
type ofxBankAcct struct {
	BankID   string `xml:"BANKID"`
	BranchID string `xml:"BRANCHID,omitempty"`
	AcctID   string `xml:"ACCTID"`
	AcctType string `xml:"ACCTTYPE"`
	AcctKey  string `xml:"ACCTKEY,omitempty"`
}

// ofxStmtTrn is one transaction (STMTTRN).
type ofxStmtTrn struct {
	XMLName  xml.Name `xml:"STMTTRN"`
	TrnType  string   `xml:"TRNTYPE"`
	DTPosted string   `xml:"DTPOSTED"`
	DTAvail  string   `xml:"DTAVAIL,omitempty"`
	TrnAmt   string   `xml:"TRNAMT"`
	FITID    string   `xml:"FITID"`
	RefNum   string   `xml:"REFNUM,omitempty"`
	Name     string   `xml:"NAME,omitempty"`
	Memo     string   `xml:"MEMO,omitempty"`
}

// ofxBal is a LEDGERBAL aggregate.
type ofxBal struct {
	BalAmt string `xml:"BALAMT"`
	DTAsOf string `xml:"DTASOF"`
}

// ofxStmtHead is what comes before a statement's transactions.
type ofxStmtHead struct {
	CurDef string      `xml:"CURDEF"`
	Acct   ofxBankAcct `xml:"BANKACCTFROM"`
}

// ofxSink writes the OFX document.
type ofxSink struct {
	now     func() time.Time
	spillAt int // ofxSpill; smaller in tests
	trnuid  int
	bal     running
	ordinal int // movements of the statement so far
	first   cfonb.Date
	last    cfonb.Date

	trn      bytes.Buffer // the statement's encoded transactions
	spill    *os.File     // ... or where they went past ofxSpill
	trnEnc   *xml.Encoder
	hash     []byte
	hashHex  [64]byte
	textBuf  []byte
	textBuf2 []byte
}

func newOFXSink(opts Options) *ofxSink {
	s := &ofxSink{now: opts.Now, spillAt: ofxSpill}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// ofxDate is an OFX date: YYYYMMDD.
func ofxDate(d cfonb.Date) string {
	return fmt.Sprintf("%04d%02d%02d", d.Year(), d.Month(), d.Day())
}

// encodeTo encodes v as XML and appends it to the exporter's output.
func (s *ofxSink) encodeTo(e *Exporter, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		s.fail(e, err)
		return
	}
	e.out = append(e.out, b...)
	e.out = append(e.out, '\n')
}

func (s *ofxSink) fail(e *Exporter, err error) {
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("writing the ofx export: %w", err)
	}
}

func (s *ofxSink) start(e *Exporter) {
	e.out = append(e.out, ofxHeader...)
	e.out = append(e.out, "<OFX>\n<SIGNONMSGSRSV1>\n"...)
	s.encodeTo(e, ofxSONRS{Status: ofxOK, DTServer: s.now().UTC().Format("20060102150405") + ".000[0:GMT]", Language: "FRA"})
	e.out = append(e.out, "</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n"...)
}

func (s *ofxSink) openStatement(e *Exporter) {
	s.bal.open(e)
	s.ordinal = 0
	s.first, s.last = 0, 0
	if e.st.line > 0 && e.st.opening.dateOK {
		s.first, s.last = e.st.opening.date, e.st.opening.date
	}
	s.trn.Reset()
	s.closeSpill()
	s.trnEnc = xml.NewEncoder(&s.trn)
}

// closeSpill removes the temporary file of the last statement, if any.
func (s *ofxSink) closeSpill() {
	if s.spill != nil {
		_ = s.spill.Close()
		_ = os.Remove(s.spill.Name())
		s.spill = nil
	}
}

// seen widens the statement's dates to d.
func (s *ofxSink) seen(d cfonb.Date) {
	if d == 0 {
		return
	}
	if s.first == 0 || d < s.first {
		s.first = d
	}
	if d > s.last {
		s.last = d
	}
}

// text returns b as UTF-8 text (see appendText), at most max runes.
func (s *ofxSink) text(b []byte, max int) string {
	s.textBuf = appendText(s.textBuf[:0], b)
	if utf8.RuneCount(s.textBuf) <= max {
		return string(s.textBuf)
	}
	n := 0
	for i := range string(s.textBuf) {
		if n == max {
			return string(s.textBuf[:i])
		}
		n++
	}
	return string(s.textBuf)
}

func (s *ofxSink) movement(e *Exporter, v *view) {
	if e.err != nil {
		return
	}
	m := &v.m
	s.ordinal++
	s.bal.add(v)
	if v.bookingOK {
		s.seen(m.BookingDate)
	}
	t := ofxStmtTrn{TrnType: "CREDIT"}
	if v.amountOK && m.Amount < 0 {
		t.TrnType = "DEBIT"
	}
	switch {
	case v.bookingOK:
		t.DTPosted = ofxDate(m.BookingDate)
	case v.valueOK:
		t.DTPosted = ofxDate(m.ValueDate)
	default:
		t.DTPosted = "19700101" // required; the validator reports the bad date
	}
	if v.valueOK {
		t.DTAvail = ofxDate(m.ValueDate)
	}
	if v.amountOK {
		t.TrnAmt = string(cfonb.AppendDecimal(nil, m.Amount, v.decimals))
	} else {
		t.TrnAmt = "0" // required; the validator reports the bad amount
	}
	t.FITID = s.fitid(e)
	t.RefNum = s.text(frReference(v), 32)
	// NAME: the other party (the payee of a debit, the payer of a credit).
	party := nPayerName
	if t.TrnType == "DEBIT" {
		party = nPayeeName
	}
	if p := v.named[party]; p.set {
		t.Name = s.text(v.get(p), 32)
	}
	t.Memo = s.text(v.labelText(), 255)
	if err := s.trnEnc.Encode(t); err != nil {
		s.fail(e, err)
		return
	}
	s.trn.WriteByte('\n')
	if s.trn.Len() >= s.spillAt {
		s.fail(e, s.spillOut())
	}
}

// fitid is the transaction's identifier: a hash of its records (the 04
// and its 05s) and of its rank in the statement, so that exporting the
// same statement again gives the same FITIDs and an importer sees the
// duplicates, while two identical movements of one statement differ.
func (s *ofxSink) fitid(e *Exporter) string {
	h := sha256.New()
	a := &e.st.m.Account
	h.Write(a.Bank[:])
	h.Write(a.Branch[:])
	h.Write(a.Number[:])
	h.Write(e.mv.data)
	h.Write(e.mv.comps)
	h.Write(strconv.AppendInt(s.textBuf2[:0], int64(s.ordinal), 10))
	s.hash = h.Sum(s.hash[:0])
	hex.Encode(s.hashHex[:], s.hash)
	return string(s.hashHex[:32])
}

// spillOut moves the buffered transactions to a temporary file.
func (s *ofxSink) spillOut() error {
	if s.spill == nil {
		f, err := os.CreateTemp("", "cfonb-ofx-*")
		if err != nil {
			return err
		}
		s.spill = f
	}
	_, err := s.trn.WriteTo(s.spill)
	return err
}

func (s *ofxSink) closeStatement(e *Exporter, line int, closing *balance) {
	if e.err != nil {
		return
	}
	st := &e.st
	a := &st.m.Account
	if line > 0 && closing.dateOK {
		s.seen(closing.date)
	}
	s.trnuid++
	cur := string(accountZone(a.Currency[:]))
	if cur == "" {
		cur = "EUR"
	}
	e.out = append(e.out, "<STMTTRNRS>\n"...)
	e.out = append(e.out, "<TRNUID>"...)
	e.out = strconv.AppendInt(e.out, int64(s.trnuid), 10)
	e.out = append(e.out, "</TRNUID>\n"...)
	s.encodeTo(e, struct {
		XMLName xml.Name `xml:"STATUS"`
		ofxStatus
	}{ofxStatus: ofxOK})
	e.out = append(e.out, "<STMTRS>\n"...)
	head, err := xml.Marshal(ofxStmtHead{CurDef: cur, Acct: ofxBankAcct{
		BankID:   s.text(accountZone(a.Bank[:]), 9),
		BranchID: s.text(accountZone(a.Branch[:]), 22),
		AcctID:   s.text(accountZone(a.Number[:]), 22),
		AcctType: "CHECKING",
	}})
	if err != nil {
		s.fail(e, err)
		return
	}
	// Marshal wraps the fields in <ofxStmtHead>: keep the inside.
	head = bytes.TrimSuffix(bytes.TrimPrefix(head, []byte("<ofxStmtHead>")), []byte("</ofxStmtHead>"))
	e.out = append(e.out, head...)
	e.out = append(e.out, "\n<BANKTRANLIST>\n"...)
	first, last := s.first, s.last
	if first == 0 {
		first, last = cfonb.NewDate(1970, 1, 1), cfonb.NewDate(1970, 1, 1)
	}
	e.out = append(e.out, "<DTSTART>"+ofxDate(first)+"</DTSTART>\n<DTEND>"+ofxDate(last)+"</DTEND>\n"...)
	if err := s.flushTransactions(e); err != nil {
		s.fail(e, err)
		return
	}
	e.out = append(e.out, "</BANKTRANLIST>\n"...)
	// LEDGERBAL: the 07's balance, else the running balance.
	bal := ofxBal{DTAsOf: ofxDate(last)}
	switch {
	case line > 0 && closing.amountOK:
		bal.BalAmt = string(cfonb.AppendDecimal(nil, closing.amount, e.st.m.Decimals))
		if closing.dateOK {
			bal.DTAsOf = ofxDate(closing.date)
		}
	default:
		if b, ok := s.bal.value(); ok {
			bal.BalAmt = string(cfonb.AppendDecimal(nil, b, s.bal.decimals))
		} else {
			bal.BalAmt = "0" // required; the validator reports why there is none
		}
	}
	s.encodeTo(e, struct {
		XMLName xml.Name `xml:"LEDGERBAL"`
		ofxBal
	}{ofxBal: bal})
	e.out = append(e.out, "</STMTRS>\n</STMTTRNRS>\n"...)
	e.flushOut(false)
}

// flushTransactions writes the statement's transactions to the output.
func (s *ofxSink) flushTransactions(e *Exporter) error {
	if err := s.trnEnc.Flush(); err != nil {
		return err
	}
	if s.spill == nil {
		e.out = append(e.out, s.trn.Bytes()...)
		s.trn.Reset()
		return nil
	}
	if err := s.spillOut(); err != nil {
		return err
	}
	defer s.closeSpill()
	e.flushOut(true)
	if e.err != nil {
		return nil
	}
	if _, err := s.spill.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(e.w, s.spill)
	return err
}

func (s *ofxSink) close(e *Exporter) error {
	s.closeSpill()
	e.out = append(e.out, "</BANKMSGSRSV1>\n</OFX>\n"...)
	return nil
}

func (s *ofxSink) discard() { s.closeSpill() }
