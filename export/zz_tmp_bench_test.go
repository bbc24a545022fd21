package export

import (
	"bytes"
	"io"
	"os"
	"testing"
)

func BenchmarkTmpGen(b *testing.B) {
	in, err := os.ReadFile("/tmp/gen8.txt")
	if err != nil {
		b.Skip()
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		e, _ := New(io.Discard, Options{})
		if err := e.Export("gen", bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
