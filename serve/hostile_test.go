package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/export"
	"github.com/cfonb-dev/cfonb/internal/gen"
)

// patternReader produces n bytes repeating pattern, without holding them
// (as fuzz/hostile_test.go's).
type patternReader struct {
	pattern []byte
	n, off  int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = p.pattern[(p.off+int64(i))%int64(len(p.pattern))]
	}
	p.off += int64(len(b))
	return len(b), nil
}

// hostileInput is one input of the corpus: a name and a way to make it.
type hostileInput struct {
	name string
	open func() io.Reader
}

// hostileCorpus is what the CLI survives (fuzz/hostile_test.go's inputs,
// the invalid test files, the fmt test files and the fuzz corpus kept in
// fuzz/testdata): the server must survive it too.
func hostileCorpus(t *testing.T) []hostileInput {
	t.Helper()
	random := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	in := []hostileInput{
		{"16 MiB without a line end", func() io.Reader { return &patternReader{pattern: []byte("0130006 garbage "), n: 16 << 20} }},
		{"4 MiB of NUL", func() io.Reader { return &patternReader{pattern: []byte{0}, n: 4 << 20} }},
		{"4 MiB of random bytes", func() io.Reader { return bytes.NewReader(random) }},
		{"256 Ki empty records", func() io.Reader { return &patternReader{pattern: []byte("\n"), n: 256 << 10} }},
		{"256 Ki CR", func() io.Reader { return &patternReader{pattern: []byte("\r"), n: 256 << 10} }},
		{"long lines of digits", func() io.Reader {
			return &patternReader{pattern: append(bytes.Repeat([]byte("0"), 70000), '\n'), n: 4 << 20}
		}},
		{"many short statements", func() io.Reader {
			return &patternReader{pattern: []byte("0130006    00001EUR2 12345678901  020326" + strings.Repeat(" ", 50) + "0000000010000{" + strings.Repeat(" ", 16) + "\n"), n: 1 << 20}
		}},
		{"empty", func() io.Reader { return strings.NewReader("") }},
		{"UTF-16", func() io.Reader { return strings.NewReader("\xff\xfe0\x001\x00") }},
	}
	var files []string
	for _, glob := range []string{"../testdata/invalid/*", "../testdata/fmt/*.txt", "../testdata/samples/*.txt"} {
		m, err := filepath.Glob(glob)
		require.NoError(t, err)
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		in = append(in, hostileInput{f, func() io.Reader { return bytes.NewReader(b) }})
	}
	fuzzFiles, err := filepath.Glob("../fuzz/testdata/fuzz/*/*")
	require.NoError(t, err)
	for _, f := range fuzzFiles {
		for i, b := range fuzzCorpusInputs(t, f) {
			in = append(in, hostileInput{f + "#" + strconv.Itoa(i), func() io.Reader { return bytes.NewReader(b) }})
		}
	}
	return in
}

// fuzzCorpusInputs reads the []byte values of a Go fuzz corpus file.
func fuzzCorpusInputs(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if lit, ok := strings.CutPrefix(line, "[]byte("); ok {
			if s, err := strconv.Unquote(strings.TrimSuffix(lit, ")")); err == nil {
				out = append(out, []byte(s))
			}
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// TestHostileInputs sends every input of the corpus through every endpoint
// of the API: each answers 200 or 422 with a JSON document (or the file
// asked for), never a panic, a 5xx or a hang; no temporary file is left.
func TestHostileInputs(t *testing.T) {
	_, h := newTestServer(t, Options{})
	endpoints := []string{
		"/api/validate",
		"/api/validate?lines=1&max_errors=0",
		"/api/inspect?diagnostics=1&lines=1",
		"/api/fmt",
		"/api/fmt?report=json",
		"/api/export?format=json",
		"/api/export?format=csv&force=1",
	}
	// The large inputs go through each kind of processing once: the
	// validator's own cost with no cap is tested in fuzz/.
	bigEndpoints := []string{"/api/validate", "/api/inspect?diagnostics=1&lines=1", "/api/fmt?report=json", "/api/export?format=csv&force=1"}
	for _, in := range hostileCorpus(t) {
		eps := endpoints
		if strings.Contains(in.name, "MiB") || strings.Contains(in.name, "Ki ") {
			if testing.Short() {
				continue
			}
			eps = bigEndpoints
		}
		t.Run(in.name, func(t *testing.T) { hostileOne(t, h, in, eps) })
	}
}

func hostileOne(t *testing.T, h http.Handler, in hostileInput, endpoints []string) {
	{
		for _, ep := range endpoints {
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+ep, in.open())
			req.ContentLength = -1
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil && p != http.ErrAbortHandler {
						t.Errorf("%s %s: panic %v", in.name, ep, p)
					}
				}()
				h.ServeHTTP(rec, req)
			}()
			code := rec.Code
			if !assert.Contains(t, []int{http.StatusOK, http.StatusUnprocessableEntity}, code, "%s %s: %s", in.name, ep, truncate(rec.Body.String())) {
				continue
			}
			ctype := rec.Header().Get("Content-Type")
			if strings.HasPrefix(ctype, "application/json") {
				assert.True(t, json.Valid(rec.Body.Bytes()), "%s %s: invalid JSON %s", in.name, ep, truncate(rec.Body.String()))
			}
			if strings.HasPrefix(ep, "/api/validate") || strings.HasPrefix(ep, "/api/inspect") {
				var doc struct {
					Files []struct {
						Errors, Warnings, Omitted int
						Diagnostics               []json.RawMessage
					}
				}
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc), "%s %s", in.name, ep)
				require.Len(t, doc.Files, 1)
				f := doc.Files[0]
				assert.Equal(t, f.Errors+f.Warnings, len(f.Diagnostics)+f.Omitted, "%s %s: counts", in.name, ep)
				assert.LessOrEqual(t, len(f.Diagnostics), maxDiagnosticsCap)
			}
		}
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestExportAbortLeavesNoTemporaryFile: an export that fails once its
// answer has begun (a movement of more complements than the cap) aborts
// the connection; the exporter's temporary file (ofx, xlsx) went with it
// only on success before (found by a review).
func TestExportAbortLeavesNoTemporaryFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, h := newTestServer(t, Options{})
	// Enough movements first for the ofx export to spill to its
	// temporary file (8 MiB of transactions), then the bad movement.
	var big bytes.Buffer
	_, err := gen.Write(context.Background(), &big, gen.Options{Seed: 1, Size: 6 << 20, EOL: cfonb.EOLCRLF})
	require.NoError(t, err)
	lines := strings.SplitAfter(string(repoFile(t, "valid/multi-crlf.txt")), "\n")
	body := big.String() + strings.Join(lines[:3], "") + strings.Repeat(lines[2], export.DefaultMaxComplements+1) + strings.Join(lines[3:], "")
	for _, format := range []string{"ofx", "xlsx"} {
		func() {
			defer func() {
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					t.Errorf("%s: panic %v", format, p)
				}
			}()
			post(t, h, "/api/export?force=1&format="+format, []byte(body))
		}()
		entries, err := os.ReadDir(tmp)
		require.NoError(t, err)
		assert.Empty(t, entries, "%s: temporary files left behind", format)
	}
}
