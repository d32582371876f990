package remote

import (
	"context"
	"net/http"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/api/client"
	"github.com/trustledger/trustledger/internal/engine"
)

// Every method below checks leaderID against the token's leader, then
// makes one call (or one per page) through the generated client.

func (s *Service) AddPerson(ctx context.Context, lid string, in tl.PersonInput) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	b := client.PersonBody{Name: in.Name, Email: optString(in.Email), Kind: relKind(in.Kind), Team: optString(in.Team), Start: optTime(in.Start)}
	if len(in.Power) > 0 {
		m := int64Map(in.Power)
		b.Power = &m
	}
	res, err := s.c.CreatePerson(ctx, nil, b)
	return decode[tl.Relationship](s, res, err)
}

func (s *Service) People(ctx context.Context, lid string) ([]tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Relationship](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListPeople(ctx, &client.ListPeopleParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) SetPower(ctx context.Context, lid, person string, power map[string]int) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.SetPersonPower(ctx, person, client.SetPersonPowerRequest{Power: int64Map(power)})
	return decode[tl.Relationship](s, res, err)
}

func (s *Service) SetActive(ctx context.Context, lid, person string, active bool) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.SetPersonActive(ctx, person, client.SetPersonActiveRequest{Active: active})
	return decode[tl.Relationship](s, res, err)
}

func (s *Service) SetEmail(ctx context.Context, lid, person, email string) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.SetPersonEmail(ctx, person, client.SetPersonEmailRequest{Email: email})
	return decode[tl.Relationship](s, res, err)
}

func (s *Service) AddTeam(ctx context.Context, lid, name string) (*tl.Team, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.CreateTeam(ctx, nil, client.CreateTeamRequest{Name: name})
	return decode[tl.Team](s, res, err)
}

func (s *Service) Teams(ctx context.Context, lid string) ([]tl.Team, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Team](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListTeams(ctx, &client.ListTeamsParams{Cursor: cur, Limit: lim})
	})
}

// eventIn turns the API's event back into the domain's, with its source
// and severity.
func eventIn(e *api.EventOut) (*tl.Event, error) {
	ev := e.Event
	var err error
	if ev.Source, err = engine.ParseSource(e.SourceName); err != nil {
		return nil, err
	}
	if ev.Severity, err = engine.ParseSeverity(e.SeverityName); err != nil {
		return nil, err
	}
	return &ev, nil
}

func (s *Service) Log(ctx context.Context, lid string, in tl.EventInput) (*tl.Event, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	b := client.EventBody{Who: optString(in.Who), Kind: string(in.Kind), At: optTime(in.At), Note: optString(in.Note),
		Repairs: optString(in.Repairs), Base: optString(in.Base)}
	src := client.EventBodySource(in.Source.String())
	b.Source = &src
	sev := in.Severity
	if sev == 0 {
		sev = engine.Normal
	}
	sv := client.EventBodySeverity(sev.String())
	b.Severity = &sv
	if in.Acknowledges {
		b.Acknowledges = &in.Acknowledges
	}
	if in.OffersRepair {
		b.OffersRepair = &in.OffersRepair
	}
	if in.Shift != 0 {
		sh := int64(in.Shift)
		b.Shift = &sh
	}
	res, err := s.c.CreateEvent(ctx, nil, b)
	e, err := decode[api.EventOut](s, res, err)
	if err != nil {
		return nil, err
	}
	return eventIn(e)
}

func (s *Service) Reverse(ctx context.Context, lid, eventID, note string) (*tl.Event, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ReverseEvent(ctx, eventID, nil, client.ReverseEventRequest{Note: optString(note)})
	e, err := decode[api.EventOut](s, res, err)
	if err != nil {
		return nil, err
	}
	return eventIn(e)
}

