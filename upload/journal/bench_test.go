package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// fill adds n statements to the journal of s on platform p, in entries of
// per statements each.
func fill(tb testing.TB, s Store, p string, n, per int) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < n; i += per {
		e := entry(p, fmt.Sprintf("fill%09d", i))
		for j := i; j < min(i+per, n); j++ {
			e.Statements = append(e.Statements, stmt(fmt.Sprintf("30002/00550/%011d/EUR/2/2026-01-01/2026-01-31/%d/%d", j, j, j+1)))
		}
		if _, err := s.Add(ctx, e); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRecordImport measures what recording one import costs (the
// related entries read at the decision, the claim, the outcome) with 10
// and with 10^6 statements in the SQLite journal: the same, since every
// step is an index lookup. Run it with
//
//	go test ./upload/journal -run XXX -bench RecordImport -benchtime 200x
func BenchmarkRecordImport(b *testing.B) {
	for _, n := range []int{10, 1_000_000} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "state")
			s, err := OpenSQLite(context.Background(), dir, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			start := time.Now()
			fill(b, s, "https://p", n, 1000)
			b.Logf("%d statements written in %v", n, time.Since(start).Round(time.Millisecond))
			ctx := context.Background()
			i := 0
			b.ResetTimer()
			for b.Loop() {
				i++
				e := entry("https://p", fmt.Sprintf("new%09d", i))
				for j := range 10 {
					e.Statements = append(e.Statements, stmt(fmt.Sprintf("new/%d/%d", i, j)))
				}
				keys := make([]string, len(e.Statements))
				for j, st := range e.Statements {
					keys[j] = st.Key
				}
				if _, err := s.Related(ctx, e.Platform, e.SHA256, keys); err != nil {
					b.Fatal(err)
				}
				id, err := s.Claim(ctx, e, func(rel []Entry) error {
					if len(rel) > 0 {
						return fmt.Errorf("unexpected related entries")
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Finish(ctx, id, StatusDone, t0, 200, "ok"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
