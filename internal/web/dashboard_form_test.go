package web

import (
	"strings"
	"testing"
)

// TestDashboardAddPersonErrorIsVisible checks that a failed "add a person"
// on a dashboard that already lists people opens the folded form, so the
// error and the kept input are seen.
func TestDashboardAddPersonErrorIsVisible(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.com")
	if w := e.do("POST", "/people", form("name", "Ana", "kind", "direct-report"), lena); w.Code >= 400 {
		t.Fatalf("first add: status %d", w.Code)
	}
	w := e.do("POST", "/people", form("name", "Ana", "kind", "direct-report"), lena)
	if w.Code < 400 {
		t.Fatalf("duplicate add: status %d, want an error", w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, "<details open>") {
		t.Errorf("the add-person form stays folded after an error; body has no <details open>")
	}
	if !strings.Contains(body, `value="Ana"`) {
		t.Errorf("the name typed was not kept in the form")
	}
}
