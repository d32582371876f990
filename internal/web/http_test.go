package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestWrongMethod: a known path asked with a method it does not take
// answers 405 with Allow (RFC 9110, 15.5.6), signed in or not; an unknown
// path is still not found.
func TestWrongMethod(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	for _, c := range []struct {
		method, path string
		acc          *account
		allow        []string
	}{
		{"DELETE", "/promises", lena, []string{"GET", "HEAD", "POST"}},
		{"PUT", "/log", nil, []string{"GET", "POST"}},
		{"GET", "/logout", lena, []string{"POST"}},
		{"POST", "/healthz", nil, []string{"GET"}},
		{"DELETE", "/login", nil, []string{"GET", "POST"}},
	} {
		w := e.do(c.method, c.path, nil, c.acc)
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405 (Location %q)", c.method, c.path, w.Code, w.Header().Get("Location"))
			continue
		}
		allow := w.Header().Get("Allow")
		for _, m := range c.allow {
			if !strings.Contains(allow, m) {
				t.Errorf("%s %s: Allow %q lacks %s", c.method, c.path, allow, m)
			}
		}
	}
	if w := e.do("GET", "/no/such/page", nil, lena); w.Code != http.StatusNotFound || w.Header().Get("Allow") != "" {
		t.Errorf("an unknown page: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	if w := e.do("DELETE", "/no/such/page", nil, lena); w.Code != http.StatusNotFound {
		t.Errorf("an unknown page with DELETE: %d", w.Code)
	}
}

// TestRobotsAndFavicon: crawlers and browsers ask for these without a
// session; they get an answer, not the sign-in page.
func TestRobotsAndFavicon(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	w := e.do("GET", "/robots.txt", nil, nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") ||
		!strings.Contains(w.Body.String(), "User-agent: *\nDisallow: /\n") {
		t.Fatalf("robots.txt: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	w = e.do("GET", "/favicon.ico", nil, nil)
	if w.Code != http.StatusNoContent || w.Header().Get("Location") != "" || !strings.Contains(w.Header().Get("Cache-Control"), "max-age") {
		t.Fatalf("favicon.ico: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// get asks for target with headers, as lena when acc is set.
func (e *env) get(target string, acc *account, header ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	if acc != nil {
		r.AddCookie(&http.Cookie{Name: cookiePlain, Value: acc.Token})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestCompression: text answers are gzipped for a client that takes gzip,
// with Vary: Accept-Encoding whether or not they are; tiny answers and
// clients that do not ask get them as they are.
func TestCompression(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	for _, target := range []string{"/", "/static/app.css", "/static/app.js", "/static/chart.css", "/promises"} {
		plain := e.get(target, lena)
		zipped := e.get(target, lena, "Accept-Encoding", "br;q=1, gzip;q=0.8")
		if plain.Code != http.StatusOK || zipped.Code != http.StatusOK {
			t.Fatalf("%s: %d, %d", target, plain.Code, zipped.Code)
		}
		if plain.Header().Get("Content-Encoding") != "" || zipped.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q without gzip asked, %q with", target, plain.Header().Get("Content-Encoding"), zipped.Header().Get("Content-Encoding"))
			continue
		}
		for _, w := range []*httptest.ResponseRecorder{plain, zipped} {
			if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", target, w.Header().Get("Vary"))
			}
		}
		if zipped.Header().Get("Content-Length") != "" || zipped.Body.Len() >= plain.Body.Len() {
			t.Errorf("%s: Content-Length %q, %d bytes zipped from %d", target, zipped.Header().Get("Content-Length"), zipped.Body.Len(), plain.Body.Len())
		}
		got := gunzip(t, zipped.Body.Bytes())
		// The pages carry a fresh form token and request id each time.
		if strings.HasPrefix(target, "/static/") && got != plain.Body.String() {
			t.Errorf("%s: the gzipped body differs", target)
		} else if !strings.Contains(got, "</html>") && !strings.HasPrefix(target, "/static/") {
			t.Errorf("%s: the gzipped page is cut short", target)
		}
	}
	if w := e.get("/healthz", nil, "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "" || w.Body.String() != healthBody {
		t.Errorf("a tiny answer is gzipped: %q", w.Header().Get("Content-Encoding"))
	}
	if w := e.get("/static/app.css", nil, "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still gzipped")
	}
	if w := e.get("/favicon.ico", nil, "Accept-Encoding", "gzip"); w.Code != http.StatusNoContent || w.Body.Len() != 0 || w.Header().Get("Content-Encoding") != "" {
		t.Errorf("a 204 got a body or an encoding: %d %q", w.Body.Len(), w.Header().Get("Content-Encoding"))
	}
}

// TestStaticVersioned: pages link the static files by a hash of their
// content, which are cached for a year as immutable; the same file asked
// without its hash, or with an old one, is cached briefly.
func TestStaticVersioned(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	page := e.get("/", lena).Body.String()
	for _, name := range []string{"app.css", "chart.css", "app.js"} {
		m := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]{12,})"`).FindStringSubmatch(page)
		if m == nil {
			t.Errorf("the dashboard does not link %s with its hash", name)
			continue
		}
		w := e.get(m[1], nil)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", m[1], w.Code, w.Header().Get("Cache-Control"))
		}
		for _, other := range []string{"/static/" + name, "/static/" + name + "?v=0123456789abcdef"} {
			w := e.get(other, nil)
			if cc := w.Header().Get("Cache-Control"); w.Code != http.StatusOK || strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=300") {
				t.Errorf("%s: %d, Cache-Control %q", other, w.Code, cc)
			}
		}
	}
}
