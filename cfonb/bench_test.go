package cfonb

// The package's benchmarks: the reader on realistic statements (MB/s, and
// allocations per record), amounts, dates, account keys, IBAN derivation,
// and IBAN checking against github.com/almerlucke/go-iban.
//
//	go test -run '^$' -bench . -benchmem ./cfonb/
//
// The input is built here (package gen, which writes realistic files,
// imports this package, so its tests cannot be imported from here).

import (
	"bytes"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	goiban "github.com/almerlucke/go-iban/iban"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchLabels are movement labels of 31 characters at most.
var benchLabels = []string{
	"PRLV SEPA EDF", "PRLV SEPA URSSAF ILE-DE-FRANCE", "VIR SEPA RECU SARL CAFE DE LA G",
	"VIR SEPA EMIS M. DUPONT JEAN", "CB CARREFOUR 12/03", "CB SNCF INTERNET 11/03",
	"CHEQUE N. 1234567", "REMISE CB 2380732 03/01", "COMMISSION D'INTERVENTION",
	"ECHEANCE PRET 00012345678", "FACTURE SGT20022040001692",
}

// benchBanks are real French bank codes.
var benchBanks = []string{"30004", "30003", "30002", "30006", "10278", "20041", "17515", "10107"}

// benchRecord returns a 120-byte record made of fields written in column
// order (each padded with blanks to its length).
func benchRecord(code Code, fields map[FieldID]string) []byte {
	rec := bytes.Repeat([]byte{' '}, RecordLen)
	copy(rec, code.String())
	for f, v := range fields {
		copy(rec[f.Start()-1:f.End()], v)
	}
	return rec
}

// benchStatements returns about size bytes of realistic, valid statements
// (several accounts, 0-30 movements each with 0-2 complements, amounts and
// balances that reconcile), each record followed by eol.
func benchStatements(size int, eol string) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var out bytes.Buffer
	out.Grow(size + 64<<10)
	type acct struct {
		bank, branch, number string
		balance              int64
	}
	accts := make([]acct, 8)
	for i := range accts {
		num := []byte("00000000000")
		for j := range num {
			num[j] = byte('0' + r.IntN(10))
		}
		accts[i] = acct{benchBanks[i%len(benchBanks)], "0" + string(num[:4]), string(num), int64(r.IntN(10_000_000))}
	}
	amount := func(v int64) string {
		b, err := AppendAmount(nil, v)
		if err != nil {
			panic(err) // test data: cannot happen
		}
		return string(b)
	}
	day := NewDate(2021, 1, 4).Time()
	write := func(rec []byte) {
		out.Write(rec)
		out.WriteString(eol)
	}
	for out.Len() < size {
		prev := day
		day = day.AddDate(0, 0, 1)
		d0 := string(NewDate(prev.Year(), int(prev.Month()), prev.Day()).AppendJJMMAA(nil))
		d1 := string(NewDate(day.Year(), int(day.Month()), day.Day()).AppendJJMMAA(nil))
		for i := range accts {
			a := &accts[i]
			head := map[FieldID]string{FieldBank: a.bank, FieldBranch: a.branch, FieldCurrency: "EUR",
				FieldDecimals: "2", FieldAccount: a.number}
			with := func(extra map[FieldID]string) map[FieldID]string {
				m := map[FieldID]string{}
				for k, v := range head {
					m[k] = v
				}
				for k, v := range extra {
					m[k] = v
				}
				return m
			}
			write(benchRecord(CodeOldBalance, with(map[FieldID]string{FieldBalanceDate: d0, FieldBalance: amount(a.balance)})))
			for range r.IntN(31) {
				v := int64(r.IntN(200_000)) - 120_000
				a.balance += v
				write(benchRecord(CodeMovement, with(map[FieldID]string{FieldInternalCode: "0556",
					FieldInterbankCode: "B1", FieldBookingDate: d1, FieldValueDate: d1,
					FieldLabel: benchLabels[r.IntN(len(benchLabels))], FieldEntryNumber: "0656520",
					FieldAmount: amount(v), FieldReference: "25E5Y16PNH3VL"})))
				for range r.IntN(3) {
					write(benchRecord(CodeComplement, with(map[FieldID]string{FieldInternalCode: "0556",
						FieldInterbankCode: "B1", FieldBookingDate: d1, FieldQualifier: "LIB",
						FieldInformation: "FACTURE 2024-00123 DU 12/03 CLIENT 000123456"})))
				}
			}
			write(benchRecord(CodeNewBalance, with(map[FieldID]string{FieldBalanceDate: d1, FieldBalance: amount(a.balance)})))
		}
	}
	return out.Bytes()
}

var benchForms = []struct{ name, eol string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"continuous", ""}, {"CR", "\r"}}

