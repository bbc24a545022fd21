package export

import "github.com/cfonb-dev/cfonb/cfonb"

// formatter decodes and formats movements as JSON objects or CSV rows: the
// state of that work which is not the statement's (the file's name, the
// caches of the last line number and dates written, the decoded view and
// the CSV row being built). The exporter has one for the movements it
// formats itself; each worker of a parallel export (Options.Workers) has
// its own. The output depends only on the movement, its statement
// (stmtView) and the file's name: the caches change how fast it is
// written, never what.
type formatter struct {
	format  Format
	jsonOut bool     // the format is JSONL or JSON
	csv     *csvSink // the CSV format's row builder; nil for the others
	file    string   // the file being exported
	// lineHead starts a movement's JSON object: `{"file":…,"line":`.
	lineHead []byte
	lineNo   lineCounter
	// The ISO forms of the last booking and value dates written: each
	// its own cache, as the two differ often and repeat from one movement
	// to the next.
	isoBooking, isoValue isoCache
	v                    view
}

func newFormatter(opts Options) *formatter {
	f := &formatter{format: opts.Format, jsonOut: opts.Format == JSONL || opts.Format == JSON}
	if opts.Format == CSV {
		f.csv = newCSVSink(opts)
	}
	return f
}

// setFile makes name the file whose movements follow.
func (f *formatter) setFile(name string) {
	if name == f.file && len(f.lineHead) > 0 {
		return
	}
	f.file = name
	f.lineHead = append(f.lineHead[:0], `{"file":`...)
	f.lineHead = appendJSONString(f.lineHead, []byte(name))
	f.lineHead = append(f.lineHead, `,"line":`...)
}

// stmtView is what the output of a movement takes from its statement.
type stmtView struct {
	// acctJSON is the account's members of a movement's JSON object and
	// the key that follows them (statement.acctJSON).
	acctJSON []byte
	account  *cfonb.Account
	iban     []byte // nil when it cannot be derived
	// decimals are the statement's, which a movement whose own are not a
	// digit takes.
	decimals int
}

// appendRow appends the movement decoded last (decode) to b: its JSON
// object and a line end (JSONL), or its CSV row with the default columns.
func (f *formatter) appendRow(b []byte, st *stmtView) []byte {
	if f.format == CSV {
		return f.csv.row(b, f.file, &f.v, st)
	}
	b = f.appendMovementJSON(b, st)
	return append(b, '\n')
}
