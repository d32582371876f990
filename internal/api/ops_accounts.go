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
	// Link is there with delivery link only: the invitation's link, shown once
	// (said in the operation's description: OpenAPI 3.0 allows no description
	// beside a $ref).
	Link *Link `json:"link,omitempty"`
}

func (a *API) registerAccounts() {
	api, s := a.huma, a.svc
	huma.Register(api, op("listUsers", http.MethodGet, "/users", "Every account (owner and admins)", "account"),
		userListed(a, tl.Services.Users, func(u *tl.User) string { return u.ID }))
	huma.Register(api, op("listInvitations", http.MethodGet, "/invitations", "Every invitation, newest first (owner and admins)", "account"),
		userListed(a, tl.Services.Invitations, func(i *tl.Invitation) string { return i.ID }))
	huma.Register(api, op("createInvitation", http.MethodPost, "/invitations", "Invite someone by email (owner and admins)", "account"),
		asUser(a, func(ctx context.Context, u *tl.User, in *struct {
			Idempotent
			Body struct {
				Email    emailString `json:"email" minLength:"1"`
				Role     string      `json:"role" enum:"admin,coach,leader,member"`
				Delivery string      `json:"delivery,omitempty" enum:"email,link" doc:"email (default): the server mails the link; link: the answer carries the link, shown once, for you to send (not for members: their invitation proves their address, so it goes only by email)."`
			}
		}) (*body[InvitationCreated], error) {
			role := tl.Role(in.Body.Role)
			if in.Body.Delivery == tl.DeliveryLink {
				inv, token, err := s.Invite(ctx, u.ID, string(in.Body.Email), role)
				if err != nil {
					return nil, err
				}
				l := a.link("/invite/", token, "")
				return out(InvitationCreated{Invitation: *inv, Link: &l}), nil
			}
			inv, err := s.InviteByMail(ctx, u.ID, string(in.Body.Email), role)
			if err != nil {
				return nil, err
			}
			return out(InvitationCreated{Invitation: *inv}), nil
		}))
}
