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
func InterbankLabel(code []byte) (label string, ok bool) {
	if len(code) != 2 {
		return "", false
	}
	// The switch on string(code) compiles to comparisons without
	// converting (no allocation).
	switch string(code) {
	case "01":
		return "Chèques payés", true
	case "02":
		return "Remises de chèques", true
	case "03":
		return "Chèques impayés", true
	case "04":
		return "Versements espèces", true
	case "05":
		return "Virements reçus", true
	case "06":
		return "Virements émis", true
	case "07":
		return "LCR/BOR domiciliés", true
	case "08":
		return "Prélèvements, TIP et Télérèglements domiciliés", true
	case "09":
		return "Prélèvements, TIP et Télérèglements émis", true
	case "10":
		return "Prélèvements, TIP et Télérèglements rejetés/impayés", true
	case "11":
		return "Factures cartes de paiement/DAB-GAB", true
	case "12":
		return "Rejet/retour de virement", true
	case "13":
		return "Virements de trésorerie reçus", true
	case "14":
		return "Virements de trésorerie émis", true
	case "15":
		return "Remises de chèques sur caisse", true
	case "18":
		return "Autres virements reçus", true
	case "21":
		return "Autres virements émis", true
	case "22":
		return "TIP domiciliés", true
	case "24":
		return "TIP émis", true
	case "26":
		return "TIP rejetés / impayés", true
	case "27":
		return "Prélèvements rejetés / impayés", true
	case "28":
		return "Factures cartes payées", true
	case "29":
		return "Retrait DAB-GAB", true
	case "30":
		return "Factures cartes remises", true
	case "31":
		return "Remises d'effets à l'encaissement", true
	case "32":
		return "Remises à l'escompte (papier commercial / chèques)", true
	case "33":
		return "Effets impayés", true
	case "34":
		return "Incidents sur effets", true
	case "35":
		return "Remises de LCR/BOR à l'encaissement", true
	case "36":
		return "Remise de facture CB crédit", true
	case "37":
		return "Remises de LCR/BOR à l'escompte", true
	case "38":
		return "Facture CB impayée / rejetée", true
	case "39":
		return "Virements d'Origine Extérieur (VOE) reçus", true
	case "41":
		return "Transferts vers/en provenance de l'étranger", true
	case "42":
		return "Achats/Ventes de devises", true
	case "43":
		return "Autres opérations avec l'étranger", true
	case "44":
		return "Virements internationaux émis", true
	case "45":
		return "Virements internationaux reçus", true
	case "46":
		return "Achats de devises au comptant", true
	case "47":
		return "Ventes de devises au comptant", true
	case "48":
		return "Levée sur achat à terme", true
	case "49":
		return "Livraisons sur vente à terme", true
	case "51":
		return "Achats et Ventes de titres", true
	case "52":
		return "Diverses opérations sur titres", true
	case "53":
		return "Achats/Souscriptions VM/BF", true
	case "54":
		return "Ventes de VM/BF", true
	case "55":
		return "Solde de liquidation - BF", true
	case "56":
		return "Achats OPCVM", true
	case "57":
		return "Ventes OPCVM", true
	case "58":
		return "Achats TCN", true
	case "59":
		return "Ventes TCN", true
	case "61":
		return "Agios", true
	case "62":
		return "Commissions et frais divers, dont intérêts compensatoires", true
	case "63":
		return "Produits financiers", true
	case "64":
		return "Commissions y compris taxes", true
	case "65":
		return "Commissions hors taxes", true
	case "66":
		return "Commissions non taxables", true
	case "67":
		return "Taxes", true
	case "68":
		return "Autres opérations avec l'étranger - Débit", true
	case "69":
		return "Autres opérations avec l'étranger - Crédit", true
	case "70":
		return "Charges financières", true
	case "71":
		return "Tirage de crédits", true
	case "72":
		return "Echéance crédits", true
	case "73":
		return "Emission de valeurs mobilières", true
	case "74":
		return "Emission de titres de créances", true
	case "75":
		return "Remboursement", true
	case "76":
		return "Dépôt à terme", true
	case "77":
		return "Echéance dépôt à terme", true
	case "80":
		return "Achats autres TC", true
	case "81":
		return "Ventes autres TC", true
	case "82":
		return "Contrats", true
	case "83":
		return "Options", true
	case "84":
		return "Achats Bourses Etrangères", true
	case "85":
		return "Ventes Bourses Etrangères", true
	case "86":
		return "Opérations sur titres", true
	case "87":
		return "Revenus sur titres", true
	case "88":
		return "Commissions et droits de garde", true
	case "89":
		return "Remboursement impôts étrangers", true
	case "90":
		return "Facture Acceptée à Echéance émise", true
	case "91":
		return "Opérations diverses", true
	case "92":
		return "Centralisation de recettes", true
	case "93":
		return "Centralisation de dépenses", true
	case "94":
		return "Centralisation de trésorerie - Crédit", true
	case "95":
		return "Centralisation de trésorerie - Débit", true
	case "96":
		return "Télérèglements domiciliés", true
	case "97":
		return "Télérèglements émis", true
	case "98":
		return "Télérèglements rejetés/impayés", true
	case "99":
		return "Annulations et régularisations", true
	case "A1":
		return "Prélèvements SEPA émis", true
	case "A2":
		return "Prélèvements SEPA interentreprises émis", true
	case "A3":
		return "Prélèvements SEPA rejetés/impayés (émis par le débiteur ou sa banque)", true
	case "A4":
		return "Prélèvements SEPA interentreprises rejetés/impayés (émis par le débiteur ou sa banque)", true
	case "A5":
		return "Prélèvements SEPA interentreprises – reversements émis (par le créancier ou sa banque)", true
	case "A6":
		return "Prélèvements SEPA interentreprises – reversements émis (par le créancier ou sa banque)", true
	case "B1":
		return "Prélèvements SEPA domiciliés", true
	case "B2":
		return "Prélèvements SEPA interentreprises domiciliés", true
	case "B3":
		return "Prélèvements SEPA rejetés/impayés reçus (par le créancier)", true
	case "B4":
		return "Prélèvements SEPA interentreprises rejetés/impayés reçus (par le créancier)", true
	case "B5":
		return "Prélèvements SEPA – reversements reçus (par le débiteur)", true
	case "B6":
		return "Prélèvements SEPA interentreprises – reversements reçus (par le débiteur)", true
	case "C1":
		return "Virement SEPA instantané émis", true
	case "C2":
		return "Virement SEPA instantané reçu", true
	case "C3":
		return "Crédit suite à demande de retour de fonds (« recall ») d’un virement SEPA instantané émise (par le donneur d’ordre)", true
	case "C4":
		return "Débit suite à demande de retour de fonds (« recall ») d’un virement SEPA instantané reçue (par le bénéficiaire)", true
	case "C5":
		return "Recrédit du Donneur d’Ordre", true
	}
	return "", false
}

// KnownQualifier reports whether q is one of the 05 qualifiers (positions
// 46-48) of the CFONB120 standard: LIB, LCC, LC2, LCS, RCN, REF, NPY, IPY,
// NBE, IBE, NPO, IPO, NBU, IBU, RUM, CBE, CPY, MMO and FEE. Banks also send
// blank and proprietary qualifiers, which are not errors. It does not
// allocate.
func KnownQualifier(q []byte) bool {
	if len(q) != 3 {
		return false
	}
	switch string(q) {
	case QualifierLIB, QualifierLCC, QualifierLC2, QualifierLCS, QualifierRCN,
		QualifierREF, QualifierNPY, QualifierIPY, QualifierNBE, QualifierIBE,
		QualifierNPO, QualifierIPO, QualifierNBU, QualifierIBU, QualifierRUM,
		QualifierCBE, QualifierCPY, QualifierMMO, QualifierFEE:
		return true
	}
	return false
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
)
