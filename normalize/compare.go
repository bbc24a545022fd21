package normalize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The safety check of the Normalizer: every output record is compared with
// its input line, decoded independently of the transliteration tables
// (through golang.org/x/text's charmap.DecodeByte, or UTF-8). It is written
// so that a bug in transliteration, trimming or padding cannot change a
// figure unnoticed.

// columnFields maps, for each known record code, every column (0-based) to
// the field that holds it. Built once from the layouts, never modified.
var columnFields = sync.OnceValue(func() *[8][cfonb.RecordLen]cfonb.FieldID {
	var t [8][cfonb.RecordLen]cfonb.FieldID
	for _, c := range []cfonb.Code{cfonb.CodeOldBalance, cfonb.CodeMovement, cfonb.CodeComplement, cfonb.CodeNewBalance} {
		for _, f := range cfonb.Layout(c) {
			for i := f.Start() - 1; i < f.End(); i++ {
				t[c][i] = f
			}
		}
	}
	return &t
})

// isFigure reports whether fields of kind k carry figures that must never
// change: numbers, codes, dates and amounts.
func isFigure(k cfonb.Kind) bool { return !(k == cfonb.KindText || k == cfonb.KindBlank) }

// verifyBlank checks that a line removed as blank holds nothing but
// space-like or zero-width characters.
func (st *normState) verifyBlank(raw []byte) error {
	cs := st.cs
	bytewise := cs.enc != EncodingUTF8 || utf8LineAsCP1252(raw)
	for i, col := 0, 1; i < len(raw); col++ {
		r, size := cs.dec[raw[i]], 1
		if !bytewise {
			r, size = cs.decodeRune(raw[i:])
		}
		i += size
		if !isSpaceLike(r) && !(size > 1 && isZeroWidth(r)) {
			return &RefusedError{Line: st.inLine, Column: col,
				Reason: fmt.Sprintf("internal error: a line holding %q was about to be removed as blank", r)}
		}
	}
	return nil
}

// verify checks the output record out against its input line raw.
func (st *normState) verify(raw, out []byte) error {
	cs := st.cs
	switch {
	case cs.enc.IsEBCDIC():
		return st.verifyEBCDIC(raw, out)
	case cs.enc == EncodingUTF8 && hasHighByte(raw) && !utf8LineAsCP1252(raw):
		return st.verifyRunes(raw, out)
	}
	return st.verifyBytes(raw, out)
}

// verifyEBCDIC checks a line of EBCDIC: one byte is one character, which
// charmap decodes; it is compared column by column with the output, then
// the figures of both sides are decoded and compared.
func (st *normState) verifyEBCDIC(raw, out []byte) error {
	dec := &st.cs.dec
	m := len(raw)
	code := cfonb.CodeUnknown
	if m >= 2 && dec[raw[0]] < 0x80 && dec[raw[1]] < 0x80 {
		code = cfonb.ParseCode([]byte{byte(dec[raw[0]]), byte(dec[raw[1]])})
	}
	if err := st.verifyShape(code, out, m, func(i int) rune { return dec[raw[i]] }); err != nil {
		return err
	}
	var cols *[cfonb.RecordLen]cfonb.FieldID
	if code != cfonb.CodeUnknown {
		cols = &st.cols[code]
	}
	p := min(m, len(out))
	for i := 0; i < p; i++ {
		if r := dec[raw[i]]; rune(out[i]) != r {
			if err := st.verifyChange(cols, i, r, out[i]); err != nil {
				return err
			}
		}
	}
	if code == cfonb.CodeUnknown || len(out) != cfonb.RecordLen {
		return nil
	}
	in := &st.fig
	for i := range in {
		in[i] = ' ' // text zones and padding: checked above
		if i < m {
			if r := dec[raw[i]]; r < 0x80 {
				in[i] = byte(r)
			}
		}
	}
	return st.compareFigures(code, in[:], out)
}

