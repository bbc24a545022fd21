package validate

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeName returns a file name as it can be printed on a terminal or in a
// CI log: unchanged when it holds only printable characters and does not
// start like a CI log command (":", "#" or a space, as in "::error" or
// "##[group]"); otherwise quoted with Go's escapes, so that a line end, an
// ANSI escape sequence, a control or bidirectional-override character or
// an invalid byte in a name cannot act on the reader's terminal or log.
func SafeName(name string) string {
	if name == "" || !needsEscape(name) && !strings.ContainsAny(name[:1], ":# \t") {
		return name
	}
	return strconv.QuoteToGraphic(name)
}

// SafeText returns s with every character that is not printable (line
// ends, control characters, invalid bytes) written as a Go escape (\n,
// \x1b, \u202e), without quotes: for messages that embed a file name.
func SafeText(s string) string {
	if !needsEscape(s) {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	q = q[1 : len(q)-1]
	// QuoteToGraphic escapes the quotes it adds; unescape them.
	return strings.ReplaceAll(q, `\"`, `"`)
}

// needsEscape reports whether s holds a character that is not graphic
// (a space is), or an invalid byte.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7F {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !unicode.IsGraphic(r) {
			return true
		}
		i += n
	}
	return false
}
