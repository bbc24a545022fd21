package export_test

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/cfonb-dev/cfonb/export"
)

// A statement of account 30004 00823 00010000156: an old balance, one
// movement with its complement, a new balance.
const statement = "" +
	"0130004    00823EUR2 00010000156  020326                                                  0000000012345{                \r\n" +
	"0430004000100823EUR2 00010000156B1020326  020326PRLV SEPA ONLINE SAS             0000001  0000000000227RREF0001         \r\n" +
	"0530004000100823EUR2 00010000156B1020326     LIBDEDIBOX 3706114                                                         \r\n" +
	"0730004    00823EUR2 00010000156  020326                                                  0000000012117A                \r\n"

func ExampleExporter() {
	x, err := export.New(os.Stdout, export.Options{Format: export.JSONL})
	if err != nil {
		log.Fatal(err)
	}
	// Validate first (package validate): the exporter does not judge.
	if err := x.Export("statement.txt", strings.NewReader(statement)); err != nil {
		log.Fatal(err)
	}
	if err := x.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"file":"statement.txt","line":2,"bank":"30004","branch":"00823","account":"00010000156","iban":"FR7630004008230001000015611","currency":"EUR","booking_date":"2026-03-02","value_date":"2026-03-02","amount":"-22.79","amount_minor":-2279,"interbank_code":"B1","interbank_label":"Prélèvements SEPA domiciliés","internal_code":"0001","rejection_code":null,"label":"PRLV SEPA ONLINE SAS DEDIBOX 3706114","label_04":"PRLV SEPA ONLINE SAS","entry_number":"0000001","reference":"REF0001","complements":[{"qualifier":"LIB","text":"DEDIBOX 3706114"}]}
}

func ExampleExporter_csv() {
	// A French spreadsheet's CSV: semicolons, decimal commas, the French
	// accounting columns.
	var out strings.Builder
	x, err := export.New(&out, export.Options{Format: export.CSV, DecimalComma: true, Columns: export.ColumnsFR})
	if err != nil {
		log.Fatal(err)
	}
	if err := x.Export("statement.txt", strings.NewReader(statement)); err != nil {
		log.Fatal(err)
	}
	if err := x.Close(); err != nil {
		log.Fatal(err)
	}
	// Rows end with CRLF, as RFC 4180 says; shown here with LF.
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// Date;Date de valeur;Libellé;Débit;Crédit;Solde;Référence;Compte;IBAN
	// 02/03/2026;02/03/2026;PRLV SEPA ONLINE SAS DEDIBOX 3706114;22,79;;1211,71;REF0001;00010000156;FR7630004008230001000015611
}
