package web

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/webhook"
)

func TestPagesIntegrations(t *testing.T) {
	e := newPagesEnv(t)
	lena, omar := e.lena, e.omar
	hooks := func(u *pagesUser) []tl.Webhook {
		t.Helper()
		hs, err := e.app.Webhooks(e.ctx, u.leader)
		e.must(err)
		return hs
	}

	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/integrations", status: 303, location: "/login"},
		{name: "linked from settings", url: "/settings", as: lena, status: 200, contains: []string{`<a href="/integrations">Integrations</a>`}},
		{name: "empty page", url: "/integrations", as: lena, status: 200, contains: []string{
			"<title>Integrations · trustledger</title>", "No webhooks yet.",
			`name="event" value="promise.due" checked`, `name="event" value="pulse.released" checked`,
			"an open promise is due within a day", "Your calendar feed is <strong>off</strong>", `href="/promises#calendar"`,
		}},
		{name: "no address", method: "POST", url: "/integrations/webhooks", as: lena,
			form: pagesForm("url", " ", "event", "promise.due"), status: 422,
			contains: []string{"Give the address to send events to", `aria-invalid="true"`}},
		{name: "not a web address keeps the input", method: "POST", url: "/integrations/webhooks", as: lena,
			form: pagesForm("url", "ftp://files.example.org/x", "event", "promise.due"), status: 422,
			contains: []string{"is not a web address", `value="ftp://files.example.org/x"`, `value="promise.due" checked`},
			excludes: []string{`value="pulse.released" checked`}},
		{name: "a bare word is not an address", method: "POST", url: "/integrations/webhooks", as: lena,
			form: pagesForm("url", "slack", "event", "promise.due"), status: 422, contains: []string{"is not a web address"}},
		{name: "no event", method: "POST", url: "/integrations/webhooks", as: lena,
			form: pagesForm("url", "https://hooks.example.org/a"), status: 422,
			contains: []string{"Choose at least one event", `value="https://hooks.example.org/a"`},
			excludes: []string{" checked"}},
		{name: "unknown event", method: "POST", url: "/integrations/webhooks", as: lena,
			form: pagesForm("url", "https://hooks.example.org/a", "event", "promise.eaten"), status: 422,
			contains: []string{"unknown event"}},
	})
	if n := len(hooks(lena)); n != 0 {
		t.Fatalf("refused forms stored %d webhooks", n)
	}

	// Adding shows the secret once, with how to check a signature.
	w := e.do("POST", "/integrations/webhooks", &pagesBody{contentType: "application/x-www-form-urlencoded",
		data: []byte(pagesForm("url", " https://hooks.example.org/trust ", "event", "promise.overdue", "event", "pulse.released").Encode())}, lena)
	body := w.Body.String()
	hs := hooks(lena)
	if w.Code != 200 || len(hs) != 1 {
		t.Fatalf("add: %d, %d webhooks\n%s", w.Code, len(hs), pagesTrim(body))
	}
	h := hs[0]
	if h.URL != "https://hooks.example.org/trust" || strings.Join(h.Events, ",") != "promise.overdue,pulse.released" {
		t.Fatalf("stored %+v", h)
	}
	_, secret := secretOf(t, body)
	for _, want := range []string{"Webhook added", "shown only this once", webhook.SignatureHeader + ": t=UNIX,v1=HEX",
		"HMAC-SHA256", "<code>promise.overdue</code>, <code>pulse.released</code>", `href="/integrations/webhooks/` + h.ID + `/remove"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after adding, the page lacks %q", want)
		}
	}
	// The secret shown is the one deliveries are signed with: a signature
	// made with it verifies as the page says.
	sig := webhook.Sign(secret, pagesNow, []byte(`{"text":"hi"}`))
	if !strings.HasPrefix(sig, "t=") || len(secret) < 20 {
		t.Fatalf("secret %q gives signature %q", secret, sig)
	}

	e.run(t, []pagesCase{
		{name: "the secret is not shown again", url: "/integrations", as: lena, status: 200,
			contains: []string{"https://hooks.example.org/trust"}, excludes: []string{secret, "webhook-secret"}},
		{name: "another leader sees none", url: "/integrations", as: omar, status: 200,
			contains: []string{"No webhooks yet."}, excludes: []string{"hooks.example.org"}},
		{name: "another leader cannot open the removal", url: "/integrations/webhooks/" + h.ID + "/remove", as: omar, status: 404},
		{name: "another leader cannot remove it", method: "POST", url: "/integrations/webhooks/" + h.ID + "/remove", as: omar, status: 404},
		{name: "removal asks first", url: "/integrations/webhooks/" + h.ID + "/remove", as: lena, status: 200,
			contains: []string{"Remove this webhook?", "https://hooks.example.org/trust",
				`<form method="post" action="/integrations/webhooks/` + h.ID + `/remove"`, "Keep it"}},
	})
	if n := len(hooks(lena)); n != 1 {
		t.Fatalf("asking removed the webhook: %d left", n)
	}
	e.run(t, []pagesCase{
		{name: "remove", method: "POST", url: "/integrations/webhooks/" + h.ID + "/remove", as: lena, status: 303,
			location: "/integrations", then: []string{"Webhook removed", "No webhooks yet."}},
		{name: "removing again is a 404", method: "POST", url: "/integrations/webhooks/" + h.ID + "/remove", as: lena, status: 404,
			contains: []string{"removed already"}},
	})
	if n := len(hooks(lena)); n != 0 {
		t.Fatalf("%d webhooks left after removal", n)
	}

	// The calendar feed's state shows.
	_, err := e.app.CalendarLink(e.ctx, lena.leader)
	e.must(err)
	e.run(t, []pagesCase{
		{name: "calendar on", url: "/integrations", as: lena, status: 200,
			contains: []string{"Your promises are <strong>on</strong> a calendar feed", "Make a new address or turn it off"}},
	})
}

// secretOf reads the signing secret shown after adding a webhook.
func secretOf(t *testing.T, body string) (string, string) {
	t.Helper()
	const marker = `id="webhook-secret" type="text" readonly value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no secret shown:\n%s", pagesTrim(body))
	}
	rest := body[i+len(marker):]
	return marker, rest[:strings.IndexByte(rest, '"')]
}

func TestIntegrationsWithoutTrustAccounts(t *testing.T) {
	e := newEnv(t)
	owner := e.owner("Lena", "lena@example.org")
	coach := e.invite(owner, "Cleo", "cleo@example.org", tl.RoleCoach)
	e.run(t, []scenario{
		{name: "a coach is told there is nothing to send", url: "/integrations", as: coach, status: 200,
			contains: []string{"Your role keeps no trust accounts"}, excludes: []string{`action="/integrations/webhooks"`}},
		{name: "and cannot add", method: "POST", url: "/integrations/webhooks", as: coach,
			form: form("url", "https://hooks.example.org/x", "event", "promise.due"), status: 403},
	})
}
