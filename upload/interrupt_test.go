package upload

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/internal/interrupt"
)

// heldStore records, at each journal write, how many critical sections
// the Guard counts.
type heldStore struct {
	*State
	g                    *interrupt.Guard
	claims, finish, regs []int
}

func (s *heldStore) Claim(ctx context.Context, e Entry, judge func([]Entry) error) (int, error) {
	s.claims = append(s.claims, s.g.Held())
	return s.State.Claim(ctx, e, judge)
}

func (s *heldStore) Finish(id int, status Status, finished time.Time, httpStatus int, detail string) error {
	s.finish = append(s.finish, s.g.Held())
	return s.State.Finish(id, status, finished, httpStatus, detail)
}

func (s *heldStore) AddRegistration(a AccountRecord) error {
	s.regs = append(s.regs, s.g.Held())
	return s.State.AddRegistration(a)
}

// TestJournalWritesAreCriticalSections: the forced exit that ends a
// command an interrupt could not stop (cmd/cfonb's main, package
// interrupt; found by a review) waits while a critical section runs. An
// import, from its claim to the record of its outcome, and the record of
// a registration are such sections: a forced exit never leaves an import
// sent but unrecorded, or cuts a journal write.
func TestJournalWritesAreCriticalSections(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "a.txt", lclMarch)
	b := f.file(t, "b.txt", bnpMarch)
	st, err := OpenStore(t.Context(), f.state, f.opts().Journal)
	require.NoError(t, err)
	g := interrupt.New()
	hs := &heldStore{State: st, g: g}
	opts := f.opts()
	opts.Store = hs
	_, err = Run(interrupt.NewContext(t.Context(), g), opts, []string{a, b})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	assert.Equal(t, []int{1, 1}, hs.claims, "each claim in its import's section")
	assert.Equal(t, []int{1, 1}, hs.finish, "each outcome recorded in its import's section")
	assert.Equal(t, []int{1, 1}, hs.regs, "each registration recorded in a section")
	assert.Equal(t, 0, g.Held(), "every section ended")
	assert.Len(t, f.sb.Imports(), 2)
}
