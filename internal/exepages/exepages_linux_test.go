package exepages

import (
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadOnly(t *testing.T) {
	maps := `00400000-01029000 r-xp 00000000 fd:01 1234                               /usr/local/bin/cfonb
01029000-01bf1000 r--p 00c29000 fd:01 1234                               /usr/local/bin/cfonb
01bf1000-01d77000 rw-p 017f1000 fd:01 1234                               /usr/local/bin/cfonb
01d77000-03dc4000 rw-p 00000000 00:00 0 
02000000-02001000 r--s 00000000 fd:01 1234                               /usr/local/bin/cfonb
7f0000000000-7f0000001000 r-xp 00000000 fd:01 99                         /usr/lib/libc.so.6
7f0000002000-7f0000003000 r--p 00000000 fd:01 77                         /usr/local/bin/cfonb2
7f0000004000-7f0000005000 r--p 00000000 fd:01 88                         /opt/my tools/cfonb
7f0000006000-7f0000007000 ---p 00000000 fd:01 1234                       /usr/local/bin/cfonb
`
	assert.Equal(t, []mapping{{0x400000, 0x1029000}, {0x1029000, 0x1bf1000}}, readOnly([]byte(maps), "/usr/local/bin/cfonb"))
	assert.Equal(t, []mapping{{0x7f0000004000, 0x7f0000005000}}, readOnly([]byte(maps), "/opt/my tools/cfonb"))
	assert.Empty(t, readOnly([]byte(maps), "/usr/bin/other"))
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
	maps, err := os.ReadFile("/proc/self/maps")
	require.NoError(t, err)
	ranges := readOnly(maps, exe)
	require.NotEmpty(t, ranges)
	pagemap, err := os.Open("/proc/self/pagemap")
	require.NoError(t, err)
	defer pagemap.Close()
	buf := make([]byte, 64<<10)
	// No collection between the two counts: only the reads run.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	// Map every page, as a start that reads them all would: reading
	// /proc/self/mem faults them in.
	mem, err := os.Open("/proc/self/mem")
	require.NoError(t, err)
	defer mem.Close()
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
