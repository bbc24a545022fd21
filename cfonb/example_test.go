package cfonb_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// A statement of account 30004 00823 00010000156: an old balance, one
// movement with its complement, a new balance.
const statement = "" +
	"0130004    00823EUR2 00010000156  020326                                                  0000000012345{                \r\n" +
	"0430004000100823EUR2 00010000156B1020326  020326PRLV SEPA ONLINE SAS             0000001  0000000000227RREF0001         \r\n" +
	"0530004000100823EUR2 00010000156B1020326     LIBDEDIBOX 3706114                                                         \r\n" +
	"0730004    00823EUR2 00010000156  020326                                                  0000000012117A                \r\n"

func ExampleNewReader() {
	r := cfonb.NewReader(strings.NewReader(statement))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		switch rec.Code() {
		case cfonb.CodeOldBalance, cfonb.CodeNewBalance:
			b, err := cfonb.ParseBalance(rec.Data)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(rec.Line, rec.Code().Name(), b.Date, cfonb.FormatDecimal(b.Amount, b.Decimals))
		case cfonb.CodeMovement:
			amount, err := cfonb.ParseAmount(rec.Field(cfonb.FieldAmount))
			if err != nil {
				log.Fatal(err)
			}
			label := strings.TrimSpace(string(rec.Field(cfonb.FieldLabel)))
			fmt.Println(rec.Line, rec.Code().Name(), cfonb.FormatDecimal(amount, 2), label)
		case cfonb.CodeComplement:
			fmt.Println(rec.Line, rec.Code().Name(), string(rec.Field(cfonb.FieldQualifier)),
				strings.TrimSpace(string(rec.Field(cfonb.FieldInformation))))
		}
	}
	fmt.Println(r.Framing, "framing,", r.Line(), "records")
	// Output:
	// 1 old balance 2026-03-02 1234.50
	// 2 movement -22.79 PRLV SEPA ONLINE SAS
	// 3 complement LIB DEDIBOX 3706114
	// 4 new balance 2026-03-02 1211.71
	// lines framing, 4 records
}

func ExampleParseAmount() {
	v, err := cfonb.ParseAmount([]byte("0000000012345O"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v, cfonb.FormatDecimal(v, 2))

	field, err := cfonb.AppendAmount(nil, 123456)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(field))

	_, err = cfonb.ParseAmount([]byte("00000000123 5F"))
	var ae *cfonb.AmountError
	if errors.As(err, &ae) {
		fmt.Printf("offset %d: %v\n", ae.Offset, err)
	}
	// Output:
	// -123456 -1234.56
	// 0000000012345F
	// offset 11: amount has a non-digit in its first 13 characters
}

func ExampleFrenchIBAN() {
	iban, err := cfonb.FrenchIBAN([]byte("20041"), []byte("01005"), []byte("0500013M026"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(iban)
	fmt.Println(cfonb.CheckIBAN(string(iban)))
	fmt.Println(cfonb.CheckIBAN("FR1420041010050500013M02607"))
	// Output:
	// FR1420041010050500013M02606
	// <nil>
	// IBAN "FR1420041010050500013M02607": checksum (mod 97) is wrong
}

func ExampleParseDate() {
	d, err := cfonb.ParseDate([]byte("290224"))
	fmt.Println(d, err)
	_, err = cfonb.ParseDate([]byte("300226"))
	fmt.Println(err)
	// Output:
	// 2024-02-29 <nil>
	// 30 February 2026 does not exist
}

func ExampleSum() {
	// A Sum adds amounts exactly, far beyond int64.
	var s cfonb.Sum
	for range 1_000_000 {
		s.Add(cfonb.MaxAmount)
	}
	fmt.Println(s.Decimal(2))
	// Output:
	// 999999999999990000.00
}

func ExampleWriter() {
	var out bytes.Buffer
	w := cfonb.NewWriter(&out)
	w.EOL = cfonb.EOLLF
	r := cfonb.NewReader(strings.NewReader(statement))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if err := w.Write(rec.Data); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Len(), "bytes,", bytes.Count(out.Bytes(), []byte("\n")), "LF")
	// Output:
	// 484 bytes, 4 LF
}
