package main

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

func TestServeOIDCConfig(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string // after serve
		env      map[string]string
		want     string // the redirect URL, or "" for none
		wantErrs []string
	}{
		{name: "off", args: []string{"--addr", "127.0.0.1:8080"}},
		{name: "flags and the secret from the environment",
			args: []string{"--oidc-issuer", "https://login.example.org/realms/acme", "--oidc-client-id", "tl",
				"--base-url", "https://trust.example.org/", "--addr", "0.0.0.0:8080"},
			env:  map[string]string{"TRUSTLEDGER_OIDC_CLIENT_SECRET": "s"},
			want: "https://trust.example.org/login/oidc/callback"},
		{name: "all from the environment, base from the address",
			args: []string{"--addr", "127.0.0.1:9000"},
			env: map[string]string{"TRUSTLEDGER_OIDC_ISSUER": "https://accounts.google.com", "TRUSTLEDGER_OIDC_CLIENT_ID": "tl",
				"TRUSTLEDGER_OIDC_CLIENT_SECRET": "s"},
			want: "http://127.0.0.1:9000/login/oidc/callback"},
		{name: "no base URL on every interface",
			args:     []string{"--oidc-issuer", "https://accounts.google.com", "--oidc-client-id", "tl", "--oidc-client-secret", "s", "--addr", ":8080"},
			wantErrs: []string{"--base-url"}},
		{name: "client without issuer",
			args:     []string{"--oidc-client-id", "tl", "--addr", "127.0.0.1:8080"},
			wantErrs: []string{"--oidc-issuer"}},
		{name: "no secret",
			args:     []string{"--oidc-issuer", "https://accounts.google.com", "--oidc-client-id", "tl", "--addr", "127.0.0.1:8080"},
			wantErrs: []string{"TRUSTLEDGER_OIDC_CLIENT_SECRET"}},
		{name: "plain http issuer",
			args:     []string{"--oidc-issuer", "http://login.example.org", "--oidc-client-id", "tl", "--oidc-client-secret", "s", "--addr", "127.0.0.1:8080"},
			wantErrs: []string{"https"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Validate refuses what oidc refuses, before serve starts.
			g, err := configure(t, append([]string{"serve"}, tc.args...), tc.env)
			if len(tc.wantErrs) > 0 {
				if tl.ErrorCode(err) != tl.EINVALID {
					t.Fatalf("want EINVALID, got %v", err)
				}
				for _, w := range tc.wantErrs {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := g.Serve.oidc()
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if cfg != nil {
				got = cfg.RedirectURL
			}
			if got != tc.want {
				t.Fatalf("redirect URL %q, want %q", got, tc.want)
			}
		})
	}
}
