package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/allow"
)

type ctxKey int

const (
	ctxUser ctxKey = iota
	ctxToken
	ctxRequestID
	ctxLogger
)

// The session cookie is "__Host-trustledger" with Secure whenever the
// browser will keep it: over TLS, on loopback hosts (127.0.0.1, ::1,
// localhost: browsers treat them as secure origins), or with
// Config.SecureCookies behind a TLS proxy. Elsewhere over plain http a
// browser drops Secure cookies, so it is "trustledger" without Secure.
// Both are HttpOnly, SameSite=Lax, Path=/ and carry no Domain.
const (
	cookieSecure = "__Host-trustledger"
	cookiePlain  = "trustledger"
	cookieFlash  = "trustledger-flash"
)

// statusClientGone is the status the request log and the metrics give a
// request whose client hung up before its answer was ready (nginx's 499).
// Nothing is sent for it.
const statusClientGone = 499

// statusWriter records the status for the request log line. An answer for
// a client that has hung up is not sent: statusClientGone, or a failure
// (5xx) once the request's context is cancelled.
type statusWriter struct {
	http.ResponseWriter
	r       *http.Request
	status  int
	bytes   int
	dropped bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.dropped = code == statusClientGone || code >= 500 && clientGone(w.r)
	}
	if w.dropped {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.dropped {
		return len(b), nil
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// middleware wraps the mux in what every response needs, outermost first:
// security headers and a request id, the body cap, cross-origin protection
// for unsafe methods, and the session gate.
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, tl.Errorf(tl.EFORBIDDEN, "this form was sent from another site; open trustledger and try again"))
	}))
	gated := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.gate(mux, w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = s.fromProxy(r) // the client behind a trusted proxy (proxy.go)
		id := newRequestID()
		quiet := quietPath(r.URL.Path)
		log := s.log
		if quiet {
			log = slog.New(quietHandler{log.Handler()})
		}
		log = log.With("request_id", id)
		ctx := context.WithValue(r.Context(), ctxRequestID, id)
		ctx = context.WithValue(ctx, ctxLogger, log)
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w, r: r}
		// Text answers are gzipped for clients that take it (compress.go).
		gw := &gzipResponse{ResponseWriter: sw, r: r}
		var route string
		if s.api != nil && strings.HasPrefix(r.URL.Path, apiPrefix) {
			// The JSON API authenticates with bearer tokens, not the
			// session cookie, so cross-origin protection and the session
			// gate do not apply; it caps bodies itself.
			s.api.ServeHTTP(gw, r)
			route = s.api.Pattern(r)
		} else {
			if r.Body != nil {
				limit := s.maxBody
				if strings.HasPrefix(r.URL.Path, "/roster") {
					limit = maxRosterForm // a roster file, and its text sent back to import
				}
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			gated.ServeHTTP(gw, r)
			if _, route = mux.Handler(r); route == "" {
				// A page not found, or a known path asked with another
				// method: counted under "/", as a catch-all route would be,
				// so "unmatched" stays for the quiet routes' failures.
				route = "/"
			}
		}
		gw.finish()
		status := sw.status
		if status >= 500 && clientGone(r) {
			// Whatever failed, it failed because the client left: not an
			// error of the server's (s.fail says so in the log).
			status = statusClientGone
		}
		if quiet {
			// Neither counted nor logged: either would tell when someone
			// opened a link, answered or reacted. A failure is logged by
			// its route pattern alone, for the operator to see it happen.
			if status >= 500 {
				if route == "" {
					route = "unmatched"
				}
				log.Info("request", "route", route, "status", status)
			}
			return
		}
		s.metrics.observe(r.Method, route, status, time.Since(start))
		log.Info("request", "method", r.Method, "path", redactPath(r.URL.Path), "client", clientHost(r.RemoteAddr), "status", status,
			"bytes", sw.bytes, "duration_ms", time.Since(start).Milliseconds())
	})
}

