package web

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/version"
)

// TestHealthzAndMetricsNameTheBuild: /healthz answers "ok" on its first
// line, as probes read it, and the build on the second; /metrics has
// trustledger_build_info with the same build.
func TestHealthzAndMetricsNameTheBuild(t *testing.T) {
	e := newEnv(t)
	b := version.Info()
	w := e.get("/healthz", nil)
	if w.Code != http.StatusOK || w.Body.String() != "ok\n"+b.String()+"\n" {
		t.Fatalf("/healthz: %d %q, want ok and %q", w.Code, w.Body.String(), b.String())
	}
	lena := e.owner("Lena", "lena@example.org")
	body := e.do("GET", "/metrics", nil, lena).Body.String()
	want := fmt.Sprintf(`trustledger_build_info{commit=%q,date=%q,go_version=%q,version=%q} 1`, b.Commit, b.Date, runtime.Version(), b.Version)
	if !strings.Contains(body, want+"\n") {
		t.Errorf("/metrics lacks %s:\n%s", want, body)
	}
}
