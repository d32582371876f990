package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Page is what the layout needs; every page's data struct embeds it and is
// passed to render by pointer, so render can fill User, Flash and the
// request id.
type Page struct {
	Title     string   // "Dashboard": the <title> becomes "Dashboard · trustledger"
	Nav       string   // the current nav item: dashboard, log, promises, decisions, journal, settings, simulator, account
	User      *tl.User // nil on public pages
	Flash     string   // the confirmation of the last action, shown once
	FlashUndo string   // a POST path that undoes it ("" for none)
	// CSRF is empty: cross-site forms are refused by
	// http.CrossOriginProtection (Sec-Fetch-Site / Origin), so forms carry
	// no token. The field is kept so templates written against it work.
	CSRF      string
	Errors    FormErrors // field name → message, shown next to the field
	RequestID string     // shown on error pages
	Status    int        // the HTTP status being rendered
	// Refresh, in seconds, reloads the page when scripts are off (a
	// <noscript> meta refresh); with scripts, app.js polls instead.
	Refresh int
}

// FormErrors maps a form field's name to what is wrong with it. The key ""
// holds an error about the whole form.
type FormErrors map[string]string

func (p *Page) page() *Page { return p }

// pager is implemented by every struct that embeds Page.
type pager interface{ page() *Page }

// funcs are the template functions every page can use.
var funcs = template.FuncMap{
	// static is a static file's address with its content's hash.
	"static": staticURL,
	// The services' field limits (the root package's limits.go), for the
	// forms' maxlength and minlength: a form offers what the service takes.
	"maxName":     func() int { return tl.MaxNameLength },
	"maxText":     func() int { return tl.MaxTextLength },
	"maxNote":     func() int { return tl.MaxNoteLength },
	"maxQuestion": func() int { return tl.MaxQuestionLength },
	"maxComment":  func() int { return tl.MaxCommentLength },
	"maxEmail":    func() int { return tl.MaxEmailLength },
	"maxURL":      func() int { return tl.MaxURLLength },
	"maxZone":     func() int { return tl.MaxZoneLength },
	"minPassword": func() int { return tl.MinPasswordLength },
	// team names a team at the start of a line: "Your team" for the
	// default one (named "team"), "Team Platform" for the others.
	"team": func(name string) string {
		if name == tl.DefaultTeamName {
			return "Your team"
		}
		return "Team " + name
	},
	// A date kept as its midnight UTC, such as the Monday that names a
	// week (tl.WeekStartIn), is shown as it is, in any zone; date,
	// datetime and isodate show a moment in the viewer's zone
	// (zoneFuncs).
	"day":      func(t time.Time) string { return fmtDate(t) },
	"pct":      func(v float64) string { return fmtPct(v) },
	"num2":     func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	"dimname":  dimLabel,
	"quadname": quadLabel,
	"warnname": warnLabel,
	"kindname": kindLabel,
	"moveslug": moveSlug,
	"add":      func(a, b int) int { return a + b },
	"relkind":  relKindLabel,
	"sevs":     func() []string { return severities },
	"seq5":     func() []int { return []int{0, 1, 2, 3, 4} },
	"dict2":    func(it tl.PulseItem, sel map[string]int) scaleItem { return scaleItem{Item: it, Sel: sel} },

	// Plain words for what the model and the services name with
	// identifiers (plainwords.go).
	"teamname":  tl.TeamPhrase,
	"quadshort": quadShort,
	"warnshort": warnShort,
	"plural":    plural,
	"promiseto": promiseTo,
	// weekday writes a day the services name in lower case ("monday",
	// the value the form sends back) as people write it.
	"weekday": weekdayName,
}

// scaleItem is one 1–5 question with the answers chosen so far.
type scaleItem struct {
	Item tl.PulseItem
	Sel  map[string]int
}

// zoneFuncs are the template functions that show a moment (stored in
// UTC) in the zone loc of whoever reads the page (docs/MODEL.md, choice
// 39), and name that zone.
func zoneFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return fmtDateIn(t, loc) },
		"datetime": func(t time.Time) string { return fmtDateTimeIn(t, loc) },
		"isodate":  func(t time.Time) string { return isoDate(dayIn(t, loc)) },
		"zonename": func() string { return tl.ZoneName(loc) },
	}
}

// zonePages keeps the pages parsed once for each zone they have been shown
// in: a template's functions are fixed when it is parsed, and a page shows
// times in its reader's zone. There are a few hundred zones at most.
type zonePages struct {
	mu     sync.Mutex
	byZone map[string]map[string]*template.Template
}

