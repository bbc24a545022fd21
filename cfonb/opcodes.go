package cfonb

// InterbankLabel returns the French label of a CFONB interbank operation
// code (positions 33-34 of a 04 or 05 record), e.g. "Virements reçus" for
// "05", and whether the code is in the list. It does not allocate.
//
// Source: the table of the PHP library silarhi/cfonb-parser (MIT licence),
// file src/CfonbCodes.php, at commits 3bc550b5 and 67795a06 (the two stored
// versions agree), which transcribes the CFONB's "codes opérations
// interbancaires" (the 2004 brochure "Relevé de compte sur support
// informatique" and its SEPA updates "Evolutions du Relevé de Compte 120
// caractères", 2010, and SEPA instant transfers). Its numeric codes were
// compared with a second, older table found in a Dynamics NAV bank
// reconciliation module: both give the same meaning to every code they
// share except 36 and 38 (the older table has the retired LCC remittances
// there) and 96 (labelled there like 99). Codes only that older table has
// (16, 17, 19, 20, 23, 25) are left out: only codes of the silarhi table
// are listed, with its labels as written there, including A5 and A6,
// which it gives the same label (A5 is probably meant for the non-B2B
// scheme, but no source found here says so).
//
// It looks the code up in a table of 16 KiB built once from the list
// below (interbankLabelSwitch): one load instead of a search, since the
// validator asks for every movement.
func InterbankLabel(code []byte) (label string, ok bool) {
	if len(code) != 2 || (code[0]|code[1])&0x80 != 0 {
		return "", false
	}
	i := interbank.index[uint16(code[0])<<7|uint16(code[1])]
	if i == 0 {
		return "", false
	}
	return interbank.labels[i], true
}

// interbankTable maps a two-byte ASCII code (7 bits each) to its label:
// index holds the label's position in labels, 0 for an unknown code.
type interbankTable struct {
	index  [1 << 14]uint8
	labels []string
}

// interbank is built once, from interbankLabelSwitch, and never changed.
var interbank = newInterbankTable()

func newInterbankTable() *interbankTable {
	t := &interbankTable{labels: []string{""}}
	for c0 := range 0x80 {
		for c1 := range 0x80 {
			if label, ok := interbankLabelSwitch([]byte{byte(c0), byte(c1)}); ok {
				if len(t.labels) == 256 {
					panic("cfonb: more than 255 interbank codes")
				}
				t.index[c0<<7|c1] = uint8(len(t.labels))
				t.labels = append(t.labels, label)
			}
		}
	}
	return t
}

