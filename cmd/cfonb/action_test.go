package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAction runs action/run.sh, the script part of action.yml, as the
// composite action does, in a directory holding a good and a bad
// statement. It returns the output, the exit status and $GITHUB_OUTPUT.
func runAction(t *testing.T, inputs map[string]string) (string, int, string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	work := t.TempDir()
	copyTo(t, work, map[string]string{"statements/good.txt": "valid/multi-crlf.txt", "statements/bad.txt": "invalid/balance.txt"})
	require.NoError(t, os.WriteFile(filepath.Join(work, "statements", "README.md"), []byte("# bank files\n"), 0o644))
	out := filepath.Join(t.TempDir(), "github_output")
	cmd := exec.Command("bash", filepath.Join(root, "action", "run.sh"))
	cmd.Dir = work
	cmd.Env = append(os.Environ(),
		"GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+t.TempDir(), "GITHUB_OUTPUT="+out,
		"PATH="+goBinDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CFONB_CONFIG=none")
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	gh, _ := os.ReadFile(out)
	return b.String(), code, string(gh)
}

// TestActionGitHub (issue 12): the action's script builds cfonb and
// annotates the bad file; its exit status fails the step.
func TestActionGitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cfonb")
	}
	out, code, gh := runAction(t, map[string]string{"INPUT_PATHS": "statements\n"})
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "::error file=statements/bad.txt,line=4,col=91,title=balance::new balance 125.00 does not reconcile")
	assert.Contains(t, out, "2 files: 1 error, 0 warnings; skipped 1 file that is not a bank statement")
	assert.Equal(t, "exit-code=1\n", gh)

	out, code, _ = runAction(t, map[string]string{"INPUT_PATHS": "statements/good.txt", "INPUT_ARGS": "--strict"})
	assert.Equal(t, 0, code, out)
	_, code, _ = runAction(t, map[string]string{"INPUT_FORMAT": "xml"})
	assert.Equal(t, 2, code)
}

// TestActionSARIF: format sarif writes the report and names it in the
// outputs.
func TestActionSARIF(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cfonb")
	}
	out, code, gh := runAction(t, map[string]string{"INPUT_PATHS": "statements", "INPUT_FORMAT": "sarif", "INPUT_SARIF_FILE": "report.sarif"})
	assert.Equal(t, 1, code, out)
	assert.Contains(t, gh, "sarif-file=report.sarif\n")
	assert.Contains(t, gh, "exit-code=1\n")
	assert.Contains(t, out, "cfonb: SARIF report in report.sarif (exit status 1)")
	assert.False(t, strings.Contains(out, "::error"), "SARIF, not annotations")
}

// TestActionYAML: action.yml passes every input the script reads.
func TestActionYAML(t *testing.T) {
	yml, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	script, err := os.ReadFile("../../action/run.sh")
	require.NoError(t, err)
	for _, in := range []string{"paths", "format", "sarif-file", "args"} {
		env := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
		assert.Contains(t, string(yml), env+": ${{ inputs."+in+" }}", in)
		assert.Contains(t, string(script), env, in)
	}
	assert.Contains(t, string(yml), `run: bash "$GITHUB_ACTION_PATH/action/run.sh"`)
	assert.Contains(t, string(yml), "using: composite")
}

// goBinDir returns the directory of the go command that runs the tests
// (`go env GOROOT`/bin), for the action's script, which builds cfonb.
func goBinDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err)
	return filepath.Join(strings.TrimSpace(string(out)), "bin")
}
