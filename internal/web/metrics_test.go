package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsAndReadiness: /metrics labels requests by route pattern,
// never by path (no ids or tokens), leaves out the respondent routes, and
// shows the outbox depth and job runs; /readyz follows the database.
// Who may read /metrics is TestAttackMetricsWhileOpen's.
func TestMetricsAndReadiness(t *testing.T) {
	e := newEnv(t)
	depth := 3
	var down error
	m := NewMetrics(func(context.Context) (int, error) { return depth, nil })
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
		`trustledger_http_request_duration_seconds_count{code="2xx",method="GET",route="GET /{$}"} 1`,
		`route="GET /people/{id}"`,
		`trustledger_outbox_depth 3`, `trustledger_job_runs_total{job="tick",outcome="ok"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leak := range []string{"01ABCDEFGHJKMNPQRSTVWXYZ00", "SECRETTOKEN", `route="GET /p/{token}"`} {
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
