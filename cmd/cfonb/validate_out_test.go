package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/walk"
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
	_, _ = o.WriteString("first\n")
	o.flushSoon(flush)
	_, _ = o.WriteString("second\n")
	o.flushSoon(flush)
	mu.Unlock()
	assert.Empty(t, w.String(), "buffered")
	assert.Eventually(t, func() bool { return w.String() == "first\nsecond\n" }, 5*time.Second, 10*time.Millisecond)

	mu.Lock()
	_, _ = o.WriteString("third\n")
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

// TestValidateStreamedWalkAgrees: the report of a directory validated
// while it is walked (several batches of the feed, files passed over, a
// dangling link, an invalid file) is the one written when the walk is done
// first (with -o), whatever the number of workers.
func TestValidateStreamedWalkAgrees(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	bad, err := os.ReadFile(td + "invalid/balance.txt")
	require.NoError(t, err)
	for i := range 3 * feedBatch {
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%3))
		require.NoError(t, os.MkdirAll(sub, 0o755))
		data := valid
		switch i % 29 {
		case 7:
			data = bad
		case 11:
			data = []byte("# a README, not a bank statement\n")
		}
		require.NoError(t, os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.txt", i)), data, 0o644))
	}
	require.NoError(t, os.Symlink("missing", filepath.Join(dir, "d1", "f100-link.txt")))
	out := filepath.Join(t.TempDir(), "report.txt")
	listed := cliRun(t, "", "validate", "-o", out, dir)
	require.Equal(t, exitUsage, listed.code, listed.stderr)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(want), "185 files: 7 errors, 0 warnings; 1 file could not be read; skipped 7 files that are not bank statements")
	for _, jobs := range []string{"1", "2", "5", "0"} { // 0: one per CPU
		r := cliRun(t, "", "validate", "--jobs", jobs, dir)
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, string(want), r.stdout, "--jobs %s", jobs)
		assert.Equal(t, listed.stderr, r.stderr)
	}
	r := cliRun(t, "", "validate", "--jobs", "-1", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "cfonb validate: --jobs must be at least 1, or 0 for one per CPU (see cfonb validate --help)\n", r.stderr)
}

// TestEntryFeedLimit: a walk running with the work waits while the feed
// holds its limit of entries, and every entry comes out once, in order.
func TestEntryFeedLimit(t *testing.T) {
	f := newEntryFeed(true)
	f.limit = 3
	go func() {
		for i := range 100 {
			f.add([]walk.Entry{{Path: strconv.Itoa(i), Named: true}})
		}
		f.close()
	}()
	most := 0
	for want := 0; ; want++ {
		i, en, ok := f.take()
		if !ok {
			assert.Equal(t, 100, want)
			break
		}
		assert.Equal(t, want, i)
		assert.Equal(t, walk.Entry{Path: strconv.Itoa(want)}, en, "--sniff: named entries count as walked")
		f.mu.Lock()
		most = max(most, len(f.queue))
		f.mu.Unlock()
	}
	assert.LessOrEqual(t, most, 3)
	n, final := f.count()
	assert.Equal(t, 100, n)
	assert.True(t, final)
}

// TestValidateWindowWraps validates more files than the report window
// holds, a few of them slow to come (larger) and some unreadable or
// passed over, with several workers: the reports are those of one
// worker, in order.
func TestValidateWindowWraps(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	big := bytes.Repeat(valid, 20)
	for i := range 2*reportWindow + 7 {
		data := valid
		switch {
		case i%50 == 3:
			data = big
		case i%97 == 5:
			data = []byte("# not a bank statement\n")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.txt", i)), data, 0o644))
	}
	require.NoError(t, os.Symlink("missing", filepath.Join(dir, "f0300-dangling.txt")))
	one := cliRun(t, "", "validate", "--jobs", "1", dir)
	require.Equal(t, exitUsage, one.code, one.stderr)
	require.Contains(t, one.stdout, "f0518.txt: 22 records")
	require.Contains(t, one.stdout, "513 files:")
	for _, jobs := range []string{"2", "5"} {
		r := cliRun(t, "", "validate", "--jobs", jobs, dir)
		assert.Equal(t, one, r, "--jobs %s", jobs)
	}
}
