package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cfonb-dev/cfonb/upload/words"
)

// TestMarkDoneHintForADashFile: the recovery command printed after an
// unknown or interrupted import (words.MarkDoneHint) named the file as
// given; a relative name that starts with '-' was then read as a flag by
// cfonb journal ("unknown shorthand flag"), so the command printed to copy
// did not work (found by a review).
func TestMarkDoneHintForADashFile(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(td + "valid/multi-lf.txt")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "-x.txt"), data, 0o644))
	t.Chdir(dir)
	hint := words.MarkDoneHint("https://wa-fred-banking-staging.azurewebsites.net", filepath.Join(dir, "state"), "-x.txt", 1)
	args := strings.Fields(hint) // every word of this hint is shell-safe
	require.Equal(t, "cfonb", args[0])
	r := cliRun(t, "", args[1:]...)
	assert.Equal(t, exitOK, r.code, "%s\n%s", hint, r.stderr)
}
