package validate_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/validate"
)

// A statement of account 30004 00823 00010000156 whose new balance (07)
// does not follow from the old one and the movement: 1,234.50 - 22.79 is
// 1,211.71, not 1,211.17.
const statement = "" +
	"0130004    00823EUR2 00010000156  020326                                                  0000000012345{                \r\n" +
	"0430004000100823EUR2 00010000156B1020326  020326PRLV SEPA ONLINE SAS             0000001  0000000000227RREF0001         \r\n" +
	"0530004000100823EUR2 00010000156B1020326     LIBDEDIBOX 3706114                                                         \r\n" +
	"0730004    00823EUR2 00010000156  020326                                                  0000000012111G                \r\n"

func ExampleStream() {
	rep, err := validate.Stream("statement.txt", strings.NewReader(statement), validate.Options{})
	if err != nil { // reading failed: the input's problems are diagnostics
		log.Fatal(err)
	}
	for _, d := range rep.Diagnostics {
		fmt.Println(d)
	}
	fmt.Println(validate.FileSummary(rep))
	// Output:
	// statement.txt:4:91: error: new balance 1211.17 does not reconcile: old balance 1234.50 (line 1) + 1 movement -22.79 = 1211.71 (difference -0.54) [balance]
	// statement.txt: 4 records, 1 statement: 1 error, 0 warnings
}

func ExampleValidator() {
	// Validate records as they come, from any source of cfonb.Record.
	v := validate.New("statement.txt", validate.Options{})
	r := cfonb.NewReader(strings.NewReader(statement))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if stop := v.Record(&rec, r.Framing); stop {
			break
		}
	}
	rep := v.Finish()
	fmt.Println(rep.Errors, "error at line", rep.Diagnostics[0].Line, "column", rep.Diagnostics[0].Column, "rule", rep.Diagnostics[0].Rule)
	// Output:
	// 1 error at line 4 column 91 rule balance
}

func ExampleNewReportWriter() {
	rep, err := validate.Stream("statement.txt", strings.NewReader(statement), validate.Options{})
	if err != nil {
		log.Fatal(err)
	}
	w, err := validate.NewReportWriter("github", os.Stdout, validate.WriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Write(rep); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(validate.Totals{Files: 1, Errors: rep.Errors, Warnings: rep.Warnings}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ::error file=statement.txt,line=4,col=91,title=balance::new balance 1211.17 does not reconcile: old balance 1234.50 (line 1) + 1 movement -22.79 = 1211.71 (difference -0.54)
	// statement.txt: 4 records, 1 statement: 1 error, 0 warnings
}
