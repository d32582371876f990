// Package web is the leader's web app: server-rendered HTML over
// trustledger.Services (the contract every front end holds, and nothing
// else), with templates and static files embedded and parsed once at start
// (New).
//
// # Wiring
//
//	srv, err := web.New(web.Config{Service: a, Logger: log, Now: time.Now})
//	hs := srv.HTTPServer("127.0.0.1:8080") // every timeout set
//	hs.ListenAndServe()
//
// # Conventions for page handlers (both web helpers follow them)
//
// Routes: register with mux.HandleFunc("GET /path/{id}", s.handler) inside
// routes (server.go) or registerPages (pages_routes.go, the pages helper's),
// with the pattern as a string literal: routes_test.go reads the package's
// source for every pattern and tries each one signed out (303 to /login),
// signed in (security headers, no-store, under 100 KB, no inline style or
// script) and as another leader. A wildcard named {id} must be a row id of
// the signed-in leader: with another leader's id the route must answer 404
// (look the id up before validating the form). Other wildcard names
// ({name} of a setting) are words every leader shares.
// Every route needs a signed-in user unless it was registered with
// s.handlePublic; the middleware redirects others to /login (or /signup
// while there is no account). All routes go through, in order: security
// headers (CSP default-src 'self', frame-ancestors 'none', nosniff,
// Referrer-Policy no-referrer, X-Request-Id), a 1 MiB body cap
// (http.MaxBytesReader), http.CrossOriginProtection on unsafe methods (so
// forms carry no CSRF token), the session, and Cache-Control: no-store on
// every page that needs a session.
//
// Who: s.leader(r) is the LeaderID to pass to every Service call; s.user(r)
// is the *trustledger.User. Authorization is the Service's: another leader's
// id is ENOTFOUND, which becomes 404.
//
// Data: every page has a typed struct that embeds Page and is passed by
// pointer:
//
//	type promisesPage struct {
//		Page
//		Open []tl.Promise
//	}
//	s.render(w, r, http.StatusOK, "pages_promises.html", &promisesPage{Page: Page{Title: "Promises", Nav: "promises"}})
//
// render fills Page.User, Page.Flash/FlashUndo (taken once), RequestID and
// Status. Page.Title becomes "<Title> · trustledger"; Page.Nav marks the
// current item (dashboard, log, promises, decisions, journal, settings,
// simulator, account).
//
// Templates: templates/<name>.html defines {{define "content"}}…{{end}};
// layout.html wraps it (nav with Dashboard, Log, Promises, Decisions,
// Journal, Settings, Simulator, and a "+ Log" button on every page).
// partials.html holds shared snippets: {{template "field-error"
// .Errors.fieldname}}. Functions: date, datetime, isodate (yyyy-mm-dd for
// <input type=date>), pct (0.42 → "42%"), num2, dimname (engine.Dim →
// "Integrity: keeps their word"), quadname, warnname, kindname, add, and
// the plain words of plainwords.go: teamname ("your team", "team
// Platform"), quadshort, warnshort, plural, promiseto. Charts:
// chart.HTML(chart.X(...)) gives template.HTML; /static/chart.css is served.
//
// Words: the pages speak to leaders, team members and coaches. The model's
// symbols (θ, κ, ρ, r_wg, k, R1) and internal names (undetermined,
// promise-broken, kappa_integrity) appear only in the settings page's
// advanced part, <details id="advanced">, and in docs/MODEL.md;
// TestPagesSpeakPlainly reads every page for them.
// No inline script or style: CSS lives in static/app.css, script in
// static/app.js (forms with data-confirm="…" ask before submitting).
//
// Actions: a successful POST calls s.flash(w, r, "Promise kept for Ana") or
// s.flashUndo(w, r, msg, "/ledger/ID/reverse") and redirects with
// redirect(w, r, "/promises") (303). A failed one calls s.formFail(w, r,
// err, "pages_promises.html", data, formField(err, "", "what", "due")) to
// re-render the form with the input kept and the message next to the field
// the service named (422 for EINVALID, 409 for ECONFLICT). Handlers parse
// form values (a date, a number, a choice) and leave every rule to the
// services: they do not check an input again. Or
// s.fail(w, r, err) which maps codes: EINVALID 400, ENOTFOUND 404,
// ECONFLICT 409, EFORBIDDEN 403, EUNAUTHORIZED → /login, ERATELIMIT 429
// with Retry-After, anything else 500 with a generic page and the request
// id, logged once with slog. FormErrors maps a field name to its message;
// the key "" is shown above the page's content.
//
// Promises past due become broken only when Service.Tick runs; the web app
// does not call it per request, so whoever runs the server (the serve
// command) calls Tick on a timer.
//
// # Cookies
//
// The session cookie is "__Host-trustledger" (Secure, HttpOnly,
// SameSite=Lax, Path=/, no Domain) when the request came over TLS, to a
// loopback host (127.0.0.1, ::1, localhost — Debian's Chromium keeps
// Secure and __Host- cookies from http://127.0.0.1, checked by hand and by
// the browser test), or Config.SecureCookies is set. From any other
// plain-http origin a browser would drop a Secure cookie, so there it is
// "trustledger" without Secure. Go's net/http/cookiejar never sends Secure
// cookies over http, so Go tests set the Cookie header themselves.
package web
