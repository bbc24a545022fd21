package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

// machine describes the computer the benchmark ran on.
type machine struct {
	cpus      int
	cpuModel  string
	memTotal  int64 // bytes, 0 if unknown
	kernel    string
	goVersion string
}

func machineInfo() machine {
	m := machine{cpus: runtime.NumCPU(), cpuModel: runtime.GOARCH, kernel: runtime.GOOS}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if model := cpuModel(string(b)); model != "" {
			m.cpuModel = model
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.memTotal = memTotal(string(b))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo string) string {
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

// memTotal returns MemTotal of /proc/meminfo in bytes, or 0.
func memTotal(meminfo string) int64 {
	sc := bufio.NewScanner(strings.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kib, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil {
				return kib << 10
			}
		}
	}
	return 0
}

// manyResult is the many-files run.
type manyResult struct {
	files int
	bytes int64
	rows  []row // wc -l of the files, then cfonb validate DIR
}

// results is everything the tables show.
type results struct {
	machine machine
	runs    int
	rssNote string // how peak memory was measured
	rows    []row
	many    *manyResult
}

// manyFiles writes many small files (a few KiB each) and times the
// validation of their directory, on both CPUs and on one, paired with a
// wc -l of the same files (which opens and reads each of them too).
func (b *bench) manyFiles(ctx context.Context) (*manyResult, error) {
	n := b.cfg.many
	dir := filepath.Join(b.dir, fmt.Sprintf("many-%d-seed%d", n, b.cfg.seed))
	res := &manyResult{files: n}
	entries, _ := os.ReadDir(dir)
	last := filepath.Join(dir, fmt.Sprintf("%03d", (n-1)/1000), fmt.Sprintf("statement-%05d.txt", n-1))
	if _, err := os.Stat(last); err != nil || len(entries) != (n+999)/1000 {
		b.logf("writing %d small files in %s", n, dir)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := writeMany(ctx, dir, n, b.cfg.seed); err != nil {
			return nil, err
		}
	}
	var paths []string
	argLen := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			res.bytes += info.Size()
			paths = append(paths, p)
			argLen += len(p) + 1
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := warmDir(dir); err != nil {
		return nil, err
	}
	wc := spec{label: "wc -l", argv: append([]string{"wc", "-l"}, paths...)}
	if argLen > 1<<20 {
		wc.na = "too many files for one wc -l command line"
	}
	argv := append([]string{b.bin}, expand(b.cfg.validateArgs, dir)...)
	label := "cfonb " + strings.Fields(b.cfg.validateArgs)[0] + " DIR"
	specs := []spec{wc, {label: label, argv: argv}, b.oneCPU(label, argv)}
	res.rows = b.measureGroup(ctx, filepath.Base(dir), res.bytes, b.cfg.runs, specs)
	return res, nil
}

// writeMany writes n generated files of 1 to 12 KiB into dir, in
// subdirectories of 1000.
func writeMany(ctx context.Context, dir string, n int, seed int64) error {
	r := rand.New(rand.NewPCG(uint64(seed), 99))
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("statement-%05d.txt", i)))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		_, err = gen.Write(ctx, w, gen.Options{Seed: seed*1_000_003 + int64(i), Size: int64(1024 + r.IntN(11<<10)),
			Accounts: 1 + r.IntN(3), EOL: cfonb.EOLCRLF})
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// warmDir reads every file of dir once.
func warmDir(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return warm(p)
	})
}

// writeMarkdown writes the tables.
func writeMarkdown(w io.Writer, res *results) {
	m := res.machine
	mem := ""
	if m.memTotal > 0 {
		mem = fmt.Sprintf(", %s RAM", gen.FormatSize(m.memTotal))
	}
	fmt.Fprintf(w, "Machine: %d × %s%s, %s, %s. Files in the page cache. Each file's commands run in turn, "+
		"%d rounds (1 for the big file): medians, with the fastest and slowest run; "+
		"× wc -l is the median of each run divided by the wc -l of its round; %s.\n\n",
		m.cpus, m.cpuModel, mem, m.kernel, m.goVersion, res.runs, res.rssNote)
	fmt.Fprintln(w, "| command | file | size | seconds (median) | spread (min–max) | MB/s | × wc -l | CPU-s (user+sys) | CPU × wc -l | peak RSS MiB |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	var notes []string
	for _, r := range res.rows {
		if r.na != "" {
			notes = append(notes, fmt.Sprintf("%s on %s: %s", r.command, r.file, r.na))
			fmt.Fprintf(w, "| %s | %s | %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n", r.command, r.file, gen.FormatSize(r.size))
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.3f | %s | %s | %s | %.2f | %s | %.1f |\n", r.command, r.file, gen.FormatSize(r.size),
			r.seconds, spread(r), mbps(r.size, r.seconds), ratio(r.ratio), r.cpu, ratio(r.cpuRatio), float64(r.rssKiB)/1024)
	}
	if mr := res.many; mr != nil {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%d files, %s in all:\n\n", mr.files, gen.FormatSize(mr.bytes))
		fmt.Fprintln(w, "| many files | seconds (median) | spread (min–max) | files/s | MB/s | × wc -l | CPU-s (user+sys) | CPU use | peak RSS MiB |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range mr.rows {
			if r.na != "" {
				notes = append(notes, fmt.Sprintf("%s on many files: %s", r.command, r.na))
				fmt.Fprintf(w, "| %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n", r.command)
				continue
			}
			fmt.Fprintf(w, "| %s | %.3f | %s | %.0f | %s | %s | %.2f | %.2f of %d cores | %.1f |\n",
				r.command, r.seconds, spread(r), float64(mr.files)/r.seconds, mbps(mr.bytes, r.seconds), ratio(r.ratio),
				r.cpu, r.cpu/r.seconds, m.cpus, float64(r.rssKiB)/1024)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintf(w, "- n/a: %s\n", n)
		}
	}
}

// spread is the fastest and slowest run of a row, or "–" for one run.
func spread(r row) string {
	if r.runs < 2 {
		return "–"
	}
	return fmt.Sprintf("%.3f–%.3f", r.lo, r.hi)
}

// ratio formats a ratio to wc -l, or "–" when there is none.
func ratio(x float64) string {
	if x <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

// mbps formats a throughput in MB/s (10^6 bytes per second).
func mbps(bytes int64, seconds float64) string {
	if seconds <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(bytes)/seconds/1e6)
}