// gate loads the session, then sends requests for pages that need one to
// /login (or to /signup while no account exists).
func (s *Server) gate(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	h, pattern := mux.Handler(r)
	// The probes answer for the process and its database, whoever asks:
	// a session cookie sent along is not looked up (that needs the
	// database, which /readyz reports on).
	if token := s.sessionToken(r); token != "" && !probeRoutes[pattern] {
		u, err := s.svc.SessionUser(r.Context(), token)
		switch {
		case err == nil:
			ctx := context.WithValue(r.Context(), ctxUser, u)
			ctx = context.WithValue(ctx, ctxToken, token)
			ctx = context.WithValue(ctx, ctxLogger, s.logger(r).With("user_id", u.ID))
			r = r.WithContext(ctx)
		case tl.ErrorCode(err) == tl.EUNAUTHORIZED:
			s.clearSession(w, r) // expired or unknown: forget it
		default:
			s.fail(w, r, err)
			return
		}
	}
	if pattern == "" {
		// No route: a known path asked with another method is 405 with
		// Allow (RFC 9110, 15.5.6), which the mux's own answer carries;
		// an unknown path is not found, behind the session gate below.
		if methods := allow.Methods(h, r); methods != "" {
			w.Header().Set("Allow", methods)
			w.Header().Set("Cache-Control", "no-store")
			s.renderError(w, r, http.StatusMethodNotAllowed,
				"This address does not take "+r.Method+" requests: it takes "+methods+".")
			return
		}
	}
	if !s.public[pattern] && !strings.HasPrefix(r.URL.Path, "/static/") {
		w.Header().Set("Cache-Control", "no-store")
		if s.user(r) == nil {
			s.toLogin(w, r)
			return
		}
		if u := s.user(r); u.Role == tl.RoleMember && !memberPaths[pattern] {
			// A team member keeps no trust accounts: their pages are the
			// window on their leaders and their account.
			http.Redirect(w, r, "/window", http.StatusSeeOther)
			return
		}
	} else if s.user(r) != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	if pattern == "" {
		s.notFound(w, r)
		return
	}
	mux.ServeHTTP(w, r)
}

// probeRoutes are the health and readiness checks of load balancers.
var probeRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true}

// clientGone reports whether the client of r hung up: its context was
// cancelled before the handler was done.
func clientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// toLogin redirects to /signup while the installation has no account and
// to /login otherwise, remembering where the user was going.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if has, err := s.svc.HasUsers(r.Context()); err == nil && !has {
		http.Redirect(w, r, "/signup", http.StatusSeeOther)
		return
	}
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + urlQueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// user is the signed-in user, or nil on public pages without a session.
func (s *Server) user(r *http.Request) *tl.User {
	u, _ := r.Context().Value(ctxUser).(*tl.User)
	return u
}

// leader is the LeaderID every Service call of this request acts for.
func (s *Server) leader(r *http.Request) string {
	if u := s.user(r); u != nil {
		return u.LeaderID
	}
	return ""
}

// requestID is the id in the X-Request-Id header and every log line.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(ctxRequestID).(string)
	return id
}

// logger is the request's logger, carrying request_id (and user_id).
func (s *Server) logger(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(ctxLogger).(*slog.Logger); ok {
		return l
	}
	return s.log
}

// tokenPaths are the routes whose last segment is a secret token (a pulse,
// check-in, window, invitation, calendar or address-confirmation link, a
// weekly email's step or unsubscribe link): the request log writes "…"
// for it. The first three are quiet (see quietPath) and reach the log only
// through a failure, without a path.
var tokenPaths = []string{"/p/", "/c/", "/w/", "/invite/", "/calendar/", "/v/", "/d/", "/u/"}

// redactPath keeps tokens out of the logs.
func redactPath(p string) string {
	for _, pre := range tokenPaths {
		if strings.HasPrefix(p, pre) && len(p) > len(pre) {
			return pre + "…"
		}
	}
	return p
}

// respondentPaths are where team members answer, without an account or
// as a member: a pulse, check-in or window link, and the token-free pages
// it leads to (/answer and its thank-you page, /checkin, /window and its
// confirm and react forms). Each entry covers the path and everything
// under it, whether a route matches or not.
var respondentPaths = []string{"/p", "/c", "/w", "/answer", "/checkin", "/window"}

// quietPath reports whether a request for p is left out of the metrics
// and, unless it fails, out of the request log (docs/ANONYMITY.md, rule
// 3): the respondent routes, and the static files every page loads, the
// answer pages too, which would otherwise show each answer page as a
// burst of stylesheet and script requests without a page.
func quietPath(p string) bool {
	if strings.HasPrefix(p, "/static/") {
		return true
	}
	for _, pre := range respondentPaths {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}

// quietHandler is the log of a quiet request: lines keep their message,
// level, request id and error, and lose every attribute that comes from
// the request (its path, which may hold a token, its method, the account
// signed in, the client's address), so a failure says only which route
// failed.
type quietHandler struct{ slog.Handler }

// quietDrops are the attributes a quiet request's log lines never carry.
var quietDrops = map[string]bool{"path": true, "method": true, "user_id": true, "client": true}

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if !quietDrops[a.Key] {
			out.AddAttrs(a)
		}
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var keep []slog.Attr
	for _, a := range as {
		if !quietDrops[a.Key] {
			keep = append(keep, a)
		}
	}
	return quietHandler{h.Handler.WithAttrs(keep)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// memberPaths are the signed-in routes a team member (role member) uses;
// every other page belongs to those who lead.
var memberPaths = map[string]bool{
	"GET /account": true, "POST /account/password": true, "POST /logout": true,
	"POST /account/tokens": true, "POST /account/tokens/{id}/revoke": true,
}
