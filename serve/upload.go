package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/upload/words"
)

// previewJSON is the answer of /api/upload-preview.
type previewJSON struct {
	// Lines are the lines cfonb upload --dry-run prints: the accounts it
	// would register, the files it would import or skip, and why.
	Lines []string `json:"lines"`
	// Invalid is set when a file has validation errors (nothing would be
	// sent).
	Invalid bool `json:"invalid"`
	// Error is the run's error, if any.
	Error string `json:"error,omitempty"`
	// Platform and StateDir are the API URL and the journal read.
	Platform string `json:"platform"`
	StateDir string `json:"state_dir"`
	// Command is the cfonb upload command that would send the files, to
	// run in a terminal (the page never sends).
	Command string `json:"command"`
}

// handleUploadPreview is POST /api/upload-preview: what cfonb upload
// --dry-run would do with the request's files (query: dossier, env prod or
// staging, bank_name). Nothing is sent and nothing is written but the
// temporary copies of the files, removed before the answer. Sending stays
// in the CLI.
func (s *Server) handleUploadPreview(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dossier, err := strconv.ParseInt(q.Get("dossier"), 10, 64)
	if err != nil || dossier <= 0 {
		apiError(w, http.StatusBadRequest, "dossier must be the Inqom dossier id, a positive integer")
		return
	}
	env := q.Get("env")
	if env == "" {
		env = "prod"
	}
	ep, err := upload.EnvEndpoints(env)
	if err != nil {
		apiError(w, http.StatusBadRequest, "env: %v", err)
		return
	}
	stateDir := s.opts.StateDir
	if stateDir == "" {
		if stateDir, err = upload.DefaultStateDir(os.Getenv); err != nil {
			apiError(w, http.StatusInternalServerError, "%v", err)
			return
		}
	}
	dir, err := os.MkdirTemp(s.opts.TempDir, "cfonb-serve-*")
	if err != nil {
		apiError(w, http.StatusInternalServerError, "temporary directory: %v", err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	var paths, names []string
	err = s.eachFile(w, r, func(name string, body io.Reader) error {
		// The copy keeps the file's base name, so that the decisions name
		// it; a second file of the same name goes to a folder of its own.
		sub := filepath.Join(dir, strconv.Itoa(len(paths)))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		p := filepath.Join(sub, filepath.Base(filepath.FromSlash(name)))
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("temporary file: %w", err)
		}
		_, err = io.Copy(f, body)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("temporary file: %w", cerr)
		}
		if err != nil {
			return err
		}
		paths = append(paths, p)
		names = append(names, name)
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	var out bytes.Buffer
	// The library decides; the words are cfonb upload --dry-run's.
	wd := &words.Words{Out: &out, StateDir: stateDir, Platform: upload.PlatformID(ep.APIURL), Control: true, DryRun: true}
	opts := upload.Options{Dossier: dossier, Endpoints: ep, StateDir: stateDir, DryRun: true,
		OnAccount: wd.Account, OnFile: wd.File}
	if bn := strings.TrimSpace(q.Get("bank_name")); bn != "" {
		opts.BankNames.Default = bn
	}
	rep, runErr := upload.Run(context.WithoutCancel(r.Context()), opts, paths)
	for _, v := range rep.Validation {
		for _, line := range upload.Diagnostics(v) {
			fmt.Fprintln(&out, line)
		}
	}
	wd.Summary(rep, runErr)
	text := out.String()
	// The decisions name the temporary copies: give them their names back.
	for i, p := range paths {
		text = strings.ReplaceAll(text, p, names[i])
	}
	text = strings.ReplaceAll(text, dir+string(filepath.Separator), "")
	res := previewJSON{Lines: []string{}, Platform: ep.APIURL, StateDir: journal.Redact(stateDir),
		Command: fmt.Sprintf("cfonb upload --env %s --dossier %d %s", env, dossier, strings.Join(quoteAll(names), " "))}
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if l != "" {
			res.Lines = append(res.Lines, l)
		}
	}
	if runErr != nil {
		msg := runErr.Error()
		for i, p := range paths {
			msg = strings.ReplaceAll(msg, p, names[i])
		}
		res.Error = msg
		res.Invalid = errors.Is(runErr, upload.ErrInvalid)
	}
	writeJSON(w, http.StatusOK, res)
}

// quoteAll quotes the names that a shell would split.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if strings.ContainsAny(n, " '\"$`\\!*?&;|<>()") {
			n = "'" + strings.ReplaceAll(n, "'", `'\''`) + "'"
		}
		out[i] = n
	}
	return out
}
