// Package fuzz holds the native Go fuzz targets of cfonb and its tests of
// hostile input; it has no code of its own.
//
// Run one target for a while:
//
//	go test -run '^$' -fuzz '^FuzzReader$' -fuzztime 1m ./fuzz/
//
// or every target briefly, as CI does: fuzz/run-short. The seed corpus is
// built from ../testdata and from files written by internal/gen; inputs that
// once failed are kept under testdata/fuzz/<Target>/ and replayed by every
// "go test ./fuzz/".
package fuzz
