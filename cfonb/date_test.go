package cfonb

import (
	"testing"
	"time"

	"github.com/cfonb-dev/cfonb/internal/racedetect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // ISO
	}{
		{"020326", "2026-03-02"},
		{"060420", "2020-04-06"},
		{"010100", "2000-01-01"},
		{"311226", "2026-12-31"},
		{"310126", "2026-01-31"},
		{"300426", "2026-04-30"},
		{"280226", "2026-02-28"},
		{"290224", "2024-02-29"}, // leap year
		{"290200", "2000-02-29"}, // 2000 is a leap year (divisible by 400)
		{"290296", "1996-02-29"},
		{"311260", "2060-12-31"}, // the pivot: 60 is 2060
		{"010161", "1961-01-01"}, // 61 is 1961
		{"311299", "1999-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
			assert.Equal(t, tt.in, string(d.AppendJJMMAA(nil)))
		})
	}
}

func TestParseDateNotACalendarDate(t *testing.T) {
	tests := []struct {
		in     string
		err    DateError
		msg    string
		reason string
	}{
		{"300226", DateError{30, 2, 2026}, "30 February 2026 does not exist", "30 February"},
		{"310426", DateError{31, 4, 2026}, "31 April 2026 does not exist", "31 April"},
		{"310626", DateError{31, 6, 2026}, "31 June 2026 does not exist", "31 June"},
		{"310926", DateError{31, 9, 2026}, "31 September 2026 does not exist", "31 September"},
		{"311126", DateError{31, 11, 2026}, "31 November 2026 does not exist", "31 November"},
		{"290225", DateError{29, 2, 2025}, "29 February 2025 does not exist", "29 February 2025"},
		{"290297", DateError{29, 2, 1997}, "29 February 1997 does not exist", "29 February 1997"},
		{"320126", DateError{32, 1, 2026}, "32 January 2026 does not exist", "32 January"},
		{"991226", DateError{99, 12, 2026}, "99 December 2026 does not exist", "99 December"},
		{"000000", DateError{0, 0, 2000}, "month 00 does not exist", "month 00"},
		{"011326", DateError{1, 13, 2026}, "month 13 does not exist", "month 13"},
		{"019926", DateError{1, 99, 2026}, "month 99 does not exist", "month 99"},
		{"010026", DateError{1, 0, 2026}, "month 00 does not exist", "month 00"},
		{"001026", DateError{0, 10, 2026}, "day 00 does not exist", "day 00"},
		{"001326", DateError{0, 13, 2026}, "month 13 does not exist", "month 13"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate([]byte(tt.in))
			assert.Zero(t, d)
			var de *DateError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.err, *de)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, tt.reason, de.Reason())
		})
	}
}

func TestParseDateNotDigits(t *testing.T) {
	for _, in := range []string{"", "3", "30022", "3002260", "      ", "3002 6", " 30226", "ab0426",
		"30-2-6", "3O0226", "30022\x00", "\xe90226"} {
		d, err := ParseDate([]byte(in))
		assert.Zero(t, d)
		assert.ErrorIs(t, err, ErrDateDigits, "%q", in)
		assert.Equal(t, "date is not 6 digits JJMMAA", err.Error())
	}
}

func TestDateMethods(t *testing.T) {
	d := NewDate(2026, 3, 2)
	assert.Equal(t, Date(20260302), d)
	assert.Equal(t, 2026, d.Year())
	assert.Equal(t, 3, d.Month())
	assert.Equal(t, 2, d.Day())
	assert.False(t, d.IsZero())
	assert.Equal(t, "2026-03-02", d.String())
	assert.Equal(t, "on 2026-03-02", string(d.AppendISO([]byte("on "))))
	assert.Equal(t, "020326", string(d.AppendJJMMAA(nil)))
	assert.Equal(t, time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC), d.Time())

	var zero Date
	assert.True(t, zero.IsZero())
	assert.Equal(t, "0000-00-00", zero.String())

	// Dates compare in calendar order.
	assert.Less(t, NewDate(2025, 12, 31), NewDate(2026, 1, 1))
	assert.Less(t, NewDate(2026, 1, 31), NewDate(2026, 2, 1))
	assert.Less(t, NewDate(1999, 12, 31), NewDate(2000, 1, 1))
}

// TestParseDateEveryDay checks ParseDate against the time package for every
// day of a century, and that every impossible day of every month fails.
func TestParseDateEveryDay(t *testing.T) {
	racedetect.SkipUnderRace(t)
	for day := time.Date(1961, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2061; day = day.AddDate(0, 0, 1) {
		jj := day.Format("020106")
		d, err := ParseDate([]byte(jj))
		require.NoError(t, err, jj)
		require.Equal(t, day.Format("2006-01-02"), d.String())
		require.Equal(t, day, d.Time())
	}
	for y := 0; y < 100; y++ {
		for m := 1; m <= 12; m++ {
			year := 2000 + y
			if y > 60 {
				year = 1900 + y
			}
			days := time.Date(year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			for dd := days + 1; dd <= 31; dd++ {
				in := []byte{byte('0' + dd/10), byte('0' + dd%10), byte('0' + m/10), byte('0' + m%10), byte('0' + y/10), byte('0' + y%10)}
				_, err := ParseDate(in)
				var de *DateError
				require.ErrorAs(t, err, &de, "%s", in)
			}
		}
	}
}

func TestParseDateAllocs(t *testing.T) {
	in := []byte("290224")
	buf := make([]byte, 0, 16)
	allocs := testing.AllocsPerRun(1000, func() {
		d, err := ParseDate(in)
		if err != nil {
			t.Fatal(err)
		}
		buf = d.AppendISO(buf[:0])
	})
	assert.Zero(t, allocs)
}

// FuzzParseDate: a date that parses is written back identically and is a
// real day of the calendar.
func FuzzParseDate(f *testing.F) {
	f.Add("290224")
	f.Add("300226")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate([]byte(s))
		if err != nil {
			return
		}
		if got := string(d.AppendJJMMAA(nil)); got != s {
			t.Fatalf("%q -> %v -> %q", s, d, got)
		}
		tm := d.Time()
		if tm.Year() != d.Year() || int(tm.Month()) != d.Month() || tm.Day() != d.Day() {
			t.Fatalf("%q: %v is not a calendar day (time says %v)", s, d, tm)
		}
	})
}
