package remote

import (
	"context"
	"net/http"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/api/client"
)

func (s *Service) LaunchPulse(ctx context.Context, lid string, in tl.PulseInput) (*tl.PulseLaunch, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	b := client.LaunchPulseRequest{Team: optString(in.Team), Question: optString(in.Question), Closes: optTime(in.Closes)}
	if len(in.Members) > 0 {
		b.Members = &in.Members
	}
	if in.K != 0 {
		k := int64(in.K)
		b.K = &k
	}
	if in.Delivery != "" {
		d := client.LaunchPulseRequestDelivery(in.Delivery)
		b.Delivery = &d
	}
	res, err := s.c.LaunchPulse(ctx, nil, b)
	return decode[tl.PulseLaunch](s, res, err)
}

func (s *Service) Pulses(ctx context.Context, lid string) ([]tl.Pulse, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Pulse](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListPulses(ctx, &client.ListPulsesParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) PulseReport(ctx context.Context, lid, id string) (*tl.PulseReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.GetPulse(ctx, id)
	return decode[tl.PulseReport](s, res, err)
}

func (s *Service) ClosePulse(ctx context.Context, lid, id string) (*tl.PulseReport, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ClosePulse(ctx, id, nil)
	return decode[tl.PulseReport](s, res, err)
}

func (s *Service) RemindPulse(ctx context.Context, lid, id string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.RemindPulse(ctx, id, nil)
	return done(s, res, err)
}

func (s *Service) AnswerSelf(ctx context.Context, lid, id string, answers map[string]int) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.AnswerPulseSelf(ctx, id, nil, client.AnswerPulseSelfRequest{Answers: int64Map(answers)})
	return done(s, res, err)
}

func (s *Service) TeamViews(ctx context.Context, lid string) ([]tl.TeamView, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ListTeamViews(ctx)
	vs, err := decode[[]tl.TeamView](s, res, err)
	if err != nil {
		return nil, err
	}
	return *vs, nil
}

func (s *Service) AskCheckin(ctx context.Context, lid, person, delivery string) (*tl.Checkin, string, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, "", err
	}
	b := client.AskCheckinRequest{}
	if delivery != "" {
		d := client.AskCheckinRequestDelivery(delivery)
		b.Delivery = &d
	}
	res, err := s.c.AskCheckin(ctx, person, nil, b)
	a, err := decode[api.CheckinAsked](s, res, err)
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
	return all[tl.Checkin](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListCheckins(ctx, &client.ListCheckinsParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) SendWindowLink(ctx context.Context, lid, person string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.SendWindowLink(ctx, person, nil)
	return done(s, res, err)
}

func (s *Service) VoiceRoster(ctx context.Context, lid string) ([]tl.Standing, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Standing](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListVoiceRoster(ctx, &client.ListVoiceRosterParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) SendConfirmation(ctx context.Context, lid, person string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.SendAddressConfirmation(ctx, person, nil)
	return done(s, res, err)
}

func (s *Service) Approvals(ctx context.Context, actorID string) ([]tl.Approval, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return all[tl.Approval](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListApprovals(ctx, &client.ListApprovalsParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) Approve(ctx context.Context, actorID, relationshipID string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	res, err := s.c.ApprovePerson(ctx, relationshipID, nil)
	return done(s, res, err)
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
	res, err := s.c.CreateCalendar(ctx, nil)
	l, err := decode[api.Link](s, res, err)
	if err != nil {
		return "", err
	}
	return l.Token, nil
}

func (s *Service) RevokeCalendar(ctx context.Context, lid string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.RevokeCalendar(ctx)
	return done(s, res, err)
}

func (s *Service) HasCalendar(ctx context.Context, lid string) (bool, error) {
	if err := s.checkLeader(lid); err != nil {
		return false, err
	}
	res, err := s.c.GetCalendar(ctx)
	f, err := decode[api.CalendarFeed](s, res, err)
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
	res, err := s.c.ExportPerson(ctx, person)
	return decode[tl.PersonData](s, res, err)
}

func (s *Service) ErasePerson(ctx context.Context, lid, person string) (*tl.Relationship, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.ErasePerson(ctx, person, nil)
	return decode[tl.Relationship](s, res, err)
}

func (s *Service) AddWebhook(ctx context.Context, lid, url string, events []string) (*tl.Webhook, string, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, "", err
	}
	b := client.CreateWebhookRequest{Url: url}
	if len(events) > 0 {
		b.Events = &events
	}
	res, err := s.c.CreateWebhook(ctx, nil, b)
	w, err := decode[api.WebhookCreated](s, res, err)
	if err != nil {
		return nil, "", err
	}
	return &w.Webhook, w.Secret, nil
}

func (s *Service) Webhooks(ctx context.Context, lid string) ([]tl.Webhook, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return all[tl.Webhook](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListWebhooks(ctx, &client.ListWebhooksParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) RemoveWebhook(ctx context.Context, lid, id string) error {
	if err := s.checkLeader(lid); err != nil {
		return err
	}
	res, err := s.c.DeleteWebhook(ctx, id)
	return done(s, res, err)
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
	b := client.CreateTokenRequest{Name: name}
	if scope != "" {
		sc := client.CreateTokenRequestScope(scope)
		b.Scope = &sc
	}
	res, err := s.c.CreateToken(ctx, nil, b)
	t, err := decode[api.TokenCreated](s, res, err)
	if err != nil {
		return nil, "", err
	}
	return &t.Token, t.Secret, nil
}

func (s *Service) Tokens(ctx context.Context, userID string) ([]tl.APIToken, error) {
	if err := s.checkUser(userID); err != nil {
		return nil, err
	}
	return all[tl.APIToken](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListTokens(ctx, &client.ListTokensParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) RevokeToken(ctx context.Context, userID, id string) error {
	if err := s.checkUser(userID); err != nil {
		return err
	}
	res, err := s.c.RevokeToken(ctx, id)
	return done(s, res, err)
}

func (s *Service) TokenUser(context.Context, string) (*tl.User, *tl.APIToken, error) {
	return nil, nil, unavailable("checking tokens", "the server does it")
}
