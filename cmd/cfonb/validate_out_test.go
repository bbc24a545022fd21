package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportOutFlushesSoon checks that a buffered report reaches the
// output a moment after it is written, without waiting for the end, and
// that nothing is written after stop.
func TestReportOutFlushesSoon(t *testing.T) {
	var w syncBuffer
	var mu sync.Mutex
	o := newReportOut(&w)
	flush := func() {
		mu.Lock()
		defer mu.Unlock()
		require.NoError(t, o.timedFlush())
	}
	mu.Lock()
	o.WriteString("first\n")
	o.flushSoon(flush)
	o.WriteString("second\n")
	o.flushSoon(flush)
	mu.Unlock()
	assert.Empty(t, w.String(), "buffered")
	assert.Eventually(t, func() bool { return w.String() == "first\nsecond\n" }, 5*time.Second, 10*time.Millisecond)

	mu.Lock()
	o.WriteString("third\n")
	o.flushSoon(flush)
	o.stop()
	mu.Unlock()
	time.Sleep(2 * reportFlushDelay)
	assert.Equal(t, "first\nsecond\n", w.String(), "the caller flushes after stop")
	require.NoError(t, o.Flush())
	assert.Equal(t, "first\nsecond\nthird\n", w.String())
}

// TestValidateManyFilesInOrder validates more files than workers, some
// unreadable, and checks that the reports keep the order of the paths and
// the errors their place.
func TestValidateManyFilesInOrder(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	var args, want, wantErr []string
	args = append(args, "validate", "--jobs", "3")
	devices := []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom"}
	for i := range 60 {
		p := filepath.Join(dir, string(rune('a'+i/26))+string(rune('a'+i%26))+".txt")
		if i%17 == 5 {
			// An I/O error, on stderr in its place.
			d := devices[i/17]
			args = append(args, d)
			wantErr = append(wantErr, "cfonb validate: "+d+": is a device, not a file")
			continue
		}
		args = append(args, p)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		want = append(want, p+": 22 records, 5 statements: 0 errors, 0 warnings")
	}
	r := cliRun(t, "", args...)
	assert.Equal(t, exitUsage, r.code)
	want = append(want, "56 files: 0 errors, 0 warnings; 4 files could not be read")
	assert.Equal(t, strings.Join(want, "\n")+"\n", r.stdout)
	assert.Equal(t, strings.Join(wantErr, "\n")+"\n", r.stderr)
}
