// Package normalize rewrites a CFONB120 file in its canonical form (printable
// ASCII records of 120 characters, one line end) and proves, record by
// record, that no figure changed: it is what `cfonb fmt` runs.
//
// It stands apart from package cfonb as go/format stands apart from go/ast:
// cfonb is the format (records, fields, framing, amounts, dates); this
// package is a policy on top of it. It holds the [Normalizer] and its list
// of safe [Repair]s, the charsets it reads ([Encoding], [Charset],
// [DetectEncoding], [Transliterate]) and the safety comparison that refuses
// a file ([RefusedError]) rather than change a number, a code, a date or an
// amount. It frames input with cfonb's one framing function
// ([cfonb.DetectFraming], [cfonb.Concatenated]), so that it never reads a
// file differently from cfonb's Reader.
package normalize
