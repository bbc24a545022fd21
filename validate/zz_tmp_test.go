package validate

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

func TestTmpThreshold(t *testing.T) {
	for _, mib := range []int{1, 2, 4, 8, 16} {
		var buf bytes.Buffer
		gen.Write(context.Background(), &buf, gen.Options{Seed: 1, Size: int64(mib) << 20, EOL: cfonb.EOLCRLF})
		data := buf.Bytes()
		var seq, spl []time.Duration
		for range 31 {
			t0 := time.Now()
			stream("f", bytes.NewReader(data), Options{}, splitBufSize(int64(len(data))))
			seq = append(seq, time.Since(t0))
			t0 = time.Now()
			splitFile("f", bytes.NewReader(data), int64(len(data)), Options{}, 2, nil, nil)
			spl = append(spl, time.Since(t0))
		}
		sort.Slice(seq, func(i, j int) bool { return seq[i] < seq[j] })
		sort.Slice(spl, func(i, j int) bool { return spl[i] < spl[j] })
		fmt.Printf("%d MiB: seq %v (%v-%v) split %v (%v-%v)\n", mib, seq[15], seq[0], seq[30], spl[15], spl[0], spl[30])
	}
}
