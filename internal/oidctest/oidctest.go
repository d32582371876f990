// Package oidctest is a small OpenID Connect provider for tests: an
// httptest server with discovery, a JWKS, an /authorize endpoint that
// approves a configured person at once, and a /token endpoint that
// checks the code, the PKCE verifier and the client secret before it
// returns an RS256-signed ID token. It implements only the authorization
// code flow, and only as far as trustledger's sign-in needs, but checks
// everything a real provider would refuse.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is the person /authorize approves, as the ID token describes them.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Provider is a running test provider. Its fields are read under mu, so
// a test may change the user between sign-ins.
type Provider struct {
	Server       *httptest.Server
	ClientID     string
	ClientSecret string

	key   *rsa.PrivateKey
	keyID string

	mu       sync.Mutex
	user     User
	nonce    *string // when set, every ID token carries this nonce instead
	deny     string  // when set, /authorize answers with this error
	codes    map[string]*grant
	lifetime time.Duration
}

// grant is what an issued code stands for until it is redeemed.
type grant struct {
	redirectURI string
	challenge   string
	nonce       string
	user        User
	expires     time.Time
}

// New starts a provider for one client and stops it when the test ends.
// The user it approves is set with SetUser.
func New(tb testing.TB, clientID, clientSecret string) *Provider {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("oidctest: key: %v", err)
	}
	p := &Provider{
		ClientID: clientID, ClientSecret: clientSecret,
		key: key, keyID: rand.Text()[:8],
		codes: map[string]*grant{}, lifetime: 5 * time.Minute,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	tb.Cleanup(p.Server.Close)
	return p
}

// Issuer is the provider's issuer URL (its base URL, no trailing slash).
func (p *Provider) Issuer() string { return p.Server.URL }

// SetUser sets the person the next /authorize approves.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// SetNonce makes every later ID token carry nonce instead of the one the
// client asked for ("" goes back to the right one): a replayed or forged
// token, as the client sees it.
func (p *Provider) SetNonce(nonce string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if nonce == "" {
		p.nonce = nil
		return
	}
	p.nonce = &nonce
}

// Deny makes /authorize send the person back with an OAuth error such as
// "access_denied" ("" approves again).
func (p *Provider) Deny(code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = code
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name", "nonce"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.key.PublicKey, KeyID: p.keyID, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// authorize approves the configured user without a page and sends the
// browser back with a code, after checking the request as a provider
// must: the client, a redirect URI, the openid scope and an S256 PKCE
// challenge. Errors it cannot send back are plain 400s.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !back.IsAbs() {
		http.Error(w, "redirect_uri must be an absolute URL", http.StatusBadRequest)
		return
	}
	reply := func(params url.Values) {
		params.Set("state", q.Get("state"))
		u := *back
		u.RawQuery = params.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		reply(url.Values{"error": {code}, "error_description": {desc}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the code flow is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "the openid scope is required")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "a PKCE code_challenge with method S256 is required")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deny != "" {
		fail(p.deny, "the person declined")
		return
	}
	code := rand.Text()
	p.codes[code] = &grant{
		redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
		user: p.user, expires: time.Now().Add(time.Minute),
	}
	reply(url.Values{"code": {code}})
}

// clientAuth reads the client's credentials from HTTP Basic (URL-encoded
// as RFC 6749 §2.3.1 says) or from the form.
func clientAuth(r *http.Request) (id, secret string) {
	if u, pw, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(pw)
		return id, secret
	}
	return r.PostFormValue("client_id"), r.PostFormValue("client_secret")
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// token redeems a code once for an ID token, checking the client secret,
// the redirect URI and the PKCE verifier against the code's challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret := clientAuth(r)
	if id != p.ClientID || !same(secret, p.ClientSecret) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostFormValue("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	p.mu.Lock()
	g := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code")) // a code works once, even when the rest is wrong
	forced := p.nonce
	p.mu.Unlock()
	invalid := func(desc string) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": desc})
	}
	if g == nil || time.Now().After(g.expires) {
		invalid("unknown, used or expired code")
		return
	}
	if r.PostFormValue("redirect_uri") != g.redirectURI {
		invalid("redirect_uri differs from the authorization request")
		return
	}
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("code_verifier") == "" || !same(base64.RawURLEncoding.EncodeToString(sum[:]), g.challenge) {
		invalid("the PKCE code_verifier does not match the code_challenge")
		return
	}
	nonce := g.nonce
	if forced != nil {
		nonce = *forced
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.Issuer(), "sub": g.user.Subject, "aud": p.ClientID,
		"iat": now.Unix(), "exp": now.Add(p.lifetime).Unix(),
		"email": g.user.Email, "email_verified": g.user.EmailVerified,
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if g.user.Name != "" {
		claims["name"] = g.user.Name
	}
	idToken, err := p.Sign(claims)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

// Sign signs claims as a compact JWS with the provider's key, so a test
// can also hand-craft tokens.
func (p *Provider) Sign(claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), p.keyID))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
