package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"

	"github.com/trustledger/trustledger/internal/api"
)

// spectral is the pinned Spectral CLI; .ci/run fetches it ahead of the tests.
var spectral = []string{"--yes", "@stoplight/spectral-cli@6.16.3"}

// TestOpenAPILint lints the served OpenAPI documents (3.1 and 3.0) with
// Spectral under the ruleset kept in testdata/spectral.yaml: any error or
// warning fails. Without npx the test is skipped, or fails when
// TRUSTLEDGER_TEST_STRICT=1.
func TestOpenAPILint(t *testing.T) {
	npx, err := exec.LookPath("npx")
	if err != nil {
		msg := "npx (Node.js) is not installed, so Spectral cannot lint the OpenAPI document"
		testenv.Missing(t, msg)
	}
	ruleset, err := filepath.Abs(filepath.Join("testdata", "spectral.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{}))
	defer srv.Close()
	dir := t.TempDir()
	for _, name := range []string{"openapi.json", "openapi-3.0.json"} {
		t.Run(name, func(t *testing.T) {
			res, err := http.Get(srv.URL + api.Prefix + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			text, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %v", name, res.StatusCode, err)
			}
			file := filepath.Join(dir, name)
			if err := os.WriteFile(file, text, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			args := append(append([]string{}, spectral...), "lint", "--fail-severity=warn", "--display-only-failures", "-r", ruleset, file)
			cmd := exec.CommandContext(ctx, npx, args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("Spectral finds problems in %s (ruleset %s):\n%s", name, ruleset, out)
			}
		})
	}
}
