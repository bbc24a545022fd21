package plural

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 files"}, {1, "1 file"}, {2, "2 files"}, {-1, "-1 files"}} {
		assert.Equal(t, tt.want, Count(tt.n, "file"))
	}
}

func ExampleCount() {
	fmt.Println(Count(1, "line"), Count(3, "line"))
	// Output: 1 line 3 lines
}
