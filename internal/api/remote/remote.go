// Package remote is the trustledger service over the JSON API: the CLI's
// remote mode (--server, --token) uses it in place of a database. It is a
// small hand-written client over the root package's types (client.go
// holds its HTTP helpers, the other files one method per operation); the
// API's tests validate every exchange against the server's OpenAPI
// document, so the document and the server cannot drift apart.
package remote

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
)

// opRemote marks errors whose Message the remote client wrote itself
// (the CLI shows them as they are).
const opRemote = "cli"

// Service is the app over HTTP. It implements tl.Service, the leader's
// side of tl.VoiceService, and the calendar, privacy, webhook and token
// services; what only a browser or the server itself can do is refused
// with a sentence saying so.
type Service struct {
	hc     *http.Client
	base   string // the server's address and api.Prefix
	token  string
	server string
	me     *api.Me
}

var (
	_ tl.Service         = (*Service)(nil)
	_ tl.VoiceService    = (*Service)(nil)
	_ tl.CalendarService = (*Service)(nil)
	_ tl.PrivacyService  = (*Service)(nil)
	_ tl.WebhookService  = (*Service)(nil)
	_ tl.TokenService    = (*Service)(nil)
)

// New connects to server (its base address, e.g. https://trust.example.com)
// with an API token, and checks both by asking who the token is.
func New(ctx context.Context, server, token string, hc *http.Client) (*Service, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(server), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, tl.Errorf(tl.EINVALID, "--server %q is not an http(s) address: give the server's address, e.g. https://trust.example.com", server)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, tl.Errorf(tl.EINVALID, "remote mode needs an API token: pass --token or set TRUSTLEDGER_TOKEN (make one on the server's account page or with: trustledger token create)")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	hc2 := *hc
	hc2.Transport = &retrying{next: transport(hc.Transport)}
	s := &Service{hc: &hc2, base: u.String() + api.Prefix, token: token, server: u.String()}
	me, err := get[api.Me](ctx, s, "/me", nil)
	if err != nil {
		return nil, err
	}
	s.me = me
	return s, nil
}

func transport(t http.RoundTripper) http.RoundTripper {
	if t == nil {
		return http.DefaultTransport
	}
	return t
}

// Server is the address the service talks to, for messages.
func (s *Service) Server() string { return s.server }

// User is the account the token acts for.
func (s *Service) User() tl.User { return s.me.User }

// unavailable is the error for what remote mode cannot do.
func unavailable(what, instead string) error {
	return tl.Errorf(tl.EINVALID, "%s is not available with --server: %s", what, instead)
}

// checkLeader refuses a leaderID other than the token's: the API acts
// for the token's account only.
func (s *Service) checkLeader(leaderID string) error {
	if s.me.Leader == nil {
		return tl.Errorf(tl.EFORBIDDEN, "the account %s does not lead anyone, so it has no trust accounts", s.me.User.Email)
	}
	if leaderID != "" && leaderID != s.me.Leader.ID {
		return tl.Errorf(tl.EFORBIDDEN, "this token acts for %s only", s.me.Leader.Name)
	}
	return nil
}

// Leaders is the token's leader.
func (s *Service) Leaders(ctx context.Context) ([]tl.Leader, error) {
	if s.me.Leader == nil {
		return []tl.Leader{}, nil
	}
	return []tl.Leader{*s.me.Leader}, nil
}

// ResolveLeader accepts "" or the token's leader's name.
func (s *Service) ResolveLeader(ctx context.Context, name string) (*tl.Leader, error) {
	if err := s.checkLeader(""); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name != "" && !strings.EqualFold(name, s.me.Leader.Name) {
		return nil, tl.Errorf(tl.EINVALID, "this token acts for %s, not %s: leave out --leader, or use a token of %s's account", s.me.Leader.Name, name, name)
	}
	l := *s.me.Leader
	return &l, nil
}

// CreateLeader is refused: accounts are made on the server.
func (s *Service) CreateLeader(ctx context.Context, name string) (*tl.Leader, error) {
	return nil, unavailable("adding a leader", "leaders are accounts on the server: sign up or accept an invitation in its web app")
}

// Tick does nothing: the server runs what is due itself.
func (s *Service) Tick(ctx context.Context) ([]tl.Promise, error) { return nil, nil }

// Import loads a backup on the server (owner and admins).
func (s *Service) Import(ctx context.Context, actorID string, b *tl.Backup) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, "/import", b)
}

// Export is the token's leader's backup (leaderID must be "" or theirs).
func (s *Service) Export(ctx context.Context, leaderID string) (*tl.Backup, error) {
	if err := s.checkLeader(leaderID); err != nil {
		return nil, err
	}
	return get[tl.Backup](ctx, s, "/export", nil)
}
