package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// InvitationCreated is a new invitation: by mail (its link is made when
// the message is sent) or, asked for, its link shown once.
type InvitationCreated struct {
	Invitation tl.Invitation `json:"invitation"`
	Link       *Link         `json:"link,omitempty" doc:"With delivery link only: the invitation's link, shown once."`
}

// accounts is the part of the app that administers accounts.
type accounts interface {
	Users(ctx context.Context, actorID string) ([]tl.User, error)
	Invitations(ctx context.Context, actorID string) ([]tl.Invitation, error)
	Invite(ctx context.Context, actorID, email string, role tl.Role) (*tl.Invitation, string, error)
	InviteByMail(ctx context.Context, actorID, email string, role tl.Role) (*tl.Invitation, error)
}

func (a *API) registerAccounts() {
	api := a.huma
	acc := func() (accounts, error) {
		s, ok := a.svc.(accounts)
		if !ok {
			return nil, tl.Errorf(tl.ENOTFOUND, "account administration is not available on this server")
		}
		return s, nil
	}
	huma.Register(api, op("listUsers", http.MethodGet, "/users", "Every account (owner and admins)", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *PageParams) (*body[Page[tl.User]], error) {
			s, err := acc()
			if err != nil {
				return nil, err
			}
			us, err := s.Users(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			p, err := paginate(us, func(u *tl.User) string { return u.ID }, *in)
			return out(p), err
		}))
	huma.Register(api, op("listInvitations", http.MethodGet, "/invitations", "Every invitation, newest first (owner and admins)", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *PageParams) (*body[Page[tl.Invitation]], error) {
			s, err := acc()
			if err != nil {
				return nil, err
			}
			is, err := s.Invitations(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			p, err := paginate(is, func(i *tl.Invitation) string { return i.ID }, *in)
			return out(p), err
		}))
	huma.Register(api, op("createInvitation", http.MethodPost, "/invitations", "Invite someone by email (owner and admins)", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			Idempotent
			Body struct {
				Email    string `json:"email" minLength:"1" maxLength:"254"`
				Role     string `json:"role" enum:"admin,coach,leader,member"`
				Delivery string `json:"delivery,omitempty" enum:"email,link" doc:"email (default): the server mails the link; link: the answer carries the link, shown once, for you to send."`
			}
		}) (*body[InvitationCreated], error) {
			s, err := acc()
			if err != nil {
				return nil, err
			}
			role := tl.Role(in.Body.Role)
			if in.Body.Delivery == tl.DeliveryLink {
				inv, token, err := s.Invite(ctx, u.ID, in.Body.Email, role)
				if err != nil {
					return nil, err
				}
				l := a.link("/invite/", token, "")
				return out(InvitationCreated{Invitation: *inv, Link: &l}), nil
			}
			inv, err := s.InviteByMail(ctx, u.ID, in.Body.Email, role)
			if err != nil {
				return nil, err
			}
			return out(InvitationCreated{Invitation: *inv}), nil
		}))
}
