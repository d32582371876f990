package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	tl "github.com/trustledger/trustledger"
)

// OIDCCallbackPath is where the identity provider sends the browser back;
// the redirect URL to register with the provider is the base URL
// followed by this path.
const OIDCCallbackPath = "/login/oidc/callback"

// OIDCConfig turns on sign-in with OpenID Connect beside passwords.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, e.g.
	// https://keycloak.example.org/realms/acme or https://accounts.google.com.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the base URL people open trustledger at, followed by
	// OIDCCallbackPath.
	RedirectURL string
	// Name is shown on the button ("Sign in with Name"); "" shows the
	// issuer's host.
	Name string
	// HTTPClient talks to the provider; nil uses one with a 10 s timeout.
	HTTPClient *http.Client
}

// Validate says what is wrong with the configuration, in words an
// operator can act on.
func (c *OIDCConfig) Validate() error {
	iss, err := url.Parse(c.Issuer)
	if err != nil || !iss.IsAbs() || iss.Host == "" || iss.RawQuery != "" || iss.Fragment != "" {
		return tl.Errorf(tl.EINVALID, "--oidc-issuer %q is not an issuer URL: give it like https://login.example.org/realms/acme", c.Issuer)
	}
	if iss.Scheme != "https" && !(iss.Scheme == "http" && loopbackHost(iss.Host)) {
		return tl.Errorf(tl.EINVALID, "--oidc-issuer %q must use https (plain http only on this machine, for testing)", c.Issuer)
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return tl.Errorf(tl.EINVALID, "--oidc-client-id is needed with --oidc-issuer: register trustledger as a client at the provider and give its id")
	}
	if c.ClientSecret == "" {
		return tl.Errorf(tl.EINVALID, "the client secret is needed with --oidc-issuer: set TRUSTLEDGER_OIDC_CLIENT_SECRET (or --oidc-client-secret)")
	}
	red, err := url.Parse(c.RedirectURL)
	if err != nil || !red.IsAbs() || red.Host == "" || (red.Scheme != "https" && red.Scheme != "http") || !strings.HasSuffix(red.Path, OIDCCallbackPath) {
		return tl.Errorf(tl.EINVALID, "the OpenID Connect redirect URL %q is not usable: set --base-url to the address people open trustledger at", c.RedirectURL)
	}
	return nil
}

// oidcClient is the configured provider. Discovery happens at the first
// sign-in and is retried until it works, so a provider that is down
// while trustledger starts costs sign-ins through it, not the server.
type oidcClient struct {
	cfg  OIDCConfig
	name string

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func newOIDCClient(cfg *OIDCConfig) (*oidcClient, error) {
	if cfg == nil {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &oidcClient{cfg: *cfg, name: cfg.Name}
	if c.cfg.HTTPClient == nil {
		c.cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.name == "" {
		u, _ := url.Parse(cfg.Issuer)
		c.name = u.Hostname()
	}
	return c, nil
}

// discover fetches the provider's configuration once it answers.
func (c *oidcClient) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, c.verifier, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, c.cfg.HTTPClient), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	c.provider = p
	c.verifier = p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID})
	return c.provider, c.verifier, nil
}

// Check discovers the provider now, for serve to warn at start when it
// does not answer.
func (c *oidcClient) Check(ctx context.Context) error {
	_, _, err := c.discover(ctx)
	return err
}

func (c *oidcClient) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// CheckOIDC discovers the configured provider, if any, so that serve can
// say at start that it does not answer; sign-in retries later anyway.
func (s *Server) CheckOIDC(ctx context.Context) error {
	if s.oidc == nil {
		return nil
	}
	return s.oidc.Check(ctx)
}

// oidcName is the provider's name for the login page, "" when sign-in
// with OpenID Connect is off.
func (s *Server) oidcName() string {
	if s.oidc == nil {
		return ""
	}
	return s.oidc.name
}

func (s *Server) registerOIDC(mux *http.ServeMux) {
	if s.oidc == nil {
		return
	}
	s.handlePublic(mux, "GET /login/oidc", s.oidcStart)
	s.handlePublic(mux, "GET "+OIDCCallbackPath, s.oidcCallback)
}

// oidcFlowLifetime is how long a browser has between leaving for the
// provider and coming back.
const oidcFlowLifetime = 10 * time.Minute

// oidcFlow is what a browser carries, in an HttpOnly cookie, between
// leaving for the provider and coming back: the state that ties the
// answer to this browser, the nonce the ID token must carry, the PKCE
// verifier, and where to go afterwards. None of it is secret from the
// browser that signs in; it is useless to anyone else.
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next,omitempty"`
	Expires  int64  `json:"exp"`
}

func (s *Server) oidcCookieName(r *http.Request) string {
	if s.secureRequest(r) {
		return "__Host-trustledger-oidc"
	}
	return "trustledger-oidc"
}

func (s *Server) setOIDCCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.oidcCookieName(r), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureRequest(r),
		// Lax: the provider sends the browser back with a top-level GET
		// from its own site, which Lax cookies go along with.
		SameSite: http.SameSiteLaxMode,
	})
}

// oidcStart sends the browser to the provider. It is a link, not a form:
// the page's form-action policy would stop a form's redirect to another
// site.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p, _, err := s.oidc.discover(r.Context())
	if err != nil {
		s.logger(r).Warn("oidc discovery", "issuer", s.oidc.cfg.Issuer, "err", err)
		s.oidcFail(w, r, http.StatusBadGateway, s.oidc.name+" does not answer at the moment. Try again in a minute, or sign in with your password.")
		return
	}
	f := oidcFlow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Expires: s.now().Add(oidcFlowLifetime).Unix()}
	if next := r.URL.Query().Get("next"); localPath(next) {
		f.Next = next
	}
	b, _ := json.Marshal(f)
	s.setOIDCCookie(w, r, base64.RawURLEncoding.EncodeToString(b), int(oidcFlowLifetime/time.Second))
	to := s.oidc.oauth(p).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	http.Redirect(w, r, to, http.StatusFound)
}

