// Package cfonb reads and writes CFONB120 bank statements ("relevé de compte
// 120 caractères", also known as AFB120).
//
// It holds the format itself and nothing else: the streaming [Reader] and
// [Writer], the record layouts ([Code], [FieldID]), amounts with their
// overpunch sign ([ParseAmount]), JJMMAA dates ([ParseDate]), the RIB key and
// the French IBAN ([RIBKey], [FrenchIBAN], [CheckIBAN]) and exact wide sums
// ([Sum]). There is no validation policy here (see package validate), no
// command-line handling and no network code.
//
// The reader's hot path allocates nothing per record: a [Record] returned by
// [Reader.Read] points into the reader's buffer and is valid only until the
// next call to Read, like bufio.Scanner.Bytes.
package cfonb
