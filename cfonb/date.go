package cfonb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Date is a calendar date held as the integer YYYYMMDD, so that dates
// compare in calendar order with < and ==. The zero Date is "no date".
type Date uint32

// ErrDateDigits is returned for a date field that is not six digits.
var ErrDateDigits = errors.New("date is not 6 digits JJMMAA")

// DateError reports a six-digit date that is not a calendar date.
type DateError struct {
	Day, Month, Year int // as the field holds them (Year in full, e.g. 2026)
}

var monthNames = [13]string{"", "January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

// Error returns e.g. "30 February 2026 does not exist", "month 13 does not
// exist" or "day 00 does not exist".
func (e *DateError) Error() string {
	if e.Month < 1 || e.Month > 12 {
		return fmt.Sprintf("month %02d does not exist", e.Month)
	}
	if e.Day == 0 {
		return "day 00 does not exist"
	}
	return fmt.Sprintf("%d %s %d does not exist", e.Day, monthNames[e.Month], e.Year)
}

// Reason names the impossible date in a few words, for messages such as
// `booking date "300226" is not a calendar date (30 February)`: "30
// February", "31 April", "29 February 2025" (the year matters only there),
// "month 13", "day 00".
func (e *DateError) Reason() string {
	switch {
	case e.Month < 1 || e.Month > 12:
		return fmt.Sprintf("month %02d", e.Month)
	case e.Day == 0:
		return "day 00"
	case e.Day == 29 && e.Month == 2:
		return fmt.Sprintf("29 February %d", e.Year)
	}
	return fmt.Sprintf("%d %s", e.Day, monthNames[e.Month])
}

// ParseDate decodes a JJMMAA date. Two-digit years AA are read as 20AA,
// except AA > 60, read as 19AA (as the pennylane parser does, for old
// archives). It does not allocate on success.
func ParseDate(b []byte) (Date, error) {
	if len(b) != 6 {
		return 0, ErrDateDigits
	}
	// The six bytes as one word, its two top bytes '0': checked and
	// converted two digits at a time (TestParseDateAgrees compares with
	// the byte-wise definition).
	w := uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint16(b[4:]))<<32 | 0x3030<<48
	if !eightDigits(w) {
		return 0, ErrDateDigits
	}
	w -= 0x3030303030303030
	w = w*10 + w>>8 // bytes 0, 2 and 4: the values of JJ, MM and AA
	d, m, y := int(w&0xFF), int(w>>16&0xFF), century(int(w>>32&0xFF))
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, &DateError{Day: d, Month: m, Year: y}
	}
	return NewDate(y, m, d), nil
}

// century gives the two-digit year yy of a JJMMAA date its century:
// 61-99 are 1961-1999, 00-60 are 2000-2060.
func century(yy int) int {
	if yy > 60 {
		return 1900 + yy
	}
	return 2000 + yy
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// NewDate returns the Date of year y, month m, day d (not checked).
func NewDate(y, m, d int) Date { return Date(y*10000 + m*100 + d) }

// Year, Month and Day return the parts of d.
func (d Date) Year() int { return int(d) / 10000 }

// Month returns the month of d, 1 to 12.
func (d Date) Month() int { return int(d) / 100 % 100 }

// Day returns the day of the month of d.
func (d Date) Day() int { return int(d) % 100 }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == 0 }

// Time returns d at midnight UTC.
func (d Date) Time() time.Time {
	return time.Date(d.Year(), time.Month(d.Month()), d.Day(), 0, 0, 0, 0, time.UTC)
}

// String returns d in ISO 8601 form, e.g. "2026-03-02".
func (d Date) String() string { return string(d.AppendISO(nil)) }

// AppendISO appends d in ISO 8601 form to dst.
func (d Date) AppendISO(dst []byte) []byte {
	y, m, dd := d.Year(), d.Month(), d.Day()
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dd/10), byte('0'+dd%10))
}

// AppendJJMMAA appends d as a six-digit JJMMAA field.
func (d Date) AppendJJMMAA(dst []byte) []byte {
	y, m, dd := d.Year()%100, d.Month(), d.Day()
	return append(dst, byte('0'+dd/10), byte('0'+dd%10), byte('0'+m/10), byte('0'+m%10), byte('0'+y/10), byte('0'+y%10))
}
