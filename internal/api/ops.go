package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Idempotent is the header every create accepts.
type Idempotent struct {
	IdempotencyKey idempotencyKey `header:"Idempotency-Key" doc:"A unique key for this create (a random UUID). A retry with the same key and body returns the first response instead of creating again. Kept for 24 hours."`
}

// body wraps a response body for huma.
type body[T any] struct {
	Body T
}

func out[T any](v T) *body[T] { return &body[T]{Body: v} }

// PathPerson names a person in the path.
type PathPerson struct {
	Person string `path:"person" maxLength:"200" doc:"The person's name."`
}

type PathID struct {
	ID string `path:"id" maxLength:"100"`
}

// op describes one operation; create marks a POST that creates (201).
func op(id, method, path, summary, tag string) huma.Operation {
	o := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		MaxBodyBytes: tl.MaxRequestBytes + 1} // huma refuses a body that reaches its limit
	if method == http.MethodPost {
		o.DefaultStatus = http.StatusCreated
	}
	return o
}

// largeBody lets an operation take a body of up to n bytes instead of
// tl.MaxRequestBytes: a backup, or a roster sent as a JSON string. huma
// refuses a body that reaches its limit, so the limit is one byte over n.
func largeBody(o huma.Operation, n int64) huma.Operation {
	o.MaxBodyBytes = n + 1
	return o
}

// act is an operation's body: it gets the request's leader and the
// input, and its error becomes the envelope.
func act[I, O any](a *API, f func(ctx context.Context, lid string, in *I) (*O, error)) func(context.Context, *I) (*O, error) {
	return func(ctx context.Context, in *I) (*O, error) {
		lid, err := leader(ctx)
		if err != nil {
			return nil, err
		}
		o, err := f(ctx, lid, in)
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		return o, nil
	}
}

// listed is a list operation: the service's whole list for the leader,
// served in pages.
func listed[T any](a *API, fetch func(tl.Services, context.Context, string) ([]T, error), id func(*T) string) func(context.Context, *PageParams) (*body[Page[T]], error) {
	return act(a, func(ctx context.Context, lid string, in *PageParams) (*body[Page[T]], error) {
		items, err := fetch(a.svc, ctx, lid)
		if err != nil {
			return nil, err
		}
		p, err := paginate(items, id, *in)
		return out(p), err
	})
}

// userListed is a list operation of the token's account (not of a
// leader): tokens, programs, accounts, invitations.
func userListed[T any](a *API, fetch func(tl.Services, context.Context, string) ([]T, error), id func(*T) string) func(context.Context, *PageParams) (*body[Page[T]], error) {
	return asUser(a, func(ctx context.Context, u *tl.User, in *PageParams) (*body[Page[T]], error) {
		items, err := fetch(a.svc, ctx, u.ID)
		if err != nil {
			return nil, err
		}
		p, err := paginate(items, id, *in)
		return out(p), err
	})
}

// Me is the token's account.
type Me struct {
	User   tl.User    `json:"user"`
	Leader *tl.Leader `json:"leader,omitempty"`
	Scope  string     `json:"scope" enum:"read,write"`
}

