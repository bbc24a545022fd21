// Package words words the outcomes of an upload (upload.Report) for
// people: one line, or a few, per account and per file, as cfonb upload
// prints them. The upload package decides and returns outcomes; its
// callers (the cfonb command, the local web interface) word them here.
package words

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cfonb-dev/cfonb/internal/plural"
	"github.com/cfonb-dev/cfonb/upload"
	"github.com/cfonb-dev/cfonb/upload/journal"
	"github.com/cfonb-dev/cfonb/validate"
)

// Words turns the decisions of upload.Run into text, one line (or a few)
// per account and per file as they come: give its Account and File
// methods as upload.Options.OnAccount and OnFile, then call Summary.
type Words struct {
	// Out receives the text.
	Out io.Writer
	// StateDir and Platform go into the commands suggested.
	StateDir string
	Platform string
	// StateVar names the environment variable StateDir came from, if it
	// is a PostgreSQL URL read from one ("CFONB_STATE"): the commands
	// suggested then give --state "$VAR". Otherwise they give the URL
	// without its password (journal.WithoutPassword), never printed.
	StateVar string
	// Control says whether accounts are registered with the IBAN control.
	Control bool
	// Mapping names the mapping file in the lines to add to it.
	Mapping *upload.Mapping
	// DryRun words a dry run.
	DryRun bool
}

// say writes one message. File names, server messages and everything
// else it holds are escaped (validate.SafeText): a name holding a line end
// or an escape sequence cannot forge a line of its own on a terminal or in
// a CI log (issue 16, item 12).
func (w *Words) say(format string, args ...any) {
	fmt.Fprintln(w.Out, validate.SafeText(fmt.Sprintf(format, args...)))
}

func (w *Words) controlWord() string {
	if w.Control {
		return "on"
	}
	return "off"
}

// Account words one account's outcome.
func (w *Words) Account(a *upload.AccountResult) {
	switch a.Outcome {
	case upload.AccountRegistered:
		w.say("registered account %s (%s) in dossier %d: bank name %q, IBAN control %s", a.IBAN, a.Account, a.Dossier, a.BankName, w.controlWord())
	case upload.AccountExists:
		w.say("account %s (%s) was already registered in dossier %d (HTTP %d)", a.IBAN, a.Account, a.Dossier, a.HTTPStatus)
	case upload.AccountWouldRegister:
		w.say("would register account %s (%s) in dossier %d: bank name %q, IBAN control %s", a.IBAN, a.Account, a.Dossier, a.BankName, w.controlWord())
	case upload.AccountAssumed:
		w.say("account %s (%s) is not registered: you said it is in dossier %d (--skip-registration)", a.IBAN, a.Account, a.Dossier)
	case upload.AccountFailed:
		why := a.Message
		if a.HTTPStatus != 0 {
			why = fmt.Sprintf("HTTP %d: %s", a.HTTPStatus, a.Message)
		}
		w.say("account %s (%s, %s line %d) could not be registered in dossier %d: %s", a.IBAN, a.Account, a.File, a.Line, a.Dossier, why)
		w.say("  its files are held back; the others go on. If the account is in dossier %d already (the platform may say so this way):", a.Dossier)
		w.say("    cfonb journal --mark-registered --dossier %d %s --api-url %s %s", a.Dossier, stateArg(w.StateDir, w.StateVar), ShellQuote(w.Platform), a.IBAN)
		w.say("  or re-run with --skip-registration %s", a.IBAN)
	case upload.AccountKnown:
		if a.Known != nil && w.DryRun {
			w.say("account %s (%s) is registered in dossier %d since %s", a.IBAN, a.Account, a.Dossier, Stamp(a.Known.Registered))
		}
	}
	if len(a.OtherDossiers) > 0 && a.Outcome != upload.AccountNotNeeded {
		w.say("warning: account %s is also recorded in dossier %s on %s; it is registered in dossier %d here", a.IBAN, joinInts(a.OtherDossiers), w.Platform, a.Dossier)
	}
}

