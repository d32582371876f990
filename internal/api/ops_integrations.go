package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// CalendarFeed says whether the leader has a live iCalendar feed.
type CalendarFeed struct {
	Active bool `json:"active"`
}

// WebhookCreated is a new webhook and its signing secret (shown once).
type WebhookCreated struct {
	Webhook tl.Webhook `json:"webhook"`
	Secret  string     `json:"secret" doc:"Verify X-Trustledger-Signature with it; shown once."`
}

// TokenCreated is a new API token and its secret (shown once).
type TokenCreated struct {
	Token  tl.APIToken `json:"token"`
	Secret string      `json:"secret" doc:"The bearer token; shown once."`
}

// Empty is the body of an answer that has nothing to say.
type Empty struct{}

func (a *API) registerIntegrations() {
	api, s := a.huma, a.svc

	huma.Register(api, op("getCalendar", http.MethodGet, "/calendar", "Whether your promises' calendar feed is live", "integrations"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[CalendarFeed], error) {
			ok, err := s.HasCalendar(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(CalendarFeed{Active: ok}), nil
		}))
	huma.Register(api, op("createCalendar", http.MethodPost, "/calendar", "Make a new secret calendar feed URL (the old one stops working)", "integrations"),
		act(a, func(ctx context.Context, lid string, _ *struct{ Idempotent }) (*body[Link], error) {
			token, err := s.CalendarLink(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(a.link("/calendar/", token, ".ics")), nil
		}))
	huma.Register(api, op("revokeCalendar", http.MethodDelete, "/calendar", "Stop the calendar feed", "integrations"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[Empty], error) {
			if err := s.RevokeCalendar(ctx, lid); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))

	huma.Register(api, op("listWebhooks", http.MethodGet, "/webhooks", "Your webhooks", "integrations"),
		listed(a, tl.Services.Webhooks, func(h *tl.Webhook) string { return h.ID }))
	huma.Register(api, op("createWebhook", http.MethodPost, "/webhooks", "Send events to a URL (Slack-compatible, signed with HMAC-SHA256)", "integrations"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				URL    urlString `json:"url" minLength:"1" doc:"An https URL (http only for loopback)."`
				Events []string  `json:"events,omitempty" doc:"promise.due, promise.overdue, step.suggested, pulse.released, digest.weekly; empty for all."`
			}
		}) (*body[WebhookCreated], error) {
			h, secret, err := s.AddWebhook(ctx, lid, string(in.Body.URL), in.Body.Events)
			if err != nil {
				return nil, err
			}
			return out(WebhookCreated{Webhook: *h, Secret: secret}), nil
		}))
	huma.Register(api, op("deleteWebhook", http.MethodDelete, "/webhooks/{id}", "Remove a webhook", "integrations"),
		act(a, func(ctx context.Context, lid string, in *PathID) (*body[Empty], error) {
			if err := s.RemoveWebhook(ctx, lid, in.ID); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))

	// Tokens belong to the account, not to a leader.
	huma.Register(api, op("listTokens", http.MethodGet, "/tokens", "Your API tokens", "account"),
		userListed(a, tl.Services.Tokens, func(t *tl.APIToken) string { return t.ID }))
	huma.Register(api, op("createToken", http.MethodPost, "/tokens", "Make an API token", "account"),
		func(ctx context.Context, in *struct {
			Idempotent
			Body struct {
				Name  nameString `json:"name" minLength:"1" doc:"Where the token is used."`
				Scope string     `json:"scope,omitempty" enum:"read,write" doc:"read (default) or write."`
			}
		}) (*body[TokenCreated], error) {
			t, secret, err := s.CreateToken(ctx, user(ctx).ID, string(in.Body.Name), in.Body.Scope)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return out(TokenCreated{Token: *t, Secret: secret}), nil
		})
	huma.Register(api, op("revokeToken", http.MethodDelete, "/tokens/{id}", "Revoke an API token", "account"),
		func(ctx context.Context, in *PathID) (*body[Empty], error) {
			if err := s.RevokeToken(ctx, user(ctx).ID, in.ID); err != nil {
				return nil, a.fail(ctx, err)
			}
			return out(Empty{}), nil
		})
}
