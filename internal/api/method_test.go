package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestWrongMethod: a path with operations, asked with a method it has none
// for, answers 405 with Allow (RFC 9110, 15.5.6) and the error envelope
// (code invalid), before the token is looked at; a path with none is 404.
// The requests go around the validating transport: no operation of the
// document describes them.
func TestWrongMethod(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	send := func(method, path, token string) (*http.Response, string) {
		req, err := http.NewRequest(method, e.srv.URL+api.Prefix+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, token := range []string{e.write, ""} {
		res, body := send("PATCH", "/promises", token)
		var env struct {
			Error api.ErrorBody `json:"error"`
		}
		if res.StatusCode != http.StatusMethodNotAllowed || json.Unmarshal([]byte(body), &env) != nil || env.Error.Code != "invalid" {
			t.Fatalf("PATCH /promises (token %t): %d %s", token != "", res.StatusCode, body)
		}
		if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Fatalf("Allow %q", allow)
		}
	}
	if res, body := send("PATCH", "/no-such-thing", e.write); res.StatusCode != http.StatusNotFound || res.Header.Get("Allow") != "" {
		t.Fatalf("an unknown path: %d %s", res.StatusCode, body)
	}
}
