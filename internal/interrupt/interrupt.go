// Package interrupt ends a command that an interrupt (SIGINT, SIGTERM)
// could not stop, without ever cutting a write that must finish.
//
// The first signal cancels the command's context: a command at work stops
// and cleans up (an atomic write removes its temporary file, an upload
// records what it sent). What blocks outside the context (opening a FIFO
// nobody writes to, reading a terminal or a pipe, a password prompt) never
// sees that; so after a grace period, or on a second signal, the process
// exits. It never exits inside a critical section (a journal write, a file
// being put in place): Hold marks one, and the exit waits for it to end;
// none begins once the exit is decided.
//
// The Guard travels in the context (NewContext): Hold on a context without
// one does nothing, so a library embedded elsewhere, or a test run
// in-process, behaves as before.
package interrupt

import (
	"context"
	"os"
	"sync"
	"time"
)

// Guard counts the critical sections under way and decides the exit.
type Guard struct {
	mu    sync.Mutex
	idle  *sync.Cond // signalled when held falls to 0
	held  int
	state state
}

type state int

const (
	running  state = iota
	exiting        // the forced exit is decided: no critical section begins
	finished       // the command returned: no forced exit any more
)

// New returns a Guard with no critical section under way.
func New() *Guard {
	g := &Guard{}
	g.idle = sync.NewCond(&g.mu)
	return g
}

type key struct{}

// NewContext returns ctx carrying g, for Hold.
func NewContext(ctx context.Context, g *Guard) context.Context {
	return context.WithValue(ctx, key{}, g)
}

// Hold marks the start of a critical section: the process does not exit
// on an interrupt until release is called. With no Guard in ctx it does
// nothing. Once the exit is decided, Hold never returns (the process is
// about to end, and the section must not begin).
func Hold(ctx context.Context) (release func()) {
	g, _ := ctx.Value(key{}).(*Guard)
	if g == nil {
		return func() {}
	}
	return g.Hold()
}

// Hold is the package's Hold for g.
func (g *Guard) Hold() (release func()) {
	g.mu.Lock()
	if g.state == exiting {
		g.mu.Unlock()
		select {} // the process exits meanwhile
	}
	g.held++
	g.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.held--
			if g.held == 0 {
				g.idle.Broadcast()
			}
			g.mu.Unlock()
		})
	}
}

// Held returns the number of critical sections under way.
func (g *Guard) Held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// Stop waits until no critical section runs, then decides the exit: it
// returns true, and from then on Hold never returns. It returns false if
// the command finished first (Finish): the command's own exit status
// stands.
func (g *Guard) Stop() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.held > 0 && g.state == running {
		g.idle.Wait()
	}
	if g.state != running {
		return false
	}
	g.state = exiting
	return true
}

// Finish says that the command returned: it returns true if the process
// may exit with the command's status, false if a forced exit is under way
// (the caller must then leave the exit to it).
func (g *Guard) Finish() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state == exiting {
		return false
	}
	g.state = finished
	g.idle.Broadcast()
	return true
}

// Watch waits for the first signal on sigs and calls cancel; then, after
// grace or on a second signal, once no critical section runs, it calls
// exit with the first signal (unless the command finished meanwhile).
// exit must end the process.
func (g *Guard) Watch(sigs <-chan os.Signal, cancel func(), grace time.Duration, exit func(os.Signal)) {
	first := <-sigs
	cancel()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-sigs:
	case <-t.C:
	}
	if g.Stop() {
		exit(first)
	}
}
