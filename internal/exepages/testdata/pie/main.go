// Command pie releases its pages, then works: TestReleaseInPIE builds it
// as a position independent executable, whose loader writes relocated
// pointers into read-only mappings.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cfonb-dev/cfonb/internal/exepages"
)

func main() {
	if err := exepages.Release(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Allocations, interfaces, maps and reflection read the type data
	// that the loader relocated.
	words := map[string]int{}
	for _, w := range strings.Fields("the pages of the executable the loader wrote stay") {
		words[w]++
	}
	keys := make([]string, 0, len(words))
	for k := range words {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var v any = keys
	fmt.Printf("%v %d\n", v, words["the"])
}
