package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// initAllocBudget is what the initialisation of every package linked into
// cfonb may allocate: every command pays it, and keeps most of it for its
// whole life. Measured at 1.86 MB in 23,976 allocations (1.41 MB of them
// in excelize: see the README's Performance section).
const initAllocBudget = 2_500_000

// TestInitAllocations runs this test binary as cfonb with
// GODEBUG=inittrace=1 and adds up what the packages' initialisation
// allocated: a new dependency with a heavy initialisation shows here (the
// figures are counts of the runtime, the same on a loaded machine).
func TestInitAllocations(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "version")
	cmd.Env = append(os.Environ(), envAsCfonb+"=1", "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	// init github.com/xuri/excelize/v2 @29 ms, 6.4 ms clock, 1407272 bytes, 21836 allocs
	line := regexp.MustCompile(`^init (\S+) @.* clock, (\d+) bytes, (\d+) allocs$`)
	type pkg struct {
		name  string
		bytes int
	}
	var pkgs []pkg
	total, allocs := 0, 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b, _ := strconv.Atoi(m[2])
		a, _ := strconv.Atoi(m[3])
		total += b
		allocs += a
		pkgs = append(pkgs, pkg{m[1], b})
	}
	require.NotEmpty(t, pkgs, "no inittrace lines in %q", stderr.String())
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].bytes > pkgs[j].bytes })
	top := ""
	for _, p := range pkgs[:min(5, len(pkgs))] {
		top += fmt.Sprintf("\n  %s: %d bytes", p.name, p.bytes)
	}
	t.Logf("%d packages initialised, %d bytes in %d allocations; the largest:%s", len(pkgs), total, allocs, top)
	assert.LessOrEqual(t, total, initAllocBudget, "the packages' initialisation allocates more than before; the largest:%s", top)
}
