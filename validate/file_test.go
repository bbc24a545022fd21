package validate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

// TestFileAgreesWithStream checks that File, which reads a small file
// whole into a reused buffer and a large one through the record reader,
// gives the report Stream gives on the same bytes: for every file of
// ../testdata and for generated files on both sides of wholeFileMax, also
// validated many at a time so that the reused buffers are shared, and
// one after another by one Checker (whose buffer goes from one file to
// the next).
func TestFileAgreesWithStream(t *testing.T) {
	var paths []string
	for _, dir := range []string{"valid", "invalid", "samples"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*"))
		require.NoError(t, err)
		paths = append(paths, files...)
	}
	tmp := t.TempDir()
	for i, size := range []int64{0, 1, 121, 4095, 4096, 4097, wholeFileMax - 1, wholeFileMax, wholeFileMax + 1, 3 * wholeFileMax, 300 << 10} {
		var b bytes.Buffer
		if size < 300 {
			// Below the smallest generated file: the start of a real one.
			valid, err := os.ReadFile(filepath.Join("..", "testdata", "valid", "multi-crlf.txt"))
			require.NoError(t, err)
			b.Write(valid[:size])
		} else {
			_, err := gen.Write(context.Background(), &b, gen.Options{Seed: int64(i), Size: size, EOL: cfonb.EOLCRLF})
			require.NoError(t, err)
		}
		data := b.Bytes()
		if i%2 == 1 && len(data) > 300 {
			data[250] = 'X' // an error somewhere
		}
		p := filepath.Join(tmp, "gen", filepath.Base(t.Name())+"-"+string(rune('a'+i))+".txt")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
		paths = append(paths, p)
	}
	want := make([]*Report, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		want[i], err = Stream(p, bytes.NewReader(data), Options{})
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	got := make([]*Report, len(paths))
	errs := make([]error, len(paths))
	for round := 0; round < 3; round++ {
		for i, p := range paths {
			wg.Go(func() { got[i], errs[i] = File(p, Options{}) })
		}
		wg.Wait()
		for i, p := range paths {
			require.NoError(t, errs[i], p)
			assert.Equal(t, want[i], got[i], p)
		}
	}
	// The reports of a Checker stay as they were after the next files.
	var c Checker
	defer func() { _ = c.Close() }()
	for round := 0; round < 2; round++ {
		for i, p := range paths {
			got[i], errs[i] = c.File(p, Options{})
		}
		for i, p := range paths {
			require.NoError(t, errs[i], p)
			assert.Equal(t, want[i], got[i], p)
		}
	}
}

// TestFileErrors checks what File says of what it cannot read as a file.
func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := File(filepath.Join(dir, "missing.txt"), Options{})
	assert.EqualError(t, err, "open "+filepath.Join(dir, "missing.txt")+": no such file or directory")
	_, err = File(dir, Options{})
	assert.EqualError(t, err, dir+": is a directory")
	if _, serr := os.Stat(os.DevNull); serr == nil {
		_, err = File(os.DevNull, Options{})
		assert.EqualError(t, err, os.DevNull+": is a device, not a file")
	}
}

// TestFileOnlyBankStatements checks that File with OnlyBankStatements
// passes over exactly the files SniffFile calls not bank statements, small
// or large, and gives the others the report it gives without the option.
func TestFileOnlyBankStatements(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "*", "*"))
	require.NoError(t, err)
	big := filepath.Join(t.TempDir(), "big.md")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("# not a statement\n"), 10000), 0o644))
	paths = append(paths, big)
	skipped := 0
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		bank, err := SniffFile(p)
		require.NoError(t, err)
		rep, err := File(p, Options{OnlyBankStatements: true})
		if !bank {
			skipped++
			assert.ErrorIs(t, err, ErrNotBankStatement, p)
			assert.Nil(t, rep)
			continue
		}
		require.NoError(t, err, p)
		want, err := File(p, Options{})
		require.NoError(t, err)
		assert.Equal(t, want, rep, p)
	}
	assert.GreaterOrEqual(t, skipped, 2, "README.md and big.md at least")
}

// TestCheckerForgetsEarlierFiles checks that a Checker's validator, used
// again, remembers nothing of the file before (its accounts, statements
// and warnings per rule): each file validated twice in a row, after a
// file of many accounts (whose map is not kept) and after itself, gets the
// report of a validator of its own.
func TestCheckerForgetsEarlierFiles(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "*", "*.txt"))
	require.NoError(t, err)
	var b bytes.Buffer
	_, err = gen.Write(context.Background(), &b, gen.Options{Seed: 7, Size: 60 << 10, Accounts: 2 * reuseAccounts, EOL: cfonb.EOLLF})
	require.NoError(t, err)
	many := filepath.Join(t.TempDir(), "many-accounts.txt")
	require.NoError(t, os.WriteFile(many, b.Bytes(), 0o644))
	var c Checker
	defer func() { _ = c.Close() }()
	for _, p := range append(paths, many) {
		want, err := File(p, Options{})
		require.NoError(t, err, p)
		for _, before := range []string{many, p} {
			_, err := c.File(before, Options{})
			require.NoError(t, err)
			got, err := c.File(p, Options{})
			require.NoError(t, err, p)
			assert.Equal(t, want, got, "%s after %s", p, before)
		}
	}
	_, err = c.File(paths[0], Options{})
	require.NoError(t, err)
	assert.LessOrEqual(t, c.v.accountsPeak, reuseAccounts, "the map of many accounts was not kept")
}
