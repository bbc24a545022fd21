package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/journal/journaltest"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// envAsCfonb makes the test binary run cfonb's main: the tests below start
// real processes of it.
const envAsCfonb = "CFONB_TEST_AS_CFONB"

func TestMain(m *testing.M) {
	if os.Getenv(envAsCfonb) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// procFixture is a sandbox and n statement files, for tests that start
// cfonb processes.
type procFixture struct {
	sb    *sandbox.Server
	srv   *httptest.Server
	files []string
	env   []string
}

func newProcFixture(t *testing.T, n int, delay func()) *procFixture {
	t.Helper()
	f := &procFixture{sb: sandbox.New(sandbox.Options{})}
	var h http.Handler = f.sb
	if delay != nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/import") {
				delay()
			}
			f.sb.ServeHTTP(w, r)
		})
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	dir := t.TempDir()
	for i := range n {
		// One statement a file, a day each, one account.
		from := cfonb.NewDate(2026, 1, 1+i)
		to := cfonb.NewDate(2026, 1, 2+i)
		data, err := sandbox.SampleFile("\r\n", sandbox.SampleStatement{Bank: "30002", Branch: "00550", Account: "0000157845Z",
			From: from, To: to, Opening: int64(1000 * i), Movements: []int64{int64(100 + i)}})
		require.NoError(t, err)
		p := filepath.Join(dir, fmt.Sprintf("f%02d.txt", i))
		require.NoError(t, os.WriteFile(p, data, 0o644))
		f.files = append(f.files, p)
	}
	u, p, id, s := f.sb.Credentials()
	f.env = append(os.Environ(), envAsCfonb+"=1", "INQOM_USERNAME="+u, "INQOM_PASSWORD="+p,
		"INQOM_CLIENT_ID="+id, "INQOM_CLIENT_SECRET="+s, "HOME="+t.TempDir())
	return f
}

// command is cfonb upload of files, as a process, on the journal state.
func (f *procFixture) command(state string, files []string) *exec.Cmd {
	args := append([]string{"upload", "--auth-url", f.srv.URL + "/identity/connect/token", "--api-url", f.srv.URL,
		"--dossier", "77", "--state", state}, files...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = f.env
	return cmd
}

// importsBySHA counts the sandbox's imports of each file.
func (f *procFixture) importsBySHA() map[string]int {
	n := map[string]int{}
	for _, im := range f.sb.Imports() {
		n[im.SHA256]++
	}
	return n
}

func shaOf(t *testing.T, path string) string {
	t.Helper()
	pf, err := upload.PrepareFile(path)
	require.NoError(t, err)
	return pf.SHA256
}

// journalStates returns the statuses the journal records for each file.
func journalStates(t *testing.T, state string) map[string][]upload.Status {
	t.Helper()
	st, err := upload.OpenStore(t.Context(), state, journal.Options{ReadOnly: true})
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	out := map[string][]upload.Status{}
	for _, e := range st.Entries("") {
		out[e.SHA256] = append(out[e.SHA256], e.Status)
	}
	return out
}

// stateKinds are the two journals the process tests run on.
func stateKinds() []struct {
	name  string
	state func(t *testing.T) string
} {
	return []struct {
		name  string
		state func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "state") }},
		{"postgres", func(t *testing.T) string { return journaltest.PostgresURL(t) }},
	}
}

// Issue 11: 8 processes started at once on the same 20 files, sharing one
// journal: every file is imported exactly once, and none of them fails
// because another holds the journal.
func TestUploadEightProcessesAtOnce(t *testing.T) {
	for _, kind := range stateKinds() {
		t.Run(kind.name, func(t *testing.T) {
			state := kind.state(t)
			f := newProcFixture(t, 20, nil)
			const procs = 8
			cmds := make([]*exec.Cmd, procs)
			outs := make([]*bytes.Buffer, procs)
			for i := range cmds {
				// Each in another order, so that they meet on every file.
				files := append(slices.Clone(f.files[i*5%20:]), f.files[:i*5%20]...)
				if i%2 == 1 {
					slices.Reverse(files)
				}
				cmds[i] = f.command(state, files)
				outs[i] = &bytes.Buffer{}
				cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
			}
			for _, c := range cmds {
				require.NoError(t, c.Start())
			}
			for i, c := range cmds {
				err := c.Wait()
				assert.NoError(t, err, "process %d:\n%s", i, outs[i])
			}
			counts := f.importsBySHA()
			require.Len(t, counts, 20, "every file imported")
			for _, p := range f.files {
				assert.Equal(t, 1, counts[shaOf(t, p)], "%s imported exactly once", p)
			}
			js := journalStates(t, state)
			for _, p := range f.files {
				assert.Equal(t, []upload.Status{upload.StatusDone}, js[shaOf(t, p)], p)
			}
			all := ""
			for _, o := range outs {
				all += o.String()
			}
			assert.NotContains(t, all, "in use by another")
			t.Logf("%d waits for an import in progress elsewhere", strings.Count(all, "waiting for it"))
		})
	}
}

// Issue 11: kill -9 at random points of runs, then run again: never a
// double import; each file ends done (imported once), or pending/unknown
// for a person to decide (imported at most once), or not sent.
func TestUploadKilledAtRandomThenRerun(t *testing.T) {
	for _, kind := range stateKinds() {
		t.Run(kind.name, func(t *testing.T) {
			state := kind.state(t)
			rng := rand.New(rand.NewPCG(11, uint64(len(kind.name))))
			var mu sync.Mutex
			f := newProcFixture(t, 30, func() {
				mu.Lock()
				d := time.Duration(10+rng.IntN(30)) * time.Millisecond
				mu.Unlock()
				time.Sleep(d)
			})
			for round := range 6 {
				c := f.command(state, f.files)
				var out bytes.Buffer
				c.Stdout, c.Stderr = &out, &out
				require.NoError(t, c.Start())
				mu.Lock()
				wait := time.Duration(50+rng.IntN(300)) * time.Millisecond
				mu.Unlock()
				time.Sleep(wait)
				require.NoError(t, c.Process.Signal(syscall.SIGKILL))
				_ = c.Wait()
				t.Logf("round %d: killed after %v", round, wait)
			}
			// The last run finishes.
			c := f.command(state, f.files)
			out, _ := c.CombinedOutput()
			counts := f.importsBySHA()
			js := journalStates(t, state)
			outcomes := map[string]int{}
			for _, st := range js {
				outcomes[fmt.Sprint(st)]++
			}
			t.Logf("journal after the kills and a last run: %v; %d imports", outcomes, len(f.sb.Imports()))
			for _, p := range f.files {
				sha := shaOf(t, p)
				assert.LessOrEqual(t, counts[sha], 1, "%s never imported twice\n%s", p, out)
				st := js[sha]
				switch {
				case slices.Contains(st, upload.StatusDone):
					assert.Equal(t, 1, counts[sha], "%s: done means imported once", p)
					assert.Len(t, st, 1, "%s: nothing after done", p)
				default:
					// Interrupted while sending: left for a person.
					require.NotEmpty(t, st, "%s: the last run decided it", p)
					assert.Contains(t, []upload.Status{upload.StatusPending, upload.StatusUnknown}, st[len(st)-1], p)
				}
			}
		})
	}
}
