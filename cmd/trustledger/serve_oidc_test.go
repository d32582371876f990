package main

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

func TestServeOIDCConfig(t *testing.T) {
	env := map[string]string{}
	rt := &runtime{env: func(k string) string { return env[k] }}
	for _, tc := range []struct {
		name     string
		cmd      serveCmd
		env      map[string]string
		addr     string
		want     string // the redirect URL, or "" for none
		wantErrs []string
	}{
		{name: "off", addr: "127.0.0.1:8080"},
		{name: "flags and the secret from the environment",
			cmd:  serveCmd{OIDCIssuer: "https://login.example.org/realms/acme", OIDCClientID: "tl", BaseURL: "https://trust.example.org/"},
			env:  map[string]string{"TRUSTLEDGER_OIDC_CLIENT_SECRET": "s"},
			addr: "0.0.0.0:8080", want: "https://trust.example.org/login/oidc/callback"},
		{name: "all from the environment, base from the address",
			env: map[string]string{"TRUSTLEDGER_OIDC_ISSUER": "https://accounts.google.com", "TRUSTLEDGER_OIDC_CLIENT_ID": "tl",
				"TRUSTLEDGER_OIDC_CLIENT_SECRET": "s"},
			addr: "127.0.0.1:9000", want: "http://127.0.0.1:9000/login/oidc/callback"},
		{name: "no base URL on every interface",
			cmd:  serveCmd{OIDCIssuer: "https://accounts.google.com", OIDCClientID: "tl", OIDCClientSecret: "s"},
			addr: ":8080", wantErrs: []string{"--base-url"}},
		{name: "client without issuer",
			cmd:  serveCmd{OIDCClientID: "tl"},
			addr: "127.0.0.1:8080", wantErrs: []string{"--oidc-issuer"}},
		{name: "no secret",
			cmd:  serveCmd{OIDCIssuer: "https://accounts.google.com", OIDCClientID: "tl"},
			addr: "127.0.0.1:8080", wantErrs: []string{"TRUSTLEDGER_OIDC_CLIENT_SECRET"}},
		{name: "plain http issuer",
			cmd:  serveCmd{OIDCIssuer: "http://login.example.org", OIDCClientID: "tl", OIDCClientSecret: "s"},
			addr: "127.0.0.1:8080", wantErrs: []string{"https"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(env)
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := tc.cmd.oidcConfig(rt, tc.addr)
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
