package normalize

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// TestMaxLineAboveConcatLimit: a Normalizer whose MaxLine is 8 MiB
// ("the longest line accepted") is given a line of 5 MiB that holds no
// record codes (not concatenated records): it is accepted. The limit of
// lines of concatenated records (cfonb.MaxConcatenatedLine) is theirs
// only; applied to every line, it refused this one saying "line is longer
// than 8388608 bytes", which was false.
func TestMaxLineAboveConcatLimit(t *testing.T) {
	canon := fmtStatement(false, false)
	long := strings.Repeat("x", 5<<20)
	in := canon[0] + "\r\n" + long + "\r\n" + strings.Join(canon[1:], "\r\n") + "\r\n"
	n := New()
	n.MaxLine = 8 << 20
	var out bytes.Buffer
	_, err := n.Normalize(&out, strings.NewReader(in))
	t.Logf("error: %v; %d bytes written", err, out.Len())
	if err != nil {
		require.NotContains(t, err.Error(), "longer than 8388608 bytes",
			"a line of %d bytes is not longer than MaxLine %d (cfonb.MaxConcatenatedLine %d)", len(long), n.MaxLine, cfonb.MaxConcatenatedLine)
	}
}
