package validate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
	"github.com/cfonb-dev/cfonb/internal/racedetect"
)

// sequential validates data record by record on one goroutine, the
// reference; noFast turns the fast path off.
func sequential(t *testing.T, name string, data []byte, opts Options, noFast bool) *Report {
	t.Helper()
	return recordByRecord(t, name, cfonb.NewReader(bytes.NewReader(data)), opts, noFast)
}

// recordByRecord validates what r reads one Record at a time, through
// the public Validator.Record; noFast turns the fast path off.
func recordByRecord(t *testing.T, name string, r *cfonb.Reader, opts Options, noFast bool) *Report {
	t.Helper()
	v := New(name, opts)
	v.noFast = noFast
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if v.Record(&rec, r.Framing) {
			break
		}
	}
	if r.TrailingSUB() {
		v.TrailingSUB()
	}
	return v.Finish()
}

// TestLargeFileAgrees: a file with broken records throughout, split
// between two goroutines as File splits a large file, gives the same
// report as the one-goroutine reference.
func TestLargeFileAgrees(t *testing.T) {
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 3, Size: 6 << 20, ErrorRate: 0.0005, EOL: cfonb.EOLLF})
	require.NoError(t, err)
	data := buf.Bytes()
	for _, opts := range []Options{{}, {MaxDiagnostics: -1, Summary: true}} {
		got, err := splitFile("f", bytes.NewReader(data), int64(len(data)), opts, 2, nil, nil, false)
		require.NoError(t, err)
		want := sequential(t, "f", data, opts, false)
		require.NotZero(t, want.Errors)
		if !assert.ObjectsAreEqual(want, got) {
			t.Errorf("split report differs: %d errors %d warnings %d diagnostics, want %d %d %d",
				got.Errors, got.Warnings, len(got.Diagnostics), want.Errors, want.Warnings, len(want.Diagnostics))
		}
	}
}

// TestStreamReadError: a read error in a large input is returned, not
// taken for the end of the file.
func TestStreamReadError(t *testing.T) {
	racedetect.SkipUnderRace(t) // one goroutine
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 4, Size: 12 << 20, EOL: cfonb.EOLLF})
	require.NoError(t, err)
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(buf.Bytes()[:10<<20]), iotest.ErrReader(boom))
	_, err = Stream("f", r, Options{})
	require.ErrorIs(t, err, boom)
}

// TestStreamStopAtMax: the diagnostics cap stops a large input.
func TestStreamStopAtMax(t *testing.T) {
	racedetect.SkipUnderRace(t) // one goroutine
	var buf bytes.Buffer
	_, err := gen.Write(context.Background(), &buf, gen.Options{Seed: 5, Size: 20 << 20, ErrorRate: 0.01, EOL: cfonb.EOLLF})
	require.NoError(t, err)
	rep, err := Stream("f", bytes.NewReader(buf.Bytes()), Options{MaxDiagnostics: 1500, StopAtMax: true})
	require.NoError(t, err)
	assert.True(t, rep.Truncated)
	require.Equal(t, 1501, len(rep.Diagnostics))
	var tooMany []Diagnostic
	for _, d := range rep.Diagnostics {
		if d.Rule == RuleTooMany {
			tooMany = append(tooMany, d)
		}
	}
	require.Equal(t, 1, len(tooMany))
	assert.Greater(t, tooMany[0].Line, 1<<16, "the cap was reached far in the input")
}
