package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/api"
)

// TestMetricsAndReadiness: /metrics labels requests by route pattern,
// never by path (no ids or tokens), leaves out the respondent routes, and
// shows the outbox depth, the write lanes' share and job runs; /readyz follows the database.
// Who may read /metrics is TestAttackMetricsWhileOpen's.
func TestMetricsAndReadiness(t *testing.T) {
	e := newEnv(t)
	depth := 3
	var down error
	m := NewMetrics(func(context.Context) (int, error) { return depth, nil })
	m.WriteLanes(func() (int, int) { return 2, 3 })
	srv, err := New(Config{Service: e.app, Now: e.clk.Now, Metrics: m,
		Ready: func(context.Context) error { return down }})
	must(t, err)
	e.h, e.srv = srv.Handler(), srv
	lena := e.owner("Lena", "lena@example.org")
	e.do("GET", "/", nil, lena)
	e.do("GET", "/people/01ABCDEFGHJKMNPQRSTVWXYZ00", nil, lena)
	e.do("GET", "/p/SECRETTOKENSECRETTOKEN1234", nil, nil)
	m.Job("tick", "ok")

	body := e.do("GET", "/metrics", nil, lena).Body.String()
	for _, want := range []string{
		`trustledger_http_request_duration_seconds_count{code="2xx",method="GET",route="/{$}"} 1`,
		`route="/people/{id}"`,
		`trustledger_outbox_depth 3`, `trustledger_job_runs_total{job="tick",outcome="ok"} 1`,
		"trustledger_db_write_lanes 2", "trustledger_db_instances 3",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leak := range []string{"01ABCDEFGHJKMNPQRSTVWXYZ00", "SECRETTOKEN", `route="/p/{token}"`} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics holds %q (a raw path part, or a respondent route)", leak)
		}
	}
	if w := e.do("GET", "/readyz", nil, nil); w.Code != http.StatusOK {
		t.Fatalf("readyz: %d", w.Code)
	}
	down = errors.New("connection refused")
	if w := e.do("GET", "/readyz", nil, nil); w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "refused") {
		t.Fatalf("readyz with the database down: %d %q", w.Code, w.Body.String())
	}
}

// TestMetricsRouteIsThePattern: the route label is the path pattern alone
// (the method is a label of its own), for pages and for the API, matched
// or not.
func TestMetricsRouteIsThePattern(t *testing.T) {
	ms := startMetricsServer(t)
	families, err := ms.metrics.reg.Gather()
	must(t, err)
	methodFirst := regexp.MustCompile(`^[A-Z]+ `)
	routes := map[string]bool{}
	for _, f := range families {
		if f.GetName() != "trustledger_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			route := labels["route"]
			routes[labels["method"]+" "+route] = true
			if methodFirst.MatchString(route) {
				t.Errorf("route %q repeats the method (method=%q): the route label is the path pattern alone", route, labels["method"])
			}
		}
	}
	for _, want := range []string{"GET /{$}", "GET /people/{id}", "DELETE /", "GET " + api.Prefix + "/people",
		"POST " + api.Prefix + "/people", "GET " + api.Prefix + "/people/{person}/explanation", "GET " + api.Prefix + "/"} {
		if !routes[want] {
			t.Errorf("no series with method and route %q; there are %v", want, routes)
		}
	}
}
