// Command cfonb-bench measures cfonb on large generated statement files and
// prints the results as a Markdown table.
//
// It builds cfonb from the module it is run in (or uses --cfonb), writes the
// files with "cfonb gen" (1 GiB valid, 1 GiB Latin-1, and 4 GiB for the
// memory check unless --skip-4g), reads them once so that they are in the
// page cache, then times, in rounds: wc -l, cfonb validate --format json
// (on both CPUs, pinned to one with taskset, and with GOMAXPROCS=1),
// cfonb fmt of the Latin-1 file and cfonb export --format jsonl (to the
// null device and to a file, the latter next to dd writing as many bytes to
// the same place: the write alone, its ceiling), with each
// command's CPU time and peak resident memory. Every command runs once per
// round next to a wc -l of the same file, and the table shows medians, the
// spread, and the median ratio to the wc -l of the same round: on a shared
// machine the load changes from second to second, and a best run or a
// ratio of two unrelated runs says little. A "many files" run validates a
// directory of 10,000 small files (files/s) and shows how many cores it
// kept busy. A command that does not exist yet, or fails,
// is shown as n/a, with the reason under the table.
//
// Usage, from the repository:
//
//	go run ./cmd/cfonb-bench [--size 1GiB] [--skip-4g] [--many 10000] [--dir DIR] [--runs 5]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/cfonb-dev/cfonb/internal/gen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage: cfonb-bench [flags]

Builds cfonb, generates large statement files with "cfonb gen", and times
wc -l, cfonb validate, cfonb fmt and cfonb export on them (and dd writing
the bytes of the export to a file, its ceiling), each command
once per round next to a wc -l of the same file; shows the median times,
their spread, the median ratio to wc -l, CPU time and peak memory; then
validates a directory of many small files. Prints a Markdown table
(stdout); progress goes to stderr. Needs a few GiB of disk (--dir) and as
much free memory for the page cache.

Examples:
  go run ./cmd/cfonb-bench
  go run ./cmd/cfonb-bench --size 256MiB --skip-4g --many 1000 --runs 1
  go run ./cmd/cfonb-bench --dir /var/tmp/cfonb-bench --keep   # reuse the files next time

