package serve

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
	"unicode"
)

// maxParts caps the files of one multipart request.
const maxParts = 1000

// errNoFile is returned for a multipart request without a file part.
var errNoFile = errors.New("no file in the request: send the file as the body, or as a multipart part with a file name")

// errTooManyFiles is returned for a multipart request with more than
// maxParts files.
var errTooManyFiles = fmt.Errorf("more than %d files in one request", maxParts)

// body returns the request body, capped at Options.MaxBytes, whose every
// read pushes the slow-client deadline forward: a client that keeps sending
// is never cut, one that stops for Options.Timeout is. A declared length
// over the cap gets its 413 at once.
func (s *Server) body(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	if r.ContentLength > s.opts.MaxBytes {
		return nil, &http.MaxBytesError{Limit: s.opts.MaxBytes}
	}
	rc := http.NewResponseController(w)
	return &deadlineReader{r: http.MaxBytesReader(w, r.Body, s.opts.MaxBytes), rc: rc, timeout: s.opts.Timeout}, nil
}

// deadlineReader moves the connection's read deadline forward as data
// arrives (at most once a second, to keep it cheap).
type deadlineReader struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
	last    time.Time
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.last) > refreshEvery(d.timeout) {
		d.last = now
		_ = d.rc.SetReadDeadline(now.Add(d.timeout)) // unsupported by httptest's recorder: then no deadline
	}
	return d.r.Read(p)
}

// refreshEvery is how often a deadline is moved forward: every second, or
// more often for a short timeout.
func refreshEvery(timeout time.Duration) time.Duration {
	return min(time.Second, timeout/4)
}

// deadlineWriter moves the connection's write deadline forward as the
// answer is written: a client that stops reading is cut after the timeout.
type deadlineWriter struct {
	w       io.Writer
	rc      *http.ResponseController
	timeout time.Duration
	last    time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.last) > refreshEvery(d.timeout) {
		d.last = now
		_ = d.rc.SetWriteDeadline(now.Add(d.timeout))
	}
	return d.w.Write(p)
}

// writer returns w wrapped in a deadlineWriter.
func (s *Server) writer(w http.ResponseWriter) io.Writer {
	return &deadlineWriter{w: w, rc: http.NewResponseController(w), timeout: s.opts.Timeout}
}

// eachFile calls f for each file of the request, in order: the raw body
// (named by the "name" query parameter, else "upload.txt"), or every part
// of a multipart/form-data body that has a file name. Each file is read as
// it arrives; f must read what it needs before returning.
func (s *Server) eachFile(w http.ResponseWriter, r *http.Request, f func(name string, body io.Reader) error) error {
	b, err := s.body(w, r)
	if err != nil {
		return err
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		name := cleanName(r.URL.Query().Get("name"))
		if name == "" {
			name = "upload.txt"
		}
		return f(name, b)
	}
	if params["boundary"] == "" {
		return fmt.Errorf("multipart body without a boundary")
	}
	// The body is read part by part as it arrives: never
	// ParseMultipartForm, which buffers in memory or on disk.
	reader := multipart.NewReader(b, params["boundary"])
	n := 0
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the multipart body: %w", err)
		}
		// The file name as sent, folders included (FileName keeps only
		// its last element).
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if part.FileName() == "" || disp["filename"] == "" {
			_ = part.Close()
			continue
		}
		if n++; n > maxParts {
			return errTooManyFiles
		}
		name := cleanName(disp["filename"])
		if name == "" {
			name = fmt.Sprintf("file-%d.txt", n)
		}
		err = f(name, part)
		_ = part.Close()
		if err != nil {
			return err
		}
	}
	if n == 0 {
		return errNoFile
	}
	return nil
}

// cleanName keeps a file name readable and harmless: no directory above
// the file's own folder path, no control character, at most 255 bytes.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimLeft(path.Clean("/"+name), "/")
	if name == "." {
		name = ""
	}
	if len(name) > 255 {
		name = name[len(name)-255:]
	}
	return name
}

// spool copies r into a temporary file and returns it, positioned at its
// start. The file is unlinked at once where the system allows it (it then
// disappears even if the process dies); the returned cleanup closes it and
// removes it otherwise.
func (s *Server) spool(r io.Reader) (*os.File, func(), error) {
	f, err := os.CreateTemp(s.opts.TempDir, "cfonb-serve-*")
	if err != nil {
		return nil, nil, fmt.Errorf("temporary file: %w", err)
	}
	name := f.Name()
	removed := os.Remove(name) == nil
	cleanup := func() {
		_ = f.Close()
		if !removed {
			_ = os.Remove(name)
		}
	}
	if _, err := io.Copy(f, r); err != nil {
		cleanup()
		return nil, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, nil, err
	}
	return f, cleanup, nil
}

// tempFile returns an empty temporary file, unlinked like spool's.
func (s *Server) tempFile() (*os.File, func(), error) {
	return s.spool(strings.NewReader(""))
}
