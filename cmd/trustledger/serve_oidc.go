package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/web"
)

// oidcConfig is the OpenID Connect sign-in the flags and environment ask
// for, nil when neither names an issuer. The redirect URL is the base
// URL followed by /login/oidc/callback; without --base-url it is built
// from --addr, which must then name a host.
func (c *serveCmd) oidcConfig(rt *runtime, addr string) (*web.OIDCConfig, error) {
	pick := func(flag, env string) string {
		if flag != "" {
			return flag
		}
		return rt.getenv(env)
	}
	cfg := &web.OIDCConfig{
		Issuer:       pick(c.OIDCIssuer, "TRUSTLEDGER_OIDC_ISSUER"),
		ClientID:     pick(c.OIDCClientID, "TRUSTLEDGER_OIDC_CLIENT_ID"),
		ClientSecret: pick(c.OIDCClientSecret, "TRUSTLEDGER_OIDC_CLIENT_SECRET"),
		Name:         pick(c.OIDCName, "TRUSTLEDGER_OIDC_NAME"),
	}
	if cfg.Issuer == "" {
		if cfg.ClientID != "" || cfg.ClientSecret != "" {
			return nil, tl.Errorf(tl.EINVALID, "an OpenID Connect client is configured without --oidc-issuer (or $TRUSTLEDGER_OIDC_ISSUER): give the provider's issuer URL too")
		}
		return nil, nil
	}
	base := pick(c.BaseURL, "TRUSTLEDGER_BASE_URL")
	if base == "" {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || host == "" || (ip != nil && ip.IsUnspecified()) {
			return nil, tl.Errorf(tl.EINVALID, "sign-in with OpenID Connect needs --base-url (or $TRUSTLEDGER_BASE_URL), the address people open trustledger at: the provider sends them back to it")
		}
		base = "http://" + addr
	}
	cfg.RedirectURL = web.OIDCRedirectURL(strings.TrimSpace(base))
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// checkOIDC asks the provider for its configuration once at start, in the
// background, and logs whether it answered: a wrong issuer shows up in
// the log at once instead of at the first sign-in.
func checkOIDC(ctx context.Context, srv *web.Server, cfg *web.OIDCConfig, log *slog.Logger) {
	if cfg == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := srv.CheckOIDC(ctx); err != nil {
			log.Warn("the OpenID Connect provider does not answer yet; sign-in through it is retried at each attempt", "issuer", cfg.Issuer, "err", err)
			return
		}
		log.Info("sign-in with OpenID Connect is on", "issuer", cfg.Issuer, "redirect_url", cfg.RedirectURL)
	}()
}