// interbankLabelSwitch is the list of the codes and their labels, the
// definition InterbankLabel's table is built from.
func interbankLabelSwitch(code []byte) (label string, ok bool) {
	if len(code) != 2 {
		return "", false
	}
	// A switch on the two bytes as one integer: a binary search over
	// integers, faster than comparing strings, and no allocation.
	switch uint16(code[0])<<8 | uint16(code[1]) {
	case '0'<<8 | '1':
		return "Chèques payés", true
	case '0'<<8 | '2':
		return "Remises de chèques", true
	case '0'<<8 | '3':
		return "Chèques impayés", true
	case '0'<<8 | '4':
		return "Versements espèces", true
	case '0'<<8 | '5':
		return "Virements reçus", true
	case '0'<<8 | '6':
		return "Virements émis", true
	case '0'<<8 | '7':
		return "LCR/BOR domiciliés", true
	case '0'<<8 | '8':
		return "Prélèvements, TIP et Télérèglements domiciliés", true
	case '0'<<8 | '9':
		return "Prélèvements, TIP et Télérèglements émis", true
	case '1'<<8 | '0':
		return "Prélèvements, TIP et Télérèglements rejetés/impayés", true
	case '1'<<8 | '1':
		return "Factures cartes de paiement/DAB-GAB", true
	case '1'<<8 | '2':
		return "Rejet/retour de virement", true
	case '1'<<8 | '3':
		return "Virements de trésorerie reçus", true
	case '1'<<8 | '4':
		return "Virements de trésorerie émis", true
	case '1'<<8 | '5':
		return "Remises de chèques sur caisse", true
	case '1'<<8 | '8':
		return "Autres virements reçus", true
	case '2'<<8 | '1':
		return "Autres virements émis", true
	case '2'<<8 | '2':
		return "TIP domiciliés", true
	case '2'<<8 | '4':
		return "TIP émis", true
	case '2'<<8 | '6':
		return "TIP rejetés / impayés", true
	case '2'<<8 | '7':
		return "Prélèvements rejetés / impayés", true
	case '2'<<8 | '8':
		return "Factures cartes payées", true
	case '2'<<8 | '9':
		return "Retrait DAB-GAB", true
	case '3'<<8 | '0':
		return "Factures cartes remises", true
	case '3'<<8 | '1':
		return "Remises d'effets à l'encaissement", true
	case '3'<<8 | '2':
		return "Remises à l'escompte (papier commercial / chèques)", true
	case '3'<<8 | '3':
		return "Effets impayés", true
	case '3'<<8 | '4':
		return "Incidents sur effets", true
	case '3'<<8 | '5':
		return "Remises de LCR/BOR à l'encaissement", true
	case '3'<<8 | '6':
		return "Remise de facture CB crédit", true
	case '3'<<8 | '7':
		return "Remises de LCR/BOR à l'escompte", true
	case '3'<<8 | '8':
		return "Facture CB impayée / rejetée", true
	case '3'<<8 | '9':
		return "Virements d'Origine Extérieur (VOE) reçus", true
	case '4'<<8 | '1':
		return "Transferts vers/en provenance de l'étranger", true
	case '4'<<8 | '2':
		return "Achats/Ventes de devises", true
	case '4'<<8 | '3':
		return "Autres opérations avec l'étranger", true
	case '4'<<8 | '4':
		return "Virements internationaux émis", true
	case '4'<<8 | '5':
		return "Virements internationaux reçus", true
	case '4'<<8 | '6':
		return "Achats de devises au comptant", true
	case '4'<<8 | '7':
		return "Ventes de devises au comptant", true
	case '4'<<8 | '8':
		return "Levée sur achat à terme", true
	case '4'<<8 | '9':
		return "Livraisons sur vente à terme", true
	case '5'<<8 | '1':
		return "Achats et Ventes de titres", true
	case '5'<<8 | '2':
		return "Diverses opérations sur titres", true
	case '5'<<8 | '3':
		return "Achats/Souscriptions VM/BF", true
	case '5'<<8 | '4':
		return "Ventes de VM/BF", true
	case '5'<<8 | '5':
		return "Solde de liquidation - BF", true
	case '5'<<8 | '6':
		return "Achats OPCVM", true
	case '5'<<8 | '7':
		return "Ventes OPCVM", true
	case '5'<<8 | '8':
		return "Achats TCN", true
	case '5'<<8 | '9':
		return "Ventes TCN", true
	case '6'<<8 | '1':
		return "Agios", true
	case '6'<<8 | '2':
		return "Commissions et frais divers, dont intérêts compensatoires", true
	case '6'<<8 | '3':
		return "Produits financiers", true
	case '6'<<8 | '4':
		return "Commissions y compris taxes", true
	case '6'<<8 | '5':
		return "Commissions hors taxes", true
	case '6'<<8 | '6':
		return "Commissions non taxables", true
	case '6'<<8 | '7':
		return "Taxes", true
	case '6'<<8 | '8':
		return "Autres opérations avec l'étranger - Débit", true
	case '6'<<8 | '9':
		return "Autres opérations avec l'étranger - Crédit", true
	case '7'<<8 | '0':
		return "Charges financières", true
	case '7'<<8 | '1':
		return "Tirage de crédits", true
	case '7'<<8 | '2':
		return "Echéance crédits", true
	case '7'<<8 | '3':
		return "Emission de valeurs mobilières", true
	case '7'<<8 | '4':
		return "Emission de titres de créances", true
	case '7'<<8 | '5':
		return "Remboursement", true
	case '7'<<8 | '6':
		return "Dépôt à terme", true
	case '7'<<8 | '7':
		return "Echéance dépôt à terme", true
	case '8'<<8 | '0':
		return "Achats autres TC", true
	case '8'<<8 | '1':
		return "Ventes autres TC", true
	case '8'<<8 | '2':
		return "Contrats", true
	case '8'<<8 | '3':
		return "Options", true
	case '8'<<8 | '4':
		return "Achats Bourses Etrangères", true
	case '8'<<8 | '5':
		return "Ventes Bourses Etrangères", true
	case '8'<<8 | '6':
		return "Opérations sur titres", true
	case '8'<<8 | '7':
		return "Revenus sur titres", true
	case '8'<<8 | '8':
		return "Commissions et droits de garde", true
	case '8'<<8 | '9':
		return "Remboursement impôts étrangers", true
	case '9'<<8 | '0':
		return "Facture Acceptée à Echéance émise", true
	case '9'<<8 | '1':
		return "Opérations diverses", true
	case '9'<<8 | '2':
		return "Centralisation de recettes", true
	case '9'<<8 | '3':
		return "Centralisation de dépenses", true
	case '9'<<8 | '4':
		return "Centralisation de trésorerie - Crédit", true
	case '9'<<8 | '5':
		return "Centralisation de trésorerie - Débit", true
	case '9'<<8 | '6':
		return "Télérèglements domiciliés", true
	case '9'<<8 | '7':
		return "Télérèglements émis", true
	case '9'<<8 | '8':
		return "Télérèglements rejetés/impayés", true
	case '9'<<8 | '9':
		return "Annulations et régularisations", true
	case 'A'<<8 | '1':
		return "Prélèvements SEPA émis", true
	case 'A'<<8 | '2':
		return "Prélèvements SEPA interentreprises émis", true
	case 'A'<<8 | '3':
		return "Prélèvements SEPA rejetés/impayés (émis par le débiteur ou sa banque)", true
	case 'A'<<8 | '4':
		return "Prélèvements SEPA interentreprises rejetés/impayés (émis par le débiteur ou sa banque)", true
	case 'A'<<8 | '5':
		return "Prélèvements SEPA interentreprises – reversements émis (par le créancier ou sa banque)", true
	case 'A'<<8 | '6':
		return "Prélèvements SEPA interentreprises – reversements émis (par le créancier ou sa banque)", true
	case 'B'<<8 | '1':
		return "Prélèvements SEPA domiciliés", true
	case 'B'<<8 | '2':
		return "Prélèvements SEPA interentreprises domiciliés", true
	case 'B'<<8 | '3':
		return "Prélèvements SEPA rejetés/impayés reçus (par le créancier)", true
	case 'B'<<8 | '4':
		return "Prélèvements SEPA interentreprises rejetés/impayés reçus (par le créancier)", true
	case 'B'<<8 | '5':
		return "Prélèvements SEPA – reversements reçus (par le débiteur)", true
	case 'B'<<8 | '6':
		return "Prélèvements SEPA interentreprises – reversements reçus (par le débiteur)", true
	case 'C'<<8 | '1':
		return "Virement SEPA instantané émis", true
	case 'C'<<8 | '2':
		return "Virement SEPA instantané reçu", true
	case 'C'<<8 | '3':
		return "Crédit suite à demande de retour de fonds (« recall ») d’un virement SEPA instantané émise (par le donneur d’ordre)", true
	case 'C'<<8 | '4':
		return "Débit suite à demande de retour de fonds (« recall ») d’un virement SEPA instantané reçue (par le bénéficiaire)", true
	case 'C'<<8 | '5':
		return "Recrédit du Donneur d’Ordre", true
	}
	return "", false
}

