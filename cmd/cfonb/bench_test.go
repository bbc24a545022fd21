package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// BenchmarkUploadBigJournal measures, with 10^6 statements in the SQLite
// journal, how long a cfonb upload process of one new file takes from its
// start to the first byte of the import reaching the platform, and its
// peak RSS. Issue 11's targets: within 1 s, under 64 MiB. Filling the
// journal takes about half a minute; run it alone:
//
//	go test ./cmd/cfonb -run XXX -bench UploadBigJournal -benchtime 5x
func BenchmarkUploadBigJournal(b *testing.B) {
	sb := sandbox.New(sandbox.Options{})
	sent := make(chan time.Time, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/import") {
			sent <- time.Now()
		}
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	state := filepath.Join(b.TempDir(), "state")
	st, err := upload.OpenStore(b.Context(), state, journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	const total, per = 1_000_000, 5000
	start := time.Now()
	platform := upload.PlatformID(srv.URL)
	for i := 0; i < total; i += per {
		e := upload.Entry{Platform: platform, Dossier: 77, File: fmt.Sprintf("/old/%d.txt", i), SHA256: fmt.Sprintf("%064d", i),
			Status: upload.StatusDone, Started: time.Now(), Finished: time.Now(), HTTPStatus: 200}
		for j := i; j < i+per; j++ {
			e.Statements = append(e.Statements, upload.StatementRecord{Key: fmt.Sprintf("30002/00550/%011d/EUR/2/2020-01-01/2020-01-31/%d/%d", j, j, j+1),
				Account: "30002 00550 0000157845Z EUR", From: "2020-01-01", To: "2020-01-31", Opening: "0.00", Closing: "0.01"})
		}
		if _, err := st.Store().Add(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
	_ = st.Close()
	b.Logf("journal of %d statements written in %v", total, time.Since(start).Round(time.Second))
	u, p, id, s := sb.Credentials()
	env := append(os.Environ(), envAsCfonb+"=1", "INQOM_USERNAME="+u, "INQOM_PASSWORD="+p,
		"INQOM_CLIENT_ID="+id, "INQOM_CLIENT_SECRET="+s, "HOME="+b.TempDir())
	dir := b.TempDir()
	var worstStart time.Duration
	var worstRSS int64
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		data, err := sandbox.SampleFile("\r\n", sandbox.SampleStatement{Bank: "30002", Branch: "00550", Account: "0000157845Z",
			From: cfonb.NewDate(2026, 1, 1), To: cfonb.NewDate(2026, 1, 2), Opening: int64(i), Movements: []int64{100}})
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("new%d.txt", i))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "upload", "--auth-url", srv.URL+"/identity/connect/token", "--api-url", srv.URL,
			"--dossier", "77", "--state", state, path)
		cmd.Env = env
		began := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		select {
		case at := <-sent:
			worstStart = max(worstStart, at.Sub(began))
		default:
			b.Fatalf("nothing sent:\n%s", out)
		}
		worstRSS = max(worstRSS, peakRSS(cmd.ProcessState))
	}
	b.ReportMetric(worstStart.Seconds(), "s-to-first-send(max)")
	b.ReportMetric(float64(worstRSS)/(1<<20), "MiB-peak-RSS(max)")
}
