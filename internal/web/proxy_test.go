package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// proxied rebuilds e's server to trust proxies ("10.0.0.0/8,127.0.0.1")
// and returns the buffer its JSON log goes to.
func (e *env) proxied(proxies string) *syncLog {
	e.t.Helper()
	ps, err := ParseTrustedProxies(proxies)
	if err != nil {
		e.t.Fatal(err)
	}
	var buf syncLog
	srv, err := New(Config{Service: e.app, Now: e.clk.Now, TrustedProxies: ps,
		Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv, e.h = srv, srv.Handler()
	return &buf
}

// signInVia posts the sign-in form from peer with the given
// X-Forwarded-For and X-Forwarded-Proto ("" sends none).
func (e *env) signInVia(peer, forwardedFor, proto, email, password string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Host = "trust.example.org"
	r.RemoteAddr = peer
	if forwardedFor != "" {
		r.Header.Set("X-Forwarded-For", forwardedFor)
	}
	if proto != "" {
		r.Header.Set("X-Forwarded-Proto", proto)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// TestForwardedForFromAStrangerIsIgnored is the attack without a proxy: a
// client that connects directly writes a new X-Forwarded-For on every
// guess to look like many clients. Its own address is still throttled,
// whether the server trusts no proxy or trusts proxies the client is not.
func TestForwardedForFromAStrangerIsIgnored(t *testing.T) {
	for _, proxies := range []string{"", "10.0.0.0/8,127.0.0.1"} {
		t.Run("trusting "+proxies, func(t *testing.T) {
			e := newEnv(t)
			e.owner("Lena", "lena@example.org")
			e.proxied(proxies)
			const attacker = "198.51.100.7:40000"
			for i := range tl.AddressMaxFailures {
				fake := fmt.Sprintf("203.0.113.%d", i+1)
				if w := e.signInVia(attacker, fake, "", fmt.Sprintf("p%d@example.org", i), "guess"); w.Code != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d, want 401", i+1, w.Code)
				}
			}
			throttled(t, "next guess with a new X-Forwarded-For", e.signInVia(attacker, "203.0.113.250", "", "lena@example.org", "guess"))
			throttled(t, "next guess naming a trusted proxy", e.signInVia(attacker, "10.1.2.3", "", "lena@example.org", "guess"))
		})
	}
}

// TestSpoofedForwardedForBehindAProxy is the attack through a trusted
// proxy: the client puts made-up addresses in front of the one the proxy
// appends. The proxy's entry is the client; the made-up ones are not.
func TestSpoofedForwardedForBehindAProxy(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	e.proxied("10.0.0.0/8")
	const proxy = "10.0.0.2:51000"
	for i := range tl.AddressMaxFailures {
		// As nginx's $proxy_add_x_forwarded_for writes it: what the
		// client sent, then the address the proxy saw. Sent once as one
		// header and once as two, which proxies also do.
		xff := fmt.Sprintf("203.0.113.%d, 10.9.9.9, 198.51.100.7", i+1)
		if w := e.signInVia(proxy, xff, "", fmt.Sprintf("p%d@example.org", i), "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, w.Code)
		}
	}
	throttled(t, "next guess with another made-up address", e.signInVia(proxy, "192.0.2.99, 198.51.100.7", "", "lena@example.org", "guess"))
	throttled(t, "next guess with garbage in front", e.signInVia(proxy, "not-an-address, 198.51.100.7", "", "lena@example.org", "guess"))
	// Two proxies in a row (a load balancer, then nginx): both trusted, so
	// the client is still the address left of them.
	throttled(t, "through two proxies", e.signInVia(proxy, "1.2.3.4, 198.51.100.7, 10.0.0.9", "", "lena@example.org", "guess"))
}

// TestClientsBehindAProxy is the point of trusting one: two people behind
// the same proxy have their own throttles, the log names each, and
// X-Forwarded-Proto: https gives the secure cookie.
func TestClientsBehindAProxy(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	log := e.proxied("127.0.0.1/32,10.0.0.0/8")
	const proxy = "127.0.0.1:51000"
	for range tl.AddressMaxFailures {
		e.signInVia(proxy, "198.51.100.7", "https", "lena@example.org", "guess")
	}
	throttled(t, "the guesser", e.signInVia(proxy, "198.51.100.7", "https", "lena@example.org", "guess"))
	w := e.signInVia(proxy, "203.0.113.5", "https", "lena@example.org", testPassword)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("Lena behind the same proxy: %d, want 303", w.Code)
	}
	if c := cookie(w, cookieSecure); c == nil || !c.Secure {
		t.Fatalf("over https through the proxy: cookies %v, want %s with Secure", w.Result().Cookies(), cookieSecure)
	}
	clients := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var l struct{ Msg, Client string }
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l.Msg == "request" {
			clients[l.Client]++
		}
	}
	if clients["198.51.100.7"] != tl.AddressMaxFailures+1 || clients["203.0.113.5"] != 1 || len(clients) != 2 {
		t.Errorf("request lines by client: %v, want the two real clients", clients)
	}

	// Plain http through the proxy, or https claimed by a stranger: no
	// secure cookie on a host that is not loopback.
	for _, tc := range []struct{ peer, proto string }{{proxy, "http"}, {"198.51.100.8:1", "https"}} {
		w := e.signInVia(tc.peer, "203.0.113.5", tc.proto, "lena@example.org", testPassword)
		if w.Code != http.StatusSeeOther || cookie(w, cookiePlain) == nil || cookie(w, cookieSecure) != nil {
			t.Errorf("from %s with X-Forwarded-Proto %s: %d, cookies %v; want the plain cookie", tc.peer, tc.proto, w.Code, w.Result().Cookies())
		}
	}
}

// TestParseTrustedProxies checks what --trusted-proxy takes and the error
// for what it does not.
func TestParseTrustedProxies(t *testing.T) {
	ps, err := ParseTrustedProxies(" 127.0.0.1/32, 10.1.2.3/8,::1,192.0.2.7 ,")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ps); got != "[127.0.0.1/32 10.0.0.0/8 ::1/128 192.0.2.7/32]" {
		t.Errorf("parsed %s", got)
	}
	if ps, err := ParseTrustedProxies(""); err != nil || ps != nil {
		t.Errorf("empty: %v %v", ps, err)
	}
	_, err = ParseTrustedProxies("10.0.0.0/8,proxy.internal")
	if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), `"proxy.internal"`) || !strings.Contains(tl.ErrorMessage(err), "--trusted-proxy") {
		t.Errorf("a name: %v, want EINVALID naming it and the option", err)
	}
}