func (a *API) register() {
	api := a.huma
	s := a.svc

	huma.Register(api, op("getMe", http.MethodGet, "/me", "The account this token acts for", "account"),
		func(ctx context.Context, _ *struct{}) (*body[Me], error) {
			u := user(ctx)
			m := Me{User: *u, Scope: ctx.Value(ctxScope).(string)}
			if u.LeaderID != "" {
				ls, err := s.Leaders(ctx)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				for i := range ls {
					if ls[i].ID == u.LeaderID {
						m.Leader = &ls[i]
					}
				}
			}
			return out(m), nil
		})

	huma.Register(api, op("setTimeZone", http.MethodPut, "/me/time-zone", "Change the time zone your weeks, due dates and times follow", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			Body struct {
				TimeZone zoneString `json:"time_zone" minLength:"1" doc:"An IANA name such as Europe/Berlin, America/Los_Angeles or Asia/Tokyo, or UTC. For an account that leads, its weeks begin on Monday 00:00 there and a due date without a time ends at midnight there."`
			}
		}) (*body[tl.User], error) {
			nu, err := s.SetTimeZone(ctx, u.ID, string(in.Body.TimeZone))
			if err != nil {
				return nil, err
			}
			return out(*nu), nil
		}))

	// People and teams.
	huma.Register(api, op("listPeople", http.MethodGet, "/people", "The people you lead", "people"),
		listed(a, tl.Services.People, func(r *tl.Relationship) string { return r.ID }))
	type personBody struct {
		Name  nameString     `json:"name" minLength:"1"`
		Email emailString    `json:"email,omitempty" doc:"Where pulse and check-in invitations go."`
		Kind  string         `json:"kind,omitempty" enum:"direct-report,skip-level,cross-functional,stakeholder,peer" doc:"How you relate; default direct-report."`
		Team  string         `json:"team,omitempty" doc:"Team name; empty for the default team."`
		Power map[string]int `json:"power,omitempty" doc:"Power bases (legitimate, reward, coercive, informational, expert, referent) 0..4, overriding the kind's defaults."`
		Start time.Time      `json:"start,omitzero" doc:"When the relationship began; default now."`
	}
	huma.Register(api, op("createPerson", http.MethodPost, "/people", "Add a person you lead", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body personBody
		}) (*body[tl.Relationship], error) {
			b := in.Body
			r, err := s.AddPerson(ctx, lid, tl.PersonInput{Name: string(b.Name), Email: string(b.Email), Kind: engine.RelKind(orDefault(b.Kind, "direct-report")), Team: b.Team, Power: b.Power, Start: b.Start})
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("setPersonPower", http.MethodPut, "/people/{person}/power", "Change a person's power bases", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Body struct {
				Power map[string]int `json:"power" doc:"Base name → 0..4; bases left out keep their value."`
			}
		}) (*body[tl.Relationship], error) {
			r, err := s.SetPower(ctx, lid, in.Person, in.Body.Power)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("setPersonActive", http.MethodPut, "/people/{person}/active", "Mark a person active or inactive", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Body struct {
				Active bool `json:"active"`
			}
		}) (*body[tl.Relationship], error) {
			r, err := s.SetActive(ctx, lid, in.Person, in.Body.Active)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("setPersonEmail", http.MethodPut, "/people/{person}/email", "Set or clear a person's email address", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathPerson
			Body struct {
				Email emailString `json:"email" doc:"Empty removes the address."`
			}
		}) (*body[tl.Relationship], error) {
			r, err := s.SetEmail(ctx, lid, in.Person, string(in.Body.Email))
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("explainPerson", http.MethodGet, "/people/{person}/explanation", "Why one relationship stands where it does", "people"),
		act(a, func(ctx context.Context, lid string, in *PathPerson) (*body[tl.Explanation], error) {
			e, err := s.Explain(ctx, lid, in.Person)
			if err != nil {
				return nil, err
			}
			return out(*e), nil
		}))
	huma.Register(api, op("listTeams", http.MethodGet, "/teams", "Your teams", "people"),
		listed(a, tl.Services.Teams, func(t *tl.Team) string { return t.ID }))
	huma.Register(api, op("createTeam", http.MethodPost, "/teams", "Add a team", "people"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				Name nameString `json:"name" minLength:"1"`
			}
		}) (*body[tl.Team], error) {
			t, err := s.AddTeam(ctx, lid, string(in.Body.Name))
			if err != nil {
				return nil, err
			}
			return out(*t), nil
		}))

	a.registerLedger()
	a.registerWeek()
	a.registerWeeklyMail()
	a.registerVoice()
	a.registerIntegrations()
	a.registerCoaching()
	a.registerAccounts()
}
