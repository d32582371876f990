package store

import (
	"context"
	"database/sql"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Credentials is a user with the password hash that only the login path
// may see; tl.User itself never carries it, so it cannot leak into a page.
type Credentials struct {
	User         tl.User
	PasswordHash string
}

// userCols are the columns of users an account is read from, the last
// its zone: the zone of its leader for an account that leads, its own
// otherwise (see the migration 00014_timezone).
const userCols = "id, email, name, role, leader_id, created_at, email_verified_at, " +
	"COALESCE(NULLIF((SELECT l.tz FROM leaders l WHERE l.id = users.leader_id), ''), users.tz)"

func scanUser(rows rowScanner, u *tl.User) error {
	var role string
	err := rows.Scan(&u.ID, &u.Email, &u.Name, &role, optStr{&u.LeaderID}, msTime{&u.CreatedAt}, msTime{&u.EmailVerifiedAt}, &u.TimeZone)
	u.Role = tl.Role(role)
	return err
}

func scanCredentials(rows rowScanner, c *Credentials) error {
	var role string
	u := &c.User
	err := rows.Scan(&u.ID, &u.Email, &u.Name, &role, optStr{&u.LeaderID}, msTime{&u.CreatedAt}, msTime{&u.EmailVerifiedAt}, &u.TimeZone, &c.PasswordHash)
	u.Role = tl.Role(role)
	return err
}

// CreateUser stores a new account with its password hash; ECONFLICT when
// the (lower-cased) email already has an account. u.TimeZone is stored
// as the account's own zone; an account that leads shows its leader's.
func (tx *Tx) CreateUser(ctx context.Context, u *tl.User, passwordHash string) error {
	zone := u.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	_, err := tx.execContext(ctx,
		"INSERT INTO users (id, email, name, role, leader_id, created_at, email_verified_at, tz, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		u.ID, u.Email, u.Name, string(u.Role), nullID(u.LeaderID), ms(u.CreatedAt), ms(u.EmailVerifiedAt), zone, passwordHash)
	return conflict("create user", err, "an account for %s already exists: sign in instead", u.Email)
}

// SetUserZone changes the own zone of an account (an IANA name the
// caller has checked); an account that leads shows its leader's zone,
// which SetLeaderZone changes.
func (tx *Tx) SetUserZone(ctx context.Context, userID, zone string) error {
	return tx.execOne(ctx, "set account zone", "UPDATE users SET tz = $1 WHERE id = $2",
		[]any{zone, userID}, notFound("no account with id %q", userID))
}

// HasUsers reports whether any account exists.
func (tx *Tx) HasUsers(ctx context.Context) (bool, error) {
	var n int64
	if err := tx.queryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS u").Scan(&n); err != nil {
		return false, translate("has users", err)
	}
	return n > 0, nil
}

// Users lists every account by email.
func (tx *Tx) Users(ctx context.Context) ([]tl.User, error) {
	return list(ctx, tx, "users", "SELECT "+userCols+" FROM users ORDER BY email, id", nil, scanUser)
}

// UserByID finds an account by id.
func (tx *Tx) UserByID(ctx context.Context, id string) (*tl.User, error) {
	return one(ctx, tx, "user", "SELECT "+userCols+" FROM users WHERE id = $1", []any{id}, scanUser,
		notFound("no account with id %q", id))
}

// UserByEmail finds an account by its lower-cased email.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*tl.User, error) {
	return one(ctx, tx, "user", "SELECT "+userCols+" FROM users WHERE email = $1", []any{email}, scanUser,
		notFound("no account for %s", email))
}

// CredentialsByEmail finds an account and its password hash by the
// lower-cased email, for login.
func (tx *Tx) CredentialsByEmail(ctx context.Context, email string) (*Credentials, error) {
	return one(ctx, tx, "credentials", "SELECT "+userCols+", password_hash FROM users WHERE email = $1",
		[]any{email}, scanCredentials, notFound("no account for %s", email))
}

// CredentialsByID finds an account and its password hash by id, for a
// password change.
func (tx *Tx) CredentialsByID(ctx context.Context, id string) (*Credentials, error) {
	return one(ctx, tx, "credentials", "SELECT "+userCols+", password_hash FROM users WHERE id = $1",
		[]any{id}, scanCredentials, notFound("no account with id %q", id))
}

// SetPasswordHash replaces an account's password hash.
func (tx *Tx) SetPasswordHash(ctx context.Context, userID, passwordHash string) error {
	return tx.execOne(ctx, "set password", "UPDATE users SET password_hash = $1 WHERE id = $2",
		[]any{passwordHash, userID}, notFound("no account with id %q", userID))
}

const sessionCols = "user_id, created_at, last_seen"

func scanSession(rows rowScanner, s *tl.Session) error {
	return rows.Scan(&s.UserID, msTime{&s.CreatedAt}, msTime{&s.LastSeen})
}

// CreateSession stores a session under the hash of its token.
func (tx *Tx) CreateSession(ctx context.Context, tokenHash string, s *tl.Session) error {
	_, err := tx.exec(ctx, "create session",
		"INSERT INTO sessions (token_hash, "+sessionCols+") VALUES ($1, $2, $3, $4)",
		tokenHash, s.UserID, ms(s.CreatedAt), ms(s.LastSeen))
	return err
}

