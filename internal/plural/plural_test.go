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
		assert.Equal(t, "x"+tt.want, string(AppendCount([]byte("x"), tt.n, "file")))
		assert.Equal(t, tt.want, string(AppendCount(nil, int64(tt.n), "file")))
	}
}

func TestCountAsOfChoose(t *testing.T) {
	assert.Equal(t, "1 entry", CountAs(1, "entry", "entries"))
	assert.Equal(t, "0 entries", CountAs(0, "entry", "entries"))
	assert.Equal(t, "1 of 1 file", Of(1, 1, "file"))
	assert.Equal(t, "1 of 3 files", Of(1, 3, "file"))
	assert.Equal(t, "has", Choose(1, "has", "have"))
	assert.Equal(t, "have", Choose(2, "has", "have"))
	assert.Equal(t, "have", Choose(0, "has", "have"))
}

func ExampleCount() {
	fmt.Println(Count(1, "line"), Count(3, "line"))
	// Output: 1 line 3 lines
}

func ExampleOf() {
	bad, files := 1, 3
	fmt.Println(Of(bad, files, "file"), Choose(bad, "has", "have"), "errors")
	// Output: 1 of 3 files has errors
}
