package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	tl "github.com/trustledger/trustledger"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the web app needs from its caller (the serve command, or
// a test).
type Config struct {
	// Service is every service the pages call (usually an *app.App).
	Service tl.Services
	// Logger receives one line per request and every internal error with
	// its request id. nil discards.
	Logger *slog.Logger
	// Now is the clock used for defaults shown in forms ("when: today")
	// and the dashboard's due windows. nil means time.Now.
	Now func() time.Time
	// ScenarioDir holds the shipped scenario files the simulator page
	// offers ("" offers none).
	ScenarioDir string
	// Metrics is exposed at /metrics; nil makes a registry without the
	// outbox depth.
	Metrics *Metrics
	// Ready reports whether the app can serve (the database answers), for
	// /readyz; nil is always ready.
	Ready func(context.Context) error
	// Demo marks a demo installation (the login page says so).
	Demo bool
	// SecureCookies forces the Secure attribute and the __Host- cookie
	// name even on plain-http requests, for deployments behind a
	// TLS-terminating proxy. Requests that arrive over TLS always get them.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (ParseTrustedProxies); from any other
	// peer they are ignored. nil trusts none.
	TrustedProxies []netip.Prefix
	// API serves the JSON API under /api/ (internal/api); nil serves none.
	API APIHandler
	// OIDC turns on sign-in with OpenID Connect beside passwords; nil
	// leaves passwords only.
	OIDC *OIDCConfig
	// Writes counts the writes done through the database handle
	// (store.DB.WriteStats); with it a user's dashboard is reused until
	// the count moves or a few seconds pass. nil renders every time.
	Writes func() int64
}

// APIHandler is the JSON API as the web app mounts it.
type APIHandler interface {
	http.Handler
	// Pattern is the route pattern that serves r, for metrics.
	Pattern(r *http.Request) string
}

// apiPrefix is the path under which requests go to Config.API.
const apiPrefix = "/api/"

// Server is the web app: one http.Handler over the services, with the
// templates parsed once at start.
type Server struct {
	svc     tl.Services
	log     *slog.Logger
	now     func() time.Time
	scenDir string
	demo    bool
	secure  bool
	proxies []netip.Prefix
	pages   map[string]*template.Template // times shown in UTC
	zoned   zonePages                     // and in other zones (pagesIn)
	mux     *http.ServeMux
	public  map[string]bool // route patterns served without a session
	handler http.Handler
	maxBody int64
	metrics *Metrics
	ready   func(context.Context) error
	api     APIHandler
	oidc    *oidcClient
	writes  func() int64
	dash    pageCache
}

// maxFormBytes caps every request body. Forms are tiny; a
// scenario upload is a few kilobytes.
const maxFormBytes = 1 << 20

// New parses the templates and builds the routes. It fails only when a
// template does not parse, which is a programming error caught by tests.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil {
		return nil, errors.New("web: Config needs Service")
	}
	s := &Server{
		svc:     cfg.Service,
		log:     cfg.Logger,
		now:     cfg.Now,
		scenDir: cfg.ScenarioDir,
		demo:    cfg.Demo,
		secure:  cfg.SecureCookies,
		proxies: cfg.TrustedProxies,
		public:  map[string]bool{},
		maxBody: maxFormBytes,
		metrics: cfg.Metrics,
		ready:   cfg.Ready,
		api:     cfg.API,
		writes:  cfg.Writes,
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(nil)
	}
	oc, err := newOIDCClient(cfg.OIDC)
	if err != nil {
		return nil, err
	}
	s.oidc = oc
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	pages, err := parseTemplates(time.UTC)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.mux = http.NewServeMux()
	s.routes(s.mux)
	s.handler = s.middleware(s.mux)
	return s, nil
}

// Handler is the whole app: security headers, request ids, body caps,
// cross-origin protection, sessions and the routes.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer wraps Handler in an http.Server with every timeout set, so a
// slow client cannot hold a connection open.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// handlePublic registers a route that works without a session (login,
// signup, invitations, static files).
func (s *Server) handlePublic(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.public[pattern] = true
	mux.HandleFunc(pattern, h)
}

