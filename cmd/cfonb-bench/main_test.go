package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	var errb bytes.Buffer
	c, code, done := parseConfig([]string{"--size", "10MiB", "--skip-4g", "--many", "0", "--runs", "1"}, &errb)
	require.False(t, done, errb.String())
	assert.Zero(t, code)
	assert.Equal(t, int64(10<<20), c.size)
	assert.Equal(t, int64(4<<30), c.bigSize)
	assert.True(t, c.skipBig)
	assert.Zero(t, c.many)
	assert.Equal(t, "validate --format json {in}", c.validateArgs)

	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"--size", "0"}, `cfonb-bench: --size: size "0": must be between 1 byte and 1 PiB (see cfonb-bench --help)`},
		{[]string{"--runs", "0"}, `cfonb-bench: --runs must be at least 1 (see cfonb-bench --help)`},
		{[]string{"--fmt-args", "fmt"}, `cfonb-bench: "fmt" has no {in} (see cfonb-bench --help)`},
		{[]string{"--export-file-args", "export {in}"}, `cfonb-bench: --export-file-args "export {in}" needs {in} and {out} (see cfonb-bench --help)`},
		{[]string{"extra"}, `cfonb-bench: unexpected argument "extra" (see cfonb-bench --help)`},
		{[]string{"--nope"}, `cfonb-bench: unknown flag: --nope (see cfonb-bench --help)`},
	}
	for _, tt := range tests {
		errb.Reset()
		_, code, done := parseConfig(tt.args, &errb)
		assert.True(t, done)
		assert.Equal(t, 2, code)
		assert.Equal(t, tt.msg+"\n", errb.String())
	}
	errb.Reset()
	_, code, done = parseConfig([]string{"--help"}, &errb)
	assert.True(t, done)
	assert.Zero(t, code)
	assert.Contains(t, errb.String(), "go run ./cmd/cfonb-bench --size 256MiB --skip-4g --many 1000 --runs 1")
}

func TestMachineParsing(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)   Processor @ 2.10GHz\nflags\t: fpu\n\nprocessor\t: 1\nmodel name\t: other\n"
	assert.Equal(t, "Intel(R) Xeon(R) Processor @ 2.10GHz", cpuModel(cpuinfo))
	assert.Equal(t, "", cpuModel("processor: 0\n"))
	assert.Equal(t, int64(24683520)<<10, memTotal("MemTotal:       24683520 kB\nMemFree:        1 kB\n"))
	assert.Zero(t, memTotal("nothing"))
}

func TestNotAvailable(t *testing.T) {
	tests := []struct {
		o    outcome
		want string
	}{
		{outcome{}, ""},
		{outcome{exit: 1, stderr: "x.txt: 3 errors\n"}, ""},
		{outcome{exit: 4}, "not implemented yet (exit 4)"},
		{outcome{exit: 2, stderr: "cfonb: unknown command \"fmt\"\n\nUsage: cfonb COMMAND\n"}, "not available in this cfonb: Usage: cfonb COMMAND"},
		{outcome{exit: 2, stderr: "cfonb fmt: unknown flag: --encoding (see cfonb fmt --help)\n"},
			"not available in this cfonb: cfonb fmt: unknown flag: --encoding (see cfonb fmt --help)"},
		{outcome{exit: 2, stderr: "cfonb export: x.txt: no such file\n"}, "failed (exit 2): cfonb export: x.txt: no such file"},
		{outcome{exit: 4, stderr: "panic: boom\n"}, "failed (exit 4): panic: boom"},
		{outcome{err: errors.New(`exec: "wc": executable file not found in $PATH`)}, `cannot run: exec: "wc": executable file not found in $PATH`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, notAvailable(tt.o), "%+v", tt.o)
	}
}

func TestTailBuffer(t *testing.T) {
	var tb tailBuffer
	_, _ = tb.Write([]byte(strings.Repeat("a", 5000)))
	_, _ = tb.Write([]byte("end\n"))
	assert.Len(t, tb.String(), 4096)
	assert.True(t, strings.HasSuffix(tb.String(), "aend\n"))
}

func TestExpandAndFlags(t *testing.T) {
	assert.Equal(t, []string{"validate", "--format", "json", "/tmp/a b.txt"}, expand("validate --format json {in}", "/tmp/a b.txt"))
	assert.Equal(t, " --format json", flagsOf("validate --format json {in}"))
	assert.Equal(t, "", flagsOf("validate {in}"))
	assert.Equal(t, "1GiB", sizeName(1<<30))
	assert.Equal(t, "1_5MiB", sizeName(3<<19))
}

