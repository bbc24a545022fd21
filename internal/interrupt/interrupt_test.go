package interrupt

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// notYet asserts that nothing came on c within a moment. It can only
// miss a bug (were c to be served later), never fail a correct Guard.
func notYet[T any](t *testing.T, c <-chan T, what string) {
	t.Helper()
	select {
	case <-c:
		assert.Fail(t, what)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestHoldWithoutAGuard(t *testing.T) {
	release := Hold(context.Background())
	release()
	release()
}

// TestStopWaitsForTheCriticalSections: the exit is decided only when no
// critical section runs, and none begins after it.
func TestStopWaitsForTheCriticalSections(t *testing.T) {
	g := New()
	ctx := NewContext(context.Background(), g)
	r1, r2 := Hold(ctx), Hold(ctx)
	assert.Equal(t, 2, g.Held())
	stopped := make(chan bool, 1)
	go func() { stopped <- g.Stop() }()
	notYet(t, stopped, "Stop returned while two sections ran")
	r1()
	r1() // a second release is a no-op
	assert.Equal(t, 1, g.Held())
	notYet(t, stopped, "Stop returned while a section ran")
	r2()
	assert.True(t, <-stopped)
	assert.False(t, g.Finish(), "the forced exit is under way")

	began := make(chan struct{})
	go func() { Hold(ctx); close(began) }()
	notYet(t, began, "a section began after the exit was decided")
}

// TestFinishWins: a command that returned keeps its own exit status, even
// if Stop was waiting for a section then.
func TestFinishWins(t *testing.T) {
	g := New()
	release := g.Hold()
	stopped := make(chan bool, 1)
	go func() { stopped <- g.Stop() }()
	notYet(t, stopped, "Stop returned while a section ran")
	assert.True(t, g.Finish())
	assert.False(t, <-stopped)
	release()
	assert.False(t, g.Stop())
	release = g.Hold() // the command's goroutines may still finish theirs
	release()
}

func TestWatch(t *testing.T) {
	for _, tt := range []struct {
		name  string
		sigs  []os.Signal
		grace time.Duration
	}{
		{"second signal", []os.Signal{syscall.SIGTERM, os.Interrupt}, time.Hour},
		{"grace", []os.Signal{os.Interrupt}, time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			sigs := make(chan os.Signal, 2)
			cancelled := make(chan struct{})
			exited := make(chan os.Signal, 1)
			go g.Watch(sigs, func() { close(cancelled) }, tt.grace, func(s os.Signal) { exited <- s })
			notYet(t, cancelled, "cancelled before any signal")
			sigs <- tt.sigs[0]
			<-cancelled
			if len(tt.sigs) > 1 {
				notYet(t, exited, "exited before the grace or a second signal")
				sigs <- tt.sigs[1]
			}
			assert.Equal(t, tt.sigs[0], <-exited, "the exit is the first signal's")
		})
	}
	// A command that finished in the grace keeps its status.
	g := New()
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() {
		g.Watch(sigs, func() { assert.True(t, g.Finish()) }, time.Millisecond, func(os.Signal) { assert.Fail(t, "exited") })
		close(done)
	}()
	sigs <- os.Interrupt
	<-done
}
