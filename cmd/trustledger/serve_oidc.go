package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/trustledger/trustledger/internal/web"
)

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
