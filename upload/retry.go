package upload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryPolicy bounds the retries of requests that were not processed.
// A zero field takes its value from DefaultRetryPolicy, except Jitter,
// where zero means no jitter; the zero RetryPolicy is DefaultRetryPolicy,
// jitter included.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included.
	MaxAttempts int
	// InitialInterval, Multiplier and MaxInterval shape the exponential
	// backoff; Jitter is the randomization factor (0.5: ±50 %).
	InitialInterval time.Duration
	Multiplier      float64
	MaxInterval     time.Duration
	Jitter          float64
	// MaxRetryAfter is the longest Retry-After honoured; a server that
	// asks for a longer wait ends the retries.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy used when none is given: 5
// attempts, waits of about 1, 2, 4 and 8 seconds (±50 %), Retry-After
// honoured up to 2 minutes. It is a function, not a variable, so that no
// caller can change it for every other.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:     5,
		InitialInterval: time.Second,
		Multiplier:      2,
		MaxInterval:     30 * time.Second,
		Jitter:          0.5,
		MaxRetryAfter:   2 * time.Minute,
	}
}

// orDefault fills the zero fields of p from DefaultRetryPolicy: a policy
// that sets only some fields never ends up with zero waits or a zero
// Retry-After bound.
func (p RetryPolicy) orDefault() RetryPolicy {
	d := DefaultRetryPolicy()
	if p == (RetryPolicy{}) {
		return d
	}
	if p.MaxAttempts < 1 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = d.InitialInterval
	}
	if p.Multiplier <= 0 {
		p.Multiplier = d.Multiplier
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = d.MaxInterval
	}
	if p.Jitter < 0 {
		p.Jitter = 0
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// backoff returns a fresh backoff for one call's retries.
func (p RetryPolicy) backoff() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     p.InitialInterval,
		RandomizationFactor: p.Jitter,
		Multiplier:          p.Multiplier,
		MaxInterval:         p.MaxInterval,
	}
	if b.Multiplier < 1 {
		b.Multiplier = 1
	}
	if b.MaxInterval < b.InitialInterval {
		b.MaxInterval = b.InitialInterval
	}
	b.Reset()
	return b
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date. ok is false when there is none or it does not parse.
func parseRetryAfter(h string, now time.Time) (d time.Duration, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// callKind is what a request does; the rules differ for an import.
type callKind uint8

const (
	kindToken callKind = iota + 1
	kindAccount
	kindImport
)

func (k callKind) String() string {
	switch k {
	case kindToken:
		return "login"
	case kindAccount:
		return "account registration"
	}
	return "import"
}

// verdict is what to do with one attempt's result.
type verdict uint8

const (
	verdictSuccess verdict = iota + 1 // a 2xx
	verdictFinal                      // a definite answer that is not a success: report it
	verdictRetry                      // not processed: retry after a backoff
	verdictReauth                     // 401: log in again once, retry once
	verdictUnknown                    // the request may have been processed: never retry
)

// classify is the single place where the working assumptions of
// ../shared/inqom-api.md ("Unknowns") turn into decisions:
//   - 2xx: success;
//   - 401 on a resource call: log in again once, then retry once;
//   - 429, 503, and a connection failure before the request was sent: not
//     processed, retry with backoff;
//   - 502, 504, a timeout or a broken connection after the request was
//     sent: outcome unknown: retried for the token and account calls
//     (registering an account twice answers 409), never for an import;
//   - any other 5xx on an import: outcome unknown too (the server may have
//     written part of the entries before failing);
//   - a 3xx on an import: outcome unknown too. Redirects are not followed
//     (they could carry the token elsewhere), and the API documents no
//     3xx: a 303 See Other is the usual answer to a POST that created
//     something, so it cannot be taken for "not imported" (found by a
//     review: a 3xx was recorded "failed", and the next run sent the file
//     again);
//   - anything else: a final answer (for an account, 409 is handled by
//     the caller as "already registered").
//
// sent tells whether the request's headers were written to a connection.
func classify(kind callKind, status int, err error, sent bool) verdict {
	if err != nil {
		if !sent {
			return verdictRetry
		}
		if kind == kindImport {
			return verdictUnknown
		}
		return verdictRetry
	}
	switch {
	case status >= 200 && status < 300:
		return verdictSuccess
	case status == http.StatusUnauthorized && kind != kindToken:
		return verdictReauth
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return verdictRetry
	case status == http.StatusBadGateway, status == http.StatusGatewayTimeout:
		if kind == kindImport {
			return verdictUnknown
		}
		return verdictRetry
	case status >= 500 && kind == kindImport:
		return verdictUnknown
	case status >= 300 && status < 400 && kind == kindImport:
		return verdictUnknown
	}
	return verdictFinal
}

// retrier runs the retry loop of one call.
type retrier struct {
	policy RetryPolicy
	sleep  func(context.Context, time.Duration) error
	now    func() time.Time
	notify func(format string, args ...any)
}

// errGiveUp wraps the last error when retries are exhausted.
var errGiveUp = errors.New("gave up after retries")

// wait decides the pause before attempt n+1 after a retryable result of
// attempt n (1-based) and sleeps. It returns an error when no attempt is
// left, the server asks for too long a wait, or ctx is done.
func (r *retrier) wait(ctx context.Context, b *backoff.ExponentialBackOff, n int, what string, retryAfter string) error {
	if n >= r.policy.MaxAttempts {
		return fmt.Errorf("%w (%d attempts)", errGiveUp, n)
	}
	d := b.NextBackOff()
	if ra, ok := parseRetryAfter(retryAfter, r.now()); ok {
		if ra > r.policy.MaxRetryAfter {
			return fmt.Errorf("%w: the server asks to wait %s (Retry-After), more than %s", errGiveUp, ra.Round(time.Second), r.policy.MaxRetryAfter)
		}
		d = ra
	}
	if r.notify != nil {
		r.notify("%s; retrying in %s (attempt %d of %d)", what, d.Round(time.Millisecond), n+1, r.policy.MaxAttempts)
	}
	if err := r.sleep(ctx, d); err != nil {
		return err
	}
	return nil
}
