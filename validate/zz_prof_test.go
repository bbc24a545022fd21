package validate

import (
	"os"
	"testing"
)

func TestZZProf(t *testing.T) {
	p := os.Getenv("CFONB_PROF_FILE")
	if p == "" {
		t.Skip()
	}
	r, err := File(p, Options{})
	t.Log(r.Records, err)
}
