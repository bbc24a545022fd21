package suggest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"strict", "strict", 0}, {"strcit", "strict", 2}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		assert.Equal(t, tt.d, Distance(tt.a, tt.b), "%s %s", tt.a, tt.b)
		assert.Equal(t, tt.d, Distance(tt.b, tt.a), "%s %s", tt.b, tt.a)
	}
}

func TestClosest(t *testing.T) {
	names := []string{"strict", "select", "max-errors", "format"}
	for _, tt := range []struct{ typed, want string }{
		{"strcit", "strict"},
		{"selct", "select"},
		{"max", "max-errors"}, // a prefix counts as 1
		{"fromat", "format"},
		{"pedantic", ""},
		{"", "strict"}, // the empty prefix of every name: the first wins
	} {
		assert.Equal(t, tt.want, Closest(tt.typed, names), tt.typed)
	}
}

func ExampleClosest() {
	fmt.Println(Closest("strcit", []string{"strict", "select"}))
	// Output: strict
}
