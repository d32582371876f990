package web

import (
	"bufio"
	"compress/gzip"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minGzip is the smallest body worth compressing: below it the gzip
// header and trailer (18 bytes) and the work outweigh what is saved.
const minGzip = 1024

// compressible reports whether a Content-Type is text that gzip shrinks:
// pages, style sheets, scripts, JSON, SVG, plain text and calendars.
// Images, archives and other binary types are compressed already.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false // streamed, and read as it arrives
	case strings.HasPrefix(mt, "text/"), mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/javascript", mt == "image/svg+xml", strings.HasSuffix(mt, "+xml"), mt == "application/xml", mt == "application/yaml":
		return true
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding names gzip (or *) with a
// weight above zero (RFC 9110, 12.5.3).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "*" && name != "x-gzip" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// gzipResponse compresses a text answer when the client takes gzip and
// the body is at least minGzip bytes: it holds back the first bytes until
// it knows which. Every text answer gets Vary: Accept-Encoding, so a
// cache keeps the two forms apart.
type gzipResponse struct {
	http.ResponseWriter
	r       *http.Request
	status  int
	buf     []byte
	gz      *gzip.Writer
	decided bool // headers sent: through gz, or as they are
}

func (g *gzipResponse) WriteHeader(code int) {
	if g.decided || g.status != 0 {
		return
	}
	if code < 200 {
		g.ResponseWriter.WriteHeader(code) // an informational answer: pass it on
		return
	}
	g.status = code
	h := g.Header()
	if code == http.StatusNoContent || code == http.StatusNotModified || g.r.Method == http.MethodHead ||
		h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) {
		g.pass()
		return
	}
	h.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(g.r) {
		g.pass()
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < minGzip {
		g.pass()
	}
}

// pass sends the headers as they are; the body follows unchanged.
func (g *gzipResponse) pass() {
	g.decided = true
	g.ResponseWriter.WriteHeader(g.status)
}

func (g *gzipResponse) Write(b []byte) (int, error) {
	if g.status == 0 {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	if g.decided {
		return g.ResponseWriter.Write(b)
	}
	g.buf = append(g.buf, b...)
	if len(g.buf) >= minGzip {
		if err := g.start(); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// start sends the headers for a gzipped body and what was held back.
func (g *gzipResponse) start() error {
	h := g.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	g.decided = true
	g.ResponseWriter.WriteHeader(g.status)
	g.gz = gzipWriters.Get().(*gzip.Writer)
	g.gz.Reset(g.ResponseWriter)
	buf := g.buf
	g.buf = nil
	_, err := g.gz.Write(buf)
	return err
}

// finish ends the answer: a held-back body too small to compress goes as
// it is; a gzip stream gets its trailer.
func (g *gzipResponse) finish() {
	switch {
	case g.gz != nil:
		g.gz.Close()
		g.gz.Reset(nil)
		gzipWriters.Put(g.gz)
		g.gz = nil
	case !g.decided && g.status != 0:
		g.Header().Set("Content-Length", strconv.Itoa(len(g.buf)))
		g.pass()
		g.ResponseWriter.Write(g.buf)
	}
}

// Flush sends what is held back, compressed: a body still held back after
// WriteHeader is one WriteHeader chose to compress.
func (g *gzipResponse) Flush() {
	if !g.decided && g.status != 0 {
		g.start()
	}
	if g.gz != nil {
		g.gz.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

func (g *gzipResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(g.ResponseWriter).Hijack()
}

func (g *gzipResponse) Unwrap() http.ResponseWriter { return g.ResponseWriter }
