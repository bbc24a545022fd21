// Package plural words a count: one helper for every summary line of
// cfonb ("1 file", "3 files").
package plural

import "strconv"

// Count writes n and word, with an s unless n is 1.
func Count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
