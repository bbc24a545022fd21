package gen

import "github.com/cfonb-dev/cfonb/normalize"

// The words the generator draws from. They are written here with their
// French accents; the generator folds them to ASCII, or encodes them in
// ISO-8859-1 when Options.Latin1 is set, once, when it starts.

// creditors are the names behind SEPA direct debits (PRLV SEPA).
var creditors = []string{
	"EDF", "ENGIE", "TOTALENERGIES ÉLECTRICITÉ", "FREE MOBILE", "ORANGE SA", "SFR",
	"BOUYGUES TELECOM", "URSSAF ÎLE-DE-FRANCE", "URSSAF RHÔNE-ALPES", "DGFIP",
	"OVH SAS", "ONLINE SAS", "AXA FRANCE IARD", "MAIF", "MACIF", "ALLIANZ IARD",
	"GROUPAMA", "SOCIÉTÉ GÉNÉRALE", "CRÉDIT AGRICOLE", "AMAZON PAYMENTS EUROPE",
	"GOOGLE IRELAND", "MICROSOFT IRELAND", "ADOBE SYSTEMS", "SNCF VOYAGEURS",
	"VEOLIA EAU", "SUEZ EAU FRANCE", "MALAKOFF HUMANIS", "AG2R LA MONDIALE",
	"PRO BTP", "HARMONIE MUTUELLE", "LOCAM", "GRENKE LOCATION", "DIAC LOCATION",
	"PAYPAL EUROPE", "STRIPE PAYMENTS", "QONTO", "SAGE SAS", "CEGID",
	"DOCTOLIB", "MUTUELLE GÉNÉRALE", "KLESIA PRÉVOYANCE", "CIPAV RETRAITE",
}

// parties are the names of people and companies on transfers.
var parties = []string{
	"M. DUPONT JEAN", "MME MARTIN SOPHIE", "SARL LES JARDINS D'ÉMILIE",
	"SAS BOULANGERIE MÉNARD", "SCI DES TILLEULS", "EURL GARAGE LEFÈVRE",
	"CABINET D'EXPERTISE COMPTABLE", "SAS NÉGOCE DU SUD-OUEST",
	"ASSOCIATION CULTURELLE", "M. FRANÇOIS LEROY", "MME HÉLÈNE GIRAUD",
	"SARL CAFÉ DE LA GARE", "ÉTABLISSEMENTS BERNARD", "SA TRANSPORTS GÉRARD",
	"SNC PHARMACIE DU CENTRE", "SAS BÂTIMENT RÉNOVATION",
	"SARL ÉLECTRICITÉ GÉNÉRALE", "CHÂTEAU MONTROSE", "SAS CRÈCHE LES PETITS",
	"M. JÉRÔME FAURE", "MME CÉLINE ROUSSEAU", "SAS ATELIER DU BOIS",
	"SARL PLOMBERIE DURAND", "M. THIERRY MOREAU", "MME AGNÈS LAMBERT",
	"SAS LOGICIELS & SERVICES", "SARL IMPRIMERIE DU LAC", "SCEA DOMAINE DES PINS",
	"SELARL DR PÉRIGNON", "SAS FROMAGERIE COMTÉ", "M. NOËL BLANCHARD",
	"SAS HÔTEL DU PORT", "SARL TRAITEUR GAËLLE", "MAIRIE DE SAINT-ÉTIENNE",
}

// merchants are the shops of card payments (CB).
var merchants = []string{
	"CARREFOUR", "LECLERC", "AUCHAN", "INTERMARCHÉ", "MONOPRIX", "FNAC", "DARTY",
	"LEROY MERLIN", "CASTORAMA", "TOTAL ACCESS", "ESSO", "SNCF INTERNET",
	"AIR FRANCE", "UBER", "AMAZON EU", "BOULANGERIE PAUL", "PHARMACIE",
	"BRICO DÉPÔT", "CAFÉ DE FLORE", "HÔTEL IBIS", "LA POSTE", "APPLE.COM/BILL",
	"PICARD", "DÉCATHLON", "CHRONOPOST", "MÉTRO CASH", "BUREAU VALLÉE",
	"RESTAURANT LE RELAIS", "PÉAGE APRR", "PÉAGE VINCI", "IKEA", "CRÊPERIE BRETONNE",
}

// fees are the labels of bank charges.
var fees = []string{
	"COMMISSION D'INTERVENTION", "FRAIS TENUE DE COMPTE", "COTISATION CARTE BUSINESS",
	"INTÉRÊTS DÉBITEURS", "FRAIS REJET PRLV", "ABONNEMENT BANQUE À DISTANCE",
	"COMMISSION DE MOUVEMENT", "FRAIS VIREMENT ÉTRANGER", "FRAIS D'ÉMISSION LCR",
}

// purposes are free texts for remittance information (LCC, LIB, RCN).
var purposes = []string{
	"FACTURE", "LOYER", "SALAIRE", "ACOMPTE", "REMBOURSEMENT", "HONORAIRES",
	"COMMANDE", "AVOIR", "RÉGULARISATION", "ÉCHÉANCE", "PRÊT", "NOTE DE FRAIS",
	"COTISATION", "PRIME", "DÉPÔT DE GARANTIE", "SOLDE DE TOUT COMPTE",
}

// encode returns s in ISO-8859-1, or in ASCII with the accents folded as
// cfonb fmt folds them (É→E, °→o).
func encode(s string, latin1 bool) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80, latin1 && r < 0x100:
			b = append(b, byte(r))
		default:
			b = append(b, normalize.Transliterate(r))
		}
	}
	return b
}

// encodeAll encodes every string of a pool.
func encodeAll(pool []string, latin1 bool) [][]byte {
	out := make([][]byte, len(pool))
	for i, s := range pool {
		out[i] = encode(s, latin1)
	}
	return out
}
