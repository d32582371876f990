package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	tl "github.com/trustledger/trustledger"
)

// Metrics are what /metrics exposes, on registries of their own: request
// latency by route pattern (never the raw path, which would hold ids and
// tokens), the mail outbox's depth, and runs of the background jobs.
//
// Nothing here may tell a reader when a team member answered
// (docs/ANONYMITY.md, rule 3): requests to the respondent routes are not
// observed at all (see quietPath), no series is labelled by pulse,
// person or decision, and the mail worker's outcomes do not tell a
// message sent from one no longer needed. The Go and process metrics,
// which move with every request including the unobserved ones, are only
// on the operator's listener (HTTPServer), not on the app's /metrics.
type Metrics struct {
	reg      *prometheus.Registry // the app's own series
	runtime  *prometheus.Registry // Go and process: the operator's listener only
	requests *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
}

// NewMetrics builds the registries. depth, when not nil, reports how many
// messages wait in the outbox; it is read at every scrape.
func NewMetrics(depth func(context.Context) (int, error)) *Metrics {
	m := &Metrics{
		reg:     prometheus.NewRegistry(),
		runtime: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trustledger_http_request_duration_seconds",
			Help:    "Time to serve a request, by method, route pattern and status class; requests of team members answering are not counted.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route", "code"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trustledger_job_runs_total",
			Help: "Background job runs and their outcomes (tick: overdue promises and due pulses; mail and webhook: messages handled).",
		}, []string{"job", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.jobs, buildInfo())
	m.runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if depth != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trustledger_outbox_depth",
			Help: "Mail messages waiting to be sent.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := depth(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

// WriteLanes adds the share of the database's write lanes that this
// instance runs and the instances it shares them with (the store's
// share.go), read at every scrape: the operator's check that instances
// found each other.
func (m *Metrics) WriteLanes(stats func() (lanes, instances int)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trustledger_db_write_lanes",
			Help: "Write transactions this instance may run at once: its share of --db-write-lanes.",
		}, func() float64 { l, _ := stats(); return float64(l) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trustledger_db_instances",
			Help: "Instances on the database at the last count, this one too, which share --db-write-lanes.",
		}, func() float64 { _, n := stats(); return float64(n) }),
	)
}

// Job counts one run of a background job with its outcome.
func (m *Metrics) Job(job, outcome string) {
	if m != nil {
		m.jobs.WithLabelValues(job, outcome).Inc()
	}
}

// observe records one request.
func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	// A pattern of net/http's mux names its method ("GET /people/{id}"),
	// which is a label of its own: the route is the path pattern alone.
	if _, path, ok := strings.Cut(route, " "); ok {
		route = path
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// Mail counts one message handled by the mail worker. Sent, and dropped
// as no longer needed, count alike as "done": a pulse's mail is no longer
// needed once its member has answered, so telling the two apart after a
// reminder would count the answers.
func (m *Metrics) Mail(outcome string) {
	if outcome == "sent" || outcome == "dropped" {
		outcome = "done"
	}
	m.Job("mail", outcome)
}

// handler serves the app's series, for owners and admins on the app's
// own address.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Handler serves every series, the Go and process metrics too, without
// asking who reads them: it is for the operator's own listener
// (HTTPServer), bound to an address only the monitoring can reach.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{m.reg, m.runtime}, promhttp.HandlerOpts{Registry: m.reg}))
	return mux
}

// HTTPServer is the operator's metrics listener (serve --metrics-addr):
// /metrics without signing in, and nothing else, with the same timeouts
// as the app's server.
func (m *Metrics) HTTPServer(addr string, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           m.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// metricsPage is /metrics on the app's address. Only an owner or admin
// reads it, signed in or with an API token of theirs (for Prometheus);
// anyone else gets the page-not-found answer, so probing does not even
// show it is there.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	if !s.mayReadMetrics(r) {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.handler().ServeHTTP(w, r)
}

// mayReadMetrics: the signed-in user, or the user of the request's bearer
// token, administers the installation.
func (s *Server) mayReadMetrics(r *http.Request) bool {
	if administers(s.user(r)) {
		return true
	}
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return false
	}
	u, _, err := s.svc.TokenUser(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		if tl.ErrorCode(err) != tl.EUNAUTHORIZED {
			s.logger(r).Warn("metrics: checking a token", "err", err)
		}
		return false
	}
	return administers(u)
}
