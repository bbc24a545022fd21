package gen

import (
	"github.com/cfonb-dev/cfonb/cfonb"
)

// texts holds the words of the generated labels, encoded once (ASCII or
// ISO-8859-1).
type texts struct {
	creditors, parties, merchants, fees, purposes [][]byte

	prlv, virRecu, virEmis, virInst, cb, cheque, remiseChq, remiseCB,
	echeance, facture, carte, remiseDe, cheques, e2e, ref []byte
}

func newTexts(latin1 bool) texts {
	e := func(s string) []byte { return encode(s, latin1) }
	return texts{
		creditors: encodeAll(creditors, latin1),
		parties:   encodeAll(parties, latin1),
		merchants: encodeAll(merchants, latin1),
		fees:      encodeAll(fees, latin1),
		purposes:  encodeAll(purposes, latin1),
		prlv:      e("PRLV SEPA "),
		virRecu:   e("VIR SEPA RECU "),
		virEmis:   e("VIR SEPA EMIS "),
		virInst:   e("VIR INST RE "),
		cb:        e("CB "),
		cheque:    e("CHÈQUE N° "),
		remiseChq: e("REMISE CHÈQUES "),
		remiseCB:  e("REMISE CB "),
		echeance:  e("ÉCHÉANCE PRÊT "),
		facture:   e("FACTURE SGT"),
		carte:     e("CARTE 4974XXXXXXXX"),
		remiseDe:  e("REMISE DE "),
		cheques:   e(" CHÈQUES"),
		e2e:       e("E2E-"),
		ref:       e("REF "),
	}
}

// mvKind is a kind of movement.
type mvKind uint8

const (
	mvDirectDebit mvKind = iota
	mvTransferIn
	mvTransferOut
	mvInstantIn
	mvCard
	mvCheque
	mvChequeDeposit
	mvCardDeposit
	mvFee
	mvLoan
	mvInvoice
	numMvKinds
)

// qualifier is a kind of 05 complement.
type qualifier uint8

const (
	qLIB qualifier = iota
	qNPY
	qNBE
	qRCN
	qREF
	qRUM
	qIBE
	qLCC
	qCBE
	qCPY
)

var qualifierCodes = [...]string{qLIB: "LIB", qNPY: "NPY", qNBE: "NBE", qRCN: "RCN",
	qREF: "REF", qRUM: "RUM", qIBE: "IBE", qLCC: "LCC", qCBE: "CBE", qCPY: "CPY"}

// mvSpec describes a kind of movement: how often, which way, how much (in
// euro cents), its operation codes (the interbank code from the CFONB list,
// see cfonb.InterbankLabel; a bank-specific internal code) and the
// complements that fit it.
type mvSpec struct {
	weight     int
	credit     bool
	min, max   int64
	interbank  string
	internal   string
	qualifiers []qualifier
}

var mvSpecs = [numMvKinds]mvSpec{
	mvDirectDebit:   {20, false, 5_00, 3000_00, "B1", "0556", []qualifier{qNBE, qRUM, qIBE, qLIB, qRCN}},
	mvTransferIn:    {15, true, 50_00, 25000_00, "05", "0002", []qualifier{qNPY, qCPY, qRCN, qLCC, qREF}},
	mvTransferOut:   {10, false, 50_00, 20000_00, "06", "0001", []qualifier{qNBE, qCBE, qRCN, qLCC, qREF}},
	mvInstantIn:     {5, true, 10_00, 5000_00, "C2", "0A02", []qualifier{qNPY, qCPY, qLCC}},
	mvCard:          {25, false, 2_00, 400_00, "11", "0859", []qualifier{qLIB}},
	mvCheque:        {5, false, 20_00, 6000_00, "01", "0101", []qualifier{qREF}},
	mvChequeDeposit: {4, true, 50_00, 15000_00, "02", "0115", []qualifier{qLIB, qREF}},
	mvCardDeposit:   {6, true, 50_00, 20000_00, "30", "0812", []qualifier{qLIB, qREF}},
	mvFee:           {6, false, 1_00, 90_00, "62", "6200", []qualifier{qLIB}},
	mvLoan:          {2, false, 200_00, 4000_00, "72", "6510", []qualifier{qREF, qLIB}},
	mvInvoice:       {2, false, 10_00, 2000_00, "62", "0859", []qualifier{qLIB, qREF}},
}

var mvTotalWeight = func() int {
	t := 0
	for _, s := range mvSpecs {
		t += s.weight
	}
	return t
}()

func (g *generator) pickKind(a *account) mvKind {
	w := g.r.IntN(mvTotalWeight)
	k := mvKind(0)
	for ; k < numMvKinds-1; k++ {
		if w < mvSpecs[k].weight {
			break
		}
		w -= mvSpecs[k].weight
	}
	// Keep balances within realistic bounds: rich accounts spend, poor
	// ones receive.
	switch {
	case mvSpecs[k].credit && a.balance > g.scale(a, 1_000_000_00) && g.r.IntN(2) == 0:
		k = mvTransferOut
	case !mvSpecs[k].credit && a.balance < g.scale(a, -50_000_00) && g.r.IntN(2) == 0:
		k = mvTransferIn
	}
	return k
}

