// Package suggest finds the name a user probably meant when they typed an
// unknown one (a flag, a rule id, a configuration key): one edit-distance
// function for every "did you mean" of cfonb.
package suggest

import "strings"

// Closest returns the name of names closest to typed: within an edit
// distance of 2, a name that typed is a prefix of counting as 1; the first
// of equally close names wins. It returns "" when none is close.
func Closest(typed string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		d := Distance(typed, n)
		if strings.HasPrefix(n, typed) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
