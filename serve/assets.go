package serve

import (
	"embed"
	"io/fs"
	"net/http"
)

// assetFS holds the page: plain HTML, CSS and JavaScript, no library, no
// CDN.
//
//go:embed assets
var assetFS embed.FS

// assets serves the embedded page. Unknown paths are 404, never a
// directory listing.
func (s *Server) assets() http.Handler {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/index.html", "/app.js", "/style.css", "/favicon.svg":
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