// pagesIn returns the pages that show times in loc, parsing them the first
// time loc is asked for.
func (s *Server) pagesIn(loc *time.Location) (map[string]*template.Template, error) {
	if loc == nil || loc == time.UTC {
		return s.pages, nil
	}
	s.zoned.mu.Lock()
	defer s.zoned.mu.Unlock()
	name := tl.ZoneName(loc)
	if p, ok := s.zoned.byZone[name]; ok {
		return p, nil
	}
	p, err := parseTemplates(loc)
	if err != nil {
		return nil, err
	}
	if s.zoned.byZone == nil {
		s.zoned.byZone = map[string]map[string]*template.Template{}
	}
	s.zoned.byZone[name] = p
	return p, nil
}

// zoneOf is the zone the pages of u are shown in: its account's (UTC for
// nobody, or a name the zone database no longer knows).
func zoneOf(u *tl.User) *time.Location {
	if u == nil {
		return time.UTC
	}
	loc, err := tl.LoadZone(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// zone is the zone of the request's signed-in account: the dates its forms
// are read in and its pages show (UTC for pages without an account).
func (s *Server) zone(r *http.Request) *time.Location { return zoneOf(s.user(r)) }

// userOf is the signed-in account of a request's context (nil if none).
func userOf(ctx context.Context) *tl.User {
	u, _ := ctx.Value(ctxUser).(*tl.User)
	return u
}

// parseTemplates parses layout.html and partials.html once, then one clone
// per page file (every other *.html, including pages_*.html), keyed by the
// file name, with times shown in loc. A page file defines "content".
func parseTemplates(loc *time.Location) (map[string]*template.Template, error) {
	base, err := template.New("base").Funcs(funcs).Funcs(zoneFuncs(loc)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes the page named by its template file (e.g. "dashboard.html")
// inside the layout. data should be a pointer to a struct embedding Page.
// It renders into a buffer first, so a template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	u := s.user(r)
	if p, ok := data.(pager); ok {
		pg := p.page()
		if pg.User == nil {
			pg.User = s.user(r)
		}
		u = pg.User
		if pg.Flash == "" {
			pg.Flash, pg.FlashUndo = s.takeFlash(w, r)
		}
		pg.RequestID = requestID(r)
		pg.Status = status
		if pg.Errors == nil {
			pg.Errors = FormErrors{}
		}
	}
	pages, err := s.pagesIn(zoneOf(u))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	t, ok := pages[name]
	if !ok {
		s.internal(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.internal(w, r, fmt.Errorf("web: render %s: %w", name, err))
		return
	}
	s.writePage(w, status, buf.Bytes())
}

// writePage sends a rendered page.
func (s *Server) writePage(w http.ResponseWriter, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	w.Write(page)
}

// errorPage is the data of error.html.
type errorPage struct {
	Page
	Message string
}

// fail answers a request whose action failed: EINVALID 400 (forms re-render
// with 422 through formFail instead), ENOTFOUND 404, ECONFLICT 409,
// EFORBIDDEN 403, EUNAUTHORIZED a redirect to /login, ERATELIMIT 429 with
// Retry-After, EUNAVAILABLE 503 with Retry-After (the database is down or
// full: logged as a warning), anything else 500 with a generic message and
// the request id, logged once as an error. A request whose client hung up
// gets no answer and is logged as such (clientGone).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "That form was too large: send less than 1 MB.")
		return
	}
	code := tl.ErrorCode(err)
	switch code {
	case tl.EUNAUTHORIZED:
		s.clearSession(w, r)
		s.toLogin(w, r)
		return
	case tl.ERATELIMIT:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(err)))
	case tl.EUNAVAILABLE:
		if s.gone(w, r, err) {
			return
		}
		s.logger(r).Warn("database unavailable", "method", r.Method, "path", redactPath(r.URL.Path), "op", opOf(err, r), "err", tl.ErrorCause(err))
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(err)))
		w.Header().Set("Cache-Control", "no-store")
	case tl.EINTERNAL:
		s.internal(w, r, err)
		return
	}
	s.renderError(w, r, tl.HTTPStatus(code), tl.ErrorMessage(err))
}

// retryAfterSeconds is the error's RetryAfter rounded up, at least 1.
func retryAfterSeconds(err error) int {
	var e *tl.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return int(math.Ceil(e.RetryAfter.Seconds()))
	}
	return 60
}