func (s *Service) Events(ctx context.Context, lid string, f tl.EventFilter) ([]tl.Event, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = 50
	}
	p := &client.ListEventsParams{Limit: &limit, Who: optString(f.Who)}
	if f.Before != "" {
		c := api.EncodeCursor(f.Before)
		p.Cursor = &c
	}
	res, err := s.c.ListEvents(ctx, p)
	page, err := decode[api.Page[api.EventOut]](s, res, err)
	if err != nil {
		return nil, err
	}
	out := make([]tl.Event, 0, len(page.Items))
	for i := range page.Items {
		e, err := eventIn(&page.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

func (s *Service) AddPromise(ctx context.Context, lid string, in tl.PromiseInput) (*tl.Commitment, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.CreatePromise(ctx, nil, client.CreatePromiseRequest{To: in.To, What: in.What, Due: in.Due})
	return decode[tl.Commitment](s, res, err)
}

func (s *Service) ResolvePromise(ctx context.Context, lid, id string, outcome tl.CommitmentStatus, newDue time.Time) (*tl.Commitment, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ResolvePromise(ctx, id, nil, client.ResolvePromiseRequest{Outcome: client.ResolvePromiseRequestOutcome(outcome), NewDue: optTime(newDue)})
	return decode[tl.Commitment](s, res, err)
}

func (s *Service) Promises(ctx context.Context, lid string, status tl.CommitmentStatus) ([]tl.Commitment, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	var st *client.ListPromisesParamsStatus
	if status != "" {
		v := client.ListPromisesParamsStatus(status)
		st = &v
	}
	return all[tl.Commitment](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListPromises(ctx, &client.ListPromisesParams{Cursor: cur, Limit: lim, Status: st})
	})
}

func (s *Service) SayDo(ctx context.Context, lid string) (int, int, error) {
	if err := s.checkLeader(lid); err != nil {
		return 0, 0, err
	}
	res, err := s.c.GetSayDo(ctx)
	sd, err := decode[api.SayDo](s, res, err)
	if err != nil {
		return 0, 0, err
	}
	return sd.Kept, sd.Due, nil
}

func (s *Service) Decide(ctx context.Context, lid string, in tl.DecisionInput) (*tl.Decision, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.CreateDecision(ctx, nil, client.CreateDecisionRequest{What: in.What, Why: optString(in.Why), Affects: in.Affects, At: optTime(in.At)})
	return decode[tl.Decision](s, res, err)
}

func (s *Service) Decisions(ctx context.Context, lid string) ([]tl.Decision, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Decision](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListDecisions(ctx, &client.ListDecisionsParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) Status(ctx context.Context, lid string) (*tl.StatusReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.GetStatus(ctx)
	return decode[tl.StatusReport](s, res, err)
}

func (s *Service) Explain(ctx context.Context, lid, person string) (*tl.Explanation, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ExplainPerson(ctx, person)
	return decode[tl.Explanation](s, res, err)
}

func (s *Service) Week(ctx context.Context, lid string) (*tl.WeekReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.GetWeek(ctx)
	return decode[tl.WeekReport](s, res, err)
}

func (s *Service) AcceptStep(ctx context.Context, lid string) (*tl.Step, *tl.Commitment, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, nil, err
	}
	res, err := s.c.AcceptStep(ctx, nil)
	a, err := decode[api.AcceptedStep](s, res, err)
	if err != nil {
		return nil, nil, err
	}
	return &a.Step, &a.Promise, nil
}

func (s *Service) CloseStep(ctx context.Context, lid string, status tl.StepStatus) (*tl.Step, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.CloseStep(ctx, nil, client.CloseStepRequest{Status: client.CloseStepRequestStatus(status)})
	return decode[tl.Step](s, res, err)
}

func (s *Service) AddJournal(ctx context.Context, lid string, question int, text string) (*tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	q := int64(question)
	res, err := s.c.CreateJournalEntry(ctx, nil, client.CreateJournalEntryRequest{Question: &q, Text: text})
	return decode[tl.JournalEntry](s, res, err)
}

func (s *Service) Journal(ctx context.Context, lid string) ([]tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.JournalEntry](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListJournal(ctx, &client.ListJournalParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) Settings(ctx context.Context, lid string) (engine.Settings, error) {
	if err := s.checkLeader(lid); err != nil {
		return engine.Settings{}, err
	}
	res, err := s.c.GetSettings(ctx)
	st, err := decode[engine.Settings](s, res, err)
	if err != nil {
		return engine.Settings{}, err
	}
	return *st, nil
}

func (s *Service) SetSetting(ctx context.Context, lid, name string, value float64) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.SetSetting(ctx, name, client.SetSettingRequest{Value: value})
	return done(s, res, err)
}
