package trustledger

import (
	"context"
	"time"
)

// Role is what an account may do. Authorization checks roles once, in
// internal/app.
type Role string

// Roles. Members see their leader's window and answer pulses (docs/ANONYMITY.md).
const (
	RoleOwner  Role = "owner"  // the first account; administers the installation and leads
	RoleAdmin  Role = "admin"  // invites and administers; may also lead
	RoleCoach  Role = "coach"  // runs programs across consenting leaders
	RoleLeader Role = "leader" // keeps trust accounts with the people they lead
	RoleMember Role = "member" // a team member
)

// CanAdminister reports whether role r administers the installation: it
// invites and lists accounts, makes programs and sees every program's
// rollup, imports backups and reads the metrics. The owner and admins do.
// Every front end and service asks here.
func (r Role) CanAdminister() bool { return r == RoleOwner || r == RoleAdmin }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleOwner, RoleAdmin, RoleCoach, RoleLeader, RoleMember:
		return r, nil
	}
	return "", Errorf(EINVALID, "unknown role %q (want admin, coach, leader or member)", s)
}

// User is an account that signs in to the web app.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"` // stored lower-cased
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	LeaderID  string    `json:"leader_id,omitempty"` // the Leader whose accounts this user keeps
	CreatedAt time.Time `json:"created_at"`
	// EmailVerifiedAt is when the account's address was proved by a link
	// sent there (a mailed invitation) or vouched for by the identity
	// provider; zero if never.
	EmailVerifiedAt time.Time `json:"email_verified_at,omitzero"`
	// TimeZone is the IANA name of the zone the account's times are shown
	// in and its typed dates read in: its leader's zone for an account
	// that leads, its own for one that does not (zone.go).
	TimeZone string `json:"time_zone"`
}

// Session is a signed-in browser. Only a SHA-256 of its token is stored.
type Session struct {
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Session lifetimes.
const (
	SessionIdleTimeout     = 30 * time.Minute
	SessionAbsoluteTimeout = 12 * time.Hour
)

// Login throttling, counted in LoginWindow: at most LoginMaxFailures failed
// attempts at one account from one client address (an IPv6 client is its
// /64), and at most AddressMaxFailures failed attempts from one client
// address at any accounts; then ERATELIMIT with a RetryAfter. An account
// is never locked as a whole, so guesses from elsewhere cannot keep its
// owner out (docs/OPERATIONS.md, "Sign-in throttling").
const (
	LoginMaxFailures   = 10
	AddressMaxFailures = 30
	LoginWindow        = 15 * time.Minute
)

// Invitation lets someone create an account with a given role. Only a
// SHA-256 of its token is stored; the token is shown once to the inviter.
type Invitation struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	InvitedBy string    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitzero"`
	// ByMail says the link went by mail to Email, never shown to the
	// inviter: only such an invitation proves the address, and member
	// invitations go no other way (docs/ANONYMITY.md, rule 6).
	ByMail bool `json:"by_mail"`
}

// Open reports whether the invitation can still be accepted at now: it
// was not used, and has not expired.
func (inv Invitation) Open(now time.Time) bool {
	return inv.UsedAt.IsZero() && now.Before(inv.ExpiresAt)
}

// SignupInput creates the first account (owner, who also leads).
type SignupInput struct {
	Email    string
	Name     string
	Password string
	TimeZone string // IANA name; "" is UTC
}

