package remote

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/engine"
)

// Every method below checks leaderID against the token's leader, then
// makes one call (or one per page) with the helpers of client.go. The
// request bodies name the fields the API's operations read (ops*.go in
// internal/api); the answers are the root package's types.

func (s *Service) AddPerson(ctx context.Context, lid string, in tl.PersonInput) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Relationship](ctx, s, "/people", struct {
		Name  string         `json:"name"`
		Email string         `json:"email,omitempty"`
		Kind  engine.RelKind `json:"kind,omitempty"`
		Team  string         `json:"team,omitempty"`
		Power map[string]int `json:"power,omitempty"`
		Start time.Time      `json:"start,omitzero"`
	}{in.Name, in.Email, in.Kind, in.Team, in.Power, in.Start})
}

func (s *Service) People(ctx context.Context, lid string) ([]tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Relationship](ctx, s, "/people", nil)
}

func (s *Service) SetPower(ctx context.Context, lid, person string, power map[string]int) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	if power == nil {
		power = map[string]int{}
	}
	return put[tl.Relationship](ctx, s, pathOf("/people/%s/power", person), struct {
		Power map[string]int `json:"power"`
	}{power})
}

func (s *Service) SetActive(ctx context.Context, lid, person string, active bool) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return put[tl.Relationship](ctx, s, pathOf("/people/%s/active", person), struct {
		Active bool `json:"active"`
	}{active})
}

func (s *Service) SetEmail(ctx context.Context, lid, person, email string) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return put[tl.Relationship](ctx, s, pathOf("/people/%s/email", person), struct {
		Email string `json:"email"`
	}{email})
}

func (s *Service) AddTeam(ctx context.Context, lid, name string) (*tl.Team, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Team](ctx, s, "/teams", struct {
		Name string `json:"name"`
	}{name})
}

func (s *Service) Teams(ctx context.Context, lid string) ([]tl.Team, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Team](ctx, s, "/teams", nil)
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
	sev := in.Severity
	if sev == 0 {
		sev = engine.Normal
	}
	e, err := post[api.EventOut](ctx, s, "/events", struct {
		Who          string      `json:"who,omitempty"`
		Kind         engine.Kind `json:"kind"`
		At           time.Time   `json:"at,omitzero"`
		Source       string      `json:"source"`
		Severity     string      `json:"severity"`
		Note         string      `json:"note,omitempty"`
		Repairs      string      `json:"repairs,omitempty"`
		Acknowledges bool        `json:"acknowledges,omitempty"`
		OffersRepair bool        `json:"offers_repair,omitempty"`
		Base         string      `json:"base,omitempty"`
		Shift        int         `json:"shift,omitempty"`
	}{in.Who, in.Kind, in.At, in.Source.String(), sev.String(), in.Note, in.Repairs, in.Acknowledges, in.OffersRepair, in.Base, in.Shift})
	if err != nil {
		return nil, err
	}
	return eventIn(e)
}

func (s *Service) Reverse(ctx context.Context, lid, eventID, note string) (*tl.Event, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	e, err := post[api.EventOut](ctx, s, pathOf("/events/%s/reversal", eventID), struct {
		Note string `json:"note,omitempty"`
	}{note})
	if err != nil {
		return nil, err
	}
	return eventIn(e)
}

// Events is one page of the ledger, newest first: f.Limit entries (50
// when unset) before the entry f.Before.
func (s *Service) Events(ctx context.Context, lid string, f tl.EventFilter) ([]tl.Event, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if f.Who != "" {
		q.Set("who", f.Who)
	}
	if f.Before != "" {
		q.Set("cursor", api.EncodeCursor(f.Before))
	}
	page, err := get[api.Page[api.EventOut]](ctx, s, "/events", q)
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

func (s *Service) AddPromise(ctx context.Context, lid string, in tl.PromiseInput) (*tl.Promise, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Promise](ctx, s, "/promises", struct {
		To   string    `json:"to"`
		What string    `json:"what"`
		Due  time.Time `json:"due"`
	}{in.To, in.What, in.Due})
}

func (s *Service) ResolvePromise(ctx context.Context, lid, id string, outcome tl.PromiseStatus, newDue time.Time) (*tl.Promise, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Promise](ctx, s, pathOf("/promises/%s/resolution", id), struct {
		Outcome tl.PromiseStatus `json:"outcome"`
		NewDue  time.Time        `json:"new_due,omitzero"`
	}{outcome, newDue})
}

func (s *Service) Promises(ctx context.Context, lid string, status tl.PromiseStatus) ([]tl.Promise, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	q := url.Values{}
	if status != "" {
		q.Set("status", string(status))
	}
	return all[tl.Promise](ctx, s, "/promises", q)
}

func (s *Service) SayDo(ctx context.Context, lid string) (int, int, error) {
	if err := s.checkLeader(lid); err != nil {
		return 0, 0, err
	}
	sd, err := get[api.SayDo](ctx, s, "/promises/say-do", nil)
	if err != nil {
		return 0, 0, err
	}
	return sd.Kept, sd.Due, nil
}

func (s *Service) Decide(ctx context.Context, lid string, in tl.DecisionInput) (*tl.Decision, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Decision](ctx, s, "/decisions", struct {
		What    string    `json:"what"`
		Why     string    `json:"why,omitempty"`
		Affects string    `json:"affects"`
		At      time.Time `json:"at,omitzero"`
	}{in.What, in.Why, in.Affects, in.At})
}

func (s *Service) Decisions(ctx context.Context, lid string) ([]tl.Decision, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Decision](ctx, s, "/decisions", nil)
}

func (s *Service) Status(ctx context.Context, lid string) (*tl.StatusReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.StatusReport](ctx, s, "/status", nil)
}

func (s *Service) Explain(ctx context.Context, lid, person string) (*tl.Explanation, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.Explanation](ctx, s, pathOf("/people/%s/explanation", person), nil)
}

func (s *Service) Week(ctx context.Context, lid string) (*tl.WeekReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.WeekReport](ctx, s, "/week", nil)
}

func (s *Service) AcceptStep(ctx context.Context, lid string) (*tl.Step, *tl.Promise, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, nil, err
	}
	a, err := post[api.AcceptedStep](ctx, s, "/week/step/acceptance", nil)
	if err != nil {
		return nil, nil, err
	}
	return &a.Step, &a.Promise, nil
}

func (s *Service) CloseStep(ctx context.Context, lid string, status tl.StepStatus) (*tl.Step, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Step](ctx, s, "/week/step/closure", struct {
		Status tl.StepStatus `json:"status"`
	}{status})
}

func (s *Service) AddJournal(ctx context.Context, lid string, question int, text string) (*tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.JournalEntry](ctx, s, "/journal", struct {
		Question int    `json:"question"`
		Text     string `json:"text"`
	}{question, text})
}

func (s *Service) Journal(ctx context.Context, lid string) ([]tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.JournalEntry](ctx, s, "/journal", nil)
}

func (s *Service) Settings(ctx context.Context, lid string) (engine.Settings, error) {
	if err := s.checkLeader(lid); err != nil {
		return engine.Settings{}, err
	}
	st, err := get[engine.Settings](ctx, s, "/settings", nil)
	if err != nil {
		return engine.Settings{}, err
	}
	return *st, nil
}

func (s *Service) SetSetting(ctx context.Context, lid, name string, value float64) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPut, pathOf("/settings/%s", name), struct {
		Value float64 `json:"value"`
	}{value})
}
