package export

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchInput repeats a test file's statements to about 8 MB.
func benchInput(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(data, 8<<20/len(data))
}

func benchExport(b *testing.B, name string, opts Options) {
	in := benchInput(b, name)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		e, err := New(io.Discard, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Export(name, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExportJSONL measures the JSON Lines export of gen.txt (what
// cfonb gen writes: one or two complements per movement, the most
// movements per byte, so the heaviest case per byte), sepa.txt (many
// complements per movement) and complex-test.txt (a bank's file: few
// complements, many empty statements).
func BenchmarkExportJSONL(b *testing.B) {
	b.Run("gen", func(b *testing.B) { benchExport(b, "gen.txt", Options{Format: JSONL}) })
	b.Run("sepa", func(b *testing.B) { benchExport(b, "sepa.txt", Options{Format: JSONL}) })
	b.Run("complex", func(b *testing.B) { benchExport(b, "complex-test.txt", Options{Format: JSONL}) })
}

func BenchmarkExportJSON(b *testing.B) {
	benchExport(b, "gen.txt", Options{Format: JSON})
}

func BenchmarkExportCSV(b *testing.B) {
	benchExport(b, "gen.txt", Options{Format: CSV})
}
