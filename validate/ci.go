package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// This file holds the report formats that CI systems read: SARIF 2.1.0
// (GitHub code scanning), JUnit XML (GitLab, Jenkins, Azure) and GitLab
// Code Quality JSON. Each keeps the reports of the run and writes one
// document at Close; a report holds at most Options.MaxDiagnostics
// diagnostics, so memory stays bounded per file.

// rulesURI is where each rule is documented.
const rulesURI = "https://github.com/cfonb-dev/cfonb#rules"

// ruleIndex returns the index of each rule id in Rules().
func ruleIndex() map[string]int {
	m := map[string]int{}
	for i, r := range Rules() {
		m[r.ID] = i
	}
	return m
}

// failure is a file that could not be read.
type failure struct {
	path string
	err  error
}

// ----- SARIF 2.1.0 -----

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	ShortDescription     sarifText        `json:"shortDescription"`
	Help                 sarifText        `json:"help"`
	HelpURI              string           `json:"helpUri"`
	DefaultConfiguration sarifRuleDefault `json:"defaultConfiguration"`
}

type sarifRuleDefault struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifURI is a file path as a SARIF artifact URI: a relative reference
// for a relative path (GitHub resolves it against the repository), a file
// URI for an absolute one; special characters percent-encoded.
func sarifURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

type sarifWriter struct {
	w        io.Writer
	reports  []*Report
	failures []failure
}

func (s *sarifWriter) Write(r *Report) error { s.reports = append(s.reports, r); return nil }

func (s *sarifWriter) WriteError(path string, err error) error {
	s.failures = append(s.failures, failure{path, err})
	return nil
}

func (s *sarifWriter) Close(Totals) error {
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "cfonb", InformationURI: "https://github.com/cfonb-dev/cfonb"}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(s.failures) == 0}},
		Results:     []sarifResult{},
	}
	for _, r := range Rules() {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   r.ID,
			ShortDescription:     sarifText{r.Summary},
			Help:                 sarifText{fmt.Sprintf("%s (%s). The rules and what to do about each: %s", r.Summary, r.Severity, rulesURI)},
			HelpURI:              rulesURI,
			DefaultConfiguration: sarifRuleDefault{Level: r.Severity.String()},
		})
	}
	idx := ruleIndex()
	for _, rep := range s.reports {
		for _, d := range rep.Diagnostics {
			i, ok := idx[d.Rule]
			if !ok {
				i = -1 // a rule added without documentation: still reported
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: d.Rule, RuleIndex: i, Level: d.Severity.String(), Message: sarifText{d.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: sarifURI(d.File)},
					Region:           &sarifRegion{StartLine: max(d.Line, 1), StartColumn: max(d.Column, 1)},
				}}},
			})
		}
	}
	for _, f := range s.failures {
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, sarifNotification{
			Level: "error", Message: sarifText{f.err.Error()},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(f.path)}}}},
		})
	}
	return writeJSONDoc(s.w, sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

// writeJSONDoc writes v as indented JSON, with the characters that are
// not graphic escaped (see jsonGraphic).
func writeJSONDoc(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonGraphic(b), '\n'))
	return err
}

// ----- GitLab Code Quality -----

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

type gitlabWriter struct {
	w      io.Writer
	issues []gitlabIssue
}

// gitlabFingerprint identifies a diagnostic across runs: its file, rule
// and message, and which occurrence of the three it is in the file (n).
// The line is left out, so that a record inserted above does not make
// every later problem look new.
func gitlabFingerprint(path, rule, message string, n int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d", path, rule, message, n)
	return hex.EncodeToString(h.Sum(nil))
}

func (g *gitlabWriter) Write(r *Report) error {
	seen := map[[2]string]int{}
	for _, d := range r.Diagnostics {
		k := [2]string{d.Rule, d.Message}
		seen[k]++
		sev := "major"
		if d.Severity == SeverityWarning {
			sev = "minor"
		}
		g.issues = append(g.issues, gitlabIssue{
			Description: d.Message, CheckName: d.Rule, Severity: sev,
			Fingerprint: gitlabFingerprint(d.File, d.Rule, d.Message, seen[k]),
			Location:    gitlabLocation{Path: d.File, Lines: gitlabLines{Begin: max(d.Line, 1)}},
		})
	}
	return nil
}

func (g *gitlabWriter) WriteError(path string, err error) error {
	g.issues = append(g.issues, gitlabIssue{
		Description: err.Error(), CheckName: "unreadable", Severity: "blocker",
		Fingerprint: gitlabFingerprint(path, "unreadable", "", 1),
		Location:    gitlabLocation{Path: path, Lines: gitlabLines{Begin: 1}},
	})
	return nil
}

func (g *gitlabWriter) Close(Totals) error {
	if g.issues == nil {
		g.issues = []gitlabIssue{}
	}
	return writeJSONDoc(g.w, g.issues)
}

// ----- JUnit XML -----

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	File      string         `xml:"file,attr"`
	Failures  []junitProblem `xml:"failure"`
	Error     *junitProblem  `xml:"error"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitWriter struct {
	w      io.Writer
	strict bool
	suite  junitSuite
}

func (j *junitWriter) Write(r *Report) error {
	name := SafeName(r.Path)
	c := junitCase{ClassName: "cfonb.validate", Name: name, File: name}
	var out strings.Builder
	for _, d := range r.Diagnostics {
		if d.Severity == SeverityError || j.strict {
			c.Failures = append(c.Failures, junitProblem{
				Message: fmt.Sprintf("line %d: %s [%s]", d.Line, SafeText(d.Message), d.Rule),
				Type:    d.Rule, Text: d.String(),
			})
			continue
		}
		fmt.Fprintln(&out, d.String())
	}
	fmt.Fprintln(&out, FileSummary(r))
	c.SystemOut = out.String()
	j.suite.Tests++
	if len(c.Failures) > 0 {
		j.suite.Failures++
	}
	j.suite.Cases = append(j.suite.Cases, c)
	return nil
}

func (j *junitWriter) WriteError(path string, err error) error {
	name := SafeName(path)
	msg := SafeText(err.Error())
	j.suite.Tests++
	j.suite.Errors++
	j.suite.Cases = append(j.suite.Cases, junitCase{ClassName: "cfonb.validate", Name: name, File: name,
		Error: &junitProblem{Message: msg, Type: "unreadable", Text: msg}})
	return nil
}

func (j *junitWriter) Close(Totals) error {
	j.suite.Name = "cfonb validate"
	doc := junitSuites{Name: "cfonb validate", Tests: j.suite.Tests, Failures: j.suite.Failures, Errors: j.suite.Errors,
		Suites: []junitSuite{j.suite}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, "%s%s\n", xml.Header, b)
	return err
}
