package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// signInFrom posts the sign-in form from a client address.
func (e *env) signInFrom(addr, email, password string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func throttled(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("%s: %d, want 429", what, w.Code)
	}
	if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s <= 0 || s > int(tl.LoginWindow.Seconds()) {
		t.Fatalf("%s: Retry-After %q", what, w.Header().Get("Retry-After"))
	}
}

// TestSprayFromOneAddressIsThrottled tries one password on 45 accounts
// from one address: the address is stopped after AddressMaxFailures,
// while the owner signs in from elsewhere.
func TestSprayFromOneAddressIsThrottled(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	const attacker = "198.51.100.7:40000"
	for i := range 45 {
		email := fmt.Sprintf("person%d@example.org", i)
		if i == 3 {
			email = "lena@example.org"
		}
		w := e.signInFrom(attacker, email, "Summer2026!")
		if i < tl.AddressMaxFailures {
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401", i+1, w.Code)
			}
			continue
		}
		throttled(t, fmt.Sprintf("attempt %d", i+1), w)
		if !strings.Contains(w.Body.String(), "Too many failed sign-ins") {
			t.Fatalf("429 page does not say why:\n%s", trim(w.Body.String()))
		}
	}
	// The same address on another port, and its IPv6 neighbours, are the
	// same client.
	throttled(t, "attacker on another port", e.signInFrom("198.51.100.7:40001", "lena@example.org", testPassword))
	if w := e.signInFrom("203.0.113.5:5555", "lena@example.org", testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("owner from her own address: %d, want 303", w.Code)
	}
	e.clk.Add(tl.LoginWindow + 1)
	if w := e.signInFrom(attacker, "person1@example.org", "x"); w.Code != http.StatusUnauthorized {
		t.Fatalf("after the window: %d, want 401", w.Code)
	}
}

// TestWrongPasswordsElsewhereDoNotLockTheOwnerOut makes LoginMaxFailures
// wrong guesses at Lena's account from one address: that address is
// stopped, even with the right password, but Lena's own address is not.
func TestWrongPasswordsElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	const attacker = "[2001:db8:1:2::66]:40000"
	for i := range tl.LoginMaxFailures {
		if w := e.signInFrom(attacker, "lena@example.org", "wrong password"); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, w.Code)
		}
	}
	throttled(t, "attacker's next guess", e.signInFrom(attacker, "lena@example.org", "wrong password"))
	throttled(t, "attacker with the right password", e.signInFrom(attacker, "lena@example.org", testPassword))
	// Another address in the same IPv6 /64 is the same client.
	throttled(t, "attacker's neighbour", e.signInFrom("[2001:db8:1:2::67]:1", "lena@example.org", testPassword))
	if w := e.signInFrom("203.0.113.5:5555", "lena@example.org", testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("owner from her own address: %d, want 303", w.Code)
	}
	// The owner's own typing mistakes count only against her address.
	for range tl.LoginMaxFailures - 1 {
		if w := e.signInFrom("203.0.113.5:5555", "lena@example.org", "oops"); w.Code != http.StatusUnauthorized {
			t.Fatalf("owner's typo: %d, want 401", w.Code)
		}
	}
	if w := e.signInFrom("203.0.113.5:5555", "lena@example.org", testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("owner after nine typos: %d, want 303", w.Code)
	}
}
