package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

// maxSeedSize keeps the seed corpus small: every seed runs on every
// "go test ./fuzz/", and a fuzzer mutates small inputs best.
const maxSeedSize = 64 << 10

// seedFiles returns the contents of the files under ../testdata (the golden
// reports excepted), smaller than maxSeedSize, in a stable order.
func seedFiles(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	err := filepath.WalkDir("../testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "golden" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), ".diag") {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() || info.Size() > maxSeedSize {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, data)
		return nil
	})
	if err != nil {
		tb.Fatalf("reading the seed corpus: %v", err)
	}
	if len(out) == 0 {
		tb.Fatal("no seed file under ../testdata")
	}
	return out
}

// generatedSeeds returns small files written by internal/gen: valid ones in
// each framing, a Latin-1 one and broken ones.
func generatedSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	opts := []gen.Options{
		{Seed: 1, Size: 2 << 10, EOL: cfonb.EOLCRLF},
		{Seed: 2, Size: 2 << 10, EOL: cfonb.EOLLF, Accounts: 1},
		{Seed: 3, Size: 2 << 10, EOL: cfonb.EOLNone},
		{Seed: 4, Size: 2 << 10, EOL: cfonb.EOLCRLF, Latin1: true},
		{Seed: 5, Size: 4 << 10, EOL: cfonb.EOLLF, ErrorRate: 0.2},
		{Seed: 6, Size: 4 << 10, EOL: cfonb.EOLNone, ErrorRate: 0.2},
	}
	var out [][]byte
	for _, o := range opts {
		var buf bytes.Buffer
		if _, err := gen.Write(context.Background(), &buf, o); err != nil {
			tb.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	return out
}

// allSeeds is seedFiles and generatedSeeds, plus a few edge cases.
func allSeeds(tb testing.TB) [][]byte {
	out := append(seedFiles(tb), generatedSeeds(tb)...)
	return append(out,
		nil,
		[]byte("\n"),
		[]byte("\r\n\r\n"),
		[]byte("\x1a"),
		[]byte("\r"),
		[]byte(strings.Repeat("0", 241)),
		[]byte(strings.Repeat("\x00", 300)),
		[]byte("\xef\xbb\xbf01"),
	)
}

// noHang runs f and fails the test if it has not returned after d: a
// generous bound that only a hang (an endless loop) exceeds. A panic in f
// fails the test with its stack. f must not call t's methods (it runs on
// another goroutine).
func noHang(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Sprintf("%v\n%s", p, debug.Stack())
				return
			}
			done <- nil
		}()
		f()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	case <-timer.C:
		t.Fatalf("%s did not return within %v: a hang", what, d)
	}
}
