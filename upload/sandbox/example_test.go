package sandbox_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// ExampleSampleFile writes a statement file whose new balance reconciles,
// to rehearse an upload against a sandbox Server.
func ExampleSampleFile() {
	data, err := sandbox.SampleFile("\n", sandbox.SampleStatement{
		Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31),
		Opening: 123450, Movements: []int64{-2279},
	})
	if err != nil {
		log.Fatal(err)
	}
	r := cfonb.NewReader(bytes.NewReader(data))
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
			fmt.Println(rec.Code().Name(), b.Date, cfonb.FormatDecimal(b.Amount, b.Decimals))
		case cfonb.CodeMovement:
			amount, err := cfonb.ParseAmount(rec.Field(cfonb.FieldAmount))
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(rec.Code().Name(), strings.TrimSpace(string(rec.Field(cfonb.FieldLabel))), cfonb.FormatDecimal(amount, 2))
		}
	}
	// Output:
	// old balance 2026-03-01 1234.50
	// movement SAMPLE MOVEMENT 1 -22.79
	// new balance 2026-03-31 1211.71
}
