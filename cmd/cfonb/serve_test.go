package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer that the server's goroutines and the test
// can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs cfonb serve in-process until the returned stop is called
// (as SIGINT does, through the command's context); stop returns the exit
// status.
func startServe(t *testing.T, args ...string) (url string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	stderr = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, append([]string{"serve"}, args...)) }()
	re := regexp.MustCompile(`open (http://\S+) \(Ctrl-C to stop\)`)
	for i := 0; i < 600 && url == ""; i++ { // a hang guard: up to a minute
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			return "", stderr, func() int { return code }
		case <-time.After(100 * time.Millisecond):
		}
	}
	require.NotEmpty(t, url, "no URL printed: %s", stderr.String())
	return url, stderr, func() int { cancel(); return <-done }
}

func TestServeCommand(t *testing.T) {
	url, stderr, stop := startServe(t, "--addr", "127.0.0.1:0")
	assert.NotContains(t, stderr.String(), "WARNING")
	resp, err := http.Post(url+"api/validate?name=date.txt", "text/plain", strings.NewReader(string(mustRead(t, "../../testdata/invalid/date.txt"))))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"errors":3`)
	assert.Equal(t, exitOK, stop())
	assert.Contains(t, stderr.String(), "POST /api/validate 200")
	assert.NotContains(t, stderr.String(), "date.txt", "no file name in the log")
	assert.True(t, strings.HasSuffix(stderr.String(), "cfonb serve: stopped\n"), stderr.String())
}

func TestServeWarnsOffLoopback(t *testing.T) {
	_, stderr, stop := startServe(t, "--addr", "0.0.0.0:0", "-q")
	assert.Equal(t, exitOK, stop())
	assert.Contains(t, stderr.String(), "cfonb serve: WARNING: listening on 0.0.0.0:0, not a loopback address")
}

func TestServeUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--max-size", "lots"}, `cfonb serve: --max-size: want a size such as 200MiB or 2GiB, not "lots"`},
		{[]string{"serve", "extra"}, `cfonb serve: unexpected argument "extra"`},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, "cfonb serve: listen tcp: address 99999: invalid port"},
	} {
		var errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}
		assert.Equal(t, exitUsage, run(context.Background(), e, tt.args), fmt.Sprint(tt.args))
		assert.Contains(t, errb.String(), tt.want)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
