package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// Link is a secret link, shown once: its token and the path it opens on
// the server (prefix it with the server's address).
type Link struct {
	Token string `json:"token"`
	Path  string `json:"path" doc:"The link's path on the server, e.g. /w/TOKEN."`
	URL   string `json:"url,omitempty" doc:"The full address, when the server knows its base URL."`
}

func (a *API) link(prefix, token, suffix string) Link {
	l := Link{Token: token, Path: prefix + token + suffix}
	if a.baseURL != "" {
		l.URL = a.baseURL + l.Path
	}
	return l
}

// CheckinAsked is a check-in and, for delivery by link, its link.
type CheckinAsked struct {
	Checkin tl.Checkin `json:"checkin"`
	Link    *Link      `json:"link,omitempty"`
}

func (a *API) registerVoice() {
	api, s := a.huma, a.svc

	huma.Register(api, op("listPulses", http.MethodGet, "/pulses", "Your team pulses, newest first", "pulses"),
		listed(a, tl.Services.Pulses, func(p *tl.Pulse) string { return p.ID }))
	huma.Register(api, op("launchPulse", http.MethodPost, "/pulses", "Launch an anonymous pulse for a team", "pulses"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				Team     nameString     `json:"team,omitempty" doc:"Team name; empty for the default team."`
				Members  []string       `json:"members,omitempty" maxItems:"1000" doc:"Names of the people asked; empty for every active member."`
				K        int            `json:"k,omitempty" minimum:"0" maximum:"100" doc:"The anonymity threshold; 0 for your anonymity_k setting (at least 3)."`
				Question questionString `json:"question,omitempty" doc:"An optional open question."`
				Delivery string         `json:"delivery,omitempty" enum:"email" doc:"email, the only way: a personal link to each person asked. Shared links are no longer launched (docs/ANONYMITY.md, rule 2)."`
				Closes   time.Time      `json:"closes,omitzero" doc:"When it closes; default a week from now."`
			}
		}) (*body[tl.PulseLaunch], error) {
			b := in.Body
			l, err := s.LaunchPulse(ctx, lid, tl.PulseInput{Team: string(b.Team), Members: b.Members, K: b.K, Question: string(b.Question), Delivery: b.Delivery, Closes: b.Closes})
			if err != nil {
				return nil, err
			}
			return out(*l), nil
		}))
	type PathPulse struct {
		ID string `path:"id" maxLength:"100" doc:"The pulse's id."`
	}
	huma.Register(api, op("getPulse", http.MethodGet, "/pulses/{id}", "A pulse's results (only what anonymity allows)", "pulses"),
		act(a, func(ctx context.Context, lid string, in *PathPulse) (*body[tl.PulseReport], error) {
			r, err := s.PulseReport(ctx, lid, in.ID)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("closePulse", http.MethodPost, "/pulses/{id}/closure", "Close a pulse now and release or withhold its results", "pulses"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPulse
			Idempotent
		}) (*body[tl.PulseReport], error) {
			r, err := s.ClosePulse(ctx, lid, in.ID)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("remindPulse", http.MethodPost, "/pulses/{id}/reminders", "Remind everyone asked (the server cannot know who answered)", "pulses"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPulse
			Idempotent
		}) (*body[Empty], error) {
			if err := s.RemindPulse(ctx, lid, in.ID); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))
	huma.Register(api, op("answerPulseSelf", http.MethodPost, "/pulses/{id}/self-answers", "Your own view, for the self–team gap", "pulses"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPulse
			Idempotent
			Body struct {
				Answers map[string]int `json:"answers" doc:"Item id → 1..5."`
			}
		}) (*body[Empty], error) {
			if err := s.AnswerSelf(ctx, lid, in.ID, in.Body.Answers); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))
	huma.Register(api, op("listTeamViews", http.MethodGet, "/team-views", "Ledger, team and self views side by side, per team", "pulses"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[[]tl.TeamView], error) {
			vs, err := s.TeamViews(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(vs), nil
		}))

	huma.Register(api, op("listCheckins", http.MethodGet, "/checkins", "Named check-ins you asked for, newest first", "checkins"),
		listed(a, tl.Services.Checkins, func(c *tl.Checkin) string { return c.ID }))
	huma.Register(api, op("askCheckin", http.MethodPost, "/people/{person}/checkins", "Ask one person a named check-in", "checkins"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Idempotent
			Body struct {
				Delivery string `json:"delivery,omitempty" enum:"email,link" doc:"email or link (shown once); left out: by email when the person has an address, else a link."`
			}
		}) (*body[CheckinAsked], error) {
			c, token, err := s.AskCheckin(ctx, lid, in.Person, in.Body.Delivery)
			if err != nil {
				return nil, err
			}
			res := CheckinAsked{Checkin: *c}
			if token != "" {
				l := a.link("/c/", token, "")
				res.Link = &l
			}
			return out(res), nil
		}))
	huma.Register(api, op("sendWindowLink", http.MethodPost, "/people/{person}/window-link", "Mail one person the link to their window, at their confirmed address (nobody else ever sees it)", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Idempotent
		}) (*body[Empty], error) {
			if err := s.SendWindowLink(ctx, lid, in.Person); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))
	huma.Register(api, op("listVoiceRoster", http.MethodGet, "/voice-roster", "Where each of your people stands for the team's voice: whether they count toward k, and if not, why", "people"),
		listed(a, tl.Services.VoiceRoster, func(s *tl.Standing) string { return s.RelationshipID }))
	huma.Register(api, op("sendAddressConfirmation", http.MethodPost, "/people/{person}/address-confirmation", "Mail one person the link that confirms their address, again", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Idempotent
		}) (*body[Empty], error) {
			if err := s.SendConfirmation(ctx, lid, in.Person); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))
	huma.Register(api, op("listApprovals", http.MethodGet, "/approvals", "People waiting for an administrator who is not their leader to approve them for the team's voice (owner and admins)", "account"),
		userListed(a, tl.Services.Approvals, func(p *tl.Approval) string { return p.RelationshipID }))
	huma.Register(api, op("approvePerson", http.MethodPost, "/approvals/{id}", "Approve a person for the team's voice (owner and admins, never their own leader)", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			ID string `path:"id" maxLength:"100" doc:"The person's relationship id."`
			Idempotent
		}) (*body[Empty], error) {
			if err := s.Approve(ctx, u.ID, in.ID); err != nil {
				return nil, err
			}
			return out(Empty{}), nil
		}))
	huma.Register(api, op("exportPerson", http.MethodGet, "/people/{person}/data", "Everything kept about one person", "privacy"),
		act(a, func(ctx context.Context, lid string, in *PathPerson) (*body[tl.PersonData], error) {
			d, err := s.PersonData(ctx, lid, in.Person)
			if err != nil {
				return nil, err
			}
			return out(*d), nil
		}))
	huma.Register(api, op("erasePerson", http.MethodPost, "/people/{person}/erasure", "Erase one person's words and name; the ledger keeps its shape", "privacy"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Idempotent
		}) (*body[tl.Relationship], error) {
			r, err := s.ErasePerson(ctx, lid, in.Person)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
}