// readOIDCFlow reads and forgets the browser's flow cookie: each answer
// from the provider is tried once.
func (s *Server) readOIDCFlow(w http.ResponseWriter, r *http.Request) (*oidcFlow, bool) {
	c, err := r.Cookie(s.oidcCookieName(r))
	if err != nil {
		return nil, false
	}
	s.setOIDCCookie(w, r, "", -1)
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil, false
	}
	var f oidcFlow
	if json.Unmarshal(b, &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" || s.now().Unix() > f.Expires {
		return nil, false
	}
	return &f, true
}

// oidcClaims are the ID token's claims trustledger reads.
// email_verified is read loosely: a few providers send it as a string.
type oidcClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

func (c *oidcClaims) verified() bool {
	var b bool
	if json.Unmarshal(c.EmailVerified, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(c.EmailVerified, &s) == nil && strings.EqualFold(s, "true")
}

const msgStartAgain = "This sign-in could not be finished: it took too long, was started in another tab, or this browser blocks cookies. Start again from the sign-in page."

// oidcCallback finishes the sign-in: the state must match this browser's,
// the code is exchanged with the PKCE verifier, the ID token is verified
// (signature, issuer, audience, expiry) and must carry this browser's
// nonce; then the account is found or made and a session starts.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	log := s.logger(r)
	f, ok := s.readOIDCFlow(w, r)
	q := r.URL.Query()
	if !ok || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		log.Warn("oidc callback refused: missing, expired or different state")
		s.oidcFail(w, r, http.StatusBadRequest, msgStartAgain)
		return
	}
	if e := q.Get("error"); e != "" {
		log.Info("oidc provider answered with an error", "error", e, "description", q.Get("error_description"))
		msg := s.oidc.name + " did not sign you in (" + e + ")."
		if e == "access_denied" {
			msg = "You declined to sign in with " + s.oidc.name + "."
		}
		s.oidcFail(w, r, http.StatusUnauthorized, msg+" Start again, or sign in with your password.")
		return
	}
	p, verifier, err := s.oidc.discover(r.Context())
	if err != nil {
		log.Warn("oidc discovery", "issuer", s.oidc.cfg.Issuer, "err", err)
		s.oidcFail(w, r, http.StatusBadGateway, s.oidc.name+" does not answer at the moment. Try again in a minute.")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), oauth2.HTTPClient, s.oidc.cfg.HTTPClient), 15*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth(p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		log.Warn("oidc code exchange", "err", err)
		status := http.StatusBadGateway
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			status = http.StatusBadRequest
		}
		s.oidcFail(w, r, status, s.oidc.name+" did not confirm this sign-in. Start again from the sign-in page.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		log.Warn("oidc token response without id_token")
		s.oidcFail(w, r, http.StatusBadGateway, s.oidc.name+" sent no ID token: is trustledger registered there as an OpenID Connect client?")
		return
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		log.Warn("oidc id token refused", "err", err)
		s.oidcFail(w, r, http.StatusBadRequest, "The identity "+s.oidc.name+" sent could not be verified. Start again from the sign-in page.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		log.Warn("oidc id token refused: nonce differs")
		s.oidcFail(w, r, http.StatusBadRequest, "The identity "+s.oidc.name+" sent was not made for this sign-in. Start again from the sign-in page.")
		return
	}
	var claims oidcClaims
	if err := idt.Claims(&claims); err != nil {
		log.Warn("oidc id token claims", "err", err)
		s.oidcFail(w, r, http.StatusBadRequest, "The identity "+s.oidc.name+" sent could not be read.")
		return
	}
	u, err := s.svc.SignInExternal(r.Context(), tl.ExternalIdentity{
		Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, EmailVerified: claims.verified(), Name: claims.Name,
	})
	if err != nil {
		switch tl.ErrorCode(err) {
		case tl.EFORBIDDEN, tl.ECONFLICT, tl.EINVALID:
			log.Info("oidc sign-in refused", "reason", tl.ErrorMessage(err))
			s.oidcFail(w, r, tl.HTTPStatus(tl.ErrorCode(err)), sentence(tl.ErrorMessage(err)))
		default:
			s.fail(w, r, err)
		}
		return
	}
	if !s.startSession(w, r, u) {
		return
	}
	to := "/"
	if f.Next != "" {
		to = f.Next
	}
	redirect(w, r, to)
}

// sentence capitalizes a service message for a page of its own.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// oidcPage is the data of oidc.html: why a sign-in through the provider
// did not work, and the way back.
type oidcPage struct {
	Page
	Message  string
	Provider string
}

func (s *Server) oidcFail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "oidc.html", &oidcPage{Page: Page{Title: "Sign-in not finished"}, Message: msg, Provider: s.oidc.name})
}

// OIDCRedirectURL is base (the address people open trustledger at)
// followed by OIDCCallbackPath.
func OIDCRedirectURL(base string) string {
	return strings.TrimSuffix(base, "/") + OIDCCallbackPath
}

// providerName is how the account page names a linked issuer: the
// configured name for the configured issuer, else the issuer's host.
func (s *Server) providerName(issuer string) string {
	if s.oidc != nil && issuer == s.oidc.cfg.Issuer {
		return s.oidc.name
	}
	if u, err := url.Parse(issuer); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return issuer
}
