package journal

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestore: a dump (Dump, cfonb journal --dump) restored into an empty
// journal gives the same dump, and the journal goes on from there (the
// next id follows the restored ones). A review found that the backup the
// README recommends could not be restored by cfonb at all.
func TestRestore(t *testing.T) {
	for _, from := range stores() {
		for _, to := range stores() {
			t.Run(from.name+" to "+to.name, func(t *testing.T) {
				ctx := context.Background()
				src := from.make(t)(t, Options{})
				require.NoError(t, src.AddAccount(ctx, AccountRecord{Platform: "https://p", Dossier: 7, IBAN: "FR7630002005500000157845Z02",
					BankName: "LCL", IBANControl: true, HTTPStatus: 200, Registered: t0}))
				require.NoError(t, src.AddAccount(ctx, AccountRecord{Platform: "https://p", Dossier: 8, IBAN: "FR7630002005500000157845Z02",
					BankName: "LCL", Registered: t0.Add(time.Hour), Marked: true}))
				_, err := src.Add(ctx, entry("https://p", "aa", "k1", "k2"))
				require.NoError(t, err)
				pend := entry("https://q", "bb", "k3")
				pend.Status, pend.Finished, pend.HTTPStatus, pend.Detail = StatusPending, time.Time{}, 0, ""
				_, err = src.Claim(ctx, pend, func([]Entry) error { return nil })
				require.NoError(t, err)
				_, err = src.Add(ctx, entry("https://p", "cc"))
				require.NoError(t, err)
				var dump bytes.Buffer
				require.NoError(t, Dump(ctx, src, &dump))

				dst := to.make(t)(t, Options{})
				na, ne, err := Restore(ctx, dst, bytes.NewReader(dump.Bytes()))
				require.NoError(t, err)
				assert.Equal(t, 2, na)
				assert.Equal(t, 3, ne)
				var again bytes.Buffer
				require.NoError(t, Dump(ctx, dst, &again))
				// The pending entry's owner is this process in the source,
				// nobody in the copy: the rest is the same.
				assert.Equal(t, dump.String(), again.String())
				rel, err := dst.Related(ctx, "https://q", "bb", nil)
				require.NoError(t, err)
				require.Len(t, rel, 1)
				assert.Equal(t, StatusPending, rel[0].Status)
				assert.False(t, rel[0].Live, "restored as interrupted: it blocks its file")
				id, err := dst.Add(ctx, entry("https://p", "dd"))
				require.NoError(t, err)
				assert.Equal(t, 4, id, "the next id follows the restored ones")

				// Into a journal that is not empty: refused, nothing changed.
				_, _, err = Restore(ctx, dst, bytes.NewReader(dump.Bytes()))
				require.ErrorIs(t, err, ErrNotEmpty)
				assert.Len(t, all(t, dst, ""), 4)
			})
		}
	}
}

// TestRestoreRefusesWhatIsNotADump: anything but a whole dump of this
// version is refused, saying where, and records nothing.
func TestRestoreRefusesWhatIsNotADump(t *testing.T) {
	good := `{"version":1,"accounts":[` + "\n" + `{"platform":"https://p","dossier":7,"iban":"FR76","bank_name":"LCL","iban_control":true,"http_status":200,"registered":"2026-04-02T09:30:00Z"}` +
		"\n" + `],"entries":[` + "\n" + `{"id":5,"platform":"https://p","dossier":7,"file":"/a.txt","sha256":"aa","size":1,"statements":[],"status":"done","started":"2026-04-02T09:30:00Z"}` + "\n]}\n"
	for _, tt := range []struct{ name, dump, want string }{
		{"journal.json", `{"version":1,"entries":[]}`, `no "accounts"`},
		{"version 2", strings.Replace(good, `"version":1`, `"version":2`, 1), "version 2: this cfonb restores version 1"},
		{"unknown key", strings.Replace(good, `"accounts"`, `"acounts"`, 1), `unknown key "acounts"`},
		{"unknown field", strings.Replace(good, `"bank_name"`, `"bank"`, 1), `unknown field "bank"`},
		{"bad status", strings.Replace(good, `"done"`, `"sent"`, 1), `entry 5: invalid status "sent"`},
		{"truncated", good[:len(good)-10], "unexpected EOF"},
		{"trailing", good + "{}", "something follows the dump"},
		{"array", `[]`, "want {, found [: not a dump of cfonb journal --dump"},
		{"twice", strings.Replace(good, `"entries":[`, `"accounts":[],"entries":[`, 1), `"accounts" given twice`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, open opener) {
				s := open(t, Options{})
				_, _, err := Restore(context.Background(), s, strings.NewReader(tt.dump))
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				assert.Contains(t, err.Error(), "journal: restoring: the dump, near byte ")
				assert.Empty(t, all(t, s, ""), "nothing recorded")
				var n int
				require.NoError(t, s.Accounts(context.Background(), func(AccountRecord) error { n++; return nil }))
				assert.Zero(t, n, "nothing recorded")
			})
		})
	}
	eachStore(t, func(t *testing.T, open opener) {
		_, _, err := Restore(context.Background(), open(t, Options{}), strings.NewReader(good))
		require.NoError(t, err, "the good one is restored")
	})
}
