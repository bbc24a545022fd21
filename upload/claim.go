package upload

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// from the new entries (and --retry-unknown or --reimport never override
// an entry that appeared, or changed, after the run began); if another run is sending it right now
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
	for i := range rel {
		e := rel[i]
		if e.Status == StatusPending && e.Live {
			if live == nil {
				live = &e
			}
			continue
		}
		k := known{entry: &e, sha: e.SHA256, keys: map[string]bool{}, file: e.File}
		for _, s := range e.Statements {
			k.keys[s.Key] = true
		}
		ks = append(ks, k)
	}
	return ks, live
}

// relatedSnapshot is what a decision saw of the related entries: each one's id,
// status and liveness.
func relatedSnapshot(rel []Entry) []string {
	out := make([]string, len(rel))
	for i, e := range rel {
		out[i] = fmt.Sprintf("%d:%s:%t", e.ID, e.Status, e.Live)
	}
	return out
}

// changedEntries reports whether rel holds an entry that snap did not, or
// one whose status or liveness changed since: an import another run was
// sending when the decision was taken, and has finished since, is news
// the user's flags did not see (found by a review: two concurrent
// --reimport runs of one file booked it twice more, the second one
// re-importing once the first was done).
func changedEntries(rel []Entry, snap []string) bool {
	for _, s := range relatedSnapshot(rel) {
		if !slices.Contains(snap, s) {
			return true
		}
	}
	return false
}

// claimFile claims p's file with entry and returns the entry's id; 0 when
// the journal changed since p was decided and the new decision (in p) is
// not to send it. It waits while another run sends the file.
func claimFile(ctx context.Context, st Store, opts Options, platform string, p *planned, entry Entry) (int, error) {
	sleep := opts.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	r := p.res
	seen := p.seen
	said := false
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, claimPoll) {
		id, err := st.Claim(ctx, entry, func(rel []Entry) error {
			if _, live := knownOf(rel); live != nil {
				return &busyError{*live}
			}
			if !slices.Equal(relatedSnapshot(rel), seen) {
				return errClaimChanged
			}
			return nil
		})
		var busy *busyError
		switch {
		case err == nil:
			return id, nil
		case errors.As(err, &busy):
			if !said && opts.Notify != nil {
				fmt.Fprintf(opts.Notify, "%s: %v: waiting for it\n", r.Path, busy)
			}
			said = true
			if err := sleep(ctx, wait); err != nil {
				return 0, err
			}
		case !errors.Is(err, errClaimChanged):
			return 0, err
		}
		rel, err := st.Related(platform, r.SHA256, relatedKeys(r.file))
		if err != nil {
			return 0, err
		}
		ks, live := knownOf(rel)
		seen = relatedSnapshot(rel)
		if live != nil {
			continue
		}
		// Decide again. The user's flags cover only what the journal
		// held when the run began, as it was then.
		retry, reimport := opts.RetryUnknown, slices.ContainsFunc(opts.Reimport, func(x string) bool { return absPath(x) == absPath(r.Path) })
		flagged := retry || reimport
		if changedEntries(rel, p.seen) {
			retry, reimport = false, false
		}
		r.Outcome, r.Reason, r.Reimport, r.Retry, r.Previous, r.PreviousFile, r.OtherDossier, r.Shared = "", ReasonNone, false, false, nil, "", 0, nil
		p.send = false
		decideOne(ks, p, retry, reimport)
		if !p.send {
			if flagged && !retry && !reimport && opts.Notify != nil {
				fmt.Fprintf(opts.Notify, "%s: another run recorded an import of it after this run began: --reimport and --retry-unknown cover only what the journal held then; run again to import it once more\n", r.Path)
			}
			return 0, nil
		}
		entry.Forced = r.Reimport || r.Retry
	}
}

// decideFiles decides each file of plan on the entries of the journal
// related to it (its bytes or its statements), read file by file: a
// journal of millions of statements is never read whole.
func decideFiles(st Store, platform string, plan []*planned, retryUnknown bool, reimport map[string]bool) error {
	byID := map[int]known{}
	for _, p := range plan {
		if p.res.Outcome == OutcomeHeld {
			continue
		}
		rel, err := st.Related(platform, p.res.SHA256, relatedKeys(p.res.file))
		if err != nil {
			return err
		}
		p.seen = relatedSnapshot(rel)
		ks, live := knownOf(rel)
		p.wait = live
		for _, k := range ks {
			if old, ok := byID[k.entry.ID]; ok {
				for key := range old.keys {
					k.keys[key] = true
				}
			}
			byID[k.entry.ID] = k
		}
	}
	ks := make([]known, 0, len(byID))
	for _, k := range byID {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b known) int { return a.entry.ID - b.entry.ID })
	decide(ks, plan, retryUnknown, reimport)
	return nil
}
