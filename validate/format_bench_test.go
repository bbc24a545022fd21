package validate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func BenchmarkDetectFormat(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-crlf.txt"))
	require.NoError(b, err)
	for len(data) < 4096 {
		data = append(data, data...)
	}
	head := data[:4096]
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if DetectFormat(head) != "" {
			b.Fatal("not CFONB120")
		}
	}
}
