package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

// brokenService fails the way a lost database would, and throttles Week.
type brokenService struct {
	tl.Services
}

func (brokenService) Status(ctx context.Context, leaderID string) (*tl.StatusReport, error) {
	return nil, errors.New("disk on fire at /var/lib/secret")
}

// Decisions fails as the store does when a query runs out of time: an
// internal error naming its operation, over the context's error.
func (brokenService) Decisions(ctx context.Context, leaderID string) ([]tl.Decision, error) {
	return nil, &tl.Error{Code: tl.EINTERNAL, Op: "decisions", Err: fmt.Errorf("decisions: %w", context.DeadlineExceeded)}
}

func (brokenService) Events(ctx context.Context, leaderID string, f tl.EventFilter) ([]tl.Event, error) {
	return nil, &tl.Error{Code: tl.ERATELIMIT, Message: "slow down", RetryAfter: 90 * time.Second}
}

func TestErrorsMapAndLogOnce(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	var logs bytes.Buffer
	srv, err := New(Config{Service: brokenService{e.app}, Now: e.clk.Now,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	must(t, err)
	e.h = srv.Handler()

	w := e.do("GET", "/", nil, lena)
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	id := w.Header().Get("X-Request-Id")
	body := w.Body.String()
	if id == "" || !strings.Contains(body, id) || strings.Contains(body, "disk on fire") {
		t.Fatalf("500 page must show the request id %q and hide the cause:\n%s", id, trim(body))
	}
	checkHeaders(t, "500", w.Header())
	var internal, requests int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(line, `"request_id":"`+id+`"`) {
			t.Errorf("log line without the request id: %s", line)
		}
		if strings.Contains(line, `"msg":"internal error"`) {
			internal++
			if !strings.Contains(line, "disk on fire") {
				t.Errorf("the internal error line lacks the cause: %s", line)
			}
			// A plain error names no operation: the route's stands in.
			if !strings.Contains(line, `"op":"GET /{$}"`) {
				t.Errorf("the internal error line lacks the operation: %s", line)
			}
		}
		if strings.Contains(line, `"msg":"request"`) {
			requests++
		}
	}
	if internal != 1 || requests != 1 {
		t.Fatalf("want one internal error line and one request line, got %d and %d:\n%s", internal, requests, logs.String())
	}

	// A service error's operation and cause both reach the log line, and
	// neither the page.
	logs.Reset()
	w = e.do("GET", "/decisions", nil, lena)
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "deadline") {
		t.Fatalf("status %d, want 500 without the cause:\n%s", w.Code, trim(w.Body.String()))
	}
	var lines int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, `"msg":"internal error"`) {
			lines++
			if !strings.Contains(line, `"op":"decisions"`) || !strings.Contains(line, "decisions: context deadline exceeded") {
				t.Errorf("the internal error line lacks the operation or the cause: %s", line)
			}
		}
	}
	if lines != 1 {
		t.Fatalf("want one internal error line, got %d:\n%s", lines, logs.String())
	}

	w = e.do("GET", "/log", nil, lena)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "90" {
		t.Fatalf("ERATELIMIT: %d Retry-After %q, want 429 and 90", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestStatusTable(t *testing.T) {
	for code, want := range map[string]int{
		tl.EINVALID: 400, tl.ENOTFOUND: 404, tl.ECONFLICT: 409, tl.EFORBIDDEN: 403,
		tl.EUNAUTHORIZED: 401, tl.ERATELIMIT: 429, tl.EINTERNAL: 500, "": 500,
	} {
		if got := tl.HTTPStatus(code); got != want {
			t.Errorf("tl.HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}
