package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.AccountService = (*App)(nil)

// InvitationLifetime is how long an invitation link works: long enough
// for a week's holiday, short enough that a forgotten link in a mailbox
// stops being a way in.
const InvitationLifetime = 7 * 24 * time.Hour

// sessionTouchEvery is how stale a session's last_seen may get before a
// request writes it again: one write a minute per browser at most, at
// the price of an idle timeout that may end up to a minute early.
const sessionTouchEvery = time.Minute

// Messages shared by several paths, so that callers see the very same
// words whatever the hidden reason was.
const (
	msgLoginFailed  = "email or password is not right"
	msgSessionEnded = "your session has ended: sign in again"
)

// hashToken is what the database keeps of a session or invitation
// token: the hex SHA-256, so a copy of the database opens no session.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// loginKey is the throttling key of an email: its hash, so that the
// failures table holds no address a stranger typed.
func loginKey(email string) string { return hashToken("login\x00" + normalizeEmail(email)) }

// throttleKeys are the throttling keys of a password attempt at email
// from the client address in ctx: the pair (account, client), which
// LoginMaxFailures bounds, and the client alone, which AddressMaxFailures
// bounds ("" when ctx names no client: then the pair is the account
// alone, as for the command line). The account is never a key by itself,
// so that guesses from one address cannot lock the owner out of a right
// password from another.
func throttleKeys(ctx context.Context, email string) (pair, client string) {
	c := clientNet(tl.ClientAddr(ctx))
	if c == "" {
		return loginKey(email), ""
	}
	return hashToken("login\x00" + normalizeEmail(email) + "\x00" + c), hashToken("client\x00" + c)
}

// clientNet is the client a remote address stands for: the IPv4 address,
// or the /64 of an IPv6 one (what one household or host is usually
// given, so hopping within it does not reset a count).
func clientNet(addr string) string {
	if addr == "" {
		return ""
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// reserveSignIn reserves a password attempt against both throttling
// keys (see reserveAttempt), the client's first.
func reserveSignIn(ctx context.Context, tx *store.Tx, pair, client string, now time.Time) error {
	if client != "" {
		if err := reserveAttempt(ctx, tx, client, tl.AddressMaxFailures, now); err != nil {
			return err
		}
	}
	return reserveAttempt(ctx, tx, pair, tl.LoginMaxFailures, now)
}

// signedIn clears what a right password earns: every failure of the
// pair, but only this attempt's reservation of the client, so that
// signing in to one's own account between guesses does not reset a
// client's count of guesses at others.
func signedIn(ctx context.Context, tx *store.Tx, pair, client string, at time.Time) error {
	if client != "" {
		if err := tx.RemoveLoginFailure(ctx, client, at); err != nil {
			return err
		}
	}
	return tx.ClearLoginFailures(ctx, pair)
}

// normalizeEmail is the form emails are stored and compared in.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkEmail normalizes and validates an email address.
func checkEmail(s string) (string, error) {
	email := normalizeEmail(s)
	if email == "" {
		return "", tl.Errorf(tl.EINVALID, "an email address is needed: write it like name@example.org")
	}
	if len(email) > tl.MaxEmailLength {
		return "", tl.Errorf(tl.EINVALID, "an email address may have at most %d characters: check it", tl.MaxEmailLength)
	}
	addr, err := mail.ParseAddress(email)
	at := strings.LastIndexByte(email, '@')
	if err != nil || addr.Name != "" || addr.Address != email || at < 1 || at == len(email)-1 {
		return "", tl.Errorf(tl.EINVALID, "%q is not an email address: write it like name@example.org", s)
	}
	return email, nil
}

// checkUserName trims and validates the name an account goes by (also
// the name of its Leader).
func checkUserName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", tl.Errorf(tl.EINVALID, "a name is needed: say what people call you")
	}
	if n := utf8.RuneCountInString(name); n > tl.MaxNameLength {
		return "", tl.Errorf(tl.EINVALID, "a name may have at most %d characters, this one has %d: shorten it", tl.MaxNameLength, n)
	}
	return name, nil
}

