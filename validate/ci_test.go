package validate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ciReports are the reports the CI formats are tested on: a file with an
// error and a warning (and a whole-file diagnostic at line 0), a clean
// file, a file with a hostile name.
func ciReports(t *testing.T) []*Report {
	t.Helper()
	bad, err := File("../testdata/invalid/balance.txt", Options{})
	require.NoError(t, err)
	good, err := File("../testdata/valid/multi-lf.txt", Options{})
	require.NoError(t, err)
	empty := &Report{Path: "dir/empty file%.txt", Errors: 1, Diagnostics: []Diagnostic{
		{File: "dir/empty file%.txt", Line: 0, Column: 0, Severity: SeverityError, Rule: RuleEmpty, Message: "the file holds no record"},
	}}
	warn := &Report{Path: "/abs/w.txt", Warnings: 1, Diagnostics: []Diagnostic{
		{File: "/abs/w.txt", Line: 3, Column: 105, Severity: SeverityWarning, Rule: RuleReservedZone, Message: "reserved zone"},
	}}
	return []*Report{bad, good, empty, warn, hostileReport("x\n::stop-commands::k\n.txt")}
}

func writeCI(t *testing.T, format string, opts WriterOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewReportWriter(format, &b, opts)
	require.NoError(t, err)
	tot := Totals{}
	for _, r := range ciReports(t) {
		require.NoError(t, w.Write(r))
		tot.Files++
		tot.Errors += r.Errors
		tot.Warnings += r.Warnings
	}
	require.NoError(t, w.WriteError("gone.txt", errors.New("gone.txt: no such file or directory")))
	tot.Unreadable++
	require.NoError(t, w.Close(tot))
	return b.Bytes()
}

// TestSARIFSchema validates the SARIF output against the official SARIF
// 2.1.0 JSON schema (testdata/sarif-schema-2.1.0.json, from the OASIS
// sarif-spec repository, sarif-2.1/schema/).
func TestSARIFSchema(t *testing.T) {
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("sarif-schema-2.1.0.json", schemaDoc))
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	require.NoError(t, err)

	out := writeCI(t, "sarif", WriterOptions{})
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(doc), string(out))

	// The schema can fail: a result without its message is refused.
	broken := bytes.Replace(out, []byte(`"message": {`), []byte(`"messagex": {`), 1)
	bdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(broken))
	require.NoError(t, err)
	assert.Error(t, sch.Validate(bdoc))
}

func TestSARIFContent(t *testing.T) {
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct {
						ID   string
						Help struct{ Text string }
					}
				}
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct{ Message struct{ Text string } }
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(writeCI(t, "sarif", WriterOptions{}), &log))
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	assert.Equal(t, "2.1.0", log.Version)
	assert.Equal(t, "cfonb", run.Tool.Driver.Name)
	require.Len(t, run.Tool.Driver.Rules, len(Rules()))
	for i, r := range Rules() {
		assert.Equal(t, r.ID, run.Tool.Driver.Rules[i].ID)
		assert.Contains(t, run.Tool.Driver.Rules[i].Help.Text, r.Summary)
	}
	require.Len(t, run.Results, 4)
	res := run.Results[0]
	assert.Equal(t, "balance", res.RuleID)
	assert.Equal(t, "balance", Rules()[res.RuleIndex].ID)
	assert.Equal(t, "error", res.Level)
	loc := res.Locations[0].PhysicalLocation
	assert.Equal(t, "../testdata/invalid/balance.txt", loc.ArtifactLocation.URI)
	assert.Equal(t, 4, loc.Region.StartLine)
	assert.Equal(t, 91, loc.Region.StartColumn)
	assert.Equal(t, "dir/empty%20file%25.txt", run.Results[1].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 1, run.Results[1].Locations[0].PhysicalLocation.Region.StartLine, "a whole-file problem is on line 1")
	assert.Equal(t, "file:///abs/w.txt", run.Results[2].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, "warning", run.Results[2].Level)
	assert.Equal(t, "./x%0A::stop-commands::k%0A.txt", run.Results[3].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.False(t, run.Invocations[0].ExecutionSuccessful)
	assert.Equal(t, "gone.txt: no such file or directory", run.Invocations[0].ToolExecutionNotifications[0].Message.Text)
}

