package serve

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateScreenshot rewrites docs/serve.png, the README's screenshot:
//
//	CFONB_BROWSER=1 go test ./serve -run TestBrowser/READMEScreenshot -update-screenshot
var updateScreenshot = flag.Bool("update-screenshot", false, "write the README's screenshot docs/serve.png")

// chromiumPath finds the browser, or skips the test outside CI (and fails
// it in CI, where .ci/chromium.sh installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("CFONB_BROWSER") == "" {
		t.Skip("browser test: run it with CFONB_BROWSER=1 go test ./serve -run Browser (needs chromium: apt-get install chromium; CI=true runs it always)")
	}
	for _, name := range []string{os.Getenv("CFONB_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if ci {
		t.Fatal("browser test: chromium not found (CI=true): .ci/chromium.sh installs it; or set CFONB_CHROMIUM")
	}
	t.Skip("browser test: chromium not found: apt-get install chromium, or set CFONB_CHROMIUM")
	return ""
}

// artifactDir is where screenshots go: $CFONB_ARTIFACTS, or a temporary
// directory of the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("CFONB_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "browser")
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// page is one browser tab on a running server.
type page struct {
	t         *testing.T
	ctx       context.Context
	url       string
	artifacts string
}

// newBrowser starts one headless chromium for the browser tests, and
// returns its context: each test opens its own tab in it (starting a
// browser takes seconds).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	// Chromium leaves a directory of its own (org.chromium.Chromium.*)
	// in TMPDIR when it is stopped: give it one that the test removes
	// after the browser (cleanups run last first).
	tmp := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.WindowSize(1280, 900),
		chromedp.Env("TMPDIR="+tmp),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// Start the browser with a context that has no deadline (see
	// chromedp.Run).
	require.NoError(t, chromedp.Do(ctx))
	return ctx
}

// newPage starts a server and opens its page in a new tab of the browser,
// with lang as the browser's language.
func newPage(t *testing.T, bctx context.Context, lang string) *page {
	t.Helper()
	s, _ := newTestServer(t, Options{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	// navigator.language and Accept-Language, for this tab.
	_, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) cfonb-test", AcceptLanguage: lang})
	require.NoError(t, err)
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(tcancel)
	p := &page{t: t, ctx: tctx, url: srv.URL + "/", artifacts: artifactDir(t)}
	p.do(chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	return p
}

// TestBrowser runs the page in a real browser (see the README): one
// chromium, one tab per subtest.
func TestBrowser(t *testing.T) {
	bctx := newBrowser(t)
	t.Run("DropShowsDiagnostics", func(t *testing.T) { testDropShowsDiagnostics(t, newPage(t, bctx, "en-US")) })
	t.Run("RepairLatin1", func(t *testing.T) { testRepairLatin1(t, newPage(t, bctx, "en-US")) })
	t.Run("French", func(t *testing.T) { testFrench(t, newPage(t, bctx, "fr-FR")) })
	t.Run("PagingFolderExportUpload", func(t *testing.T) { testPagingFolderExportUpload(t, newPage(t, bctx, "en-US")) })
	t.Run("READMEScreenshot", func(t *testing.T) { testREADMEScreenshot(t, newPage(t, bctx, "en-US")) })
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, steps...))
}

// eval returns the value of a JavaScript expression.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	require.NoError(p.t, err, expr)
	return v
}