// internal logs an unexpected error once, with the operation that failed
// (the error's, else the route's) and the cause, and shows a generic page.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if s.gone(w, r, err) {
		return
	}
	s.logger(r).Error("internal error", "method", r.Method, "path", r.URL.Path, "op", opOf(err, r), "err", err)
	s.renderError(w, r, http.StatusInternalServerError,
		"Something went wrong on our side. It has been logged; quote request "+requestID(r)+" if you report it.")
}

// opOf is the operation that failed, the error's or else the route's.
func opOf(err error, r *http.Request) string {
	if op := tl.ErrorOp(err); op != "" {
		return op
	}
	return r.Pattern
}

// gone handles a failure that came from the client hanging up (its
// context cancelled): logged as information, the status statusClientGone
// recorded for the request line and the metrics, nothing sent. It reports
// whether it did.
func (s *Server) gone(w http.ResponseWriter, r *http.Request, err error) bool {
	if !clientGone(r) {
		return false
	}
	if quietPath(r.URL.Path) {
		// Not a failure, so not logged: a line with a time would say
		// when someone was answering (docs/ANONYMITY.md, rule 3).
		w.WriteHeader(statusClientGone)
		return true
	}
	s.logger(r).Info("client went away", "method", r.Method, "path", redactPath(r.URL.Path), "op", opOf(err, r), "err", tl.ErrorCause(err))
	w.WriteHeader(statusClientGone)
	return true
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := &errorPage{Page: Page{Title: http.StatusText(status)}, Message: msg}
	d.User = s.user(r)
	var t *template.Template
	if pages, err := s.pagesIn(zoneOf(d.User)); err == nil {
		t = pages["error.html"]
	}
	var buf bytes.Buffer
	d.RequestID = requestID(r)
	d.Status = status
	d.Errors = FormErrors{}
	if t == nil || t.ExecuteTemplate(&buf, "layout", d) != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// formFail re-renders a form with the input kept: an EINVALID error goes
// next to field with status 422, and so does an ENOTFOUND one that names
// an input (a team typed that does not exist; an id in the URL names
// none, and is a 404); an ECONFLICT one (a name taken, a step already
// accepted) with 409; any other error goes to fail.
func (s *Server) formFail(w http.ResponseWriter, r *http.Request, err error, name string, data pager, field string) {
	status := http.StatusUnprocessableEntity
	switch tl.ErrorCode(err) {
	case tl.EINVALID:
	case tl.ENOTFOUND:
		if tl.ErrorField(err) == "" {
			s.fail(w, r, err)
			return
		}
	case tl.ECONFLICT:
		status = http.StatusConflict
	default:
		s.fail(w, r, err)
		return
	}
	p := data.page()
	if p.Errors == nil {
		p.Errors = FormErrors{}
	}
	p.Errors[field] = tl.ErrorMessage(err)
	s.render(w, r, status, name, data)
}

// redirect ends a successful POST (303 See Other).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// Formatting shared by templates and handlers. fmtDate and isoDate write
// a date kept as its midnight UTC (a week's name, a day a form gave, what
// dayIn returns); fmtDateIn and fmtDateTimeIn write a moment in a zone.

func fmtDate(t time.Time) string { return fmtDateIn(t, time.UTC) }

func fmtDateIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 2006")
}

func fmtDateTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func fmtPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.Itoa(int(math.Round(v*100))) + "%"
}

// dimWords names the three dimensions in the article's words.
var dimWords = [engine.NumDims]string{
	"Ability: can deliver",
	"Benevolence: acts in my interest",
	"Integrity: keeps their word",
}

func dimLabel(d engine.Dim) string {
	if d < 0 || int(d) >= engine.NumDims {
		return d.String()
	}
	return dimWords[d]
}

var quadWords = map[engine.Quadrant]string{
	engine.Influence:    "Influence: power and trust together",
	engine.Compliance:   "Compliance: power outpaces trust",
	engine.Goodwill:     "Goodwill: trust without power",
	engine.Unanchored:   "Neither yet: little power and little trust",
	engine.Undetermined: "Too early to tell: trust is not clearly high or low yet",
}

func quadLabel(q engine.Quadrant) string {
	if s, ok := quadWords[q]; ok {
		return s
	}
	return string(q)
}

func warnLabel(w string) string {
	switch w {
	case engine.WarnFearRisk:
		return "Fear risk: strong power to punish while they doubt you act in their interest"
	case engine.WarnCommandHeavy:
		return "Mostly orders: most recent entries are orders, not persuasion"
	}
	return w
}

func kindLabel(k engine.Kind) string {
	return strings.ReplaceAll(string(k), "-", " ")
}
