package validate

import "github.com/cfonb-dev/cfonb/cfonb"

// Validator checks a stream of records one at a time. Feed it every record
// in order with Record, then call Finish.
type Validator struct {
	rep  Report
	opts Options
}

// New returns a Validator for the file called name.
func New(name string, opts Options) *Validator {
	if opts.MaxDiagnostics == 0 {
		opts.MaxDiagnostics = DefaultMaxDiagnostics
	}
	return &Validator{rep: Report{Path: name, Diagnostics: []Diagnostic{}}, opts: opts}
}

// Record checks one record. framing is the reader's framing (for messages
// and format detection). It returns true when the file turned out to be
// another format and reading further is pointless.
func (v *Validator) Record(rec *cfonb.Record, framing cfonb.Framing) (stop bool) {
	v.rep.Records++
	v.rep.Framing = framing
	return false
}

// Finish ends the file's checks and returns its report.
func (v *Validator) Finish() *Report {
	return &v.rep
}