// KnownQualifier reports whether q is one of the 05 qualifiers (positions
// 46-48) of the CFONB120 standard: LIB, LCC, LC2, LCS, RCN, REF, NPY, IPY,
// NBE, IBE, NPO, IPO, NBU, IBU, RUM, CBE, CPY, MMO and FEE, and PDO, seen
// in real files (a country code and name, kept as text). Banks also send
// blank and proprietary qualifiers, which are not errors. It does not
// allocate.
//
// It looks q up in a table of 64 slots built once from knownQualifiers,
// the one list (TestKnownQualifierTable compares every three bytes with
// it).
func KnownQualifier(q []byte) bool {
	if len(q) != 3 {
		return false
	}
	k := uint32(q[0])<<16 | uint32(q[1])<<8 | uint32(q[2])
	return qualifiers.slot[k*qualifiers.mul>>26] == k|qualifierSet
}

// knownQualifiers is the list of the qualifiers KnownQualifier knows,
// three bytes each, in the order of the standard.
const knownQualifiers = QualifierLIB + QualifierLCC + QualifierLC2 + QualifierLCS + QualifierRCN +
	QualifierREF + QualifierNPY + QualifierIPY + QualifierNBE + QualifierIBE +
	QualifierNPO + QualifierIPO + QualifierNBU + QualifierIBU + QualifierRUM +
	QualifierCBE + QualifierCPY + QualifierMMO + QualifierFEE + QualifierPDO