// movement writes one 04 and its complements.
func (g *generator) movement(a *account) error {
	k := g.pickKind(a)
	s := &mvSpecs[k]
	u := g.r.Float64()
	cents := s.min + int64(float64(s.max-s.min)*u*u*u)
	if g.r.IntN(4) == 0 && cents > 100_00 {
		cents -= cents % 100 // a round amount
	}
	v := max(g.scale(a, cents), 1)
	if !s.credit {
		v = -v
	}
	const limit = 1_000_000_000_000 // ten billion euros: never near MaxAmount
	if nb := a.balance + v; nb > limit || nb < -limit {
		v = -v
	}
	a.balance += v
	g.stats.Movements++

	b := g.begin(a, '4')
	copy(b[offInternal:], s.internal)
	copy(b[offInterbank:], s.interbank)
	copy(b[offDate:], g.today[:])
	// Value date: the booking day, a day later for some credits, a day
	// earlier for some debits.
	vd := 3
	if g.r.IntN(3) == 0 {
		if s.credit {
			vd = 4
		} else {
			vd = 2
		}
	}
	copy(b[offValueDate:], g.near[vd][:])
	name := g.label(k, b[offLabel:offLabel+lenLabel])
	if g.r.IntN(10) < 7 {
		a.entry++
		putDigits(b[offEntry:offEntry+7], uint64(a.entry%10_000_000))
	}
	putAmount(b[offAmount:offAmount+14], v)
	ref := b[offReference : offReference+lenReference]
	if k == mvCheque {
		g.randDigits(ref[:7])
	} else {
		g.randAlnum(ref[:8+g.r.IntN(9)])
	}
	if err := g.emit(a, cfonb.CodeMovement); err != nil {
		return err
	}

	// Zero to three complements, among those that fit the movement.
	n := 0
	switch w := g.r.IntN(10); {
	case w < 4:
	case w < 7:
		n = 1
	case w < 9:
		n = 2
	default:
		n = 3
	}
	n = min(n, len(s.qualifiers))
	first := g.r.IntN(len(s.qualifiers))
	for i := 0; i < n; i++ {
		q := s.qualifiers[(first+i)%len(s.qualifiers)]
		b := g.begin(a, '5')
		copy(b[offInternal:], s.internal)
		copy(b[offInterbank:], s.interbank)
		copy(b[offDate:], g.today[:])
		copy(b[offQualifier:], qualifierCodes[q])
		g.information(k, q, name, b[offInformation:offInformation+lenInformation])
		if err := g.emit(a, cfonb.CodeComplement); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) pick(pool [][]byte) []byte { return pool[g.r.IntN(len(pool))] }

// label writes the movement's label into dst (31 bytes, blank) and returns
// the name of the counterparty, if any.
func (g *generator) label(k mvKind, dst []byte) []byte {
	t := &g.t
	var name []byte
	switch k {
	case mvDirectDebit:
		name = g.pick(t.creditors)
		put(dst, t.prlv, name)
	case mvTransferIn:
		name = g.pick(t.parties)
		put(dst, t.virRecu, name)
	case mvTransferOut:
		name = g.pick(t.parties)
		put(dst, t.virEmis, name)
	case mvInstantIn:
		name = g.pick(t.parties)
		put(dst, t.virInst, name)
	case mvCard:
		name = g.pick(t.merchants)
		n := put(dst[:len(dst)-6], t.cb, name)
		dst[n] = ' '
		copy(dst[n+1:], g.nearDDMM[g.r.IntN(3)][:])
	case mvCheque:
		n := put(dst, t.cheque)
		g.randDigits(dst[n : n+7])
	case mvChequeDeposit:
		n := put(dst, t.remiseChq)
		g.randDigits(dst[n : n+7])
	case mvCardDeposit:
		n := put(dst, t.remiseCB)
		g.randDigits(dst[n : n+7])
		dst[n+7] = ' '
		copy(dst[n+8:], g.nearDDMM[2][:])
	case mvFee:
		put(dst, g.pick(t.fees))
	case mvLoan:
		n := put(dst, t.echeance)
		g.randDigits(dst[n : n+11])
	case mvInvoice:
		n := put(dst, t.facture)
		g.randDigits(dst[n : n+14])
	}
	return name
}

// information writes the 70 characters of a complement into dst (blank).
func (g *generator) information(k mvKind, q qualifier, name, dst []byte) {
	t := &g.t
	switch q {
	case qLIB:
		switch k {
		case mvCard:
			n := put(dst, t.carte)
			g.randDigits(dst[n : n+4])
		case mvChequeDeposit:
			n := put(dst, t.remiseDe)
			dst[n] = byte('2' + g.r.IntN(8))
			put(dst[n+1:], t.cheques)
		default:
			n := put(dst, g.pick(t.purposes))
			dst[n] = ' '
			g.randDigits(dst[n+1 : n+11])
		}
	case qNPY, qNBE:
		if name == nil {
			name = g.pick(t.parties)
		}
		put(dst, name)
	case qRCN:
		n := put(dst, t.e2e)
		g.randAlnum(dst[n : n+20])
		put(dst[35:], g.pick(t.purposes))
	case qREF:
		n := put(dst, t.ref)
		g.randDigits(dst[n : n+16])
	case qRUM:
		g.randAlnum(dst[:6+g.r.IntN(20)])
	case qIBE:
		g.creditorID(dst)
	case qLCC:
		n := put(dst, g.pick(t.purposes))
		dst[n] = ' '
		g.randDigits(dst[n+1 : n+11])
	case qCBE, qCPY:
		n := g.iban(dst)
		dst[n] = ' '
		copy(dst[n+1:], g.bic)
	}
}

// bicByCountry are real BICs for the countries of the generated IBANs.
var bicByCountry = map[string][]string{
	"FR": {"BNPAFRPPXXX", "SOGEFRPPXXX", "CRLYFRPPXXX", "AGRIFRPPXXX", "CMCIFRPPXXX", "PSSTFRPPPAR"},
	"DE": {"DEUTDEFFXXX", "COBADEFFXXX"},
	"BE": {"GEBABEBBXXX", "KREDBEBBXXX"},
	"ES": {"CAIXESBBXXX", "BSCHESMMXXX"},
	"IT": {"BCITITMMXXX", "UNCRITMMXXX"},
	"NL": {"INGBNL2AXXX", "ABNANL2AXXX"},
}

var nlBanks = []string{"INGB", "ABNA", "RABO", "TRIO"}

// iban writes a valid IBAN in electronic form at the start of dst (which
// must hold 27 bytes) and returns its length; it sets g.bic to a BIC of the
// same country.
func (g *generator) iban(dst []byte) int {
	var n int
	var cc string
	switch w := g.r.IntN(10); {
	case w < 6: // France
		cc = "FR"
		var bank, branch [5]byte
		var acct [11]byte
		copy(bank[:], banks[g.r.IntN(len(banks))])
		g.randDigits(branch[:5])
		g.randDigits(acct[:11])
		// The inputs are digits of the right lengths: no error is possible
		// (the tests check every generated IBAN with cfonb.CheckIBAN).
		_ = cfonb.AppendFrenchIBAN(dst[:0], bank[:5], branch[:5], acct[:11])
		n = 27
	case w < 7: // Germany: 18 digits
		cc, n = "DE", 22
		g.randDigits(dst[4:n])
	case w < 8: // Belgium: 10 digits and their national check (mod 97)
		cc, n = "BE", 16
		g.randDigits(dst[4:14])
		var r uint64
		for _, c := range dst[4:14] {
			r = r*10 + uint64(c-'0')
		}
		r %= 97
		if r == 0 {
			r = 97
		}
		putDigits(dst[14:16], r)
	case w < 9: // Italy: CIN letter, ABI, CAB, 12-character account
		cc, n = "IT", 27
		dst[4] = byte('A' + g.r.IntN(26))
		g.randDigits(dst[5:n])
	default: // Netherlands: bank letters and 10 digits
		cc, n = "NL", 18
		copy(dst[4:8], nlBanks[g.r.IntN(len(nlBanks))])
		g.randDigits(dst[8:n])
	}
	if cc != "FR" {
		dst[0], dst[1], dst[2], dst[3] = cc[0], cc[1], '0', '0'
		cd := 98 - mod97(dst[4:n], dst[:4])
		dst[2], dst[3] = byte('0'+cd/10), byte('0'+cd%10)
	}
	bics := bicByCountry[cc]
	g.bic = bics[g.r.IntN(len(bics))]
	return n
}

// creditorID writes a French SEPA creditor identifier (ICS): FR, two check
// digits, a business code and a six-digit national identifier.
func (g *generator) creditorID(dst []byte) {
	copy(dst, "FR00ZZZ")
	g.randDigits(dst[7:13])
	cd := 98 - mod97(dst[7:13], dst[:4])
	dst[2], dst[3] = byte('0'+cd/10), byte('0'+cd%10)
}

// mod97 returns the ISO 7064 mod-97 remainder of a followed by b, letters
// counting as 10 to 35.
func mod97(a, b []byte) int {
	r := 0
	for _, s := range [2][]byte{a, b} {
		for _, c := range s {
			if c >= 'A' && c <= 'Z' {
				r = (r*100 + int(c-'A') + 10) % 97
			} else {
				r = (r*10 + int(c-'0')) % 97
			}
		}
	}
	return r
}