func TestGitLabCodeQuality(t *testing.T) {
	out := writeCI(t, "gitlab", WriterOptions{})
	var issues []struct {
		Description, CheckName, Fingerprint, Severity string `json:",omitempty"`
		Location                                      struct {
			Path  string
			Lines struct{ Begin int }
		}
	}
	require.NoError(t, json.Unmarshal(bytes.ReplaceAll(out, []byte(`"check_name"`), []byte(`"CheckName"`)), &issues))
	require.Len(t, issues, 5)
	assert.Equal(t, "balance", issues[0].CheckName)
	assert.Equal(t, "major", issues[0].Severity)
	assert.Equal(t, "../testdata/invalid/balance.txt", issues[0].Location.Path)
	assert.Equal(t, 4, issues[0].Location.Lines.Begin)
	assert.Equal(t, "minor", issues[2].Severity)
	assert.Equal(t, "unreadable", issues[4].CheckName)
	assert.Equal(t, "blocker", issues[4].Severity)
	seen := map[string]bool{}
	for _, is := range issues {
		assert.Len(t, is.Fingerprint, 64)
		assert.False(t, seen[is.Fingerprint], "fingerprints are unique")
		seen[is.Fingerprint] = true
	}
	// Stable: the same run gives the same fingerprints.
	assert.Equal(t, out, writeCI(t, "gitlab", WriterOptions{}))
	// A diagnostic moved to another line keeps its fingerprint; the
	// second occurrence of the same message gets another.
	assert.Equal(t, gitlabFingerprint("a", "date", "m", 1), gitlabFingerprint("a", "date", "m", 1))
	assert.NotEqual(t, gitlabFingerprint("a", "date", "m", 1), gitlabFingerprint("a", "date", "m", 2))
	var g bytes.Buffer
	w, _ := NewReportWriter("gitlab", &g, WriterOptions{})
	require.NoError(t, w.Close(Totals{}))
	assert.Equal(t, "[]\n", g.String(), "a clean run is an empty list")
}

func TestJUnit(t *testing.T) {
	out := writeCI(t, "junit", WriterOptions{})
	assert.True(t, strings.HasPrefix(string(out), `<?xml version="1.0" encoding="UTF-8"?>`))
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Cases []struct {
				Name     string `xml:"name,attr"`
				Failures []struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out, &doc))
	assert.Equal(t, 6, doc.Tests)
	assert.Equal(t, 3, doc.Failures, "balance.txt, the empty file and the hostile name")
	assert.Equal(t, 1, doc.Errors)
	cases := doc.Suites[0].Cases
	require.Len(t, cases, 6)
	assert.Equal(t, "../testdata/invalid/balance.txt", cases[0].Name)
	require.Len(t, cases[0].Failures, 1)
	assert.Equal(t, "balance", cases[0].Failures[0].Type)
	assert.Contains(t, cases[0].Failures[0].Message, "line 4: new balance 125.00 does not reconcile")
	assert.Empty(t, cases[1].Failures)
	assert.Empty(t, cases[3].Failures, "a warning is not a failure")
	assert.Contains(t, cases[3].SystemOut, "warning: reserved zone")
	assert.Equal(t, `"x\n::stop-commands::k\n.txt"`, cases[4].Name)
	assert.Equal(t, "gone.txt: no such file or directory", cases[5].Error.Message)

	strict := writeCI(t, "junit", WriterOptions{Strict: true})
	require.NoError(t, xml.Unmarshal(strict, &doc))
	assert.Equal(t, 4, doc.Failures, "with --strict a warning fails")
}

func TestNewReportWriterUnknown(t *testing.T) {
	_, err := NewReportWriter("xml", nil, WriterOptions{})
	assert.EqualError(t, err, `unknown report format "xml": want text, json, github, sarif, junit, gitlab`)
}
