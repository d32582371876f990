package remote

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

// The weekly mail's schedule over the API; its links are opened in a
// browser, where their one button is.

var _ tl.WeeklyMailService = (*Service)(nil)

func (s *Service) WeeklyMail(ctx context.Context, lid string) (*tl.WeeklyMail, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return get[tl.WeeklyMail](ctx, s, "/weekly-mail", nil)
}

func (s *Service) SetWeeklyMail(ctx context.Context, lid string, w tl.WeeklyMail) (*tl.WeeklyMail, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return put[tl.WeeklyMail](ctx, s, "/weekly-mail", struct {
		Day  string `json:"day"`
		Hour int    `json:"hour"`
		Mail bool   `json:"mail"`
	}{w.Day, w.Hour, w.Mail})
}

func (s *Service) StepLink(context.Context, string) (*tl.StepLink, error) {
	return nil, unavailable("opening a weekly email's link", "open the link in a browser")
}
func (s *Service) UseStepLink(context.Context, string) (*tl.StepLink, error) {
	return nil, unavailable("using a weekly email's link", "open the link in a browser")
}
func (s *Service) Unsubscription(context.Context, string) (*tl.Unsubscription, error) {
	return nil, unavailable("unsubscribing", "open the link in a browser, or turn the weekly email off on the account page")
}
func (s *Service) Unsubscribe(context.Context, string) (*tl.Unsubscription, error) {
	return nil, unavailable("unsubscribing", "open the link in a browser, or turn the weekly email off on the account page")
}
