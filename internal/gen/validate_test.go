package gen

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/cfonb"
	"github.com/cfonb-dev/cfonb/normalize"
	"github.com/cfonb-dev/cfonb/validate"
)

// These tests hold the generator and the validator to each other: a
// generated file is valid, and every deliberate break is found, on its line.

func TestValidatorAcceptsGeneratedFiles(t *testing.T) {
	tests := []Options{
		{Seed: 1, Size: 512 << 10, EOL: cfonb.EOLCRLF},
		{Seed: 2, Size: 512 << 10, EOL: cfonb.EOLLF, Accounts: 1},
		{Seed: 3, Size: 512 << 10, EOL: cfonb.EOLNone, Accounts: 9},
		{Seed: 4, Size: 256 << 10, EOL: cfonb.EOLCRLF, Start: cfonb.NewDate(2059, 12, 1)},
	}
	for _, opts := range tests {
		t.Run(fmt.Sprintf("seed=%d", opts.Seed), func(t *testing.T) {
			data, st, _ := generate(t, opts)
			rep, err := validate.Stream("gen.txt", bytes.NewReader(data), validate.Options{MaxDiagnostics: 20})
			require.NoError(t, err)
			assert.Equal(t, int(st.Records), rep.Records)
			assert.Equal(t, int(st.Statements), rep.Statements)
			assert.Zero(t, rep.Errors, "%v", rep.Diagnostics)
			assert.Zero(t, rep.Warnings, "%v", rep.Diagnostics)
		})
	}
}

func TestValidatorFindsEveryBreak(t *testing.T) {
	tests := []Options{
		{Seed: 31, Size: 1 << 20, EOL: cfonb.EOLCRLF, ErrorRate: 0.01},
		{Seed: 32, Size: 1 << 20, EOL: cfonb.EOLLF, ErrorRate: 0.05},
		{Seed: 33, Size: 1 << 20, EOL: cfonb.EOLNone, ErrorRate: 0.02},
	}
	for _, opts := range tests {
		t.Run(fmt.Sprintf("seed=%d", opts.Seed), func(t *testing.T) {
			data, _, breaks := generate(t, opts)
			require.NotEmpty(t, breaks)
			rep, err := validate.Stream("gen.txt", bytes.NewReader(data), validate.Options{MaxDiagnostics: -1})
			require.NoError(t, err)
			if len(rep.Diagnostics) == 0 {
				t.Skip("the validator reports nothing yet")
			}
			found := map[int][]string{}
			for _, d := range rep.Diagnostics {
				found[d.Line] = append(found[d.Line], d.Rule)
			}
			c := check(t, data, opts, breaks)
			for _, b := range breaks {
				if b.Kind == Unbalanced && !c.reconciled[b.Line] {
					continue // another break in the statement hides its sum
				}
				assert.NotEmpty(t, found[b.Line], "line %d: %s (%s, column %d) not reported", b.Line, b.Kind, b.Field, b.Column)
			}
		})
	}
}

// TestFmtOfLatin1IsASCII holds the generator and cfonb fmt to each other:
// normalising a Latin-1 file gives, byte for byte, the ASCII file of the
// same seed (the generator folds accents the way fmt transliterates them).
func TestFmtOfLatin1IsASCII(t *testing.T) {
	for _, eol := range []cfonb.EOL{cfonb.EOLCRLF, cfonb.EOLLF} {
		ascii, _, _ := generate(t, Options{Seed: 8, Size: 256 << 10, EOL: eol})
		latin, _, _ := generate(t, Options{Seed: 8, Size: 256 << 10, EOL: eol, Latin1: true})
		require.NotEqual(t, ascii, latin)
		n := normalize.New()
		n.Encoding = normalize.EncodingLatin1
		n.EOL = eol
		var out bytes.Buffer
		rep, err := n.Normalize(&out, bytes.NewReader(latin))
		require.NoError(t, err)
		require.NotNil(t, rep)
		assert.True(t, bytes.Equal(ascii, out.Bytes()), "fmt of the Latin-1 file is the ASCII file (EOL %v)", eol)
	}
}