func TestWriteMarkdown(t *testing.T) {
	res := &results{
		machine: machine{cpus: 2, cpuModel: "Intel(R) Xeon(R) Processor", memTotal: 24 << 30, kernel: "Linux 6.1", goVersion: "go1.26.8"},
		runs:    5,
		rssNote: "peak RSS measured by GNU time (%M)",
		rows: []row{
			{command: "cfonb gen", file: "valid.txt", size: 1 << 30, runs: 1, seconds: 2, lo: 2, hi: 2, cpu: 1.9, rssKiB: 9 << 10},
			{command: "wc -l", file: "valid.txt", size: 1 << 30, runs: 5, seconds: 0.25, lo: 0.2, hi: 0.4, cpu: 0.24, ratio: 1, cpuRatio: 1, rssKiB: 2 << 10},
			{command: "cfonb validate --format json", file: "valid.txt", size: 1 << 30, runs: 5, seconds: 0.5, lo: 0.45, hi: 0.9,
				cpu: 0.8, ratio: 2.1, cpuRatio: 3.25, rssKiB: 15 << 10},
			{command: "cfonb fmt --encoding latin1", file: "latin1.txt", size: 1 << 30, na: "not implemented yet (exit 4)"},
		},
		many: &manyResult{files: 10000, bytes: 60 << 20, rows: []row{
			{command: "wc -l", runs: 5, seconds: 0.1, lo: 0.1, hi: 0.2, cpu: 0.09, ratio: 1, cpuRatio: 1, rssKiB: 2 << 10},
			{command: "cfonb validate DIR", runs: 5, seconds: 0.2, lo: 0.15, hi: 0.3, cpu: 0.3, ratio: 2, cpuRatio: 3, rssKiB: 30 << 10},
			{command: "cfonb validate DIR (taskset -c 0)", na: "taskset is not installed (util-linux)"},
		}},
	}
	var b strings.Builder
	writeMarkdown(&b, res)
	want := `Machine: 2 × Intel(R) Xeon(R) Processor, 24 GiB RAM, Linux 6.1, go1.26.8. Files in the page cache. Each file's commands run in turn, 5 rounds (1 for the big file): medians, with the fastest and slowest run; × wc -l is the median of each run divided by the wc -l of its round; peak RSS measured by GNU time (%M).

| command | file | size | seconds (median) | spread (min–max) | MB/s | × wc -l | CPU-s (user+sys) | CPU × wc -l | peak RSS MiB |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
| cfonb gen | valid.txt | 1 GiB | 2.000 | – | 537 | – | 1.90 | – | 9.0 |
| wc -l | valid.txt | 1 GiB | 0.250 | 0.200–0.400 | 4295 | 1.00 | 0.24 | 1.00 | 2.0 |
| cfonb validate --format json | valid.txt | 1 GiB | 0.500 | 0.450–0.900 | 2147 | 2.10 | 0.80 | 3.25 | 15.0 |
| cfonb fmt --encoding latin1 | latin1.txt | 1 GiB | n/a | n/a | n/a | n/a | n/a | n/a | n/a |

10000 files, 60 MiB in all:

| many files | seconds (median) | spread (min–max) | files/s | MB/s | × wc -l | CPU-s (user+sys) | CPU use | peak RSS MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| wc -l | 0.100 | 0.100–0.200 | 100000 | 629 | 1.00 | 0.09 | 0.90 of 2 cores | 2.0 |
| cfonb validate DIR | 0.200 | 0.150–0.300 | 50000 | 315 | 2.00 | 0.30 | 1.50 of 2 cores | 30.0 |
| cfonb validate DIR (taskset -c 0) | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |

- n/a: cfonb fmt --encoding latin1 on latin1.txt: not implemented yet (exit 4)
- n/a: cfonb validate DIR (taskset -c 0) on many files: taskset is not installed (util-linux)
`
	assert.Equal(t, want, b.String())
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 0.0, median(nil))
	assert.Equal(t, 3.0, median([]float64{5, 3, 1}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
	xs := []float64{3, 1, 2}
	median(xs)
	assert.Equal(t, []float64{3, 1, 2}, xs, "median does not reorder its input")
}

// TestMeasureGroupPairs checks that every command runs once per round and
// that the ratios pair each run with the wc -l of its round.
func TestMeasureGroupPairs(t *testing.T) {
	dir := t.TempDir()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer func() { _ = null.Close() }()
	b := &bench{cfg: &config{}, log: &bytes.Buffer{}, dir: dir, null: null}
	logf := filepath.Join(dir, "order")
	sh := func(name string) []string {
		return []string{"sh", "-c", "echo " + name + " $GOMAXPROCS >> " + logf}
	}
	rows := b.measureGroup(context.Background(), "f.txt", 100, 3, []spec{
		{label: "wc -l", argv: sh("wc")},
		{label: "a", argv: sh("a"), env: []string{"GOMAXPROCS=1"}},
		{label: "missing", na: "not here"},
		{label: "fails", argv: []string{"sh", "-c", "echo boom >&2; exit 3"}},
	})
	data, err := os.ReadFile(logf)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("wc\na 1\n", 3), strings.ReplaceAll(string(data), "wc \n", "wc\n"))
	require.Len(t, rows, 4)
	assert.Equal(t, 3, rows[0].runs)
	assert.Equal(t, 1.0, rows[0].ratio)
	assert.Equal(t, 3, rows[1].runs)
	assert.Greater(t, rows[1].ratio, 0.0)
	assert.LessOrEqual(t, rows[1].lo, rows[1].seconds)
	assert.LessOrEqual(t, rows[1].seconds, rows[1].hi)
	assert.Equal(t, "not here", rows[2].na)
	assert.Equal(t, "failed (exit 3): boom", rows[3].na)
}

