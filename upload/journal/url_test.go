package journal

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWithoutPassword: a PostgreSQL URL printed in a command for the user
// loses its password, wherever it was; anything else is left as it is.
func TestWithoutPassword(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://cfonb:S3cret@db.example/cfonb", "postgres://cfonb@db.example/cfonb"},
		{"postgresql://cfonb:S3cret@db.example:5433/cfonb?sslmode=require", "postgresql://cfonb@db.example:5433/cfonb?sslmode=require"},
		{"postgres://cfonb@db.example/cfonb?password=S3cret&sslmode=disable", "postgres://cfonb@db.example/cfonb?sslmode=disable"},
		{"postgres://db.example/cfonb", "postgres://db.example/cfonb"},
		{"/var/lib/cfonb", "/var/lib/cfonb"},
	} {
		got := WithoutPassword(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.NotContains(t, got, "S3cret")
	}
}
