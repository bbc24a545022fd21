package normalize_test

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// A legacy export: Latin-1 ("É" is the byte 0xC9), LF line ends, and the
// trailing spaces of every line stripped.
const legacy = "" +
	"0130004    00823EUR2 00010000156  020326                                                  0000000012345{\n" +
	"0430004000100823EUR2 00010000156B1020326  020326PRLV SEPA SOCI\xc9T\xc9 G\xc9N\xc9RALE       0000001  0000000000227RREF0001\n" +
	"0730004    00823EUR2 00010000156  020326                                                  0000000012117A\n"

func ExampleNormalizer() {
	n := normalize.New() // detects the encoding; writes CRLF
	var out strings.Builder
	rep, err := n.Normalize(&out, strings.NewReader(legacy))
	if err != nil {
		log.Fatal(err) // a *RefusedError: a figure would have changed
	}
	fmt.Println(rep.Describe(n.EOL))
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		fmt.Println(len(line), strings.TrimRight(line[48:], " "))
	}
	check, err := validate.Stream("fixed.txt", strings.NewReader(out.String()), validate.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(validate.FileSummary(check))
	// Output:
	// encoding cp1252 (detected: not UTF-8, not EBCDIC); 4 characters transliterated, 3 lines padded to 120, 3 line ends changed to CRLF
	// 120                                           0000000012345{
	// 120 PRLV SEPA SOCIETE GENERALE       0000001  0000000000227RREF0001
	// 120                                           0000000012117A
	// fixed.txt: 3 records, 1 statement: 0 errors, 0 warnings
}

func ExampleRefusedError() {
	// An amount holding "²" (0xB2 in Latin-1) would become "2" when
	// transliterated: a figure would change, so the file is refused.
	n := normalize.New()
	n.Encoding = normalize.EncodingLatin1
	bad := strings.Replace(legacy, "0000000000227R", "0000000000\xb227R", 1)
	_, err := n.Normalize(new(strings.Builder), strings.NewReader(bad))
	var refused *normalize.RefusedError
	if errors.As(err, &refused) {
		fmt.Println("refused at line", refused.Line, "column", refused.Column)
	}
	var pe *cfonb.ParseError
	fmt.Println(errors.As(err, &pe), err)
	// Output:
	// refused at line 2 column 101
	// true line 2, column 101: the amount (columns 91-104) holds '²' (U+00B2), which would become '2': a figure cannot be transliterated safely; fix the file or give the right --encoding
}