// leads reports whether accounts of a role keep trust accounts of their
// own and so get a Leader.
func leads(r tl.Role) bool {
	return r == tl.RoleOwner || r == tl.RoleAdmin || r == tl.RoleLeader
}

// hashFailed wraps an error of the password hasher (a cancelled request,
// or a damaged hash in the database) as an internal error.
func hashFailed(op string, err error) error {
	return &tl.Error{Code: tl.EINTERNAL, Op: op, Err: fmt.Errorf("%s: %w", op, err)}
}

// createLeaderTx creates a leader with its default team inside tx, like
// CreateLeader, so that an account and its Leader appear together or not
// at all. zone is the leader's zone, a name checkZone has read; the
// Leader of an account always has one, UTC when none was given.
func createLeaderTx(ctx context.Context, tx *store.Tx, name, zone string, now time.Time) (*tl.Leader, error) {
	if _, err := tx.LeaderByName(ctx, name); err == nil {
		return nil, tl.Errorf(tl.ECONFLICT, "someone named %q already keeps trust accounts here: add a surname or an initial to your name", name)
	} else if tl.ErrorCode(err) != tl.ENOTFOUND {
		return nil, err
	}
	if zone == "" {
		zone = "UTC"
	}
	l := &tl.Leader{ID: store.NewID(now), Name: name, CreatedAt: now, TimeZone: zone}
	if err := tx.CreateLeader(ctx, l); err != nil {
		return nil, err
	}
	if err := tx.CreateTeam(ctx, &tl.Team{ID: store.NewID(now), LeaderID: l.ID, Name: tl.DefaultTeamName, CreatedAt: now}); err != nil {
		return nil, err
	}
	return l, nil
}

// HasUsers reports whether any account exists.
func (a *App) HasUsers(ctx context.Context) (bool, error) {
	var has bool
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		has, err = tx.HasUsers(ctx)
		return err
	})
	return has, err
}

// errSignupClosed is what Signup says once an account exists.
func errSignupClosed() error {
	return tl.Errorf(tl.EFORBIDDEN, "this installation already has an account: sign in, or ask its owner for an invitation")
}