// BenchmarkReader reads 64 MiB of realistic statements from memory, one
// op per file: MB/s, and the allocations per record (the reader's buffer,
// allocated once per file, rounds to zero).
func BenchmarkReader(b *testing.B) {
	for _, form := range benchForms {
		b.Run(form.name, func(b *testing.B) {
			data := benchStatements(64<<20, form.eol)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mallocs := ms.Mallocs
			records := 0
			b.ResetTimer()
			for b.Loop() {
				r := NewReader(bytes.NewReader(data))
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					records++
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
			b.ReportMetric(float64(ms.Mallocs-mallocs)/float64(records), "allocs/record")
		})
	}
}

// BenchmarkReaderRecord reads one record per op from an endless input:
// -benchmem shows the allocations per record directly.
func BenchmarkReaderRecord(b *testing.B) {
	for _, form := range benchForms {
		b.Run(form.name, func(b *testing.B) {
			data := benchStatements(1<<20, form.eol)
			r := NewReader(&repeatReader{data: data})
			r.Framing = FramingLines
			if form.eol == "" {
				r.Framing = FramingContinuous
			}
			b.SetBytes(int64(RecordLen + len(form.eol)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReaderDecode reads records and decodes what a validator decodes
// of each: code, account, dates and amount.
func BenchmarkReaderDecode(b *testing.B) {
	data := benchStatements(64<<20, "\r\n")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var sum Sum
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			acct := AccountOf(rec.Data)
			if acct.Currency[0] != 'E' {
				b.Fatal("account")
			}
			switch rec.Code() {
			case CodeOldBalance, CodeNewBalance:
				if _, err := ParseDate(FieldBalanceDate.Of(rec.Data)); err != nil {
					b.Fatal(err)
				}
				v, err := ParseAmount(FieldBalance.Of(rec.Data))
				if err != nil {
					b.Fatal(err)
				}
				sum.Add(v)
			case CodeMovement:
				if _, err := ParseDate(FieldBookingDate.Of(rec.Data)); err != nil {
					b.Fatal(err)
				}
				if _, err := ParseDate(FieldValueDate.Of(rec.Data)); err != nil {
					b.Fatal(err)
				}
				v, err := ParseAmount(FieldAmount.Of(rec.Data))
				if err != nil {
					b.Fatal(err)
				}
				sum.Add(v)
			}
		}
	}
}

// benchFields returns n distinct field values made by f.
func benchFields(n int, f func(r *rand.Rand) []byte) [][]byte {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([][]byte, n)
	for i := range out {
		out[i] = f(r)
	}
	return out
}

func BenchmarkParseAmount(b *testing.B) {
	amounts := benchFields(1024, func(r *rand.Rand) []byte {
		a, _ := AppendAmount(nil, r.Int64N(2*MaxAmount+1)-MaxAmount)
		return a
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParseAmount(amounts[i%len(amounts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkAppendAmount(b *testing.B) {
	buf := make([]byte, 0, 14)
	b.ReportAllocs()
	v := int64(0)
	for b.Loop() {
		if _, err := AppendAmount(buf[:0], v-MaxAmount/2); err != nil {
			b.Fatal(err)
		}
		v += 987_654_321
		if v > MaxAmount {
			v -= MaxAmount
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	dates := benchFields(1024, func(r *rand.Rand) []byte {
		return NewDate(2000+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28)).AppendJJMMAA(nil)
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParseDate(dates[i%len(dates)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkKnownQualifier looks up qualifiers as a file has them: mostly
// known ones, some blank or a bank's own.
func BenchmarkKnownQualifier(b *testing.B) {
	words := []string{QualifierLIB, QualifierNPY, QualifierRCN, QualifierCPY, QualifierLCC, "   ", "ZZZ", QualifierPDO}
	qs := benchFields(1024, func(r *rand.Rand) []byte { return []byte(words[r.IntN(len(words))]) })
	n := 0
	for i := 0; b.Loop(); i++ {
		if KnownQualifier(qs[i%len(qs)]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("no qualifier known")
	}
}

// benchAccounts returns n accounts: bank, branch and an 11-character number
// (one in four with a letter).
func benchAccounts(n int) [][3][]byte {
	r := rand.New(rand.NewPCG(5, 6))
	out := make([][3][]byte, n)
	for i := range out {
		num := make([]byte, 11)
		for j := range num {
			num[j] = byte('0' + r.IntN(10))
		}
		if i%4 == 0 {
			num[7] = byte('A' + r.IntN(26))
		}
		out[i] = [3][]byte{[]byte(benchBanks[r.IntN(len(benchBanks))]), []byte("0" + string(num[:4])), num}
	}
	return out
}

func BenchmarkRIBKey(b *testing.B) {
	accts := benchAccounts(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := accts[i%len(accts)]
		if _, err := RIBKey(a[0], a[1], a[2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkFrenchIBAN derives IBANs: FrenchIBAN allocates the returned
// string, AppendFrenchIBAN nothing.
func BenchmarkFrenchIBAN(b *testing.B) {
	accts := benchAccounts(1024)
	b.Run("FrenchIBAN", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := accts[i%len(accts)]
			if _, err := FrenchIBAN(a[0], a[1], a[2]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("AppendFrenchIBAN", func(b *testing.B) {
		var buf [27]byte
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := accts[i%len(accts)]
			if err := AppendFrenchIBAN(buf[:0], a[0], a[1], a[2]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("AccountOf+IBAN", func(b *testing.B) {
		rec := benchRecord(CodeMovement, map[FieldID]string{FieldBank: "30004", FieldBranch: "00823",
			FieldCurrency: "EUR", FieldDecimals: "2", FieldAccount: "00010000156"})
		b.ReportAllocs()
		for b.Loop() {
			a := AccountOf(rec)
			if _, err := a.IBAN(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchIBANs are valid IBANs of several countries, in electronic form.
func benchIBANs(b *testing.B) []string {
	accts := benchAccounts(64)
	var out []string
	for _, a := range accts {
		iban, err := FrenchIBAN(a[0], a[1], a[2])
		require.NoError(b, err)
		out = append(out, string(iban))
	}
	out = append(out, "DE89370400440532013000", "GB29NWBK60161331926819", "BE71096123456769",
		"ES9121000418450200051332", "IT60X0542811101000000123456", "NL91ABNA0417164300",
		"CH9300762011623852957", "LU280019400644750000", "MC5811222000010123456789030")
	for _, s := range out {
		require.NoError(b, CheckIBAN(s), s)
		_, err := goiban.NewIBAN(s)
		require.NoError(b, err, s)
	}
	return out
}

// BenchmarkCheckIBAN compares CheckIBAN with github.com/almerlucke/go-iban
// on the same valid IBANs.
func BenchmarkCheckIBAN(b *testing.B) {
	ibans := benchIBANs(b)
	b.Run("cfonb", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := CheckIBAN(ibans[i%len(ibans)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("go-iban", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := goiban.NewIBAN(ibans[i%len(ibans)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkAccountOf extracts accounts from records, alone and as a
// validator uses them: as the key of a per-account map.
func BenchmarkAccountOf(b *testing.B) {
	data := benchStatements(1<<20, "\n")
	recs := bytes.Split(data, []byte("\n"))
	recs = recs[:len(recs)-1]
	b.Run("AccountOf", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if a := AccountOf(recs[i%len(recs)]); a.Currency[0] != 'E' {
				b.Fatal("currency")
			}
			i++
		}
	})
	b.Run("map", func(b *testing.B) {
		seen := map[Account]int{}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			seen[AccountOf(recs[i%len(recs)])]++
			i++
		}
	})
}

func BenchmarkSumAdd(b *testing.B) {
	var s Sum
	b.ReportAllocs()
	v := int64(MaxAmount)
	for b.Loop() {
		s.Add(v)
		v = -v + 1
	}
	if s.Cmp(Sum{}) == 0 {
		b.Log(s.Decimal(2))
	}
}

// TestReaderAllocsPerRecord checks, on realistic statements read through
// the default buffer from an ordinary io.Reader, that a Read, and the
// decoding a validator does of a record, allocate nothing in steady state.
func TestReaderAllocsPerRecord(t *testing.T) {
	racedetect.SkipUnderRace(t)
	for _, form := range benchForms {
		t.Run(form.name, func(t *testing.T) {
			data := benchStatements(4<<20, form.eol)
			r := NewReader(bytes.NewReader(data))
			_, err := r.Read() // warm up: the framing
			require.NoError(t, err)
			want := map[string]Framing{"\n": FramingLines, "\r\n": FramingLines, "": FramingContinuous, "\r": FramingCR}[form.eol]
			require.Equal(t, want, r.Framing)
			const runs = 20_000 // about 2.5 MB, several buffer refills
			allocs := testing.AllocsPerRun(runs, func() {
				rec, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				_ = AccountOf(rec.Data)
				switch rec.Code() {
				case CodeOldBalance, CodeNewBalance:
					if _, err := ParseBalance(rec.Data); err != nil {
						t.Fatal(err)
					}
				case CodeMovement:
					if _, err := ParseAmount(FieldAmount.Of(rec.Data)); err != nil {
						t.Fatal(err)
					}
					if _, err := ParseDate(FieldValueDate.Of(rec.Data)); err != nil {
						t.Fatal(err)
					}
				case CodeComplement:
				default:
					t.Fatalf("line %d: code %q", rec.Line, rec.Data[:2])
				}
			})
			assert.Zero(t, allocs, "allocations per record")
			assert.Greater(t, r.InputOffset(), int64(2*readerBufSize), "the buffer was refilled")
		})
	}
}

// BenchmarkParseMovement decodes a full 04 (the export's decoding of
// every movement).
func BenchmarkParseMovement(b *testing.B) {
	data := []byte(mov04Full)
	for b.Loop() {
		if _, err := ParseMovement(data); err != nil {
			b.Fatal(err)
		}
	}
}
