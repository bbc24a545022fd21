// Package racedetect tells tests whether the race detector is on.
//
// CI runs the tests twice: `go test ./...` and `go test -race ./...`. The
// race detector only checks memory shared between goroutines, and costs 5
// to 20 times the CPU. A test whose code starts no goroutine (a property
// test of a parser over a million inputs, an allocation count, a
// sequential differential test) gives it nothing to check: such a test
// calls SkipUnderRace, and runs at full strength in the plain pass. Tests
// of concurrent code (the validation pipeline, hostile inputs through it)
// stay in the race run.
package racedetect

import "testing"

// SkipUnderRace skips t when the race detector is on. Call it only in a
// test whose code under test starts no goroutine; the reason is printed.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if Enabled {
		t.Skip("no goroutine here, so nothing for the race detector: this test runs in the plain `go test ./...` pass")
	}
}
