package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are what /metrics exposes, on a registry of their own:
// request latency by route pattern (never the raw path, which would hold
// ids and tokens), the mail outbox's depth, and runs of the background
// jobs.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
}

// NewMetrics builds the registry. depth, when not nil, reports how many
// messages wait in the outbox; it is read at every scrape.
func NewMetrics(depth func(context.Context) (int, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trustledger_http_request_duration_seconds",
			Help:    "Time to serve a request, by method, route pattern and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route", "code"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trustledger_job_runs_total",
			Help: "Background job runs and their outcomes (tick: overdue promises and due pulses; mail: messages handled).",
		}, []string{"job", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.jobs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
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
	m.requests.WithLabelValues(method, route, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
