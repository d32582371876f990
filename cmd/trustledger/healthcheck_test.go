package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck checks the container's health probe: exit 0 when the
// address answers 200, and 1, with one line saying why, when it answers
// anything else, does not answer in time, or refuses the connection.
func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Write([]byte("ok\n"))
		case "/slow":
			time.Sleep(2 * time.Second)
		default:
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()

	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"healthy", []string{"--url", srv.URL + "/healthz"}, 0, "healthy: " + srv.URL + "/healthz answered 200 OK"},
		{"503", []string{"--url", srv.URL + "/down"}, 1, "not healthy: " + srv.URL + "/down answered 503 Service Unavailable"},
		{"timeout", []string{"--url", srv.URL + "/slow", "--timeout", "100ms"}, 1, "not healthy:"},
		{"refused", []string{"--url", refused}, 1, "connection refused"},
		{"not a URL", []string{"--url", "::"}, 1, "not healthy:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runArgs(t, nil, append([]string{"healthcheck"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.out) {
				t.Errorf("output %q %q does not say %q", out, errOut, tc.out)
			}
			if n := strings.Count(out+errOut, "\n"); n != 1 {
				t.Errorf("output is %d lines, want one: %q %q", n, out, errOut)
			}
		})
	}
}
