package remote

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

// The rest of tl.Services: accounts and sessions are the web app's, and
// idempotency keys the server's own; over the API the CLI acts as the
// token's account and never signs anyone in.

var _ tl.Services = (*Service)(nil)

const inBrowser = "open the server's web app in a browser"

func (s *Service) HasUsers(context.Context) (bool, error) { return true, nil }

func (s *Service) Signup(context.Context, tl.SignupInput) (*tl.User, error) {
	return nil, unavailable("creating the first account", inBrowser)
}
func (s *Service) Invite(context.Context, string, string, tl.Role) (*tl.Invitation, string, error) {
	return nil, "", unavailable("inviting someone", inBrowser)
}
func (s *Service) InviteByMail(context.Context, string, string, tl.Role) (*tl.Invitation, error) {
	return nil, unavailable("inviting someone", inBrowser)
}
func (s *Service) AcceptInvite(context.Context, string, string, string) (*tl.User, error) {
	return nil, unavailable("accepting an invitation", "open the link in a browser")
}
func (s *Service) InvitationByToken(context.Context, string) (*tl.Invitation, error) {
	return nil, unavailable("reading an invitation", "open the link in a browser")
}
func (s *Service) Invitations(context.Context, string) ([]tl.Invitation, error) {
	return nil, unavailable("listing invitations", inBrowser)
}
func (s *Service) Users(context.Context, string) ([]tl.User, error) {
	return nil, unavailable("listing accounts", inBrowser)
}
func (s *Service) Login(context.Context, string, string) (*tl.User, error) {
	return nil, unavailable("signing in", "the token is your sign-in")
}
func (s *Service) SignInExternal(context.Context, tl.ExternalIdentity) (*tl.User, error) {
	return nil, unavailable("signing in", "the token is your sign-in")
}
func (s *Service) SignInMethods(context.Context, string) (bool, []string, error) {
	return false, nil, unavailable("reading how an account signs in", inBrowser)
}
func (s *Service) CreateSession(context.Context, string) (string, error) {
	return "", unavailable("starting a session", "the token is your sign-in")
}
func (s *Service) SessionUser(context.Context, string) (*tl.User, error) {
	return nil, unavailable("reading a session", "the token is your sign-in")
}
func (s *Service) Logout(context.Context, string) error {
	return unavailable("signing out", "revoke the token instead")
}
func (s *Service) ChangePassword(context.Context, string, string, string, string) error {
	return unavailable("changing a password", inBrowser)
}

// LeaderUser is the token's account when it leads leaderID.
func (s *Service) LeaderUser(_ context.Context, leaderID string) (*tl.User, error) {
	if err := s.checkLeader(leaderID); err != nil {
		return nil, err
	}
	u := s.me.User
	return &u, nil
}

func (s *Service) ClaimKey(context.Context, string, string, string) (context.Context, error) {
	return nil, unavailable("idempotency keys", "the CLI sends one with every create")
}
func (s *Service) SettleKey(context.Context, string, string, string, tl.StoredResponse) (*tl.StoredResponse, bool, error) {
	return nil, false, unavailable("idempotency keys", "the CLI sends one with every create")
}

// SetTimeZone changes the token's account's zone (PUT /me/time-zone).
func (s *Service) SetTimeZone(ctx context.Context, userID, zone string) (*tl.User, error) {
	if userID != s.me.User.ID {
		return nil, tl.Errorf(tl.ENOTFOUND, "no account with id %q", userID)
	}
	u, err := put[tl.User](ctx, s, "/me/time-zone", struct {
		TimeZone string `json:"time_zone"`
	}{zone})
	if err != nil {
		return nil, err
	}
	s.me.User = *u
	return u, nil
}
