package web

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
)

// secureRequest reports whether cookies set on this response may carry the
// Secure attribute (and so the __Host- prefix): over TLS, when configured,
// and on loopback hosts, which browsers treat as secure origins.
func (s *Server) secureRequest(r *http.Request) bool {
	return s.secure || overTLS(r) || loopbackHost(r.Host)
}

// loopbackHost reports whether host (from the Host header, maybe with a
// port) is localhost or a loopback address. Chromium and Firefox keep
// Secure and __Host- cookies set by http://127.0.0.1 and http://localhost
// (checked with Debian's Chromium: both names come back), but refuse them
// from any other plain-http origin.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) cookieName(r *http.Request) string {
	if s.secureRequest(r) {
		return cookieSecure
	}
	return cookiePlain
}

// sessionToken reads the session cookie of this request's mode; a cookie
// of the other name is ignored so that a plain-http cookie never
// authenticates a TLS request.
func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(r),
		Value:    token,
		Path:     "/",
		MaxAge:   int(tl.SessionAbsoluteTimeout / time.Second),
		HttpOnly: true,
		Secure:   s.secureRequest(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(r),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secureRequest(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// flashMsg is the confirmation shown once on the page a POST redirects to.
type flashMsg struct {
	M string `json:"m"`
	U string `json:"u,omitempty"` // POST URL that undoes the action
}

// flash stores a confirmation to show once on the next page (303 after a
// POST). It lives in a short cookie, never in the URL, so a reload or a
// shared link does not repeat it.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, msg string) {
	s.flashUndo(w, r, msg, "")
}

// flashUndo is flash with an Undo button that POSTs to undo (a local path,
// e.g. "/ledger/ID/reverse").
func (s *Server) flashUndo(w http.ResponseWriter, r *http.Request, msg, undo string) {
	b, _ := json.Marshal(flashMsg{M: msg, U: undo})
	http.SetCookie(w, &http.Cookie{
		Name:     cookieFlash,
		Value:    base64.RawURLEncoding.EncodeToString(b),
		Path:     "/",
		MaxAge:   120,
		HttpOnly: true,
		Secure:   s.secureRequest(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash reads and clears the pending confirmation.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (msg, undo string) {
	c, err := r.Cookie(cookieFlash)
	if err != nil {
		return "", ""
	}
	http.SetCookie(w, &http.Cookie{Name: cookieFlash, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return "", ""
	}
	var f flashMsg
	if json.Unmarshal(b, &f) != nil {
		return "", ""
	}
	if !localPath(f.U) {
		f.U = ""
	}
	return f.M, f.U
}

// localPath accepts only same-site absolute paths, for redirects and undo
// targets taken from the client. Browsers drop tabs and newlines from a
// URL, read backslashes as slashes and trim spaces and controls (the
// WHATWG URL standard), so "/\t/host" or "/\\host" would take them to
// another site: any control, format or space character and any backslash
// is refused outright, and what is left must parse as a path alone (no
// scheme, host or user) whose decoded form has no empty or dot segment,
// so neither "//host" nor "/%2F/host" nor "/.//host" gets through.
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if r == '\\' || r == ' ' || !unicode.IsPrint(r) {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	segs := strings.Split(u.Path[1:], "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i < len(segs)-1) {
			return false
		}
		for _, r := range seg {
			if r == '\\' || !unicode.IsPrint(r) {
				return false
			}
		}
	}
	return true
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
