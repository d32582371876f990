package remote

import (
	"context"
	"net/http"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
)

func (s *Service) LaunchPulse(ctx context.Context, lid string, in tl.PulseInput) (*tl.PulseLaunch, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.PulseLaunch](ctx, s, "/pulses", struct {
		Team     string    `json:"team,omitempty"`
		Members  []string  `json:"members,omitempty"`
		K        int       `json:"k,omitempty"`
		Question string    `json:"question,omitempty"`
		Delivery string    `json:"delivery,omitempty"`
		Closes   time.Time `json:"closes,omitzero"`
	}{in.Team, in.Members, in.K, in.Question, in.Delivery, in.Closes})
}

func (s *Service) Pulses(ctx context.Context, lid string) ([]tl.Pulse, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Pulse](ctx, s, "/pulses", nil)
}

func (s *Service) PulseReport(ctx context.Context, lid, id string) (*tl.PulseReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.PulseReport](ctx, s, pathOf("/pulses/%s", id), nil)
}

func (s *Service) ClosePulse(ctx context.Context, lid, id string) (*tl.PulseReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.PulseReport](ctx, s, pathOf("/pulses/%s/closure", id), nil)
}

func (s *Service) RemindPulse(ctx context.Context, lid, id string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/pulses/%s/reminders", id), nil)
}

func (s *Service) AnswerSelf(ctx context.Context, lid, id string, answers map[string]int) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	if answers == nil {
		answers = map[string]int{}
	}
	return send(ctx, s, http.MethodPost, pathOf("/pulses/%s/self-answers", id), struct {
		Answers map[string]int `json:"answers"`
	}{answers})
}

func (s *Service) TeamViews(ctx context.Context, lid string) ([]tl.TeamView, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	vs, err := get[[]tl.TeamView](ctx, s, "/team-views", nil)
	if err != nil {
		return nil, err
	}
	return *vs, nil
}

func (s *Service) AskCheckin(ctx context.Context, lid, person, delivery string) (*tl.Checkin, string, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, "", err
	}
	a, err := post[api.CheckinAsked](ctx, s, pathOf("/people/%s/checkins", person), struct {
		Delivery string `json:"delivery,omitempty"`
	}{delivery})
	if err != nil {
		return nil, "", err
	}
	token := ""
	if a.Link != nil {
		token = a.Link.Token
	}
	return &a.Checkin, token, nil
}

func (s *Service) Checkins(ctx context.Context, lid string) ([]tl.Checkin, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Checkin](ctx, s, "/checkins", nil)
}

func (s *Service) SendWindowLink(ctx context.Context, lid, person string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/people/%s/window-link", person), nil)
}

func (s *Service) VoiceRoster(ctx context.Context, lid string) ([]tl.Standing, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Standing](ctx, s, "/voice-roster", nil)
}

func (s *Service) SendConfirmation(ctx context.Context, lid, person string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/people/%s/address-confirmation", person), nil)
}

func (s *Service) Approvals(ctx context.Context, actorID string) ([]tl.Approval, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return all[tl.Approval](ctx, s, "/approvals", nil)
}

func (s *Service) Approve(ctx context.Context, actorID, relationshipID string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/approvals/%s", relationshipID), nil)
}

// What team members do through their links happens in the browser.

func (s *Service) AddressConfirmation(context.Context, string) (*tl.AddressConfirmation, error) {
	return nil, unavailable("confirming an address", "open the link in a browser")
}
func (s *Service) ConfirmAddress(context.Context, string) error {
	return unavailable("confirming an address", "open the link in a browser")
}
func (s *Service) OpenPulseLink(context.Context, string) (string, error) {
	return "", unavailable("answering a pulse", "open the link in a browser")
}
func (s *Service) PulseForm(context.Context, string) (*tl.PulseForm, error) {
	return nil, unavailable("answering a pulse", "open the link in a browser")
}
func (s *Service) SubmitPulse(context.Context, string, tl.PulseAnswers) error {
	return unavailable("answering a pulse", "open the link in a browser")
}
func (s *Service) OpenCheckinLink(context.Context, string) (string, error) {
	return "", unavailable("answering a check-in", "open the link in a browser")
}
func (s *Service) CheckinForm(context.Context, string) (*tl.CheckinForm, error) {
	return nil, unavailable("answering a check-in", "open the link in a browser")
}
func (s *Service) AnswerCheckin(context.Context, string, map[string]int, string) error {
	return unavailable("answering a check-in", "open the link in a browser")
}
func (s *Service) OpenWindowLink(context.Context, string) (string, error) {
	return "", unavailable("the team's window", "open the link in a browser")
}
func (s *Service) WindowForPass(context.Context, string) (string, error) {
	return "", unavailable("the team's window", "open the link in a browser")
}
func (s *Service) MemberRelationships(context.Context, string) ([]tl.Relationship, error) {
	return nil, unavailable("the team's window", "open it in a browser")
}
func (s *Service) Window(context.Context, string) (*tl.Window, error) {
	return nil, unavailable("the team's window", "open it in a browser")
}
func (s *Service) ConfirmPromise(context.Context, string, string, bool) error {
	return unavailable("confirming a promise", "team members do it in the window, in a browser")
}
func (s *Service) React(context.Context, string, string, string) error {
	return unavailable("reacting to a decision", "team members do it in the window, in a browser")
}

