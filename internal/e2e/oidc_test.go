package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	tl "github.com/trustledger/trustledger"

	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/oidctest"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// TestBrowserOIDCSignIn: an invited person clicks "Sign in with …" on the
// sign-in page, passes through the test provider (which approves them
// at once) and lands on their dashboard, signed in, with an account made
// from the invitation; the page scripts run, and no page breaks its CSP.
func TestBrowserOIDCSignIn(t *testing.T) {
	nowFunc := func() time.Time { return newUserNow }
	ctx := context.Background()
	a := app.New(storetest.OpenSQLite(t), app.Options{Now: nowFunc})
	idp := oidctest.New(t, "trustledger", "client-secret")
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := web.New(web.Config{
		Service: a, Now: nowFunc,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OIDC: &web.OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
			RedirectURL: web.OIDCRedirectURL(base), Name: "Acme Login"},
	})
	if err != nil {
		t.Fatal(err)
	}
	pages := newPageLog()
	ts.Config.Handler = collectPages(srv.Handler(), pages)
	ts.Start()
	t.Cleanup(ts.Close)
	validateOnCleanup(t, pages)

	owner, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Invite(ctx, owner.ID, "ana@example.org", tl.RoleLeader); err != nil {
		t.Fatal(err)
	}
	idp.SetUser(oidctest.User{Subject: "ana-at-acme", Email: "ana@example.org", EmailVerified: true, Name: "Ana Lima"})

	b := newBrowser(t, base, scriptsOn)
	b.open("/login", 200)
	b.wantTitle("Sign in · trustledger")
	if got := b.text("#oidc-login"); got != "Sign in with Acme Login" {
		b.fail("provider button says %q", got)
	}
	b.submit("#oidc-login", 200)
	if p := b.path(); p != "/" {
		b.fail("after signing in with the provider at %s, want /", p)
	}
	b.wantTitle("Dashboard · trustledger")
	if got := b.text("#first"); got != "Add the first person you lead" {
		b.fail("the new leader's dashboard shows %q", got)
	}
	if got := b.text("footer"); !strings.Contains(got, "Ana Lima") {
		b.fail("footer %q does not name Ana", got)
	}
	b.open("/account", 200)
	if got := b.text("main"); !strings.Contains(got, "this account has no password") {
		b.fail("account page of an account made through the provider: %q", got)
	}

	// Integrations, from Settings: add a webhook, see its secret once,
	// remove it after the confirmation page; the page fits a phone.
	b.open("/settings", 200)
	b.submit(`main a[href="/integrations"]`, 200)
	b.wantTitle("Integrations · trustledger")
	b.typeIn("#webhook-url", "ftp://files.example.org/x") // the browser takes it as a URL; trustledger does not
	b.submit(`form[action="/integrations/webhooks"] button[type=submit]`, 422)
	b.fill("#webhook-url", "https://hooks.example.org/trust")
	b.submit(`form[action="/integrations/webhooks"] button[type=submit]`, 200)
	if secret := b.attr("#webhook-secret", "value"); len(secret) < 20 {
		b.fail("no signing secret shown: %q", secret)
	}
	b.submit(`a[href^="/integrations/webhooks/"]`, 200)
	b.wantTitle("Remove a webhook · trustledger")
	b.submit(`form[action$="/remove"] button[type=submit]`, 200)
	b.wantFlash("Webhook removed")
	if got := b.text("#webhooks ~ .card"); !strings.Contains(got, "No webhooks yet") {
		b.fail("after removing, the list shows %q", got)
	}
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.open("/integrations", 200)
	if w := b.overflow(); w > 0 {
		b.fail("/integrations is %d px wider than a 390 px phone screen", w)
	}
}