// Signup creates the first account, the owner, with a Leader of the same
// name in the zone given (UTC when none is). The check that no account exists runs inside the write
// transaction (writers are serialized), so of two racing signups one
// wins and the other is EFORBIDDEN.
func (a *App) Signup(ctx context.Context, in tl.SignupInput) (*tl.User, error) {
	email, err := checkEmail(in.Email)
	if err != nil {
		return nil, tl.WithField(err, "email")
	}
	name, err := checkUserName(in.Name)
	if err != nil {
		return nil, tl.WithField(err, "name")
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, tl.WithField(err, "password")
	}
	zone, err := checkZone(in.TimeZone)
	if err != nil {
		return nil, err
	}
	// Refuse early without spending a hash when the answer is known.
	if has, err := a.HasUsers(ctx); err != nil {
		return nil, err
	} else if has {
		return nil, errSignupClosed()
	}
	hash, err := hashPassword(ctx, in.Password)
	if err != nil {
		return nil, hashFailed("signup", err)
	}
	now := a.clock()
	u := &tl.User{ID: store.NewID(now), Email: email, Name: name, Role: tl.RoleOwner, CreatedAt: now, TimeZone: zone}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if has, err := tx.HasUsers(ctx); err != nil {
			return err
		} else if has {
			return errSignupClosed()
		}
		l, err := createLeaderTx(ctx, tx, name, zone, now)
		if err != nil {
			return err
		}
		u.LeaderID = l.ID
		return tx.CreateUser(ctx, u, hash)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// requireAdmin finds the actor and checks that it may administer.
func requireAdmin(ctx context.Context, tx *store.Tx, actorID, what string) (*tl.User, error) {
	u, err := tx.UserByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	if !u.Role.CanAdminister() {
		return nil, tl.Errorf(tl.EFORBIDDEN, "only the owner or an admin can %s", what)
	}
	return u, nil
}

// reserveAttempt counts a password attempt against key before the
// password is checked: ERATELIMIT when max failures already lie within
// LoginWindow, otherwise it records this attempt as a failure (a success
// clears it). Reserving first keeps the limit exact when attempts arrive
// together.
func reserveAttempt(ctx context.Context, tx *store.Tx, key string, max int, now time.Time) error {
	since := now.Add(-tl.LoginWindow)
	if err := tx.PruneLoginFailures(ctx, since); err != nil {
		return err
	}
	n, oldest, err := tx.LoginFailures(ctx, key, since)
	if err != nil {
		return err
	}
	if n >= max {
		wait := oldest.Add(tl.LoginWindow).Sub(now)
		return &tl.Error{
			Code:       tl.ERATELIMIT,
			Message:    fmt.Sprintf("too many failed sign-in attempts: try again in %s", minutes(wait)),
			RetryAfter: wait,
		}
	}
	return tx.AddLoginFailure(ctx, key, now)
}

// minutes says a wait in whole minutes, rounded up.
func minutes(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// checkHash verifies password against an encoded hash; a hash the
// database should never hold is logged and reported as internal.
func (a *App) checkHash(ctx context.Context, op, encoded, password string) (bool, error) {
	if utf8.RuneCountInString(password) > tl.MaxPasswordLength {
		// No stored password is this long; its length is no secret.
		return false, nil
	}
	// An account made through OpenID Connect has no password: nothing
	// matches it, empty or not, after the same work as a wrong password.
	noPassword := encoded == ""
	if noPassword {
		encoded = dummyHash()
	}
	ok, err := verifyPassword(ctx, encoded, password)
	if err != nil {
		if errors.Is(err, errBadHash) {
			a.log.Error("stored password hash cannot be read", "op", op)
		}
		return false, hashFailed(op, err)
	}
	return ok && !noPassword, nil
}

// Login checks an email and password. Unknown emails and wrong passwords
// get the same EUNAUTHORIZED message, and both spend one hash (unknown
// emails against a dummy one), so neither words nor time tell whether an
// account exists. After LoginMaxFailures failures within LoginWindow for
// an email, known or not, from the client in ctx (tl.WithClientAddr), or
// AddressMaxFailures from that client at any emails, it is ERATELIMIT
// with RetryAfter set to when the oldest failure leaves the window. A
// success clears the failures of the email from that client.
func (a *App) Login(ctx context.Context, email, password string) (*tl.User, error) {
	email = normalizeEmail(email)
	pair, client := throttleKeys(ctx, email)
	now := a.clock()
	var cred *store.Credentials
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := reserveSignIn(ctx, tx, pair, client, now); err != nil {
			return err
		}
		c, err := tx.CredentialsByEmail(ctx, email)
		switch {
		case err == nil:
			cred = c
		case tl.ErrorCode(err) != tl.ENOTFOUND:
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	encoded := dummyHash()
	if cred != nil {
		encoded = cred.PasswordHash
	}
	ok, err := a.checkHash(ctx, "login", encoded, password)
	if err != nil {
		return nil, err
	}
	if cred == nil || !ok {
		return nil, tl.Errorf(tl.EUNAUTHORIZED, msgLoginFailed)
	}
	if err := a.db.Write(ctx, func(tx *store.Tx) error { return signedIn(ctx, tx, pair, client, now) }); err != nil {
		return nil, err
	}
	return &cred.User, nil
}

// CreateSession starts a session for the user and returns its token, a
// fresh one every time (call it at each login). Expired sessions of
// every user are swept on the way.
func (a *App) CreateSession(ctx context.Context, userID string) (string, error) {
	token := rand.Text()
	now := a.clock()
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.UserByID(ctx, userID); err != nil {
			return err
		}
		if _, err := tx.DeleteExpiredSessions(ctx, now.Add(-tl.SessionIdleTimeout), now.Add(-tl.SessionAbsoluteTimeout)); err != nil {
			return err
		}
		return tx.CreateSession(ctx, hashToken(token), &tl.Session{UserID: userID, CreatedAt: now, LastSeen: now})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// sessionExpired reports whether a session has been idle for
// SessionIdleTimeout or has lived SessionAbsoluteTimeout.
func sessionExpired(s *tl.Session, now time.Time) bool {
	return now.Sub(s.LastSeen) >= tl.SessionIdleTimeout || now.Sub(s.CreatedAt) >= tl.SessionAbsoluteTimeout
}

// SessionUser returns the user signed in with token. An unknown or
// expired token is EUNAUTHORIZED (an expired session is deleted); a
// live one has its idle timer refreshed, written at most once a minute.
func (a *App) SessionUser(ctx context.Context, token string) (*tl.User, error) {
	if token == "" {
		return nil, tl.Errorf(tl.EUNAUTHORIZED, msgSessionEnded)
	}
	h := hashToken(token)
	now := a.clock()
	var s *tl.Session
	var u *tl.User
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if s, err = tx.SessionByHash(ctx, h); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, s.UserID)
		return err
	})
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return nil, tl.Errorf(tl.EUNAUTHORIZED, msgSessionEnded)
	}
	if err != nil {
		return nil, err
	}
	if sessionExpired(s, now) {
		if err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, h) }); err != nil {
			return nil, err
		}
		return nil, tl.Errorf(tl.EUNAUTHORIZED, msgSessionEnded)
	}
	// A member's session is not touched: its last_seen would record, to
	// the minute, when they were last on the pages where they react and
	// answer (docs/ANONYMITY.md, rule 7). It ends SessionIdleTimeout after
	// they signed in.
	if now.Sub(s.LastSeen) >= sessionTouchEvery && u.Role != tl.RoleMember {
		if err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, h, now) }); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Logout ends the session of token; an unknown token is not an error.
