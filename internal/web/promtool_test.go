package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/storetest"
)

// metricsServer is the web app with the JSON API and metrics on a real
// database, served over HTTP, after a round of traffic to pages and to the
// API (successes and failures) and a run of each background job; metrics
// answers GET path on the app's address for the owner's token.
type metricsServer struct {
	t       *testing.T
	url     string
	token   string
	metrics *Metrics
}

func startMetricsServer(t *testing.T) *metricsServer {
	t.Helper()
	db := storetest.OpenSQLite(t)
	a := app.New(db, app.Options{})
	m := NewMetrics(func(context.Context) (int, error) { return 2, nil })
	m.WriteLanes(func() (int, int) { st := db.LaneStats(); return st.Lanes, st.Instances })
	srv, err := New(Config{Service: a, Metrics: m, API: api.New(api.Config{Service: a})})
	must(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx := context.Background()
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: testPassword})
	must(t, err)
	_, token, err := a.CreateToken(ctx, u.ID, "prometheus", tl.ScopeWrite)
	must(t, err)
	ms := &metricsServer{t: t, url: hs.URL, token: token, metrics: m}
	for _, r := range apiAndPages {
		ms.get(r.method, r.path, r.body)
	}
	for _, j := range [][2]string{{"tick", "ok"}, {"tick", "error"}, {"webhook", "sent"}, {"webhook", "retry"}} {
		m.Job(j[0], j[1])
	}
	m.Mail("sent")
	m.Mail("retry")
	return ms
}

// apiAndPages are requests to pages and to the API, successes and failures.
var apiAndPages = []struct{ method, path, body string }{
	{"GET", "/", ""},
	{"GET", "/login", ""},
	{"GET", "/people/01ABCDEFGHJKMNPQRSTVWXYZ00", ""},
	{"DELETE", "/login", ""}, // a known path, another method
	{"GET", "/no-such-page", ""},
	{"GET", api.Prefix + "/people", ""},
	{"POST", api.Prefix + "/people", `{"name":"Sam","kind":"peer"}`},
	{"POST", api.Prefix + "/people", `{"name":""}`},
	{"GET", api.Prefix + "/people/Sam/explanation", ""},
	{"GET", api.Prefix + "/no-such-operation", ""},
	{"DELETE", api.Prefix + "/people", ""},
}

// get sends one request with the owner's token and returns the body.
func (ms *metricsServer) get(method, path, body string) string {
	ms.t.Helper()
	b, _ := ms.send(method, path, body)
	return b
}

// send sends one request with the owner's token and returns the body and
// the headers.
func (ms *metricsServer) send(method, path, body string) (string, http.Header) {
	ms.t.Helper()
	r, err := http.NewRequest(method, ms.url+path, strings.NewReader(body))
	must(ms.t, err)
	r.Header.Set("Authorization", "Bearer "+ms.token)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	res, err := c.Do(r)
	must(ms.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(ms.t, err)
	return string(b), res.Header
}

// scrape is /metrics on the app's address, as Prometheus reads it with a
// token, and the operator's listener's (with the Go and process series).
func (ms *metricsServer) scrape() (app, operator string) {
	ms.t.Helper()
	app = ms.get("GET", "/metrics", "")
	op := httptest.NewServer(ms.metrics.Handler())
	defer op.Close()
	res, err := http.Get(op.URL + "/metrics")
	must(ms.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(ms.t, err)
	return app, string(b)
}

// TestMetricsPromtool: what both /metrics serve passes promtool check
// metrics (Prometheus's linter: names, units, help, counters ending in
// _total) without a problem. Without promtool the test is skipped, or
// fails when TRUSTLEDGER_TEST_STRICT=1.
func TestMetricsPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool (Debian: prometheus) is not installed, so /metrics cannot be linted"
		testenv.Missing(t, msg)
	}
	ms := startMetricsServer(t)
	appBody, opBody := ms.scrape()
	if !strings.Contains(appBody, "trustledger_http_request_duration_seconds_count") {
		t.Fatalf("/metrics has no request series:\n%s", appBody)
	}
	for name, body := range map[string]string{"the app's /metrics": appBody, "the operator's /metrics": opBody} {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(body)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil || strings.TrimSpace(out.String()) != "" {
			t.Errorf("promtool check metrics finds problems in %s (%v):\n%s", name, err, out.String())
		}
	}
}

// TestAPIAnswersCarryRequestID: every answer of the JSON API, served by the
// web app, carries the X-Request-Id that its OpenAPI document declares on
// every response (internal/api/openapi.go), in the declared form.
func TestAPIAnswersCarryRequestID(t *testing.T) {
	ms := startMetricsServer(t)
	form := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, r := range apiAndPages {
		if !strings.HasPrefix(r.path, api.Prefix) {
			continue
		}
		_, h := ms.send(r.method, r.path, r.body)
		if id := h.Get("X-Request-Id"); !form.MatchString(id) {
			t.Errorf("%s %s: X-Request-Id %q, want 16 hexadecimal digits", r.method, r.path, id)
		}
	}
	_, h := ms.send("GET", api.Prefix+"/openapi.json", "")
	if !form.MatchString(h.Get("X-Request-Id")) {
		t.Errorf("GET %s/openapi.json: no X-Request-Id", api.Prefix)
	}
}