// routes registers every route of the app. Routes registered on mux
// directly need a session; handlePublic marks the few that do not.
func (s *Server) routes(mux *http.ServeMux) {
	s.handlePublic(mux, "GET /static/", s.static)
	s.handlePublic(mux, "GET /robots.txt", s.robots)
	s.handlePublic(mux, "GET /favicon.ico", s.favicon)
	s.handlePublic(mux, "GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, healthBody) // "ok", then the build (build.go)
	})
	s.handlePublic(mux, "GET /readyz", s.readyz)
	// Public so the gate does not send strangers to the login page: the
	// page itself answers "not found" to all but owners and admins.
	s.handlePublic(mux, "GET /metrics", s.metricsPage)
	s.handlePublic(mux, "GET /login", s.loginForm)
	s.handlePublic(mux, "POST /login", s.loginSubmit)
	s.handlePublic(mux, "GET /signup", s.signupForm)
	s.handlePublic(mux, "POST /signup", s.signupSubmit)
	s.handlePublic(mux, "GET /invite/{token}", s.inviteForm)
	s.handlePublic(mux, "POST /invite/{token}", s.inviteSubmit)
	s.registerOIDC(mux)

	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/password", s.passwordSubmit)
	mux.HandleFunc("POST /account/time-zone", s.zoneSubmit)
	mux.HandleFunc("POST /account/tokens", s.tokenCreate)
	mux.HandleFunc("POST /account/tokens/{id}/revoke", s.tokenRevoke)
	mux.HandleFunc("GET /invitations", s.invitationsPage)
	mux.HandleFunc("POST /invitations", s.invitationsSubmit)

	mux.HandleFunc("GET /{$}", s.dashboard)
	mux.HandleFunc("POST /week/accept", s.weekAccept)
	mux.HandleFunc("POST /week/close", s.weekClose)
	mux.HandleFunc("POST /people", s.peopleAdd)
	mux.HandleFunc("GET /people/{id}", s.personPage)
	s.registerVoice(mux)
	s.registerWeeklyMail(mux)
	s.registerCoaching(mux)
	mux.HandleFunc("POST /people/{id}/power", s.personPower)
	mux.HandleFunc("GET /log", s.logForm)
	mux.HandleFunc("POST /log", s.logSubmit)
	mux.HandleFunc("POST /log/apology", s.apologySubmit)
	mux.HandleFunc("GET /moves", s.movesPage)
	mux.HandleFunc("POST /ledger/{id}/reverse", s.reverse)

	// No catch-all "/" route: it would match every method, and the mux
	// could not answer 405 with Allow for a known path asked with another
	// method. gate answers what no route matches (notFound, or 405).

	s.registerPages(mux)
}

// notFound is the answer for a page that is not there, and for one a
// visitor may not know is there (/metrics).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "there is no page at %s", r.URL.Path))
}

// readyz answers 200 when the database answers and can take a write, 503
// otherwise with why, in a line (for load balancers: an instance that
// cannot reach its database, or whose database is full, takes no traffic;
// docs/OPERATIONS.md). Only an EUNAVAILABLE error's sentence is shown: any
// other cause stays in the log.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			why := "the database does not answer"
			if tl.ErrorCode(err) == tl.EUNAVAILABLE {
				why = tl.ErrorMessage(err)
			}
			s.logger(r).Warn("not ready", "why", why, "err", tl.ErrorCause(err))
			retry := 5 // seconds: a load balancer asks again anyway
			if tl.ErrorCode(err) == tl.EUNAVAILABLE {
				retry = retryAfterSeconds(err)
			}
			w.Header().Set("Retry-After", strconv.Itoa(retry))
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready: "+why+"\n")
			return
		}
	}
	io.WriteString(w, "ready\n")
}
