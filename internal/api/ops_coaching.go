package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// PathProgram names a program in the path.
type PathProgram struct {
	ID string `path:"id" maxLength:"100" doc:"The program's id."`
}

// EmailBody names an account by email.
type EmailBody struct {
	Email emailString `json:"email" minLength:"1"`
}

// user runs an operation as the token's account (programs belong to the
// organisation, not to one leader).
func asUser[I, O any](a *API, f func(ctx context.Context, u *tl.User, in *I) (*O, error)) func(context.Context, *I) (*O, error) {
	return func(ctx context.Context, in *I) (*O, error) {
		o, err := f(ctx, user(ctx), in)
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		return o, nil
	}
}

// rosterBodyBytes is the largest roster request: the CSV (at most
// tl.MaxRosterBytes) as a JSON string, in which each newline and quote
// takes two bytes, and the rest of the object.
const rosterBodyBytes = 2*tl.MaxRosterBytes + 4<<10

func (a *API) registerCoaching() {
	api, s := a.huma, a.svc

	huma.Register(api, op("listPrograms", http.MethodGet, "/programs", "The programs you run, coach or are in", "programs"),
		userListed(a, tl.Services.Programs, func(p *tl.Program) string { return p.ID }))
	huma.Register(api, op("createProgram", http.MethodPost, "/programs", "Make a program (owner and admins)", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			Idempotent
			Body struct {
				Name nameString `json:"name" minLength:"1"`
			}
		}) (*body[tl.Program], error) {
			p, err := s.CreateProgram(ctx, u.ID, string(in.Body.Name))
			if err != nil {
				return nil, err
			}
			return out(*p), nil
		}))
	huma.Register(api, op("getProgram", http.MethodGet, "/programs/{id}", "A program: its coaches and leaders (a leader sees only their own consent)", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *PathProgram) (*body[tl.ProgramDetail], error) {
			d, err := s.Program(ctx, u.ID, in.ID)
			if err != nil {
				return nil, err
			}
			return out(*d), nil
		}))
	huma.Register(api, op("getRollup", http.MethodGet, "/programs/{id}/rollup", "What the program's coaches see: aggregates of the consenting leaders only", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *PathProgram) (*body[tl.Rollup], error) {
			r, err := s.Rollup(ctx, u.ID, in.ID)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
	huma.Register(api, op("addProgramCoach", http.MethodPost, "/programs/{id}/coaches", "Add a coach account to a program (admins)", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			PathProgram
			Idempotent
			Body EmailBody
		}) (*body[Empty], error) {
			return out(Empty{}), s.AddCoach(ctx, u.ID, in.ID, string(in.Body.Email))
		}))
	huma.Register(api, op("addProgramLeader", http.MethodPost, "/programs/{id}/leaders", "Add a leader to a program (admins); coaches see them once they consent", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			PathProgram
			Idempotent
			Body EmailBody
		}) (*body[Empty], error) {
			return out(Empty{}), s.AddLeader(ctx, u.ID, in.ID, string(in.Body.Email))
		}))
	huma.Register(api, op("setProgramConsent", http.MethodPut, "/programs/{id}/consent", "Give or withdraw your consent, effective on the next request", "programs"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			PathProgram
			Body struct {
				Consent bool `json:"consent"`
			}
		}) (*body[Empty], error) {
			return out(Empty{}), s.SetConsent(ctx, u.ID, in.ID, in.Body.Consent)
		}))
	huma.Register(api, op("setJournalShared", http.MethodPut, "/journal/{id}/shared", "Share a journal entry with your programs' coaches, or stop", "journal"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathID
			Body struct {
				Shared bool `json:"shared"`
			}
		}) (*body[tl.JournalEntry], error) {
			j, err := s.ShareJournal(ctx, lid, in.ID, in.Body.Shared)
			if err != nil {
				return nil, err
			}
			return out(*j), nil
		}))
	huma.Register(api, largeBody(op("importRoster", http.MethodPost, "/roster", "Check a CSV roster and, unless dry_run or a line is wrong, invite everyone in one transaction (admins)", "programs"), rosterBodyBytes),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			Idempotent
			Body struct {
				CSV    rosterString `json:"csv" minLength:"1" doc:"The roster: a header line (email,name,role[,team,leader_email]), then one person per line."`
				DryRun bool         `json:"dry_run,omitempty" doc:"Check every line and write nothing."`
			}
		}) (*body[tl.RosterResult], error) {
			r, err := s.Roster(ctx, u.ID, []byte(in.Body.CSV), in.Body.DryRun, nil)
			if err != nil {
				return nil, err
			}
			return out(*r), nil
		}))
}