// Calendar, privacy, webhooks and tokens.

func (s *Service) CalendarLink(ctx context.Context, lid string) (string, error) {
	if err := s.checkLeader(lid); err != nil {
		return "", err
	}
	l, err := post[api.Link](ctx, s, "/calendar", nil)
	if err != nil {
		return "", err
	}
	return l.Token, nil
}

func (s *Service) RevokeCalendar(ctx context.Context, lid string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodDelete, "/calendar", nil)
}

func (s *Service) HasCalendar(ctx context.Context, lid string) (bool, error) {
	if err := s.checkLeader(lid); err != nil {
		return false, err
	}
	f, err := get[api.CalendarFeed](ctx, s, "/calendar", nil)
	if err != nil {
		return false, err
	}
	return f.Active, nil
}

func (s *Service) Calendar(context.Context, string) (string, error) {
	return "", unavailable("reading the calendar feed", "subscribe to its URL in a calendar app")
}

func (s *Service) PersonData(ctx context.Context, lid, person string) (*tl.PersonData, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.PersonData](ctx, s, pathOf("/people/%s/data", person), nil)
}

func (s *Service) ErasePerson(ctx context.Context, lid, person string) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return post[tl.Relationship](ctx, s, pathOf("/people/%s/erasure", person), nil)
}

func (s *Service) AddWebhook(ctx context.Context, lid, url string, events []string) (*tl.Webhook, string, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, "", err
	}
	w, err := post[api.WebhookCreated](ctx, s, "/webhooks", struct {
		URL    string   `json:"url"`
		Events []string `json:"events,omitempty"`
	}{url, events})
	if err != nil {
		return nil, "", err
	}
	return &w.Webhook, w.Secret, nil
}

func (s *Service) Webhooks(ctx context.Context, lid string) ([]tl.Webhook, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Webhook](ctx, s, "/webhooks", nil)
}

func (s *Service) RemoveWebhook(ctx context.Context, lid, id string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	return send(ctx, s, http.MethodDelete, pathOf("/webhooks/%s", id), nil)
}

// checkUser refuses a userID other than the token's.
func (s *Service) checkUser(userID string) error {
	if userID != "" && userID != s.me.User.ID {
		return tl.Errorf(tl.EFORBIDDEN, "this token acts for %s only", s.me.User.Email)
	}
	return nil
}

func (s *Service) CreateToken(ctx context.Context, userID, name, scope string) (*tl.APIToken, string, error) {
	if err := s.checkUser(userID); err != nil {
		return nil, "", err
	}
	t, err := post[api.TokenCreated](ctx, s, "/tokens", struct {
		Name  string `json:"name"`
		Scope string `json:"scope,omitempty"`
	}{name, scope})
	if err != nil {
		return nil, "", err
	}
	return &t.Token, t.Secret, nil
}

func (s *Service) Tokens(ctx context.Context, userID string) ([]tl.APIToken, error) {
	if err := s.checkUser(userID); err != nil {
		return nil, err
	}
	return all[tl.APIToken](ctx, s, "/tokens", nil)
}

func (s *Service) RevokeToken(ctx context.Context, userID, id string) error {
	if err := s.checkUser(userID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodDelete, pathOf("/tokens/%s", id), nil)
}

func (s *Service) TokenUser(context.Context, string) (*tl.User, *tl.APIToken, error) {
	return nil, nil, unavailable("checking tokens", "the server does it")
}
