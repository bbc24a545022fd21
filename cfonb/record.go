package cfonb

// RecordLen is the length in bytes of every CFONB120 record.
const RecordLen = 120

// Code is a record code (positions 1-2).
type Code uint8

// The four record codes of CFONB120. CodeUnknown is any other pair of
// characters.
const (
	CodeUnknown    Code = 0
	CodeOldBalance Code = 1 // 01: opens a statement (ancien solde)
	CodeMovement   Code = 4 // 04: one movement (mouvement)
	CodeComplement Code = 5 // 05: complement of the preceding 04 (complément)
	CodeNewBalance Code = 7 // 07: closes a statement (nouveau solde)
)

// String returns the two-character code ("01", "04", "05", "07") or "??".
func (c Code) String() string {
	switch c {
	case CodeOldBalance:
		return "01"
	case CodeMovement:
		return "04"
	case CodeComplement:
		return "05"
	case CodeNewBalance:
		return "07"
	}
	return "??"
}

// Name returns the record's English name, e.g. "old balance".
func (c Code) Name() string {
	switch c {
	case CodeOldBalance:
		return "old balance"
	case CodeMovement:
		return "movement"
	case CodeComplement:
		return "complement"
	case CodeNewBalance:
		return "new balance"
	}
	return "unknown record"
}

// ParseCode returns the code of a record from its first two bytes.
func ParseCode(data []byte) Code {
	if len(data) < 2 || data[0] != '0' {
		return CodeUnknown
	}
	switch data[1] {
	case '1':
		return CodeOldBalance
	case '4':
		return CodeMovement
	case '5':
		return CodeComplement
	case '7':
		return CodeNewBalance
	}
	return CodeUnknown
}

// EOL is the line end that followed a record in its input.
type EOL uint8

// Line ends met in CFONB files.
const (
	EOLNone EOL = iota // no separator: end of input, or continuous records
	EOLLF              // "\n"
	EOLCRLF            // "\r\n"
	EOLCR              // "\r" alone (FramingCR)
)

// String returns "none", "LF", "CRLF" or "CR".
func (e EOL) String() string {
	switch e {
	case EOLLF:
		return "LF"
	case EOLCRLF:
		return "CRLF"
	case EOLCR:
		return "CR"
	}
	return "none"
}

// Record is one record as read: its bytes, without the line end, and where
// it stands in the input. Data is valid only until the next call to
// [Reader.Read]; copy it (or use [Record.Clone]) to keep it.
type Record struct {
	// Line is the 1-based line number; in a file without separators it is
	// the 1-based index of the 120-byte record.
	Line int
	// Offset is the byte offset of the record's first byte in the input.
	Offset int64
	// Data holds the record's bytes without the line end. For a line longer
	// than the reader's MaxKeep, only the first MaxKeep bytes are kept.
	Data []byte
	// Length is the record's true length in bytes, which is larger than
	// len(Data) when the line was too long to keep whole.
	Length int
	// EOL is the line end that followed the record.
	EOL EOL
	// Column is 0 for a record that starts its line. A line that holds
	// several records with no line end between them (see Concatenated) is
	// read as its records, which share its Line: the second and later ones
	// have the 1-based column where they start (121, 241, ...).
	Column int
}

// ColumnOffset returns how many characters of its line come before the
// record: add it to a column of the record to get a column of the line.
func (r *Record) ColumnOffset() int { return max(r.Column, 1) - 1 }

// Code returns the record code of r.
func (r *Record) Code() Code { return ParseCode(r.Data) }

// Field returns the bytes of field f in r, or the part of it that the record
// holds if it is short (possibly empty).
func (r *Record) Field(f FieldID) []byte { return f.Of(r.Data) }

// Clone returns a copy of r that owns its data.
func (r *Record) Clone() Record {
	c := *r
	c.Data = append([]byte(nil), r.Data...)
	return c
}