// AccountService manages accounts and sessions. Implemented by internal/app.
// Login failures are EUNAUTHORIZED with the same message and similar time
// whether or not the account exists; throttled logins are ERATELIMIT.
type AccountService interface {
	// HasUsers reports whether any account exists (the first visit signs up).
	HasUsers(ctx context.Context) (bool, error)
	// Signup creates the first account: role owner, with its own Leader.
	// Once any account exists it is EFORBIDDEN.
	Signup(ctx context.Context, in SignupInput) (*User, error)
	// Invite creates an invitation (owner/admin only) and returns its token.
	Invite(ctx context.Context, actorID, email string, role Role) (*Invitation, string, error)
	// InviteByMail is Invite with the link sent by mail instead of shown:
	// the message is queued in the same transaction.
	InviteByMail(ctx context.Context, actorID, email string, role Role) (*Invitation, error)
	// AcceptInvite creates the invited account (with its own Leader for
	// roles that lead) and uses up the invitation.
	AcceptInvite(ctx context.Context, token, name, password string) (*User, error)
	// Login checks a password. It records failures for throttling.
	Login(ctx context.Context, email, password string) (*User, error)
	// CreateSession starts a session and returns its token (a new id at
	// every login).
	CreateSession(ctx context.Context, userID string) (string, error)
	// SessionUser returns the signed-in user for a token and refreshes its
	// idle timer; expired or unknown tokens are EUNAUTHORIZED.
	SessionUser(ctx context.Context, token string) (*User, error)
	// Logout ends one session.
	Logout(ctx context.Context, token string) error
	// ChangePassword checks the old password, sets the new one and ends
	// every other session of the user.
	ChangePassword(ctx context.Context, userID, token, oldPassword, newPassword string) error
	// Users lists accounts (owner/admin only).
	Users(ctx context.Context, actorID string) ([]User, error)
	// Invitations lists every invitation, newest first (owner/admin only).
	Invitations(ctx context.Context, actorID string) ([]Invitation, error)
	// InvitationByToken returns the invitation a link carries while it is
	// open, so the accept page can show its email and role: an unknown
	// token is ENOTFOUND, a used one ECONFLICT, an expired one EINVALID.
	InvitationByToken(ctx context.Context, token string) (*Invitation, error)
	// SignInExternal finds or makes the account an identity verified by
	// an OpenID Connect provider signs in as (EFORBIDDEN when there is
	// neither an account nor an open invitation for its verified email).
	SignInExternal(ctx context.Context, id ExternalIdentity) (*User, error)
	// SignInMethods says how an account signs in: whether it has a
	// password, and the issuers of the identities linked to it.
	SignInMethods(ctx context.Context, userID string) (hasPassword bool, issuers []string, err error)
	// LeaderUser is the account of a leader, for a caller that acts as a
	// leader rather than as a signed-in user (the CLI on its database).
	LeaderUser(ctx context.Context, leaderID string) (*User, error)
	// SetTimeZone changes the zone of the user's account (an IANA name,
	// checked with LoadZone: EINVALID on the field time_zone otherwise,
	// and nothing changes). For an account that leads it is its leader's
	// zone, so its weeks and due dates follow from then on.
	SetTimeZone(ctx context.Context, userID, zone string) (*User, error)
}

// ExternalIdentity is what a verified OpenID Connect ID token says about
// who signed in. The web layer verifies the token (signature, audience,
// expiry, nonce); SignInExternal decides which account it is.
type ExternalIdentity struct {
	Issuer        string // the issuer URL, exactly as in the token
	Subject       string // the issuer's stable id for the person
	Email         string
	EmailVerified bool
	Name          string // may be empty
}

// Token scopes: read lets a token read; write also lets it change.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// APIToken is a bearer token for the JSON API. Only a hash of its secret
// is stored; the secret is shown once, when it is made.
type APIToken struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Scope     string    `json:"scope"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// TokenService makes, lists, revokes and checks API tokens.
type TokenService interface {
	CreateToken(ctx context.Context, userID, name, scope string) (*APIToken, string, error)
	Tokens(ctx context.Context, userID string) ([]APIToken, error)
	RevokeToken(ctx context.Context, userID, id string) error
	// TokenUser checks a bearer token: the user it acts for and its scope;
	// EUNAUTHORIZED when it is unknown or revoked.
	TokenUser(ctx context.Context, secret string) (*User, *APIToken, error)
}