// verifyBytes checks a line of an ASCII-compatible single-byte encoding
// (or a UTF-8 line read byte by byte): one byte is one character. Where
// the output byte is the input byte, the character is unchanged (printable
// ASCII reads the same in all these encodings); every other column must
// hold, in the input, a character that is not printable ASCII, in a text or
// reserved zone, and in the output printable ASCII. So every figure field
// is byte for byte the same, and decodes to the same value.
func (st *normState) verifyBytes(raw, out []byte) error {
	cs := st.cs
	m := len(raw)
	code := cfonb.CodeUnknown
	if m >= 2 {
		code = cfonb.ParseCode(raw[:2])
	}
	if err := st.verifyShape(code, out, m, func(i int) rune { return cs.dec[raw[i]] }); err != nil {
		return err
	}
	var cols *[cfonb.RecordLen]cfonb.FieldID
	if code != cfonb.CodeUnknown {
		cols = &st.cols[code]
	}
	p := min(m, len(out))
	i := 0
	for ; i+8 <= p; i += 8 {
		if binary.LittleEndian.Uint64(raw[i:]) == binary.LittleEndian.Uint64(out[i:]) {
			continue
		}
		for j := i; j < i+8; j++ {
			if raw[j] != out[j] {
				if err := st.verifyChange(cols, j, cs.dec[raw[j]], out[j]); err != nil {
					return err
				}
			}
		}
	}
	for ; i < p; i++ {
		if raw[i] != out[i] {
			if err := st.verifyChange(cols, i, cs.dec[raw[i]], out[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyRunes checks a line of multi-byte UTF-8: it decodes the
// characters, compares them column by column, then decodes the figures of
// both sides (account, decimals, dates, amounts) and compares the values.
func (st *normState) verifyRunes(raw, out []byte) error {
	cs := st.cs
	runes := st.runes[:0]
	for i := 0; i < len(raw); {
		if b := raw[i]; b < utf8.RuneSelf {
			runes = append(runes, rune(b))
			i++
			continue
		}
		r, size := cs.decodeRune(raw[i:])
		i += size
		if size > 1 && isZeroWidth(r) {
			continue
		}
		runes = append(runes, r)
	}
	st.runes = runes
	m := len(runes)
	code := cfonb.CodeUnknown
	if m >= 2 && runes[0] < 0x80 && runes[1] < 0x80 {
		code = cfonb.ParseCode([]byte{byte(runes[0]), byte(runes[1])})
	}
	if err := st.verifyShape(code, out, m, func(i int) rune { return runes[i] }); err != nil {
		return err
	}
	var cols *[cfonb.RecordLen]cfonb.FieldID
	if code != cfonb.CodeUnknown {
		cols = &st.cols[code]
	}
	for i := 0; i < min(m, len(out)); i++ {
		if r, o := runes[i], out[i]; rune(o) != r {
			if err := st.verifyChange(cols, i, r, o); err != nil {
				return err
			}
		}
	}
	if code == cfonb.CodeUnknown || len(out) != cfonb.RecordLen {
		return nil
	}
	in := &st.fig
	for i := range in {
		in[i] = ' ' // text zones and padding: checked above
		if i < m && runes[i] < 0x80 {
			in[i] = byte(runes[i])
		}
	}
	return st.compareFigures(code, in[:], out)
}

// verifyShape checks the record code and the length of out against an
// input line of m characters (char(i) returns the i-th): the same length,
// or 120 after removing spaces after column 120, or 120 after padding with
// spaces fields that may be blank.
func (st *normState) verifyShape(code cfonb.Code, out []byte, m int, char func(int) rune) error {
	if got := cfonb.ParseCode(out); got != code {
		return &RefusedError{Line: st.inLine, Column: 1, Reason: fmt.Sprintf("internal error: the record code would change from %s to %s", code, got)}
	}
	switch {
	case len(out) == m:
	case len(out) == cfonb.RecordLen && m > cfonb.RecordLen:
		for i := cfonb.RecordLen; i < m; i++ {
			if r := char(i); !isSpaceLike(r) {
				return &RefusedError{Line: st.inLine, Column: i + 1, Reason: fmt.Sprintf("internal error: %q after column 120 was about to be removed", r)}
			}
		}
	case len(out) == cfonb.RecordLen && m < cfonb.RecordLen:
		return st.verifyPadding(out, m)
	default:
		return &RefusedError{Line: st.inLine, Reason: fmt.Sprintf("internal error: a line of %d characters would become %d", m, len(out))}
	}
	return nil
}

// verifyChange checks one column (0-based i) whose input character r was
// written as the output byte o: r must not be printable ASCII (that is kept
// as it is), o must be, and the column must be in a text or reserved zone.
func (st *normState) verifyChange(cols *[cfonb.RecordLen]cfonb.FieldID, i int, r rune, o byte) error {
	if r >= 0x20 && r < 0x7F {
		return &RefusedError{Line: st.inLine, Column: i + 1, Reason: fmt.Sprintf("internal error: %q would become %q", r, o)}
	}
	if o < 0x20 || o > 0x7E {
		return &RefusedError{Line: st.inLine, Column: i + 1, Reason: fmt.Sprintf("internal error: %q would become byte 0x%02X, not printable ASCII", r, o)}
	}
	f := cfonb.FieldCode // columns 1-2 hold the record code in every record
	if i >= 2 {
		if cols == nil || i >= cfonb.RecordLen || !isFigure(cols[i].Kind()) {
			return nil
		}
		f = cols[i]
	}
	return &RefusedError{Line: st.inLine, Column: i + 1, Reason: fmt.Sprintf(
		"the %s (columns %d-%d) holds %s, which would become %q: a figure cannot be transliterated safely; fix the file or give the right --encoding",
		f, f.Start(), f.End(), describeRune(r), o)}
}

// hasHighByte reports whether p holds a byte of 0x80 or more.
func hasHighByte(p []byte) bool {
	for len(p) >= 8 {
		if binary.LittleEndian.Uint64(p)&0x8080808080808080 != 0 {
			return true
		}
		p = p[8:]
	}
	for _, b := range p {
		if b >= 0x80 {
			return true
		}
	}
	return false
}

// verifyPadding checks that the columns from m (0-based) to 120 of out,
// added by padding, are spaces in fields that may be blank.
func (st *normState) verifyPadding(out []byte, m int) error {
	code := cfonb.ParseCode(out)
	if code == cfonb.CodeUnknown || len(out) != cfonb.RecordLen {
		return &RefusedError{Line: st.inLine, Column: m + 1, Reason: "internal error: a record of unknown layout was about to be padded"}
	}
	cols := &st.cols[code]
	for i := m; i < cfonb.RecordLen; i++ {
		if out[i] != ' ' || isFigure(cols[i].Kind()) && cols[i].Kind() != cfonb.KindAlnum {
			return &RefusedError{Line: st.inLine, Column: i + 1, Reason: fmt.Sprintf("internal error: padding would invent the %s", cols[i])}
		}
	}
	return nil
}

// valueFields lists, for each known record code, the fields whose values
// compareFigures decodes: dates and amounts. Built once, never modified.
var valueFields = sync.OnceValue(func() *[8][]cfonb.FieldID {
	var t [8][]cfonb.FieldID
	for _, c := range []cfonb.Code{cfonb.CodeOldBalance, cfonb.CodeMovement, cfonb.CodeComplement, cfonb.CodeNewBalance} {
		for _, f := range cfonb.Layout(c) {
			if k := f.Kind(); k == cfonb.KindDate || k == cfonb.KindAmount {
				t[c] = append(t[c], f)
			}
		}
	}
	return &t
})

// compareFigures decodes the figures of the input record in (its
// characters as ASCII bytes; the figure columns were checked to be ASCII)
// and of the output record out, and compares the values: account, number
// of decimals, dates and amounts. (The characters of every figure field
// were compared column by column before, which implies this; it is the
// check in terms of values, for the encodings whose bytes differ.)
func (st *normState) compareFigures(code cfonb.Code, in, out []byte) error {
	if cfonb.AccountOf(in) != cfonb.AccountOf(out) || !bytes.Equal(cfonb.FieldDecimals.Of(in), cfonb.FieldDecimals.Of(out)) {
		return &RefusedError{Line: st.inLine, Column: cfonb.FieldBank.Start(), Reason: "internal error: the account would change"}
	}
	for _, f := range valueFields()[code] {
		var same bool
		if f.Kind() == cfonb.KindDate {
			d1, e1 := cfonb.ParseDate(f.Of(in))
			d2, e2 := cfonb.ParseDate(f.Of(out))
			same = d1 == d2 && (e1 == nil) == (e2 == nil)
		} else {
			a1, e1 := cfonb.ParseAmount(f.Of(in))
			a2, e2 := cfonb.ParseAmount(f.Of(out))
			same = a1 == a2 && (e1 == nil) == (e2 == nil)
		}
		if !same {
			return &RefusedError{Line: st.inLine, Column: f.Start(), Reason: fmt.Sprintf("internal error: the %s would change", f)}
		}
	}
	return nil
}

// describeRune names a character for a message: 'É' (U+00C9).
func describeRune(r rune) string {
	if r < 0x20 || r >= 0x7F && r < 0xA0 {
		return fmt.Sprintf("the control character U+%04X", r)
	}
	return fmt.Sprintf("%q (U+%04X)", r, r)
}