// SessionByHash finds a session by the hash of its token; ENOTFOUND
// when there is none.
func (tx *Tx) SessionByHash(ctx context.Context, tokenHash string) (*tl.Session, error) {
	return one(ctx, tx, "session", "SELECT "+sessionCols+" FROM sessions WHERE token_hash = $1",
		[]any{tokenHash}, scanSession, notFound("no such session"))
}

// TouchSession moves a session's last_seen forward to at (never back).
func (tx *Tx) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := tx.exec(ctx, "touch session",
		"UPDATE sessions SET last_seen = $1 WHERE token_hash = $2 AND last_seen < $1", ms(at), tokenHash)
	return err
}

// DeleteSession removes one session; removing a missing one is not an
// error (logging out twice is fine).
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := tx.exec(ctx, "delete session", "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	return err
}

// DeleteOtherSessions removes every session of the user except the one
// whose token hashes to keepHash (pass "" to remove them all), and
// returns how many went.
func (tx *Tx) DeleteOtherSessions(ctx context.Context, userID, keepHash string) (int64, error) {
	res, err := tx.exec(ctx, "delete sessions",
		"DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", userID, keepHash)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, internal("delete sessions", err)
	}
	return n, nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore, and returns how many went.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		query string
		at    time.Time
	}{
		{"DELETE FROM sessions WHERE last_seen <= $1", idleBefore},
		{"DELETE FROM sessions WHERE created_at <= $1", createdBefore},
	} {
		res, err := tx.exec(ctx, "delete expired sessions", q.query, ms(q.at))
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, internal("delete expired sessions", err)
		}
		total += n
	}
	return total, nil
}

const invitationCols = "id, email, role, invited_by, created_at, expires_at, used_at, by_mail"

func scanInvitation(rows rowScanner, inv *tl.Invitation) error {
	var role string
	err := rows.Scan(&inv.ID, &inv.Email, &role, &inv.InvitedBy,
		msTime{&inv.CreatedAt}, msTime{&inv.ExpiresAt}, msTime{&inv.UsedAt}, intBool{&inv.ByMail})
	inv.Role = tl.Role(role)
	return err
}

// CreateInvitation stores an invitation under the hash of its token.
func (tx *Tx) CreateInvitation(ctx context.Context, inv *tl.Invitation, tokenHash string) error {
	_, err := tx.exec(ctx, "create invitation",
		"INSERT INTO invitations ("+invitationCols+", token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		inv.ID, inv.Email, string(inv.Role), inv.InvitedBy,
		ms(inv.CreatedAt), ms(inv.ExpiresAt), ms(inv.UsedAt), b2i(inv.ByMail), tokenHash)
	return err
}

// InvitationByHash finds an invitation by the hash of its token.
func (tx *Tx) InvitationByHash(ctx context.Context, tokenHash string) (*tl.Invitation, error) {
	return one(ctx, tx, "invitation", "SELECT "+invitationCols+" FROM invitations WHERE token_hash = $1",
		[]any{tokenHash}, scanInvitation, notFound("no such invitation"))
}

// Invitations lists every invitation, newest first.
func (tx *Tx) Invitations(ctx context.Context) ([]tl.Invitation, error) {
	return list(ctx, tx, "invitations",
		"SELECT "+invitationCols+" FROM invitations ORDER BY created_at DESC, id DESC", nil, scanInvitation)
}

// UseInvitation marks an unused invitation used at at. An invitation
// already used is ECONFLICT, so of two acceptances racing only one wins.
func (tx *Tx) UseInvitation(ctx context.Context, id string, at time.Time) error {
	return tx.execOne(ctx, "use invitation",
		"UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at = 0",
		[]any{ms(at), id}, tl.Errorf(tl.ECONFLICT, "this invitation was already used: sign in instead"))
}

// AddLoginFailure records one failed (or in-flight) login attempt for a
// throttling key.
func (tx *Tx) AddLoginFailure(ctx context.Context, key string, at time.Time) error {
	_, err := tx.exec(ctx, "add login failure",
		"INSERT INTO login_failures (email_key, at) VALUES ($1, $2)", key, ms(at))
	return err
}

// LoginFailures counts a key's failures after since and returns the
// oldest of them (the zero time when there is none).
func (tx *Tx) LoginFailures(ctx context.Context, key string, since time.Time) (int, time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := tx.queryRowContext(ctx,
		"SELECT COUNT(*), MIN(at) FROM login_failures WHERE email_key = $1 AND at > $2",
		key, ms(since)).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, translate("login failures", err)
	}
	return int(n), fromMS(oldest.Int64), nil
}

// ClearLoginFailures forgets a key's failures (after a successful login).
func (tx *Tx) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, "clear login failures", "DELETE FROM login_failures WHERE email_key = $1", key)
	return err
}

// RemoveLoginFailure forgets a key's failures recorded at at: one
// attempt's reservation, once it turned out right.
func (tx *Tx) RemoveLoginFailure(ctx context.Context, key string, at time.Time) error {
	_, err := tx.exec(ctx, "remove login failure", "DELETE FROM login_failures WHERE email_key = $1 AND at = $2", key, ms(at))
	return err
}

// PruneLoginFailures removes every failure at or before before, keeping
// the table as small as the login window.
func (tx *Tx) PruneLoginFailures(ctx context.Context, before time.Time) error {
	_, err := tx.exec(ctx, "prune login failures", "DELETE FROM login_failures WHERE at <= $1", ms(before))
	return err
}
