package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/trustledger/trustledger/internal/chart"
)

// staticBody is a static file's content: the embedded style sheet and
// script, and the charts' style sheet (the CSP forbids inline style).
func staticBody(name string) ([]byte, bool) {
	if name == "chart.css" {
		return []byte(chart.CSS), true
	}
	if name == "" {
		return nil, false
	}
	b, err := fs.ReadFile(staticFS, path.Join("static", path.Clean("/" + name)[1:]))
	return b, err == nil
}

// staticHashes names each static file's content: the first 16 hex digits
// of its SHA-256, computed once, as the files are built in.
var staticHashes = func() map[string]string {
	out := map[string]string{}
	names := []string{"chart.css"}
	entries, _ := fs.ReadDir(staticFS, "static")
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, n := range names {
		if b, ok := staticBody(n); ok {
			sum := sha256.Sum256(b)
			out[n] = hex.EncodeToString(sum[:8])
		}
	}
	return out
}()

// staticURL is the address the pages use for a static file: with its
// content's hash, so a new release's file has a new address and the old
// one may be cached for good.
func staticURL(name string) string {
	return "/static/" + name + "?v=" + staticHashes[name]
}

// Cache lifetimes of a static file: a year and immutable at the address
// with its current hash (staticURL); five minutes without it, or with an
// old hash, so a page from before a release gets the new file soon.
const (
	staticCacheVersioned = "public, max-age=31536000, immutable"
	staticCacheShort     = "public, max-age=300"
)

// static serves the static files (staticBody).
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	body, ok := staticBody(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	if v := r.URL.Query().Get("v"); v != "" && v == staticHashes[name] {
		w.Header().Set("Cache-Control", staticCacheVersioned)
	} else {
		w.Header().Set("Cache-Control", staticCacheShort)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// robotsTxt asks crawlers to stay out: every page but sign-in needs an
// account, and the sign-in page is nothing to find through a search.
const robotsTxt = "User-agent: *\nDisallow: /\n"

func (s *Server) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	cacheADay(w)
	w.Write([]byte(robotsTxt))
}

// cacheADay lets a browser keep an answer for a day, unless the gate has
// said no-store (every answer to a signed-in request).
func cacheADay(w http.ResponseWriter) {
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "public, max-age=86400")
	}
}

// favicon answers a browser's request for /favicon.ico with no content:
// there is no icon, and a day's cache keeps browsers from asking on every
// page.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	cacheADay(w)
	w.WriteHeader(http.StatusNoContent)
}
