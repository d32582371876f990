// Package remote is the trustledger service over the JSON API: the CLI's
// remote mode (--server, --token) uses it in place of a database. It
// speaks through the client generated from the API's OpenAPI document
// (internal/api/client), so it cannot drift from the server.
package remote

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/api/client"
	"github.com/trustledger/trustledger/internal/engine"
)

// opRemote marks errors whose Message the remote client wrote itself
// (the CLI shows them as they are).
const opRemote = "cli"

// Service is the app over HTTP. It implements tl.Service, the leader's
// side of tl.VoiceService, and the calendar, privacy, webhook and token
// services; what only a browser or the server itself can do is refused
// with a sentence saying so.
type Service struct {
	c      *client.Client
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
	c, err := client.NewClient(u.String()+api.Prefix,
		client.WithHTTPClient(&hc2),
		client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("User-Agent", "trustledger-cli")
			if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") == "" {
				r.Header.Set("Idempotency-Key", rand.Text())
			}
			return nil
		}))
	if err != nil {
		return nil, tl.Errorf(tl.EINVALID, "--server %q: %v", server, err)
	}
	s := &Service{c: c, server: u.String()}
	res, err := c.GetMe(ctx)
	me, err := decode[api.Me](s, res, err)
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

// retrying resends a request that carries an Idempotency-Key (every
// create) when the connection fails or a proxy answers 502–504: the key
// makes the retry safe, the server runs the create at most once.
type retrying struct{ next http.RoundTripper }

func (t *retrying) RoundTrip(r *http.Request) (*http.Response, error) {
	retryable := r.Method == http.MethodGet || r.Header.Get("Idempotency-Key") != ""
	var res *http.Response
	var err error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if r.GetBody != nil {
				b, gerr := r.GetBody()
				if gerr != nil {
					return nil, gerr
				}
				r = r.Clone(r.Context())
				r.Body = b
			}
			select {
			case <-r.Context().Done():
				return nil, r.Context().Err()
			case <-time.After(time.Duration(attempt*attempt) * 100 * time.Millisecond):
			}
		}
		res, err = t.next.RoundTrip(r)
		transient := err != nil || res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusGatewayTimeout
		if !retryable || !transient || attempt == 3 || (r.Body != nil && r.GetBody == nil) {
			return res, err
		}
		if res != nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
}

// Server is the address the service talks to, for messages.
func (s *Service) Server() string { return s.server }

// User is the account the token acts for.
func (s *Service) User() tl.User { return s.me.User }

// decode reads a response: the JSON body into T on success, the error
// envelope into a *tl.Error otherwise.
func decode[T any](s *Service, res *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err,
			Message: fmt.Sprintf("cannot reach trustledger at %s: check --server and that the server is running", s.server)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err, Message: fmt.Sprintf("the answer from %s broke off: try again", s.server)}
	}
	if res.StatusCode >= 400 {
		var env struct {
			Error api.ErrorBody `json:"error"`
		}
		if json.Unmarshal(body, &env) != nil || env.Error.Code == "" {
			return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: errors.New(string(body)),
				Message: fmt.Sprintf("%s answered %s, not as a trustledger server: check --server", s.server, res.Status)}
		}
		e := &tl.Error{Code: env.Error.Code, Message: env.Error.Message, RetryAfter: time.Duration(env.Error.RetryAfter) * time.Second}
		if e.Code == tl.EINTERNAL {
			e.Op = opRemote
			e.Message = fmt.Sprintf("the server at %s failed (%s); its log has the cause", s.server, res.Status)
		}
		return nil, e
	}
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err,
			Message: fmt.Sprintf("the answer from %s was not understood: is the server the same version as this CLI?", s.server)}
	}
	return &v, nil
}

// done checks a response whose body does not matter.
func done(s *Service, res *http.Response, err error) error {
	_, err = decode[json.RawMessage](s, res, err)
	return err
}

// all fetches every page of a list.
func all[T any](ctx context.Context, s *Service, page func(cursor *string, limit *int64) (*http.Response, error)) ([]T, error) {
	out := []T{}
	var cursor *string
	limit := int64(500)
	for {
		res, err := page(cursor, &limit)
		p, err := decode[api.Page[T]](s, res, err)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		next := p.NextCursor
		cursor = &next
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func int64Map(m map[string]int) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out
}

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
func (s *Service) Tick(ctx context.Context) ([]tl.Commitment, error) { return nil, nil }

// Import loads a backup on the server (owner and admins).
func (s *Service) Import(ctx context.Context, b *tl.Backup) error {
	var body client.Backup
	if err := convert(b, &body); err != nil {
		return err
	}
	res, err := s.c.ImportData(ctx, nil, body)
	return done(s, res, err)
}

// Export is the token's leader's backup (leaderID must be "" or theirs).
func (s *Service) Export(ctx context.Context, leaderID string) (*tl.Backup, error) {
	if err := s.checkLeader(leaderID); err != nil {
		return nil, err
	}
	res, err := s.c.ExportData(ctx)
	return decode[tl.Backup](s, res, err)
}

// convert copies a value into its generated twin through JSON.
func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err == nil {
		err = json.Unmarshal(b, to)
	}
	if err != nil {
		return &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err, Message: "cannot encode the request for the server"}
	}
	return nil
}

// relKind is the generated enum of a relationship kind.
func relKind(k engine.RelKind) *client.PersonBodyKind {
	if k == "" {
		return nil
	}
	v := client.PersonBodyKind(k)
	return &v
}
