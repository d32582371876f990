package web

import (
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/trustledger/trustledger/internal/chart"
)

// static serves the embedded stylesheets and script, and the charts'
// stylesheet at /static/chart.css (the CSP forbids inline style).
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	var body []byte
	if name == "chart.css" {
		body = []byte(chart.CSS)
	} else {
		b, err := fs.ReadFile(staticFS, path.Join("static", path.Clean("/" + name)[1:]))
		if err != nil || name == "" {
			http.NotFound(w, r)
			return
		}
		body = b
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
