package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// EventOut is a ledger entry with its source and severity spelled out.
type EventOut = tl.BackupEvent

func eventOut(e tl.Event) EventOut {
	return tl.BackupEvent{Event: e, SourceName: e.Source.String(), SeverityName: e.Severity.String()}
}

// SayDo is the share of promises kept.
type SayDo struct {
	Kept int `json:"kept" doc:"Promises kept (on time or late)."`
	Due  int `json:"due" doc:"Promises that came due."`
}

func (a *API) registerLedger() {
	api, s := a.huma, a.svc

	huma.Register(api, op("listEvents", http.MethodGet, "/events", "The ledger, newest first", "ledger"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PageParams
			Who string `query:"who" maxLength:"100" doc:"A person's name or \"team\"; empty for every entry."`
		}) (*body[Page[EventOut]], error) {
			before, err := decodeCursor(in.Cursor)
			if err != nil {
				return nil, err
			}
			limit := in.limit()
			evs, err := s.Events(ctx, lid, tl.EventFilter{Who: in.Who, Limit: limit + 1, Before: before})
			if err != nil {
				return nil, err
			}
			p := Page[EventOut]{Items: []EventOut{}}
			for i, e := range evs {
				if i == limit {
					p.NextCursor = encodeCursor(evs[i-1].ID)
					break
				}
				p.Items = append(p.Items, eventOut(e))
			}
			return out(p), nil
		}))
	type eventBody struct {
		Who          nameString `json:"who,omitempty" doc:"A person's name, \"team\", or a team's name; may be left out for an apology that names what it repairs."`
		Kind         string     `json:"kind" minLength:"1" doc:"What happened: promise-kept, recognition, apology, … (see trustledger log --help)."`
		At           time.Time  `json:"at,omitzero" doc:"When it happened; default now."`
		Source       string     `json:"source,omitempty" enum:"self,confirmed" doc:"self (default): you logged it; confirmed: the person confirmed it."`
		Severity     string     `json:"severity,omitempty" enum:"minor,normal,major,severe"`
		Note         noteString `json:"note,omitempty"`
		Repairs      string     `json:"repairs,omitempty" doc:"For an apology: the id of the entry it repairs."`
		Acknowledges bool       `json:"acknowledges,omitempty"`
		OffersRepair bool       `json:"offers_repair,omitempty"`
		Base         string     `json:"base,omitempty" doc:"authority-granted/removed: which power base."`
		Shift        int        `json:"shift,omitempty" minimum:"-4" maximum:"4"`
	}
	huma.Register(api, op("createEvent", http.MethodPost, "/events", "Log something that built or eroded trust", "ledger"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body eventBody
		}) (*body[EventOut], error) {
			b := in.Body
			ev := tl.EventInput{Who: string(b.Who), Kind: engine.Kind(b.Kind), At: b.At, Note: string(b.Note), Repairs: b.Repairs,
				Acknowledges: b.Acknowledges, OffersRepair: b.OffersRepair, Base: b.Base, Shift: b.Shift}
			var err error
			if ev.Source, err = engine.ParseSource(orDefault(b.Source, "self")); err != nil {
				return nil, err
			}
			if ev.Severity, err = engine.ParseSeverity(orDefault(b.Severity, "normal")); err != nil {
				return nil, err
			}
			e, err := s.Log(ctx, lid, ev)
			if err != nil {
				return nil, err
			}
			return out(eventOut(*e)), nil
		}))
	huma.Register(api, op("reverseEvent", http.MethodPost, "/events/{id}/reversal", "Cancel a ledger entry with a reversing entry", "ledger"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathID
			Idempotent
			Body struct {
				Note noteString `json:"note,omitempty" doc:"Why it is reversed."`
			}
		}) (*body[EventOut], error) {
			e, err := s.Reverse(ctx, lid, in.ID, string(in.Body.Note))
			if err != nil {
				return nil, err
			}
			return out(eventOut(*e)), nil
		}))

	// Promises.
	huma.Register(api, op("listPromises", http.MethodGet, "/promises", "Your promises, by due date", "promises"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PageParams
			Status string `query:"status" enum:"open,kept,kept-late,renegotiated,broken" doc:"Only promises in this state; empty for all."`
		}) (*body[Page[tl.Promise]], error) {
			cs, err := s.Promises(ctx, lid, tl.PromiseStatus(in.Status))
			if err != nil {
				return nil, err
			}
			p, err := paginate(cs, func(c *tl.Promise) string { return c.ID }, in.PageParams)
			return out(p), err
		}))
	huma.Register(api, op("createPromise", http.MethodPost, "/promises", "Make a promise", "promises"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				To   nameString `json:"to" minLength:"1" doc:"A person's name or a team's name."`
				What textString `json:"what" minLength:"1"`
				Due  time.Time  `json:"due"`
			}
		}) (*body[tl.Promise], error) {
			c, err := s.AddPromise(ctx, lid, tl.PromiseInput{To: string(in.Body.To), What: string(in.Body.What), Due: in.Body.Due})
			if err != nil {
				return nil, err
			}
			return out(*c), nil
		}))
	huma.Register(api, op("resolvePromise", http.MethodPost, "/promises/{id}/resolution", "Record how a promise ended", "promises"),
		act(a, func(ctx context.Context, lid string, in *struct {
			PathID
			Idempotent
			Body struct {
				Outcome string    `json:"outcome" enum:"kept,kept-late,renegotiated,broken"`
				NewDue  time.Time `json:"new_due,omitzero" doc:"For renegotiated: the new due date."`
			}
		}) (*body[tl.Promise], error) {
			c, err := s.ResolvePromise(ctx, lid, in.ID, tl.PromiseStatus(in.Body.Outcome), in.Body.NewDue)
			if err != nil {
				return nil, err
			}
			return out(*c), nil
		}))
	huma.Register(api, op("getSayDo", http.MethodGet, "/promises/say-do", "How many promises that came due were kept", "promises"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[SayDo], error) {
			k, d, err := s.SayDo(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(SayDo{Kept: k, Due: d}), nil
		}))

	// Decisions.
	huma.Register(api, op("listDecisions", http.MethodGet, "/decisions", "Your decisions, newest first", "decisions"),
		listed(a, tl.Services.Decisions, func(d *tl.Decision) string { return d.ID }))
	huma.Register(api, op("createDecision", http.MethodPost, "/decisions", "Record a decision with its why", "decisions"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				What    textString `json:"what" minLength:"1"`
				Why     textString `json:"why,omitempty" doc:"Empty records an unexplained decision, which withdraws trust."`
				Affects nameString `json:"affects" minLength:"1" doc:"A person's name or a team's name."`
				At      time.Time  `json:"at,omitzero"`
			}
		}) (*body[tl.Decision], error) {
			b := in.Body
			d, err := s.Decide(ctx, lid, tl.DecisionInput{What: string(b.What), Why: string(b.Why), Affects: string(b.Affects), At: b.At})
			if err != nil {
				return nil, err
			}
			return out(*d), nil
		}))

	// The journal.
	huma.Register(api, op("listJournal", http.MethodGet, "/journal", "Your journal, newest first", "journal"),
		listed(a, tl.Services.Journal, func(j *tl.JournalEntry) string { return j.ID }))
	huma.Register(api, op("createJournalEntry", http.MethodPost, "/journal", "Answer a reflection question or write a note", "journal"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Idempotent
			Body struct {
				Question int        `json:"question,omitempty" minimum:"0" maximum:"3" doc:"1–3: the article's questions; 0: a free note."`
				Text     noteString `json:"text" minLength:"1"`
			}
		}) (*body[tl.JournalEntry], error) {
			j, err := s.AddJournal(ctx, lid, in.Body.Question, string(in.Body.Text))
			if err != nil {
				return nil, err
			}
			return out(*j), nil
		}))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