// screenshot saves the window as NAME.png among the artifacts, scrolled
// to the element of the CSS selector sel when one is given.
func (p *page) screenshot(name string, sel ...string) []byte {
	p.t.Helper()
	if len(sel) > 0 {
		p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector(` + strconv.Quote(sel[0]) + `).scrollIntoView()`))
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	require.NoError(p.t, err)
	path := filepath.Join(p.artifacts, name+".png")
	require.NoError(p.t, os.WriteFile(path, png, 0o644))
	p.t.Logf("screenshot: %s", path)
	return png
}

// drop drops the files on the drop zone, as a person dragging them from
// the file manager does.
func (p *page) drop(paths ...string) {
	p.t.Helper()
	abs := make([]string, len(paths))
	for i, path := range paths {
		a, err := filepath.Abs(path)
		require.NoError(p.t, err)
		abs[i] = a
	}
	box := eval[map[string]float64](p, `(() => { const r = document.getElementById("drop").getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`)
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: abs, DragOperationsMask: 1}
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box["x"], Y: box["y"], Data: data}); err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
		}
		return nil
	}))
}

// diagnosticView is what the page shows of one diagnostic.
type diagnosticView struct {
	Line, Column, Rule, Severity, Text, Field, Before, Message, Caret string
	Start, End                                                        string
}

const diagnosticsJS = `[...document.querySelectorAll("article.file li.diag")].map(li => {
  const mark = li.querySelector("mark.field");
  const text = li.querySelector(".excerpt .text");
  return {
    Line: li.dataset.line, Column: li.dataset.column, Rule: li.dataset.rule,
    Severity: li.querySelector(".sev").textContent,
    Text: text ? text.textContent : "", Field: mark ? mark.textContent : "",
    Before: mark ? mark.previousSibling.textContent : "",
    Start: mark ? mark.dataset.start : "", End: mark ? mark.dataset.end : "",
    Message: li.querySelector(".msg").textContent,
    Caret: li.querySelector(".caret") ? li.querySelector(".caret").textContent : "",
  };
})`

// testDropShowsDiagnostics drops testdata/invalid/date.txt and
// checks its three diagnostics: the right line, the right field
// highlighted under the column ruler, the caret and the message.
func testDropShowsDiagnostics(t *testing.T, p *page) {
	assert.Equal(t, "Drop CFONB120 files or a folder here", eval[string](p, `document.getElementById("drop-hint").textContent`))
	p.screenshot("1-empty")

	p.drop("../testdata/invalid/date.txt")
	p.do(chromedp.WaitVisible(chromedp.CSS(`article.file li.diag`)))
	p.screenshot("2-date-diagnostics")

	summary := eval[map[string]string](p, `(() => { const o = {}; for (const k of ["format", "records", "statements", "errors", "warnings", "reconcile"]) o[k] = document.querySelector("article.file .s-" + k).textContent; o.name = document.querySelector("article.file h2").textContent; return o; })()`)
	assert.Equal(t, map[string]string{"name": "date.txt", "format": "CFONB120 (lines)", "records": "4", "statements": "1", "errors": "3", "warnings": "0", "reconcile": "every statement reconciles"}, summary)

	lines := strings.Split(string(repoFile(t, "invalid/date.txt")), "\n")
	line := func(n int) string { return strings.TrimRight(lines[n-1], "\r") }
	got := eval[[]diagnosticView](p, diagnosticsJS)
	want := []diagnosticView{
		{Line: "2", Column: "35", Rule: "date", Severity: "error", Text: line(2), Field: "300226", Before: line(2)[:34], Start: "35", End: "40",
			Message: `booking date "300226" is not a calendar date (30 February)`, Caret: strings.Repeat(" ", 34) + "^~~~~~"},
		{Line: "2", Column: "43", Rule: "date", Severity: "error", Text: line(2), Field: "310426", Before: line(2)[:42], Start: "43", End: "48",
			Message: `value date "310426" is not a calendar date (31 April)`, Caret: strings.Repeat(" ", 42) + "^~~~~~"},
		{Line: "3", Column: "43", Rule: "field-format", Severity: "error", Text: line(3), Field: "0203AB", Before: line(3)[:42], Start: "43", End: "48",
			Message: `value date "0203AB" is not a date JJMMAA (6 digits)`, Caret: strings.Repeat(" ", 42) + "^~~~~~"},
	}
	assert.Equal(t, want, got)

	// The ruler above the line: column 35 is under the highlighted field.
	ruler := eval[string](p, `document.querySelector("article.file .excerpt .ruler").textContent`)
	units := strings.Split(ruler, "\n")[1]
	assert.Equal(t, "5", units[34:35], "the ruler's column 35")
	assert.Equal(t, "3", strings.Split(ruler, "\n")[0][29:30], "the ruler's tens at column 30")

	// Filter by rule, then by severity.
	p.do(chromedp.SetValue(chromedp.CSS(`article.file select.filter-rule`), "field-format"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("article.file select.filter-rule").dispatchEvent(new Event("change"))`))
	assert.Equal(t, []string{"3:43"}, eval[[]string](p, `[...document.querySelectorAll("article.file li.diag")].map(li => li.dataset.line + ":" + li.dataset.column)`))
	p.screenshot("3-filtered")
	p.do(chromedp.SetValue(chromedp.CSS(`article.file select.filter-rule`), ""),
		chromedp.SetValue(chromedp.CSS(`article.file select.filter-severity`), "warning"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("article.file select.filter-severity").dispatchEvent(new Event("change"))`))
	assert.Equal(t, "No problem matches the filter.", eval[string](p, `document.querySelector("article.file .diag-list").textContent`))

	// The statements table.
	p.do(chromedp.Click(chromedp.CSS(`article.file .tab-statements`)), chromedp.WaitVisible(chromedp.CSS(`article.file table.statement-table`)))
	row := eval[[]string](p, `[...document.querySelectorAll("article.file table.statement-table tbody tr:first-child td")].map(td => td.textContent)`)
	assert.Equal(t, []string{"1–4", "12345678901 EUR", "2026-03-02", "2026-03-02", "100.00", "2", "0.00", "26.00", "126.00", "yes"}, row)
	p.screenshot("4-statements", "article.file")
}

// testRepairLatin1 repairs a Latin-1 file and checks the bytes of
// the downloaded file against cfonb fmt's golden output.
func testRepairLatin1(t *testing.T, p *page) {
	dir := t.TempDir()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#pick-files`), []string{mustAbs(t, "../testdata/fmt/latin1-lf.txt")}),
		chromedp.WaitVisible(chromedp.CSS(`article.file li.diag`)))
	assert.Equal(t, "encoding", eval[string](p, `document.querySelector("article.file li.diag").dataset.rule`))
	p.do(chromedp.Click(chromedp.CSS(`article.file .tab-repair`)),
		chromedp.Click(chromedp.CSS(`article.file .repair-button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.file .download-repaired`)))
	assert.Equal(t, []string{"5 × line end changed", "12 × character transliterated"},
		eval[[]string](p, `[...document.querySelectorAll("article.file .repairs li")].map(li => li.textContent)`))
	assert.Equal(t, "Repaired: encoding cp1252 (not UTF-8, not EBCDIC)", eval[string](p, `document.querySelector("article.file .repair-summary").textContent`))
	p.screenshot("5-repair")
	p.do(chromedp.Click(chromedp.CSS(`article.file .download-repaired`)))
	want := repoFile(t, "fmt/latin1-lf.golden")
	path := filepath.Join(dir, "latin1-lf.txt")
	var got []byte
	for i := 0; i < 300; i++ { // up to 30 s: a hang guard, not a timing test
		if b, err := os.ReadFile(path); err == nil && len(b) == len(want) {
			got = b
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, string(want), string(got), "the downloaded file")

	// A refused repair says why.
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#pick-files`), []string{mustAbs(t, "../testdata/fmt/refused-amount.txt")}),
		chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="refused-amount.txt"] .tab-repair`)),
		chromedp.Click(chromedp.CSS(`article.file[data-name="refused-amount.txt"] .tab-repair`)),
		chromedp.Click(chromedp.CSS(`article.file[data-name="refused-amount.txt"] .repair-button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="refused-amount.txt"] .refused`)))
	assert.Equal(t, "Repair refused, nothing written: the amount (columns 91-104) holds 'É' (U+00C9), which would become 'E': a figure cannot be transliterated safely; fix the file or give the right --encoding",
		eval[string](p, `document.querySelector("article.file[data-name='refused-amount.txt'] .refused").textContent`))
	p.screenshot("6-refused")

	// A file repair leaves unchanged, with errors it cannot fix, is not
	// called canonical (it was, next to its errors).
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#pick-files`), []string{mustAbs(t, "../testdata/fmt/left-as-is.txt")}),
		chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="left-as-is.txt"] .tab-repair`)),
		chromedp.Click(chromedp.CSS(`article.file[data-name="left-as-is.txt"] .tab-repair`)),
		chromedp.Click(chromedp.CSS(`article.file[data-name="left-as-is.txt"] .repair-button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="left-as-is.txt"] .repair-summary`)))
	assert.Equal(t, "Nothing repaired: the file is not canonical, and its errors below are not ones repair can fix.",
		eval[string](p, `document.querySelector("article.file[data-name='left-as-is.txt'] .repair-summary").textContent`))
}

// testFrench checks the labels under a French browser.
func testFrench(t *testing.T, p *page) {
	assert.Equal(t, "fr", eval[string](p, `document.documentElement.lang`))
	assert.Equal(t, "Déposez ici des fichiers CFONB120 ou un dossier", eval[string](p, `document.getElementById("drop-hint").textContent`))
	assert.Equal(t, "Choisir des fichiers", eval[string](p, `document.querySelector("[data-i18n=pickFiles]").textContent`))
	p.drop("../testdata/invalid/date.txt")
	p.do(chromedp.WaitVisible(chromedp.CSS(`article.file li.diag`)))
	assert.Equal(t, []string{"Problèmes (3)", "Relevés", "Réparer", "Exporter", "Aperçu de l'envoi"},
		eval[[]string](p, `[...document.querySelectorAll("article.file .tab")].map(b => b.textContent)`))
	assert.Equal(t, "erreur", eval[string](p, `document.querySelector("article.file li.diag .sev").textContent`))
	assert.Equal(t, "ligne 2, colonne 35", eval[string](p, `document.querySelector("article.file li.diag .where").textContent`))
	assert.Equal(t, "tous les relevés sont équilibrés", eval[string](p, `document.querySelector("article.file .s-reconcile").textContent`))
	p.screenshot("7-french")
}

// testREADMEScreenshot makes the README's picture from the committed
// sample files: with -update-screenshot it writes docs/serve.png.
func testREADMEScreenshot(t *testing.T, p *page) {
	p.do(chromedp.EmulateViewport(1180, 1010))
	p.drop("../testdata/samples/complex-test.txt")
	p.do(chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="complex-test.txt"] .tabs`)),
		chromedp.Click(chromedp.CSS(`article.file[data-name="complex-test.txt"] .tab-statements`)))
	p.drop("../testdata/invalid/date.txt")
	p.do(chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="date.txt"] li.diag`)))
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// The mouse away from the tabs: no hover in the picture.
		_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved, X: 1, Y: 1})
		return err
	}))
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(p.artifacts, "readme.png"), png, 0o644))
	if *updateScreenshot {
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "serve.png"), png, 0o644))
	}
}

// testPagingFolderExportUpload drops a folder (its files each get a
// card), pages through a file of 130 diagnostics, downloads a CSV export
// and previews an upload.
func testPagingFolderExportUpload(t *testing.T, p *page) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bank"), 0o755))
	var garbage strings.Builder
	for i := 0; i < 130; i++ {
		garbage.WriteString("99" + strings.Repeat(" ", 118) + "\r\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bank", "garbage.txt"), []byte(garbage.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bank", "valid.txt"), repoFile(t, "valid/multi-crlf.txt"), 0o644))
	p.drop(filepath.Join(dir, "bank"))
	p.do(chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="bank/garbage.txt"] li.diag`)),
		chromedp.WaitVisible(chromedp.CSS(`article.file[data-name="bank/valid.txt"] .s-records`)))
	g := `article.file[data-name="bank/garbage.txt"] `
	assert.Equal(t, "Page 1 of 3 · 1–50 of 130", eval[string](p, `document.querySelector('`+g+`.pager .page').textContent`))
	assert.Equal(t, "1", eval[string](p, `document.querySelector('`+g+`li.diag').dataset.line`))
	p.do(chromedp.Click(chromedp.CSS(g + `.pager .next`)))
	assert.Equal(t, "Page 2 of 3 · 51–100 of 130", eval[string](p, `document.querySelector('`+g+`.pager .page').textContent`))
	assert.Equal(t, "51", eval[string](p, `document.querySelector('`+g+`li.diag').dataset.line`))
	p.screenshot("8-paging", g+`.pager`)

	// Export the valid file as CSV: the bytes of /api/export.
	downloads := t.TempDir()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	}))
	v := `article.file[data-name="bank/valid.txt"] `
	p.do(chromedp.Click(chromedp.CSS(v + `.tab-export`)))
	assert.Equal(t, []string{"CSV", "CSV, French accounting layout (for Excel: ; and decimal comma)", "JSON", "JSON Lines", "Excel (xlsx)", "Excel, French accounting layout", "OFX"},
		eval[[]string](p, `[...document.querySelectorAll('`+v+`.export-buttons button')].map(b => b.textContent)`))
	p.do(chromedp.Click(chromedp.CSS(v + `.export-csv`)))
	_, h := newTestServer(t, Options{})
	want := post(t, h, "/api/export?format=csv&name=bank/valid.txt", repoFile(t, "valid/multi-crlf.txt")).Body.String()
	got := waitFile(t, filepath.Join(downloads, "valid.csv"), len(want))
	assert.Equal(t, want, got)

	// The upload preview: what cfonb upload --dry-run would do.
	p.do(chromedp.Click(chromedp.CSS(v+`.tab-upload`)), chromedp.Click(chromedp.CSS(v+`.upload-button`)),
		chromedp.WaitVisible(chromedp.CSS(v+`pre.decisions`)))
	decisions := eval[string](p, `document.querySelector('`+v+`pre.decisions').textContent`)
	assert.Contains(t, decisions, "would register account FR7630006000011234567890189 (30006 00001 12345678901 EUR) in dossier 1")
	assert.Contains(t, decisions, "would import bank/valid.txt (5 statements")
	assert.Equal(t, "cfonb upload --env prod --dossier 1 bank/valid.txt", eval[string](p, `document.querySelector('`+v+`pre.command').textContent`))
	p.screenshot("9-upload-preview", v)
}

// waitFile waits for a download of n bytes at path and returns it.
func waitFile(t *testing.T, path string, n int) string {
	t.Helper()
	for i := 0; i < 300; i++ { // up to 30 s: a hang guard, not a timing test
		if b, err := os.ReadFile(path); err == nil && len(b) == n {
			return string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(path)
	return string(b)
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	require.NoError(t, err)
	return a
}