// TestEndToEnd runs the whole benchmark on tiny files, with the cfonb of
// this module and with a cfonb whose commands are missing.
func TestEndToEnd(t *testing.T) {
	racedetect.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("builds cfonb")
	}
	dir := t.TempDir()
	var log bytes.Buffer
	bin, err := build(context.Background(), dir, &log)
	require.NoError(t, err, log.String())

	var out, errb bytes.Buffer
	md := filepath.Join(dir, "bench.md")
	code := run(context.Background(), []string{"--cfonb", bin, "--size", "64KiB", "--big-size", "128KiB", "--many", "20",
		"--runs", "1", "--dir", filepath.Join(dir, "files"), "-o", md}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	text := out.String()
	for _, want := range []string{
		"| cfonb gen | valid-64KiB-seed1.txt | 63.9 KiB |",
		"| cfonb gen --latin1 | latin1-64KiB-seed1.txt | 63.9 KiB |",
		"| wc -l | valid-64KiB-seed1.txt | 63.9 KiB |",
		"| cfonb validate --format json | valid-64KiB-seed1.txt |",
		"| cfonb export --format jsonl | valid-64KiB-seed1.txt |",
		"| cfonb export --format jsonl -o FILE | valid-64KiB-seed1.txt |",
		" KiB, conv=fsync (the write alone) | valid-64KiB-seed1.txt |",
		"| cfonb fmt --encoding latin1 | latin1-64KiB-seed1.txt |",
		"| cfonb validate --format json | big-128KiB-seed1.txt |",
		"| cfonb validate --format json (taskset -c 0) | valid-64KiB-seed1.txt |",
		"| cfonb validate --format json (GOMAXPROCS=1) | valid-64KiB-seed1.txt |",
		"| cfonb validate DIR | ",
		"| wc -l | ",
	} {
		assert.Contains(t, text, want)
	}
	saved, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Equal(t, text, string(saved))
	_, err = os.Stat(filepath.Join(dir, "files", "cfonb-bench-export.out"))
	assert.ErrorIs(t, err, os.ErrNotExist, "the export to a file is removed after its run")
	entries, err := os.ReadDir(filepath.Join(dir, "files", "many-20-seed1", "000"))
	require.NoError(t, err)
	assert.Len(t, entries, 20)

	// The files are reused; a cfonb without validate/fmt/export gives n/a.
	fake := filepath.Join(dir, "fake-cfonb")
	script := "#!/bin/sh\nif [ \"$1\" = gen ]; then exec " + bin + " \"$@\"; fi\nexit 4\n"
	require.NoError(t, os.WriteFile(fake, []byte(script), 0o755))
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"--cfonb", fake, "--size", "64KiB", "--skip-4g", "--many", "20",
		"--runs", "1", "--dir", filepath.Join(dir, "files")}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "reusing ")
	assert.NotContains(t, out.String(), "| cfonb gen |", "reused files are not generated again")
	assert.Contains(t, out.String(), "| cfonb validate --format json | valid-64KiB-seed1.txt | 63.9 KiB | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
	assert.Contains(t, out.String(), "- n/a: cfonb export --format jsonl on valid-64KiB-seed1.txt: not implemented yet (exit 4)")
	assert.Contains(t, out.String(), "- n/a: dd of the same bytes, conv=fsync (the write alone) on valid-64KiB-seed1.txt: no output to compare with: not implemented yet (exit 4)")
	assert.Contains(t, out.String(), "| cfonb validate DIR | n/a |")
	assert.Contains(t, out.String(), "- n/a: cfonb validate DIR on many files: not implemented yet (exit 4)")
}

func TestMeasureMissingProgram(t *testing.T) {
	for _, timePath := range []string{"", gnuTime(context.Background())} {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		require.NoError(t, err)
		b := &bench{cfg: &config{}, log: &bytes.Buffer{}, dir: t.TempDir(), null: null, timePath: timePath}
		r := b.measure(context.Background(), "nope", "f.txt", 10, 2, "/no/such/program", "x")
		assert.True(t, strings.HasPrefix(r.na, "cannot run: "), "time %q: %q", timePath, r.na)
		assert.Contains(t, r.na, "/no/such/program")

		r = b.measure(context.Background(), "true", "f.txt", 10, 2, "true")
		assert.Empty(t, r.na)
		assert.Greater(t, r.rssKiB, int64(0))
		_ = null.Close()
	}
}
