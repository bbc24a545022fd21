package upload

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Claiming a file: the last decision, taken inside the journal's claim
// transaction, so that two runs (on one machine or several sharing a
// PostgreSQL journal) never both send a file.
//
// The decision before the login (decide) is taken on a snapshot of the
// journal: the entries related to each file. At the claim, the store gives
// the related entries again, inside a transaction serialised with every
// other claim on the platform: if they are the ones the decision saw, the
// file is claimed (a pending entry) and sent; if another run claimed the
// file, or one of its statements, meanwhile, the file is decided again
// from the new entries (and --force never overrides an entry that
// appeared after the run began); if another run is sending it right now
// (a pending entry whose owner still runs), this run waits for it to
// finish, then decides again: usually "already imported".

// claimPoll bounds the wait between two looks at an import in progress
// elsewhere.
const claimPoll = 2 * time.Second

// errClaimChanged: the related entries changed since the decision.
var errClaimChanged = errors.New("the journal changed since the decision")

// busyError: another run is sending the file (or one of its statements).
type busyError struct{ e Entry }

func (b *busyError) Error() string {
	return fmt.Sprintf("the import of %s is in progress elsewhere (journal entry %d, %s)", b.e.File, b.e.ID, b.e.Detail)
}

// relatedKeys returns the statement keys of f.
func relatedKeys(f *File) []string {
	keys := make([]string, len(f.Statements))
	for i, s := range f.Statements {
		keys[i] = s.Key()
	}
	return keys
}

// knownOf turns the journal entries related to a file into the knowns of
// decideOne; a live pending entry (in progress elsewhere) is left out and
// returned apart.
func knownOf(rel []Entry) (ks []known, live *Entry) {
	for i, e := range rel {
		if e.Status == StatusPending && e.Live {
			if live == nil {
				live = &rel[i]
			}
			continue
		}
		k := known{id: e.ID, sha: e.SHA256, keys: map[string]bool{}, status: e.Status, when: e.Started, file: e.File}
		for _, s := range e.Statements {
			k.keys[s.Key] = true
		}
		ks = append(ks, k)
	}
	return ks, live
}

// snapshot is what a decision saw of the related entries: each one's id,
// status and liveness.
func snapshot(rel []Entry) []string {
	out := make([]string, len(rel))
	for i, e := range rel {
		out[i] = fmt.Sprintf("%d:%s:%t", e.ID, e.Status, e.Live)
	}
	return out
}

// newEntries reports whether rel holds an entry that snap did not.
func newEntries(rel []Entry, snap []string) bool {
	for _, e := range rel {
		prefix := fmt.Sprintf("%d:", e.ID)
		if !slices.ContainsFunc(snap, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
			return true
		}
	}
	return false
}

// claimFile claims d's file for entry and returns the entry's id, or a new
// decision (skip or refuse) when the journal changed since d was taken.
// It waits while another run sends the file.
func claimFile(ctx context.Context, st Store, opts Options, platform, hint string, d *decision, entry Entry, say func(string, ...any)) (int, *decision, error) {
	sleep := opts.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	seen := d.Seen
	said := false
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, claimPoll) {
		id, err := st.Claim(ctx, entry, func(rel []Entry) error {
			if _, live := knownOf(rel); live != nil {
				return &busyError{*live}
			}
			if !slices.Equal(snapshot(rel), seen) {
				return errClaimChanged
			}
			return nil
		})
		var busy *busyError
		switch {
		case err == nil:
			return id, nil, nil
		case errors.As(err, &busy):
			if !said {
				say("%s: %v: waiting for it", d.File.Path, busy)
				said = true
			}
			if err := sleep(ctx, wait); err != nil {
				return 0, nil, err
			}
		case !errors.Is(err, errClaimChanged):
			return 0, nil, err
		}
		rel, err := st.Related(platform, d.File.SHA256, relatedKeys(d.File))
		if err != nil {
			return 0, nil, err
		}
		ks, live := knownOf(rel)
		seen = snapshot(rel)
		if live != nil {
			continue
		}
		// --force covers only what the run saw at its start.
		force := d.Force && !newEntries(rel, d.Seen)
		nd := decideOne(ks, d.File, force, hint)
		if nd.Action != actImport {
			nd.Reason += " (recorded by another run while this one ran)"
			return 0, &nd, nil
		}
		entry.Forced = nd.Forced
	}
}

// decideFiles is decide on the entries of the journal related to the files
// (their bytes or their statements), read file by file: a journal of
// millions of statements is never read whole.
func decideFiles(st Store, platform, stateDir string, files []*File, force bool) ([]decision, error) {
	byID := map[int]known{}
	seen := make([][]string, len(files))
	waits := make([]*Entry, len(files))
	for i, f := range files {
		rel, err := st.Related(platform, f.SHA256, relatedKeys(f))
		if err != nil {
			return nil, err
		}
		seen[i] = snapshot(rel)
		ks, live := knownOf(rel)
		waits[i] = live
		for _, k := range ks {
			if old, ok := byID[k.id]; ok {
				for key := range old.keys {
					k.keys[key] = true
				}
			}
			byID[k.id] = k
		}
	}
	ks := make([]known, 0, len(byID))
	for _, k := range byID {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b known) int { return a.id - b.id })
	out := decide(ks, platform, stateDir, files, force)
	for i := range out {
		out[i].Seen, out[i].Force, out[i].Wait = seen[i], force, waits[i]
	}
	return out, nil
}
