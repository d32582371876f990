package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// brokenService fails the way a lost database would: Decisions with an
// internal error that names its operation, People with a plain error.
type brokenService struct {
	tl.Services
}

func (brokenService) Decisions(ctx context.Context, leaderID string) ([]tl.Decision, error) {
	return nil, &tl.Error{Code: tl.EINTERNAL, Op: "decisions", Err: fmt.Errorf("decisions: %w", context.DeadlineExceeded)}
}

func (brokenService) People(ctx context.Context, leaderID string) ([]tl.Relationship, error) {
	return nil, errors.New("disk on fire at /var/lib/secret")
}

// TestInternalErrorsLogOpAndCause: an internal error is logged once, with
// the request id the web app sent back, the operation that failed (the
// error's, else the route's) and the cause; the envelope shows none of it.
func TestInternalErrorsLogOpAndCause(t *testing.T) {
	ctx := context.Background()
	a := app.New(storetest.OpenSQLite(t), app.Options{})
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.com", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.CreateToken(ctx, u.ID, "tests", tl.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv, err := web.New(web.Config{Service: a, API: api.New(api.Config{Service: brokenService{a},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	doc, err := loadDocument(hs.URL)
	if err != nil {
		t.Fatalf("the served OpenAPI document: %v", err)
	}
	hc := &http.Client{Transport: &conforming{doc: doc, next: http.DefaultTransport, report: t.Errorf}}
	for _, tt := range []struct{ path, op, cause string }{
		{"/decisions", "decisions", "decisions: context deadline exceeded"},
		{"/people", "GET /api/v1/people", "disk on fire"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			logs.Reset()
			r, err := http.NewRequest("GET", hs.URL+api.Prefix+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Authorization", "Bearer "+token)
			res, err := hc.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			id := res.Header.Get("X-Request-Id")
			if res.StatusCode != http.StatusInternalServerError || id == "" || strings.Contains(string(body), tt.cause) {
				t.Fatalf("%d (request id %q), want 500 without the cause: %s", res.StatusCode, id, body)
			}
			var lines []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if m["msg"] == "api" {
					lines = append(lines, m)
				}
			}
			if len(lines) != 1 {
				t.Fatalf("want one internal error line, got %d:\n%s", len(lines), logs.String())
			}
			l := lines[0]
			if l["request_id"] != id || l["op"] != tt.op || !strings.Contains(fmt.Sprint(l["err"]), tt.cause) ||
				l["method"] != "GET" || l["path"] != api.Prefix+tt.path {
				t.Errorf("the line lacks the request id %q, the operation %q or the cause %q: %v", id, tt.op, tt.cause, l)
			}
		})
	}
}

// TestBodyNotJSON: a body sent as something other than JSON is 415 with a
// message that says to send JSON, not the decoder's words alone.
func TestBodyNotJSON(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	xml := func(r *http.Request) *http.Request { r.Header.Set("Content-Type", "application/xml"); return r }
	r := e.c.post("/teams", `{"name":"Core"}`, xml, refused)
	var env struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(r.body, &env); err != nil || r.status != http.StatusUnsupportedMediaType || env.Error.Code != tl.EINVALID {
		t.Fatalf("a body sent as application/xml: %s", r)
	}
	if !strings.Contains(env.Error.Message, "Content-Type: application/json") {
		t.Errorf("the message does not say how to send the body: %q", env.Error.Message)
	}
}
