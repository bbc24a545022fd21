// Package plural words a count: one helper for every summary line of
// cfonb ("1 file", "3 files").
package plural

import "strconv"

// Count writes n and word, with an s unless n is 1.
func Count[N ~int | ~int64](n N, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(int64(n), 10) + " " + word + "s"
}

// AppendCount appends Count(n, word) to b.
func AppendCount[N ~int | ~int64](b []byte, n N, word string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = append(b, word...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// CountAs writes n and one when n is 1, n and many otherwise, for the
// words whose plural is not word+"s" ("1 entry", "3 entries").
func CountAs(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Choose(n, one, many)
}

// Of writes "n of total words", the word agreeing with total: "1 of 3
// files", "1 of 1 file".
func Of(n, total int, word string) string {
	return strconv.Itoa(n) + " of " + Count(total, word)
}

// Choose returns one when n is 1 and many otherwise: the verb or pronoun
// that agrees with a count ("has" or "have", "was" or "were").
func Choose(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
