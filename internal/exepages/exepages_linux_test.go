package exepages

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUntouched(t *testing.T) {
	smaps := `00400000-01029000 r-xp 00000000 fd:01 1234                               /usr/local/bin/cfonb
Size:              12756 kB
Rss:                6420 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
01029000-01bf1000 r--p 00c29000 fd:01 1234                               /usr/local/bin/cfonb
Size:              12064 kB
Anonymous:             0 kB
01bf1000-01d77000 rw-p 017f1000 fd:01 1234                               /usr/local/bin/cfonb
Anonymous:           216 kB
01d77000-01e00000 r--p 01977000 fd:01 1234                               /usr/local/bin/cfonb
Anonymous:           524 kB
01d77000-03dc4000 rw-p 00000000 00:00 0 
Anonymous:          2048 kB
02000000-02001000 r--s 00000000 fd:01 1234                               /usr/local/bin/cfonb
Anonymous:             0 kB
03000000-03001000 r--p 00000000 fd:01 1234                               /usr/local/bin/cfonb
Size:                  4 kB
7f0000000000-7f0000001000 r-xp 00000000 fd:01 99                         /usr/lib/libc.so.6
Anonymous:             0 kB
7f0000002000-7f0000003000 r--p 00000000 fd:01 77                         /usr/local/bin/cfonb2
Anonymous:             0 kB
7f0000004000-7f0000005000 r--p 00000000 fd:01 88                         /opt/my tools/cfonb
Anonymous:             0 kB
7f0000006000-7f0000007000 ---p 00000000 fd:01 1234                       /usr/local/bin/cfonb
Anonymous:             0 kB
`
	// Not the writable mapping, nor the read-only one with pages written
	// (a RELRO segment), nor a shared one, nor one without its count.
	assert.Equal(t, []mapping{{0x400000, 0x1029000}, {0x1029000, 0x1bf1000}}, untouched([]byte(smaps), "/usr/local/bin/cfonb"))
	assert.Equal(t, []mapping{{0x7f0000004000, 0x7f0000005000}}, untouched([]byte(smaps), "/opt/my tools/cfonb"))
	assert.Empty(t, untouched([]byte(smaps), "/usr/bin/other"))
}

// presentPages counts the pages of the ranges that are mapped into the
// process, from /proc/self/pagemap (bit 63 of each page's entry), read
// with the file and the buffer given: nothing else is run between two
// counts but the reads.
func presentPages(pagemap *os.File, ranges []mapping, buf []byte) (int, error) {
	n := 0
	for _, m := range ranges {
		for page := m.lo / 4096; page < m.hi/4096; {
			k := min(int(m.hi/4096-page), len(buf)/8)
			if _, err := pagemap.ReadAt(buf[:k*8], int64(page)*8); err != nil {
				return 0, err
			}
			for i := 0; i < k; i++ {
				if buf[i*8+7]&0x80 != 0 {
					n++
				}
			}
			page += uintptr(k)
		}
	}
	return n, nil
}

// TestRelease checks that the executable's pages mapped by the start of
// the test binary leave the process, and that the program goes on (its
// code mapped again as it runs).
func TestRelease(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("pages of 4 KiB only")
	}
	exe, err := os.Readlink("/proc/self/exe")
	require.NoError(t, err)
	smaps, err := os.ReadFile("/proc/self/smaps")
	require.NoError(t, err)
	ranges := untouched(smaps, exe)
	require.NotEmpty(t, ranges)
	pagemap, err := os.Open("/proc/self/pagemap")
	require.NoError(t, err)
	defer func() { _ = pagemap.Close() }()
	buf := make([]byte, 64<<10)
	// No collection between the two counts: only the reads run.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	// Map every page, as a start that reads them all would: reading
	// /proc/self/mem faults them in.
	mem, err := os.Open("/proc/self/mem")
	require.NoError(t, err)
	defer func() { _ = mem.Close() }()
	total := 0
	for _, m := range ranges {
		for a := m.lo; a < m.hi; a += uintptr(len(buf)) {
			_, err := mem.ReadAt(buf[:min(uintptr(len(buf)), m.hi-a)], int64(a))
			require.NoError(t, err)
		}
		total += int(m.hi-m.lo) / 4096
	}
	before, err := presentPages(pagemap, ranges, buf)
	require.NoError(t, err)
	require.NoError(t, Release())
	after, err := presentPages(pagemap, ranges, buf)
	require.NoError(t, err)
	t.Logf("pages of the executable mapped: %d of %d before, %d after", before, total, after)
	require.Equal(t, total, before)
	assert.Less(t, after, total/2)
	// Code and data still work.
	var b bytes.Buffer
	b.WriteString(strconv.Itoa(42))
	assert.Equal(t, "42", b.String())
}

// TestReleaseInPIE builds a program that calls Release as a position
// independent executable (-buildmode=pie, as some distributions build Go
// programs) and runs it: the pages its loader relocated must be kept.
func TestReleaseInPIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "pie")
	build := exec.Command(goTool, "build", "-buildmode=pie", "-o", bin, "./testdata/pie")
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "not supported") {
			t.Skipf("no PIE here: %s", out)
		}
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "[executable loader of pages stay the wrote] 3\n", string(out))
}