// The list is of whole three-byte qualifiers, at most 64 for the table:
// each of these fails to compile (a negative constant) otherwise.
const (
	_ = uint(0) - uint(len(knownQualifiers)%3)
	_ = uint(64*3 - len(knownQualifiers))
)

// qualifierTable is a perfect hash of the known qualifiers: the three
// bytes k of a qualifier, as a number, are in slot k*mul>>26 as
// k|qualifierSet, and every other slot is 0.
type qualifierTable struct {
	mul  uint32
	slot [64]uint32
}

// qualifierSet marks a slot in use (k has 24 bits).
const qualifierSet = 1 << 31

// qualifiers is built once, from knownQualifiers, and never changed.
var qualifiers = newQualifierTable(knownQualifiers)

// newQualifierTable builds the table of list, qualifiers of three bytes
// each, of which there are at most 64.
func newQualifierTable(list string) *qualifierTable {
	// The first odd multiplier from the golden ratio's that puts every
	// key in a slot of its own.
	for mul := uint32(0x9E3779B1); ; mul += 2 {
		t := &qualifierTable{mul: mul}
		ok := true
		for q := list; q != ""; q = q[3:] {
			k := uint32(q[0])<<16 | uint32(q[1])<<8 | uint32(q[2])
			i := k * mul >> 26
			if t.slot[i] != 0 {
				ok = false
				break
			}
			t.slot[i] = k | qualifierSet
		}
		if ok {
			return t
		}
	}
}

// The 05 qualifiers of the CFONB120 standard (positions 46-48).
const (
	QualifierLIB = "LIB" // label continuation (libellé complémentaire)
	QualifierLCC = "LCC" // unstructured remittance information, line 1
	QualifierLC2 = "LC2" // unstructured remittance information, line 2
	QualifierLCS = "LCS" // structured remittance information
	QualifierRCN = "RCN" // end-to-end reference and purpose
	QualifierREF = "REF" // the bank's reference of the operation
	QualifierNPY = "NPY" // name of the payer (debtor)
	QualifierIPY = "IPY" // identifier of the payer
	QualifierNBE = "NBE" // name of the payee (creditor)
	QualifierIBE = "IBE" // identifier of the payee
	QualifierNPO = "NPO" // name of the ultimate debtor
	QualifierIPO = "IPO" // identifier of the ultimate debtor
	QualifierNBU = "NBU" // name of the ultimate creditor
	QualifierIBU = "IBU" // identifier of the ultimate creditor
	QualifierRUM = "RUM" // SEPA direct debit mandate reference
	QualifierCBE = "CBE" // payee's account
	QualifierCPY = "CPY" // payer's account
	QualifierMMO = "MMO" // original amount and exchange rate
	QualifierFEE = "FEE" // commission
	QualifierPDO = "PDO" // seen in real files as "PDOFR FRANCE": a country code and name, kept as text
)
