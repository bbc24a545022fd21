package gen

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxSize is the largest size ParseSize accepts: 1 PiB.
const MaxSize = 1 << 50

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// ParseSize parses a size in bytes such as "4096", "10MiB", "1.5GiB" or
// "500MB". Units are case-insensitive: KiB, MiB, GiB and TiB (and K, M, G,
// T alone) are powers of 1024; KB, MB, GB and TB are powers of 1000. The
// size must be positive and at most MaxSize.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	dot := false
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' && !dot) {
		dot = dot || t[i] == '.'
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if num == "" || num == "." || !ok {
		return 0, fmt.Errorf("size %q: want a number and a unit, such as 4096, 10MiB, 1GiB or 500MB", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	b := v * mult
	if b < 1 || b > MaxSize {
		return 0, fmt.Errorf("size %q: must be between 1 byte and 1 PiB", s)
	}
	return int64(b + 0.5), nil
}

// FormatSize formats a byte count for people: "1 GiB", "10.5 MiB",
// "4096 B".
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	f := float64(n)
	u := 0
	for f >= 1023.95 && u < len(units)-1 { // 1023.95 rounds to 1024.0
		f /= 1024
		u++
	}
	if u == 0 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0") + " " + units[u]
}