Flags:
`

// config is what the flags set.
type config struct {
	size, bigSize int64
	skipBig       bool
	many          int
	dir           string
	keep          bool
	runs          int
	cfonb         string
	seed          int64
	validateArgs  string
	fmtArgs       string
	exportArgs    string
	exportFile    string // export to a file: the target of issue 15
	outDir        string // where {out} goes
	output        string
}

func parseConfig(args []string, stderr io.Writer) (*config, int, bool) {
	fs := pflag.NewFlagSet("cfonb-bench", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	size := fs.String("size", "1GiB", "size of the valid and Latin-1 files")
	bigSize := fs.String("big-size", "4GiB", "size of the file of the memory check")
	fs.BoolVar(&c.skipBig, "skip-4g", false, "skip the big file (memory check)")
	fs.IntVar(&c.many, "many", 10000, "number of small files of the many-files run (0 skips it)")
	fs.StringVar(&c.dir, "dir", "", "directory for the files (default: a temporary one, removed at the end); files already there are reused")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory")
	fs.IntVar(&c.runs, "runs", 5, "rounds of timed runs on the main files: each command runs once per round, next to wc -l (medians are shown)")
	fs.StringVar(&c.cfonb, "cfonb", "", "cfonb binary to measure (default: build ./cmd/cfonb of the current module)")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the generated files")
	fs.StringVar(&c.validateArgs, "validate-args", "validate --format json {in}", "cfonb arguments of the validate run ({in}: the file)")
	fs.StringVar(&c.fmtArgs, "fmt-args", "fmt --encoding latin1 {in}", "cfonb arguments of the fmt run, on the Latin-1 file")
	fs.StringVar(&c.exportArgs, "export-args", "export --format jsonl {in}", "cfonb arguments of the export run")
	fs.StringVar(&c.exportFile, "export-file-args", "export --format jsonl -o {out} {in}", "cfonb arguments of the export-to-a-file run ({out}: a file in --out-dir, removed after each run; empty skips the run)")
	fs.StringVar(&c.outDir, "out-dir", "", "directory of {out} (default: --dir, or the temporary directory); /dev/shm leaves out the disk")
	fs.StringVarP(&c.output, "output", "o", "", "also write the Markdown to FILE")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, 0, true
		}
		fmt.Fprintf(stderr, "cfonb-bench: %v (see cfonb-bench --help)\n", err)
		return nil, 2, true
	}
	fail := func(format string, a ...any) (*config, int, bool) {
		fmt.Fprintf(stderr, "cfonb-bench: "+format+" (see cfonb-bench --help)\n", a...)
		return nil, 2, true
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.size, err = gen.ParseSize(*size); err != nil {
		return fail("--size: %v", err)
	}
	if c.bigSize, err = gen.ParseSize(*bigSize); err != nil {
		return fail("--big-size: %v", err)
	}
	if c.runs < 1 {
		return fail("--runs must be at least 1")
	}
	if c.many < 0 {
		return fail("--many must be 0 or more")
	}
	for _, a := range []string{c.validateArgs, c.fmtArgs, c.exportArgs} {
		if !strings.Contains(a, "{in}") {
			return fail("%q has no {in}", a)
		}
	}
	if c.exportFile != "" && (!strings.Contains(c.exportFile, "{in}") || !strings.Contains(c.exportFile, "{out}")) {
		return fail("--export-file-args %q needs {in} and {out}", c.exportFile)
	}
	return c, 0, false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, code, done := parseConfig(args, stderr)
	if done {
		return code
	}
	b := &bench{cfg: c, log: stderr}
	res, err := b.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "cfonb-bench: %v\n", err)
		return 1
	}
	var md strings.Builder
	writeMarkdown(&md, res)
	fmt.Fprint(stdout, md.String())
	if c.output != "" {
		if err := os.WriteFile(c.output, []byte(md.String()), 0o644); err != nil {
			fmt.Fprintf(stderr, "cfonb-bench: %v\n", err)
			return 1
		}
	}
	return 0
}

// bench is one benchmark run.
type bench struct {
	cfg  *config
	log  io.Writer
	dir  string
	bin  string
	null *os.File
	// timePath is GNU time, which measures a command's peak memory
	// exactly; "" to read it from the rusage of the child (see rssNote).
	timePath string
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.log, "cfonb-bench: "+format+"\n", a...)
}

// run does everything and returns the results.
func (b *bench) run(ctx context.Context) (*results, error) {
	c := b.cfg
	res := &results{machine: machineInfo(), runs: c.runs}
	var err error
	if c.dir == "" {
		if b.dir, err = os.MkdirTemp("", "cfonb-bench-"); err != nil {
			return nil, err
		}
		if c.keep {
			b.logf("files in %s (kept)", b.dir)
		} else {
			defer func() { _ = os.RemoveAll(b.dir) }()
		}
	} else {
		b.dir = c.dir
		if err := os.MkdirAll(b.dir, 0o755); err != nil {
			return nil, err
		}
	}
	if b.null, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		return nil, err
	}
	defer func() { _ = b.null.Close() }()

	b.timePath = gnuTime(ctx)
	res.rssNote = rssNote(b.timePath)
	b.bin = c.cfonb
	if b.bin == "" {
		if b.bin, err = build(ctx, b.dir, b.log); err != nil {
			return nil, err
		}
	}
	res.machine.goVersion = goVersion(ctx)

	type file struct {
		name, path string
		size       int64
		latin1     bool
		runs       int
	}
	files := []file{
		{name: "valid", size: c.size, runs: c.runs},
		{name: "latin1", size: c.size, latin1: true, runs: c.runs},
	}
	if !c.skipBig {
		files = append(files, file{name: "big", size: c.bigSize, runs: 1})
	}
	for i := range files {
		f := &files[i]
		f.path = filepath.Join(b.dir, fmt.Sprintf("%s-%s-seed%d.txt", f.name, sizeName(f.size), c.seed))
		row, err := b.generate(ctx, f.path, f.size, f.latin1)
		if err != nil {
			return nil, err
		}
		if row != nil {
			res.rows = append(res.rows, *row)
		}
	}
	for _, f := range files {
		if err := warm(f.path); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		info, err := os.Stat(f.path)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(f.path)
		// wc -l first: every command of the file is paired with the
		// wc -l of the same round.
		specs := []spec{{label: "wc -l", argv: []string{"wc", "-l", f.path}}}
		var templates []string
		switch {
		case f.latin1:
			templates = []string{c.fmtArgs}
		case f.name == "big":
			templates = []string{c.validateArgs}
		default:
			templates = []string{c.validateArgs, c.exportArgs}
			if c.exportFile != "" {
				templates = append(templates, c.exportFile)
			}
		}
		outDir := c.outDir
		if outDir == "" {
			outDir = b.dir
		}
		out := filepath.Join(outDir, "cfonb-bench-export.out")
		for i, tmpl := range templates {
			label := "cfonb " + strings.Fields(tmpl)[0] + strings.ReplaceAll(flagsOf(tmpl), "{out}", "FILE")
			argv := append([]string{b.bin}, expand(strings.ReplaceAll(tmpl, "{out}", out), f.path)...)
			sp := spec{label: label, argv: argv}
			if strings.Contains(tmpl, "{out}") {
				sp.remove = out // not left to the next round, nor in the page cache
			}
			specs = append(specs, sp)
			if sp.remove != "" {
				specs = append(specs, b.writeRef(ctx, sp))
			}
			if i == 0 && tmpl == c.validateArgs && f.name == "valid" {
				// One core: the same command pinned to CPU 0, and with
				// one P of the Go scheduler but both CPUs free.
				specs = append(specs, b.oneCPU(label, argv), spec{label: label + " (GOMAXPROCS=1)", argv: argv, env: []string{"GOMAXPROCS=1"}})
			}
		}
		res.rows = append(res.rows, b.measureGroup(ctx, name, info.Size(), f.runs, specs)...)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if c.many > 0 {
		m, err := b.manyFiles(ctx)
		if err != nil {
			return nil, err
		}
		res.many = m
	}
	return res, nil
}

// flagsOf returns the flags of an argument template, for the table:
// " --format json" for "validate --format json {in}".
func flagsOf(tmpl string) string {
	var out []string
	for _, f := range strings.Fields(tmpl)[1:] {
		if f != "{in}" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return " " + strings.Join(out, " ")
}

// expand splits an argument template and puts path for {in}.
func expand(tmpl, path string) []string {
	f := strings.Fields(tmpl)
	for i := range f {
		f[i] = strings.ReplaceAll(f[i], "{in}", path)
	}
	return f
}

// sizeName is a size for a file name: "1GiB", "256MiB", "1000B".
func sizeName(n int64) string {
	return strings.ReplaceAll(strings.ReplaceAll(gen.FormatSize(n), " ", ""), ".", "_")
}

// build builds cfonb from the current module into dir.
func build(ctx context.Context, dir string, log io.Writer) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is Go installed?)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not in a Go module: run cfonb-bench from the cfonb repository, or give --cfonb")
	}
	bin := filepath.Join(dir, "cfonb")
	fmt.Fprintf(log, "cfonb-bench: building %s\n", bin)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cfonb")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building cfonb: %w", err)
	}
	return bin, nil
}

// goVersion returns "go version" of the toolchain, or the bench's own.
func goVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// generate writes a file with "cfonb gen" unless a file of about that size
// is already there, and returns the timed row of the generation.
func (b *bench) generate(ctx context.Context, path string, size int64, latin1 bool) (*row, error) {
	if info, err := os.Stat(path); err == nil && info.Size() <= size && info.Size() > size-4096 {
		b.logf("reusing %s", path)
		return nil, nil
	}
	args := []string{b.bin, "gen", "--seed", fmt.Sprint(b.cfg.seed), "--size", fmt.Sprint(size), "-q", "-o", path}
	if latin1 {
		args = append(args, "--latin1")
	}
	b.logf("generating %s (%s)", path, gen.FormatSize(size))
	m := b.measure(ctx, "cfonb gen", filepath.Base(path), size, 1, args...)
	if m.na != "" {
		return nil, fmt.Errorf("cfonb gen: %s", m.na)
	}
	if info, err := os.Stat(path); err == nil {
		m.size = info.Size()
	}
	if latin1 {
		m.command = "cfonb gen --latin1"
	}
	return &m, nil
}

// warm reads a file once so that the timed runs find it in the page cache.
func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, err = io.Copy(io.Discard, f)
	return err
}

// spec is one command of a paired measure.
type spec struct {
	label  string
	argv   []string
	env    []string // added to the bench's environment
	na     string   // why it cannot run at all ("" if it can)
	remove string   // a file the command writes, removed after each run
}

// row is one line of the table: the medians of a command's runs.
type row struct {
	command string
	file    string
	size    int64
	runs    int     // timed runs
	seconds float64 // median wall time
	lo, hi  float64 // fastest and slowest wall time
	cpu     float64 // median user+sys seconds
	// ratio and cpuRatio are the medians, over the rounds, of the wall
	// and CPU times divided by those of wc -l in the same round (0: no
	// wc -l in the group).
	ratio, cpuRatio float64
	rssKiB          int64  // peak resident memory, KiB (the largest of the runs)
	na              string // why there is no measure ("" if there is one)
}

// outcome is one run of a command.
type outcome struct {
	wall      time.Duration
	user, sys time.Duration
	rssKiB    int64
	exit      int
	stderr    string
	err       error // the command could not start
}

// gnuTime returns the path of GNU time if it is installed ("apt-get
// install time"), else "".
func gnuTime(ctx context.Context) string {
	const path = "/usr/bin/time"
	if err := exec.CommandContext(ctx, path, "-f", "%M", "-o", os.DevNull, "true").Run(); err != nil {
		return ""
	}
	return path
}

// rssNote says how peak memory is measured.
func rssNote(timePath string) string {
	if timePath != "" {
		return "peak RSS measured by GNU time (%M)"
	}
	// The kernel charges a child started by vfork (as Go starts them) with
	// its parent's resident memory at the time: an upper bound.
	self := ""
	if kib, ok := selfMaxRSS(); ok {
		self = fmt.Sprintf(" (%.0f MiB now)", float64(kib)/1024)
	}
	return "peak RSS from the rusage of each process, an upper bound that includes the bench's own memory" + self +
		"; install GNU time (apt-get install time) for exact figures"
}

// execute runs a command with stdout to /dev/null and returns what
// happened.
func (b *bench) execute(ctx context.Context, sp spec) outcome {
	argv := sp.argv
	var timeOut string
	if b.timePath != "" {
		timeOut = filepath.Join(b.dir, ".time-output")
		argv = append([]string{b.timePath, "-f", "%M", "-o", timeOut, "--"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if len(sp.env) > 0 {
		cmd.Env = append(os.Environ(), sp.env...)
	}
	cmd.Stdout = b.null
	var errb tailBuffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	o := outcome{wall: time.Since(start), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.exit = ee.ExitCode()
	default:
		o.err = err
		return o
	}
	if ps := cmd.ProcessState; ps != nil {
		o.user, o.sys = ps.UserTime(), ps.SystemTime()
		if kib, ok := maxRSS(ps); ok {
			o.rssKiB = kib
		}
	}
	if timeOut != "" {
		// GNU time writes "Command exited with non-zero status N" first
		// when the command fails; %M is the last line.
		data, err := os.ReadFile(timeOut)
		_ = os.Remove(timeOut)
		if err == nil {
			if kib, err := strconv.ParseInt(lastLine(string(data)), 10, 64); err == nil {
				o.rssKiB = kib
			}
		}
		if o.exit == 127 && o.err == nil {
			o.err = fmt.Errorf("%s: %s", argv[6], lastLine(o.stderr))
		}
	}
	return o
}

// measure runs one command runs times and returns its row.
func (b *bench) measure(ctx context.Context, command, file string, size int64, runs int, argv ...string) row {
	return b.measureGroup(ctx, file, size, runs, []spec{{label: command, argv: argv}})[0]
}

// measureGroup runs the commands of specs in turn, runs rounds of them, so
// that the commands of a round share the machine's load, and returns one
// row per command: the median time and its spread, the largest peak
// memory, and the ratios to a "wc -l" of the group in the same round. A
// command that cannot run gives n/a and is not run again.
func (b *bench) measureGroup(ctx context.Context, file string, size int64, runs int, specs []spec) []row {
	all := make([][]outcome, len(specs))
	rows := make([]row, len(specs))
	wc := -1
	for i, sp := range specs {
		rows[i] = row{command: sp.label, file: file, size: size, na: sp.na}
		if sp.label == "wc -l" {
			wc = i
		}
		b.logf("%s %s", sp.label, file)
	}
	for round := 0; round < runs && ctx.Err() == nil; round++ {
		for i, sp := range specs {
			if rows[i].na != "" {
				continue
			}
			o := b.execute(ctx, sp)
			if sp.remove != "" {
				_ = os.Remove(sp.remove)
			}
			if na := notAvailable(o); na != "" {
				rows[i].na = na
				continue
			}
			all[i] = append(all[i], o)
		}
	}
	for i := range specs {
		r := &rows[i]
		runs := all[i]
		if r.na != "" || len(runs) == 0 {
			if r.na == "" {
				r.na = "interrupted"
			}
			continue
		}
		var walls, cpus, ratios, cpuRatios []float64
		for k, o := range runs {
			w, c := o.wall.Seconds(), (o.user + o.sys).Seconds()
			walls = append(walls, w)
			cpus = append(cpus, c)
			r.rssKiB = max(r.rssKiB, o.rssKiB)
			if wc >= 0 && i != wc && rows[wc].na == "" && k < len(all[wc]) && len(all[wc]) == len(runs) {
				base := all[wc][k]
				if bw := base.wall.Seconds(); bw > 0 {
					ratios = append(ratios, w/bw)
				}
				if bc := (base.user + base.sys).Seconds(); bc > 0 {
					cpuRatios = append(cpuRatios, c/bc)
				}
			}
		}
		r.runs = len(runs)
		r.seconds, r.cpu = median(walls), median(cpus)
		r.lo, r.hi = slices.Min(walls), slices.Max(walls)
		if i == wc {
			r.ratio, r.cpuRatio = 1, 1
		} else {
			r.ratio, r.cpuRatio = median(ratios), median(cpuRatios)
		}
	}
	return rows
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// oneCPU returns the spec of argv pinned to CPU 0 with taskset (Go then
// sees one CPU and runs with GOMAXPROCS=1), or n/a without taskset.
func (b *bench) oneCPU(label string, argv []string) spec {
	sp := spec{label: label + " (taskset -c 0)"}
	path, err := exec.LookPath("taskset")
	if err != nil {
		sp.na = "taskset is not installed (util-linux)"
		return sp
	}
	sp.argv = append([]string{path, "-c", "0"}, argv...)
	return sp
}

// writeRef returns the reference of an export to a file, sp: dd writing
// as many bytes as sp's output to the same place, with the fsync that
// cfonb's atomic output makes before its rename. Writing the output costs
// what the storage and the kernel make it cost (on a VM it swings from run
// to run), and no export to a file can be faster than writing its bytes
// alone: the table shows both, measured in the same rounds. sp is run once
// here, untimed, to learn its output's size.
func (b *bench) writeRef(ctx context.Context, sp spec) spec {
	ref := spec{label: "dd of the same bytes, conv=fsync (the write alone)", remove: sp.remove}
	dd, err := exec.LookPath("dd")
	if err != nil {
		ref.na = "dd is not installed (coreutils)"
		return ref
	}
	b.logf("%s once, for the size of its output", sp.label)
	o := b.execute(ctx, sp)
	info, err := os.Stat(sp.remove)
	_ = os.Remove(sp.remove)
	switch {
	case notAvailable(o) != "":
		ref.na = "no output to compare with: " + notAvailable(o)
		return ref
	case err != nil:
		ref.na = fmt.Sprintf("no output to compare with: %v", err)
		return ref
	}
	const mib = 1 << 20
	ref.argv = []string{dd, "if=/dev/zero", "of=" + sp.remove, fmt.Sprintf("bs=%d", mib),
		fmt.Sprintf("count=%d", (info.Size()+mib-1)/mib), "conv=fsync", "status=none"}
	ref.label = fmt.Sprintf("dd of the same %s, conv=fsync (the write alone)", gen.FormatSize(info.Size()))
	return ref
}

// notAvailable says why a run gives no measure: the program is missing, the
// cfonb command is not written yet (a stub exits 4; an unknown command or
// flag is a usage error, 2), or the command failed. Exit status 1 (the
// file has errors) still gives a measure.
func notAvailable(o outcome) string {
	tail := lastLine(o.stderr)
	switch {
	case o.err != nil:
		return fmt.Sprintf("cannot run: %v", o.err)
	case o.exit == 0 || o.exit == 1:
		return ""
	case o.exit == 4 && tail == "":
		return "not implemented yet (exit 4)"
	case o.exit == 2 && (strings.Contains(o.stderr, "unknown command") || strings.Contains(o.stderr, "unknown flag") ||
		strings.Contains(o.stderr, "unknown shorthand flag")):
		return "not available in this cfonb: " + tail
	}
	return fmt.Sprintf("failed (exit %d): %s", o.exit, tail)
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0], t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
