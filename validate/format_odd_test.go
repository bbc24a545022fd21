package validate

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOddBytesAgrees checks the eight-bytes-at-a-time count against the
// byte-at-a-time definition, on every byte value at every position of a
// word and on random mixes of text and odd bytes.
func TestOddBytesAgrees(t *testing.T) {
	text := []byte("0130002    00443EUR2 00012345678  020126                                                  0000000125000{  EUR0012345678\\r\\n")
	for c := range 256 {
		for pos := range 17 {
			p := append([]byte(nil), text[:17]...)
			p[pos] = byte(c)
			require.Equal(t, oddBytesSlow(p), oddBytes(p), "byte %#x at %d", c, pos)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0, 1, 9, 10, 13, 0x1A, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xC3, 0xFF}
	for range 20000 {
		p := make([]byte, r.IntN(70))
		for i := range p {
			if r.IntN(4) == 0 {
				p[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				p[i] = byte(0x20 + r.IntN(0x5F))
			}
		}
		require.Equal(t, oddBytesSlow(p), oddBytes(p), "%q", p)
	}
}