func (a *App) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, hashToken(token)) })
}

// ChangePassword checks the user's current password, stores a hash of
// the new one, revokes the user's API tokens and ends every other
// session of the user (token's is kept; pass "" to end them all). A wrong
// current password is EINVALID, so the form can say so beside the field,
// and counts towards the sign-in throttle: a stolen session cannot guess
// it freely.
func (a *App) ChangePassword(ctx context.Context, userID, token, oldPassword, newPassword string) error {
	if err := checkPassword(newPassword); err != nil {
		return tl.WithField(err, "password")
	}
	if newPassword == oldPassword {
		return tl.Invalidf("password", "the new password is the same as the current one: choose another")
	}
	now := a.clock()
	var cred *store.Credentials
	var pair, client string
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.CredentialsByID(ctx, userID)
		if err != nil {
			return err
		}
		cred = c
		pair, client = throttleKeys(ctx, c.User.Email)
		if c.PasswordHash == "" {
			return tl.Errorf(tl.EINVALID, "this account signs in through its identity provider and has no password to change")
		}
		return reserveSignIn(ctx, tx, pair, client, now)
	})
	if err != nil {
		return err
	}
	ok, err := a.checkHash(ctx, "change password", cred.PasswordHash, oldPassword)
	if err != nil {
		return err
	}
	if !ok {
		return tl.Invalidf("current_password", "the current password is not right: type it again")
	}
	hash, err := hashPassword(ctx, newPassword)
	if err != nil {
		return hashFailed("change password", err)
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.CredentialsByID(ctx, userID)
		if err != nil {
			return err
		}
		if c.PasswordHash != cred.PasswordHash {
			return tl.Errorf(tl.ECONFLICT, "the password was changed meanwhile: sign in again with the new one")
		}
		if err := signedIn(ctx, tx, pair, client, now); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(ctx, userID, hash); err != nil {
			return err
		}
		// Tokens made under the old password go with it: a password is
		// changed most often to shut someone out, and they may hold one.
		if err := tx.RevokeUserAPITokens(ctx, userID, now); err != nil {
			return err
		}
		keep := ""
		if token != "" {
			keep = hashToken(token)
		}
		_, err = tx.DeleteOtherSessions(ctx, userID, keep)
		return err
	})
}

// Users lists every account by email (owner/admin only).
func (a *App) Users(ctx context.Context, actorID string) ([]tl.User, error) {
	var out []tl.User
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "see the accounts"); err != nil {
			return err
		}
		var err error
		out, err = tx.Users(ctx)
		return err
	})
	return nonNil(out), err
}
