package upload_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/sandbox"
)

// ExampleRun uploads one statement file to the sandbox, a local stand-in
// for the Inqom API, twice: the first run registers the account and
// imports the file; the second finds both in the journal and sends
// nothing.
func ExampleRun() {
	sb := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sb)
	defer srv.Close()

	dir, err := os.MkdirTemp("", "cfonb-example")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	data, err := sandbox.SampleFile("\r\n", sandbox.SampleStatement{
		Bank: "30004", Branch: "00823", Account: "00010000156",
		From: cfonb.NewDate(2026, 3, 1), To: cfonb.NewDate(2026, 3, 31),
		Opening: 123450, Movements: []int64{-2279, 10000},
	})
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "march.txt")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		log.Fatal(err)
	}

	opts := upload.Options{
		Dossier:   4242,
		Endpoints: upload.Endpoints{AuthURL: srv.URL + upload.TokenPath, APIURL: srv.URL},
		StateDir:  filepath.Join(dir, "state"), // the journal: what was sent, once
		Credentials: func() (upload.Credentials, error) {
			return upload.Credentials{
				Username: sandbox.DefaultUsername, Password: sandbox.DefaultPassword,
				ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret,
			}, nil
		},
	}
	for run := 1; run <= 2; run++ {
		rep, err := upload.Run(context.Background(), opts, []string{path})
		if err != nil {
			log.Fatal(err)
		}
		for _, a := range rep.Accounts {
			fmt.Println(run, "account", a.IBAN, a.Outcome)
		}
		for _, f := range rep.Files {
			fmt.Println(strings.TrimSpace(fmt.Sprint(run, " file ", filepath.Base(f.Path), " ", f.Outcome, " ", f.Reason)))
		}
	}
	fmt.Println(len(sb.Imports()), "import on the platform")
	// Output:
	// 1 account FR7630004008230001000015611 registered
	// 1 file march.txt imported
	// 2 account FR7630004008230001000015611 known
	// 2 file march.txt skipped already-imported
	// 1 import on the platform
}