func joinInts(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

func dossiersOf(r *upload.FileResult) string {
	if len(r.Dossiers) == 1 {
		return fmt.Sprintf("dossier %d", r.Dossiers[0])
	}
	return "dossiers " + joinInts(r.Dossiers)
}

// File words one file's outcome.
func (w *Words) File(r *upload.FileResult) {
	n := plural.Count(len(r.Statements), "statement")
	prev := func() string {
		if r.Previous == nil {
			return ""
		}
		d := ""
		if r.Previous.Dossier != 0 {
			d = fmt.Sprintf(", dossier %d", r.Previous.Dossier)
		}
		return fmt.Sprintf("on %s (as %s%s)", Stamp(r.Previous.Started), r.Previous.File, d)
	}
	switch r.Outcome {
	case upload.OutcomeImported:
		again := ""
		if r.Reimport {
			again = " AGAIN (--reimport)"
		}
		id := ""
		if r.ImportID != "" {
			id = ", import id " + r.ImportID
		}
		w.say("imported %s%s (%s) to %s, %s: HTTP %d%s", r.Path, again, n, w.Platform, dossiersOf(r), r.HTTPStatus, id)
	case upload.OutcomeWouldImport:
		switch {
		case r.Reimport:
			w.say("WARNING: would import %s AGAIN (--reimport): it was imported %s; its statements would be booked twice", r.Path, prev())
		case r.Retry:
			w.say("would send %s again (--retry-unknown): its import %s has an unknown outcome", r.Path, prev())
		}
		w.say("would import %s (%s, sha256 %s) to %s, %s", r.Path, n, r.SHA256[:16], w.Platform, dossiersOf(r))
	case upload.OutcomeSkipped:
		switch r.Reason {
		case upload.ReasonSameInBatch:
			w.say("skip %s: same content or statements as %s, imported in this run", r.Path, r.PreviousFile)
		case upload.ReasonStatementsImported:
			w.say("skip %s: all its statements were already imported %s", r.Path, prev())
		default:
			w.say("skip %s: already imported %s", r.Path, prev())
		}
		if r.OtherDossier != 0 {
			w.say("warning: %s was imported under dossier %d, not %s; the platform routes statements by account, so it is not imported again (check the accounts' dossiers)", r.Path, r.OtherDossier, dossiersOf(r))
		}
	case upload.OutcomeBlocked:
		switch r.Reason {
		case upload.ReasonPartlyImported:
			where := prev()
			if r.PreviousFile != "" {
				where = "in " + r.PreviousFile + ", in this run"
			}
			shared := "its statement was"
			if len(r.Statements) > 1 {
				shared = fmt.Sprintf("%d of its %s %s", len(r.Shared), plural.Count(len(r.Statements), "statement"), plural.Choose(len(r.Shared), "was", "were"))
			}
			them := plural.Choose(len(r.Shared), "it", "them")
			w.say("not importing %s: %s already imported %s (%s): importing it would book %s twice; remove %s from the file, or name it with --reimport %s",
				r.Path, shared, where, strings.Join(r.Shared, "; "), them, them, PathArg(r.Path))
		default:
			what := "has an unknown outcome"
			if r.Reason == upload.ReasonPending {
				what = "never finished (interrupted?), so it may have reached the platform"
			}
			w.say("not importing %s: its import %s %s", r.Path, prev(), what)
			w.checkHint(r)
		}
	case upload.OutcomeHeld:
		for _, a := range r.HeldBy {
			switch a.Outcome {
			case upload.AccountNoDossier:
				name := a.BankName
				where := "the mapping"
				if w.Mapping != nil {
					where = w.Mapping.Path
				}
				w.say("held back %s: account %s (%s, line %d) has no dossier in %s; add the line:", r.Path, a.IBAN, a.Account, a.Line, where)
				w.say("    %s,DOSSIER,%s", a.IBAN, csvField(name))
			case upload.AccountNoBankName:
				w.say("held back %s: account %s (%s, line %d): %s", r.Path, a.IBAN, a.Account, a.Line, a.Message)
			default:
				w.say("held back %s: account %s is not registered in dossier %d (see above)", r.Path, a.IBAN, a.Dossier)
			}
		}
	case upload.OutcomeFailed:
		w.say("%s was not imported: %s", r.Path, failure(r))
		if r.Reason == upload.ReasonFileChanged {
			w.say("  it changed since it was validated: nothing was sent; run cfonb upload again on the new content")
		}
	case upload.OutcomeUnknown:
		w.say("%s: OUTCOME UNKNOWN: %s", r.Path, failure(r))
		w.say("  the file may or may not have been imported; it was not sent again.")
		w.checkHint(r)
	case upload.OutcomeNotAttempted:
		if r.Reason != upload.ReasonLogin { // the summary says it once
			w.say("not attempted %s: %s", r.Path, notAttempted(r.Reason))
		}
	}
}

// checkHint tells how to settle a file whose import's outcome is unknown.
func (w *Words) checkHint(r *upload.FileResult) {
	var ss []string
	for _, s := range r.Statements {
		ss = append(ss, fmt.Sprintf("%s %s..%s %s → %s", s.Account, s.From, s.To, s.Opening, s.Closing))
	}
	w.say("  check the bank entries of %s in Inqom for: %s", dossiersOf(r), strings.Join(ss, "; "))
	var dossier int64
	if len(r.Dossiers) == 1 {
		dossier = r.Dossiers[0]
	}
	w.say("  if they are there: %s", markDoneHint(w.Platform, stateArg(w.StateDir, w.StateVar), r.Path, dossier))
	w.say("  if they are not:   re-run cfonb upload with --retry-unknown")
}

func failure(r *upload.FileResult) string {
	if r.HTTPStatus != 0 && r.Message != "" && !strings.Contains(r.Message, "HTTP ") {
		return fmt.Sprintf("HTTP %d: %s", r.HTTPStatus, r.Message)
	}
	if r.Message != "" {
		return r.Message
	}
	if r.Err != nil {
		return r.Err.Error()
	}
	return string(r.Reason)
}

func notAttempted(r upload.Reason) string {
	switch r {
	case upload.ReasonFailFast:
		return "an earlier import failed (--fail-fast)"
	case upload.ReasonInterrupted:
		return "interrupted"
	case upload.ReasonLogin:
		return "the login failed"
	case upload.ReasonStateWrite:
		return "the journal could not be written"
	}
	return string(r)
}

// csvField quotes a CSV field if it needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// Summary prints the closing lines of a run (err is Run's error).
func (w *Words) Summary(rep *upload.Report, err error) {
	s := rep.Summary()
	if s.ValidationErrors > 0 {
		bad := 0
		for _, v := range rep.Validation {
			if v.Errors > 0 {
				bad++
			}
		}
		w.say("%s %s errors (%d in all): nothing was sent", plural.Of(bad, len(rep.Validation), "file"), plural.Choose(bad, "has", "have"), s.ValidationErrors)
		return
	}
	if rep.Login != nil {
		w.say("%v", rep.Login)
		w.say("nothing was registered or imported")
		return
	}
	if len(rep.Files) == 0 {
		return
	}
	if err != nil && !slices.ContainsFunc(rep.Files, func(f *upload.FileResult) bool { return f.Outcome != "" }) {
		// Stopped before any file was decided (the journal could not be
		// opened...): the error says why, and counts of zero would read as
		// "nothing to send" (found by a review).
		return
	}
	if rep.DryRun {
		would := 0
		for _, a := range rep.Accounts {
			if a.Outcome == upload.AccountWouldRegister {
				would++
			}
		}
		w.say("dry run: %s to register, %s to import (%d again), %d skipped, %d refused, %d held back; nothing was sent",
			plural.Count(would, "account"), plural.Count(s.Imported, "file"), s.Reimported, s.Skipped, s.Blocked, s.Held)
		return
	}
	line := fmt.Sprintf("%s registered, %d already registered; %s imported, %d skipped as already imported",
		plural.Count(s.Registered, "account"), s.AlreadyRegistered, plural.Count(s.Imported, "file"), s.Skipped)
	for _, part := range []struct {
		n    int
		what string
	}{{s.Blocked, "waiting for your decision"}, {s.Held, "held back"}, {s.Failed, "failed"}, {s.Unknown, "with an unknown outcome"}, {s.NotAttempted, "not attempted"}} {
		if part.n > 0 {
			line += fmt.Sprintf(", %d %s", part.n, part.what)
		}
	}
	if !s.Sent && rep.Login == nil {
		line = "nothing to send; " + line
	}
	w.say("%s", line)
}

// MarkDoneHint is the command that records a file as imported (in
// dossier, if not 0), ready to copy into a shell.
func MarkDoneHint(platform, stateDir, path string, dossier int64) string {
	return markDoneHint(platform, stateArg(stateDir, ""), path, dossier)
}

// markDoneHint is MarkDoneHint with the journal's option already written.
func markDoneHint(platform, state, path string, dossier int64) string {
	d := ""
	if dossier != 0 {
		d = fmt.Sprintf(" --dossier %d", dossier)
	}
	return fmt.Sprintf("cfonb journal --mark-done%s %s --api-url %s %s", d, state, ShellQuote(platform), PathArg(path))
}

// PathArg returns the file path as one shell word (ShellQuote) that no
// command takes for an option: a path that starts with '-' gets "./" in
// front (found by a review: the printed command read "-x.txt" as flags).
func PathArg(path string) string {
	if strings.HasPrefix(path, "-") {
		path = "." + string(filepath.Separator) + path
	}
	return ShellQuote(path)
}

// ShellQuote returns s as one word of the shell a user of this system types
// commands in: PowerShell on Windows, a POSIX shell elsewhere (see
// QuoteFor).
func ShellQuote(s string) string { return QuoteFor(runtime.GOOS, s) }

// QuoteFor returns s as one shell word for goos: unchanged if it holds only
// characters the shell leaves alone, else in single quotes. On "windows"
// the shell is PowerShell: a backslash is an ordinary character (C:\x\y.txt
// needs no quotes), and a quote inside single quotes is doubled, including
// the typographic single quotes PowerShell also takes as quotes. Elsewhere
// it is a POSIX shell, where a quote closes the quoted part, is escaped
// with a backslash, and the quoting starts again.
func QuoteFor(goos, s string) string {
	safeChars := "_@%+=:,./-"
	if goos == "windows" {
		safeChars = "_+=:./-\\"
	}
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(safeChars, r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	if goos == "windows" {
		var b strings.Builder
		b.WriteByte('\'')
		for _, r := range s {
			if strings.ContainsRune("'\u2018\u2019\u201a\u201b", r) {
				b.WriteRune(r) // doubled: PowerShell reads two quotes as one
			}
			b.WriteRune(r)
		}
		b.WriteByte('\'')
		return b.String()
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Stamp formats a journal time.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown date"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// Progress returns an upload progress callback that draws one line on
// a terminal for files of 1 MiB or more, updated each 5 %.
func Progress(w io.Writer) func(path string, sent, total int64) {
	var mu sync.Mutex
	last := -1
	return func(path string, sent, total int64) {
		if total < 1<<20 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		pct := int(sent * 100 / total)
		if pct/5 == last/5 && sent != total {
			return
		}
		last = pct
		fmt.Fprintf(w, "\rsending %s: %3d%% (%d of %d bytes)", validate.SafeText(path), pct, sent, total)
		if sent == total {
			fmt.Fprintln(w)
			last = -1
		}
	}
}

// stateArg is the option naming the journal in a suggested command: the
// state directory; for PostgreSQL, the variable envVar that holds its URL
// if it came from one, else the URL without its password, which is never
// printed. (It named $CFONB_STATE whatever the journal's origin: run as
// printed without that variable, the mark went to the default SQLite
// journal, exit 0, and PostgreSQL's still blocked the file; found by a
// review.)
func stateArg(state, envVar string) string {
	switch {
	case journal.IsPostgres(state) && envVar != "":
		return `--state "$` + envVar + `"`
	case journal.IsPostgres(state):
		return "--state " + ShellQuote(journal.WithoutPassword(state))
	}
	return "--state-dir " + PathArg(state)
}
