package gen

import "github.com/cfonb-dev/cfonb/cfonb"

// Replacement values of the deliberate breaks.
var (
	// badDays are day-month pairs that are never calendar dates.
	badDays = [][2]string{{"31", "04"}, {"31", "06"}, {"31", "09"}, {"31", "11"},
		{"30", "02"}, {"00", "05"}, {"15", "13"}, {"10", "00"}, {"32", "01"}}
	badSigns    = []byte(" +-*0SZ?")
	badLetters  = []byte("OISBZX")
	badCodes    = []string{"00", "02", "09", "11", "19", "99", "0A", "O4"}
	nonASCII    = []byte{0x80, 0x92, 0xA0, 0xC3, 0xE9, 0xFF}
	extraBytes  = []byte("0123456789 X")
	numericOffs = [...]struct {
		off, n int
		field  cfonb.FieldID
	}{
		{offBank, 5, cfonb.FieldBank},
		{offBranch, 5, cfonb.FieldBranch},
		{offDecimals, 1, cfonb.FieldDecimals},
		{offAmount, 13, cfonb.FieldAmount}, // must stay last: 05 records have no amount
	}
)

// breakRecord breaks the record in g.rec (120 bytes, of the given code) in
// a way chosen at random among those that apply, reports it, and returns
// the record's new length.
func (g *generator) breakRecord(a *account, code cfonb.Code) int {
	var kinds [numKinds]Kind
	k := 0
	add := func(x Kind) { kinds[k] = x; k++ }
	add(BadDate)
	add(BadDigit)
	add(UnknownCode)
	if code != cfonb.CodeComplement {
		add(BadSign)
	}
	if g.eol != nil {
		add(BadLength)
	}
	if (code == cfonb.CodeMovement || code == cfonb.CodeComplement) && !g.opts.Latin1 {
		add(NonASCII)
	}
	if code == cfonb.CodeNewBalance {
		add(Unbalanced)
	}
	kind := kinds[g.r.IntN(k)]

	b := g.rec[:]
	n := cfonb.RecordLen
	br := Break{Line: int(g.stats.Records), Offset: g.stats.Bytes, Kind: kind, Code: code}
	amountField := cfonb.FieldAmount
	if code != cfonb.CodeMovement {
		amountField = cfonb.FieldBalance
	}
	switch kind {
	case BadDate:
		off, field := offDate, cfonb.FieldBookingDate
		switch {
		case code == cfonb.CodeOldBalance || code == cfonb.CodeNewBalance:
			field = cfonb.FieldBalanceDate
		case code == cfonb.CodeMovement && g.r.IntN(2) == 0:
			off, field = offValueDate, cfonb.FieldValueDate
		}
		var dm [2]string
		if i := g.r.IntN(len(badDays) + 1); i < len(badDays) {
			dm = badDays[i]
		} else if yy := int(b[off+4]-'0')*10 + int(b[off+5]-'0'); yy%4 != 0 {
			dm = [2]string{"29", "02"} // 29 February of a common year
		} else {
			dm = [2]string{"30", "02"}
		}
		copy(b[off:], dm[0])
		copy(b[off+2:], dm[1])
		br.Field, br.Column = field, off+1
	case BadSign:
		b[offAmount+13] = badSigns[g.r.IntN(len(badSigns))]
		br.Field, br.Column = amountField, offAmount+1
	case BadDigit:
		m := len(numericOffs)
		if code == cfonb.CodeComplement {
			m--
		}
		f := numericOffs[g.r.IntN(m)]
		b[f.off+g.r.IntN(f.n)] = badLetters[g.r.IntN(len(badLetters))]
		br.Field, br.Column = f.field, f.off+1
		if f.field == cfonb.FieldAmount {
			br.Field = amountField
		}
	case BadLength:
		if g.r.IntN(2) == 0 {
			n = cfonb.RecordLen - 1 - g.r.IntN(40)
			br.Column = n + 1
		} else {
			n = cfonb.RecordLen + 1 + g.r.IntN(maxRecordLength-cfonb.RecordLen)
			for i := cfonb.RecordLen; i < n; i++ {
				b[i] = extraBytes[g.r.IntN(len(extraBytes))]
			}
			br.Column = cfonb.RecordLen + 1
		}
		br.Field = cfonb.FieldCode
	case UnknownCode:
		copy(b, badCodes[g.r.IntN(len(badCodes))])
		br.Field, br.Column = cfonb.FieldCode, 1
	case NonASCII:
		off, l, field := offLabel, lenLabel, cfonb.FieldLabel
		if code == cfonb.CodeComplement {
			off, l, field = offInformation, lenInformation, cfonb.FieldInformation
		}
		b[off+g.r.IntN(l)] = nonASCII[g.r.IntN(len(nonASCII))]
		br.Field, br.Column = field, off+1
	case Unbalanced:
		delta := int64(1 + g.r.IntN(100_000))
		if g.r.IntN(2) == 0 {
			delta = -delta
		}
		a.balance += delta
		putAmount(b[offAmount:offAmount+14], a.balance)
		br.Field, br.Column = cfonb.FieldBalance, offAmount+1
	}
	g.stats.Broken++
	g.stats.ByKind[kind]++
	if g.opts.OnBreak != nil {
		g.opts.OnBreak(br)
	}
	return n
}
