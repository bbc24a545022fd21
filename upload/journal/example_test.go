package journal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cfonb-dev/cfonb/upload/journal"
)

// ExampleStore shows how an import is recorded exactly once: claimed as
// pending before it is sent, finished as done (or unknown, when the
// answer never came) after; a second claim of the same file sees the
// first and is refused.
func ExampleStore() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cfonb-journal")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	store, err := journal.OpenSQLite(ctx, dir, journal.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = store.Close() }()

	started := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	entry := journal.Entry{
		Platform: "inqom-sandbox", Dossier: 4242, File: "march.txt", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 486,
		Statements: []journal.StatementRecord{{Key: "30004 00823 00010000156 EUR 2026-03-01..2026-03-31",
			Account: "30004 00823 00010000156", From: "2026-03-01", To: "2026-03-31", Opening: "1234.50", Closing: "1311.71"}},
		Status: journal.StatusPending, Started: started,
	}
	errAlready := errors.New("already imported")
	judge := func(related []journal.Entry) error {
		if len(related) > 0 {
			return fmt.Errorf("%w as entry %d (%s)", errAlready, related[0].ID, related[0].Status)
		}
		return nil
	}
	id, err := store.Claim(ctx, entry, judge)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("claimed entry", id)
	// ... the file is sent; the platform answers 200 ...
	if err := store.Finish(ctx, id, journal.StatusDone, started.Add(2*time.Second), 200, ""); err != nil {
		log.Fatal(err)
	}
	_, err = store.Claim(ctx, entry, judge)
	fmt.Println("second claim:", err)
	// Output:
	// claimed entry 1
	// second claim: already imported as entry 1 (done)
}

// ExampleRestore shows the way back from a backup: a journal dumped with
// Dump (cfonb journal --dump) is restored into an empty one, which then
// knows the same imports; a journal that is not empty is refused.
func ExampleRestore() {
	ctx := context.Background()
	var cleanup []func()
	defer func() {
		for _, f := range cleanup {
			f()
		}
	}()
	open := func() journal.Store {
		dir, err := os.MkdirTemp("", "cfonb-journal")
		if err != nil {
			log.Fatal(err)
		}
		store, err := journal.OpenSQLite(ctx, dir, journal.Options{})
		if err != nil {
			log.Fatal(err)
		}
		cleanup = append(cleanup, func() { _ = store.Close(); _ = os.RemoveAll(dir) })
		return store
	}
	old := open()
	entry := journal.Entry{Platform: "inqom-sandbox", File: "march.txt", SHA256: "9f86d081", Size: 486,
		Statements: []journal.StatementRecord{}, Status: journal.StatusDone, Started: time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)}
	if _, err := old.Add(ctx, entry); err != nil {
		log.Fatal(err)
	}
	var dump bytes.Buffer
	if err := journal.Dump(ctx, old, &dump); err != nil {
		log.Fatal(err)
	}
	backup := dump.String()

	restored := open()
	accounts, entries, err := journal.Restore(ctx, restored, strings.NewReader(backup))
	fmt.Println(accounts, "accounts,", entries, "entry restored:", err)
	related, _ := restored.Related(ctx, "inqom-sandbox", "9f86d081", nil)
	fmt.Println("march.txt is", related[0].Status)
	_, _, err = journal.Restore(ctx, restored, strings.NewReader(backup))
	fmt.Println(errors.Is(err, journal.ErrNotEmpty))
	// Output:
	// 0 accounts, 1 entry restored: <nil>
	// march.txt is done
	// true
}
