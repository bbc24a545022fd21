package validate

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// generated returns a realistic valid file of about size bytes.
func generated(tb testing.TB, size int64) []byte {
	tb.Helper()
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 1, Size: size, EOL: cfonb.EOLCRLF})
	require.NoError(tb, err)
	return buf.Bytes()
}

// eightAccounts returns a valid generated file of about size bytes, with
// the statements of 8 accounts (the same 8 whatever the size).
func eightAccounts(t *testing.T, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 7, Size: size, Accounts: 8, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	return buf.Bytes()
}

// BenchmarkValidate measures validation of a valid generated file held in
// memory: MB/s of input, and allocations per run (a run is the whole file:
// its allocations are the report and the account map, not per record).
func BenchmarkValidate(b *testing.B) {
	data := generated(b, 32<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Stream("bench", bytes.NewReader(data), Options{})
		if err != nil || rep.Errors != 0 {
			b.Fatal(err, rep.Errors)
		}
	}
}

// TestValidatorAllocatesNothingPerRecord validates two valid generated
// files of the same 8 accounts, one four times the size of the other: the
// whole runs must allocate exactly as much (the report, the reader's
// buffer, the account map), so nothing is allocated per record.
func TestValidatorAllocatesNothingPerRecord(t *testing.T) {
	racedetect.SkipUnderRace(t)
	allocs := func(size int64) float64 {
		data := eightAccounts(t, size)
		return testing.AllocsPerRun(3, func() {
			rep, err := Stream("f", bytes.NewReader(data), Options{})
			if err != nil || rep.Errors+rep.Warnings != 0 {
				t.Fatalf("%v: %d errors, %d warnings", err, rep.Errors, rep.Warnings)
			}
		})
	}
	small, large := allocs(1<<20), allocs(4<<20)
	require.LessOrEqual(t, large, small, "allocations grow with the number of records")
	require.Less(t, large, 40.0)
}

// TestSplitAllocatesNothingPerRecord: the split engine's allocations
// (readers, validators, goroutines) do not grow with the records.
func TestSplitAllocatesNothingPerRecord(t *testing.T) {
	racedetect.SkipUnderRace(t)
	allocs := func(size int64) float64 {
		data := eightAccounts(t, size)
		return testing.AllocsPerRun(3, func() {
			taken := 0
			rep, err := splitFile("f", bytes.NewReader(data), int64(len(data)), Options{}, 2, nil, &taken, true)
			if err != nil || rep.Errors+rep.Warnings != 0 || taken != 1 {
				t.Fatalf("%v: %d errors, %d warnings, %d ranges taken", err, rep.Errors, rep.Warnings, taken)
			}
		})
	}
	small, large := allocs(1<<20), allocs(4<<20)
	t.Logf("%v allocations for 1 MiB, %v for 4 MiB", small, large)
	require.LessOrEqual(t, large, small+2, "allocations grow with the number of records")
	require.Less(t, large, 200.0)
}
