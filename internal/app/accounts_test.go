package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

const (
	ownerEmail = "Lena@Example.org"
	ownerPass  = "correct horse battery"
)

// signupOwner creates the first account.
func (e *env) signupOwner(t *testing.T) *tl.User {
	t.Helper()
	return must(e.app.Signup(e.ctx, tl.SignupInput{Email: ownerEmail, Name: "Lena", Password: ownerPass}))(t)
}

// count returns the number of rows of a table (or a WHERE clause on it).
func (e *env) count(t *testing.T, from string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, "SELECT COUNT(*) FROM "+from, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", from, err)
	}
	return n
}

// inviteAndAccept has the actor invite email with role by mail, and
// accepts it as name through the link in the letter, so the account's
// address is proved as a real invitee's is (docs/ANONYMITY.md, rules 1
// and 6).
func (e *env) inviteAndAccept(t *testing.T, actorID, email, name string, role tl.Role) *tl.User {
	t.Helper()
	must(e.app.InviteByMail(e.ctx, actorID, email, role))(t)
	return must(e.app.AcceptInvite(e.ctx, e.mailedInvitation(t, email), name, "a long enough password"))(t)
}

// mailedInvitation delivers the outbox and returns the token of the last
// invitation link that reached email.
func (e *env) mailedInvitation(t *testing.T, email string) string {
	t.Helper()
	var tok string
	for _, text := range e.mailboxes()[strings.ToLower(email)] {
		if x := tokenIn(text, "/invite/"); x != "" {
			tok = x
		}
	}
	if tok == "" {
		t.Fatalf("no invitation reached %s", email)
	}
	return tok
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSignup(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		if has := must(e.app.HasUsers(e.ctx))(t); has {
			t.Fatal("HasUsers on an empty database is true")
		}
		for _, c := range []struct {
			name string
			in   tl.SignupInput
			want string
		}{
			{"no email", tl.SignupInput{Name: "Lena", Password: ownerPass}, "email address is needed"},
			{"bad email", tl.SignupInput{Email: "lena at example", Name: "Lena", Password: ownerPass}, "is not an email address"},
			{"display name", tl.SignupInput{Email: "Lena <lena@example.org>", Name: "Lena", Password: ownerPass}, "is not an email address"},
			{"no name", tl.SignupInput{Email: ownerEmail, Name: "  ", Password: ownerPass}, "a name is needed"},
			{"short password", tl.SignupInput{Email: ownerEmail, Name: "Lena", Password: "123456789"}, "a password needs at least 10 characters"},
			{"long password", tl.SignupInput{Email: ownerEmail, Name: "Lena", Password: strings.Repeat("x", tl.MaxPasswordLength+1)}, "at most 1024"},
		} {
			_, err := e.app.Signup(e.ctx, c.in)
			wantCode(t, err, tl.EINVALID, c.want)
		}
		u := e.signupOwner(t)
		if u.Email != "lena@example.org" || u.Name != "Lena" || u.Role != tl.RoleOwner || u.LeaderID == "" || u.ID == "" {
			t.Fatalf("signup returned %+v", u)
		}
		if !u.CreatedAt.Equal(start) {
			t.Fatalf("created at %v, want the clock's %v", u.CreatedAt, start)
		}
		leaders := must(e.app.Leaders(e.ctx))(t)
		if len(leaders) != 1 || leaders[0].ID != u.LeaderID || leaders[0].Name != "Lena" {
			t.Fatalf("leaders after signup: %+v, want one named Lena with id %s", leaders, u.LeaderID)
		}
		teams := must(e.app.Teams(e.ctx, u.LeaderID))(t)
		if len(teams) != 1 || teams[0].Name != tl.DefaultTeamName {
			t.Fatalf("the owner's leader has teams %+v, want the default team", teams)
		}
		if has := must(e.app.HasUsers(e.ctx))(t); !has {
			t.Fatal("HasUsers after signup is false")
		}
		_, err := e.app.Signup(e.ctx, tl.SignupInput{Email: "other@example.org", Name: "Other", Password: ownerPass})
		wantCode(t, err, tl.EFORBIDDEN, "already has an account")
		if n := e.count(t, "users"); n != 1 {
			t.Fatalf("%d users after a refused second signup, want 1", n)
		}
		// The stored hash is argon2id with the agreed parameters, never the
		// password.
		var hash string
		if err := e.db.SQL().QueryRowContext(e.ctx, "SELECT password_hash FROM users").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, ownerPass) {
			t.Fatalf("stored password hash %q is not an argon2id PHC string", hash)
		}
	})
}

func TestSignupLeaderNameTaken(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		// A leader made with the CLI before the web app existed.
		must(e.app.CreateLeader(e.ctx, "Lena"))(t)
		_, err := e.app.Signup(e.ctx, tl.SignupInput{Email: ownerEmail, Name: "lena", Password: ownerPass})
		wantCode(t, err, tl.ECONFLICT, "add a surname")
		if has := must(e.app.HasUsers(e.ctx))(t); has {
			t.Fatal("a failed signup left an account behind")
		}
		u := must(e.app.Signup(e.ctx, tl.SignupInput{Email: ownerEmail, Name: "Lena B.", Password: ownerPass}))(t)
		if u.LeaderID == "" {
			t.Fatal("no leader for the owner")
		}
	})
}

func TestSignupConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.app.Signup(e.ctx, tl.SignupInput{
					Email: fmt.Sprintf("user%d@example.org", i), Name: fmt.Sprintf("User %d", i), Password: ownerPass,
				})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch tl.ErrorCode(err) {
			case "":
				ok++
			case tl.EFORBIDDEN:
			default:
				t.Fatalf("concurrent signup failed with %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d concurrent signups succeeded, want exactly 1", ok)
		}
		if got := e.count(t, "users"); got != 1 {
			t.Fatalf("%d users, want 1", got)
		}
		if got := e.count(t, "users WHERE role = $1", string(tl.RoleOwner)); got != 1 {
			t.Fatalf("%d owners, want 1", got)
		}
		if got := e.count(t, "leaders"); got != 1 {
			t.Fatalf("%d leaders, want 1 (losers must leave none behind)", got)
		}
	})
}

func TestLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		u := must(e.app.Login(e.ctx, "  LENA@example.ORG ", ownerPass))(t)
		if u.ID != owner.ID || u.LeaderID != owner.LeaderID || u.Role != tl.RoleOwner {
			t.Fatalf("login returned %+v, want %+v", u, owner)
		}
		_, wrong := e.app.Login(e.ctx, ownerEmail, "not the password")
		_, unknown := e.app.Login(e.ctx, "nobody@example.org", ownerPass)
		_, empty := e.app.Login(e.ctx, "", "")
		for _, err := range []error{wrong, unknown, empty} {
			wantCode(t, err, tl.EUNAUTHORIZED)
			if err.Error() != "email or password is not right" {
				t.Fatalf("login failure says %q, want the one shared message", err.Error())
			}
		}
		_, err := e.app.Login(e.ctx, ownerEmail, ownerPass+strings.Repeat("x", tl.MaxPasswordLength))
		wantCode(t, err, tl.EUNAUTHORIZED, "email or password is not right")
	})
}

func TestLoginThrottle(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.signupOwner(t)
		for _, email := range []string{ownerEmail, "nobody@example.org"} {
			t.Run(strings.Split(email, "@")[0], func(t *testing.T) {
				first := e.clk.Now()
				for i := 1; i <= tl.LoginMaxFailures; i++ {
					_, err := e.app.Login(e.ctx, email, "wrong password")
					wantCode(t, err, tl.EUNAUTHORIZED, "email or password is not right")
					e.clk.Advance(10 * time.Second)
				}
				// The 11th attempt is refused, even with the right password,
				// until the first failure is LoginWindow old.
				_, err := e.app.Login(e.ctx, email, ownerPass)
				wantCode(t, err, tl.ERATELIMIT, "try again in")
				re := err.(*tl.Error).RetryAfter
				if want := first.Add(tl.LoginWindow).Sub(e.clk.Now()); re != want || re <= 0 || re > tl.LoginWindow {
					t.Fatalf("RetryAfter %v, want %v (within (0, 15m])", re, want)
				}
				// A refused attempt does not count: the wait does not grow.
				e.clk.Advance(re - time.Millisecond)
				_, err = e.app.Login(e.ctx, email, ownerPass)
				wantCode(t, err, tl.ERATELIMIT)
				if got := err.(*tl.Error).RetryAfter; got != time.Millisecond {
					t.Fatalf("RetryAfter a millisecond before the window passes: %v", got)
				}
				// The oldest failure leaves the window: one attempt is free,
				// then the next failure (9 + 1 in the window) blocks again.
				e.clk.Advance(time.Millisecond)
				_, err = e.app.Login(e.ctx, email, "wrong again")
				wantCode(t, err, tl.EUNAUTHORIZED)
				_, err = e.app.Login(e.ctx, email, "wrong again")
				wantCode(t, err, tl.ERATELIMIT)
				if got, want := err.(*tl.Error).RetryAfter, first.Add(10*time.Second+tl.LoginWindow).Sub(e.clk.Now()); got != want {
					t.Fatalf("RetryAfter %v, want %v (the second failure's turn)", got, want)
				}
				// The whole window passes: logins work again.
				e.clk.Advance(tl.LoginWindow)
				if email == ownerEmail {
					must(e.app.Login(e.ctx, email, ownerPass))(t)
				} else {
					_, err = e.app.Login(e.ctx, email, ownerPass)
					wantCode(t, err, tl.EUNAUTHORIZED)
				}
			})
		}
		// A success clears the account's failures: nine failures, a
		// success, then ten more failures are all answered normally.
		for range tl.LoginMaxFailures - 1 {
			_, err := e.app.Login(e.ctx, ownerEmail, "wrong password")
			wantCode(t, err, tl.EUNAUTHORIZED)
		}
		must(e.app.Login(e.ctx, ownerEmail, ownerPass))(t)
		for range tl.LoginMaxFailures {
			_, err := e.app.Login(e.ctx, ownerEmail, "wrong password")
			wantCode(t, err, tl.EUNAUTHORIZED)
		}
		_, err := e.app.Login(e.ctx, ownerEmail, ownerPass)
		wantCode(t, err, tl.ERATELIMIT)
		// Throttling one account leaves the others alone.
		_, err = e.app.Login(e.ctx, "someone.else@example.org", "x")
		wantCode(t, err, tl.EUNAUTHORIZED)
	})
}

func TestLoginThrottleConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.signupOwner(t)
		const n = tl.LoginMaxFailures + 5
		var wg sync.WaitGroup
		codes := make([]string, n)
		for i := range n {
			wg.Go(func() {
				_, err := e.app.Login(e.ctx, ownerEmail, "a wrong guess")
				codes[i] = tl.ErrorCode(err)
			})
		}
		wg.Wait()
		got := map[string]int{}
		for _, c := range codes {
			got[c]++
		}
		if got[tl.EUNAUTHORIZED] != tl.LoginMaxFailures || got[tl.ERATELIMIT] != n-tl.LoginMaxFailures {
			t.Fatalf("concurrent guesses: %v, want %d checked and %d refused", got, tl.LoginMaxFailures, n-tl.LoginMaxFailures)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		tok := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		tok2 := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		if tok == "" || tok == tok2 {
			t.Fatalf("session tokens %q and %q: want two different ones", tok, tok2)
		}
		u := must(e.app.SessionUser(e.ctx, tok))(t)
		if u.ID != owner.ID || u.LeaderID != owner.LeaderID {
			t.Fatalf("SessionUser %+v, want %+v", u, owner)
		}
		for _, bad := range []string{"", "nonsense", strings.ToLower(tok)} {
			_, err := e.app.SessionUser(e.ctx, bad)
			wantCode(t, err, tl.EUNAUTHORIZED, "sign in again")
		}
		_, err := e.app.CreateSession(e.ctx, "no such user")
		wantCode(t, err, tl.ENOTFOUND)

		lastSeen := func(token string) time.Time {
			t.Helper()
			var v int64
			if err := e.db.SQL().QueryRowContext(e.ctx, "SELECT last_seen FROM sessions WHERE token_hash = $1", sha256Hex(token)).Scan(&v); err != nil {
				t.Fatalf("read last_seen: %v", err)
			}
			return time.UnixMilli(v).UTC()
		}
		// last_seen is written at most once a minute.
		t0 := e.clk.Now()
		e.clk.Advance(59 * time.Second)
		must(e.app.SessionUser(e.ctx, tok))(t)
		if got := lastSeen(tok); !got.Equal(t0) {
			t.Fatalf("last_seen moved to %v after 59 s, want it left at %v", got, t0)
		}
		e.clk.Advance(time.Second)
		must(e.app.SessionUser(e.ctx, tok))(t)
		if got := lastSeen(tok); !got.Equal(e.clk.Now()) {
			t.Fatalf("last_seen %v after a minute, want %v", got, e.clk.Now())
		}

		// Idle timeout: activity keeps the session; 30 minutes without
		// ends it, and the row goes.
		e.clk.Advance(tl.SessionIdleTimeout - time.Millisecond)
		must(e.app.SessionUser(e.ctx, tok))(t)
		e.clk.Advance(tl.SessionIdleTimeout)
		_, err = e.app.SessionUser(e.ctx, tok)
		wantCode(t, err, tl.EUNAUTHORIZED, "sign in again")
		if n := e.count(t, "sessions WHERE token_hash = $1", sha256Hex(tok)); n != 0 {
			t.Fatal("an idle-expired session is still stored")
		}
		// tok2 went idle too (never used since it was made).
		_, err = e.app.SessionUser(e.ctx, tok2)
		wantCode(t, err, tl.EUNAUTHORIZED)

		// Absolute timeout: a session used every 20 minutes still ends
		// 12 hours after it began.
		tok3 := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		began := e.clk.Now()
		for e.clk.Now().Add(20 * time.Minute).Before(began.Add(tl.SessionAbsoluteTimeout)) {
			e.clk.Advance(20 * time.Minute)
			must(e.app.SessionUser(e.ctx, tok3))(t)
		}
		e.clk.Set(began.Add(tl.SessionAbsoluteTimeout - time.Millisecond))
		must(e.app.SessionUser(e.ctx, tok3))(t)
		e.clk.Advance(time.Millisecond)
		_, err = e.app.SessionUser(e.ctx, tok3)
		wantCode(t, err, tl.EUNAUTHORIZED, "sign in again")
		if n := e.count(t, "sessions WHERE token_hash = $1", sha256Hex(tok3)); n != 0 {
			t.Fatal("an absolute-expired session is still stored")
		}

		// Logout ends one session; twice is fine.
		tok4 := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		tok5 := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		noErr(t, e.app.Logout(e.ctx, tok4))
		noErr(t, e.app.Logout(e.ctx, tok4))
		_, err = e.app.SessionUser(e.ctx, tok4)
		wantCode(t, err, tl.EUNAUTHORIZED)
		must(e.app.SessionUser(e.ctx, tok5))(t)

		// Creating a session sweeps the expired ones of everybody.
		e.clk.Advance(tl.SessionIdleTimeout)
		must(e.app.CreateSession(e.ctx, owner.ID))(t)
		if n := e.count(t, "sessions"); n != 1 {
			t.Fatalf("%d sessions after a sweep, want only the new one", n)
		}
	})
}

// TestTokensNeverStored looks at every column of the sessions and
// invitations tables for the tokens handed out.
func TestTokensNeverStored(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		sess := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		_, inv := must2(e.app.Invite(e.ctx, owner.ID, "ana@example.org", tl.RoleLeader))(t)
		for _, tc := range []struct{ table, token string }{{"sessions", sess}, {"invitations", inv}} {
			rows, err := e.db.SQL().QueryContext(e.ctx, "SELECT * FROM "+tc.table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			found := 0
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					s := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						s = string(b)
					}
					if strings.Contains(strings.ToLower(s), strings.ToLower(tc.token)) {
						t.Errorf("%s.%s holds the token in clear", tc.table, cols[i])
					}
					if cols[i] == "token_hash" && s == sha256Hex(tc.token) {
						found++
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if found != 1 {
				t.Errorf("%s: the token's SHA-256 is stored %d times, want once", tc.table, found)
			}
		}
	})
}

func TestChangePassword(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		here := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		elsewhere := must(e.app.CreateSession(e.ctx, owner.ID))(t)
		const newPass = "a brand new passphrase"

		wantCode(t, e.app.ChangePassword(e.ctx, owner.ID, here, ownerPass, "short"), tl.EINVALID, "at least 10 characters")
		wantCode(t, e.app.ChangePassword(e.ctx, owner.ID, here, "not the password", newPass), tl.EINVALID, "current password is not right")
		wantCode(t, e.app.ChangePassword(e.ctx, owner.ID, here, ownerPass, ownerPass), tl.EINVALID, "same as the current one")
		// Nothing changed yet.
		must(e.app.SessionUser(e.ctx, elsewhere))(t)
		must(e.app.Login(e.ctx, ownerEmail, ownerPass))(t)

		noErr(t, e.app.ChangePassword(e.ctx, owner.ID, here, ownerPass, newPass))
		must(e.app.SessionUser(e.ctx, here))(t)
		_, err := e.app.SessionUser(e.ctx, elsewhere)
		wantCode(t, err, tl.EUNAUTHORIZED)
		_, err = e.app.Login(e.ctx, ownerEmail, ownerPass)
		wantCode(t, err, tl.EUNAUTHORIZED, "email or password is not right")
		must(e.app.Login(e.ctx, ownerEmail, newPass))(t)

		// Wrong current passwords count towards the account's throttle.
		for range tl.LoginMaxFailures {
			wantCode(t, e.app.ChangePassword(e.ctx, owner.ID, here, "a wrong guess", "yet another password"), tl.EINVALID)
		}
		wantCode(t, e.app.ChangePassword(e.ctx, owner.ID, here, newPass, "yet another password"), tl.ERATELIMIT)
		_, err = e.app.Login(e.ctx, ownerEmail, newPass)
		wantCode(t, err, tl.ERATELIMIT)
	})
}

func TestInvitations(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)

		for _, c := range []struct {
			name  string
			email string
			role  tl.Role
			code  string
			want  string
		}{
			{"owner role", "x@example.org", tl.RoleOwner, tl.EINVALID, "one owner"},
			{"unknown role", "x@example.org", "boss", tl.EINVALID, "unknown role"},
			{"bad email", "x", tl.RoleLeader, tl.EINVALID, "not an email address"},
			{"existing account", "LENA@example.org", tl.RoleLeader, tl.ECONFLICT, "already has an account"},
			{"member by a shown link", "x@example.org", tl.RoleMember, tl.EINVALID, "goes by email"},
		} {
			_, _, err := e.app.Invite(e.ctx, owner.ID, c.email, c.role)
			wantCode(t, err, c.code, c.want)
		}

		// Roles that lead get a Leader; the others do not.
		_, adaTok := must2(e.app.Invite(e.ctx, owner.ID, "Ada@Example.org", tl.RoleAdmin))(t) // a link the owner sees
		admin := must(e.app.AcceptInvite(e.ctx, adaTok, "Ada", "a long enough password"))(t)
		leader := e.inviteAndAccept(t, admin.ID, "ben@example.org", "Ben", tl.RoleLeader)
		coach := e.inviteAndAccept(t, admin.ID, "cleo@example.org", "Cleo", tl.RoleCoach)
		member := e.inviteAndAccept(t, owner.ID, "dev@example.org", "Dev", tl.RoleMember)
		for _, c := range []struct {
			u     *tl.User
			role  tl.Role
			leads bool
		}{{admin, tl.RoleAdmin, true}, {leader, tl.RoleLeader, true}, {coach, tl.RoleCoach, false}, {member, tl.RoleMember, false}} {
			if c.u.Role != c.role || (c.u.LeaderID != "") != c.leads {
				t.Fatalf("%s: role %s, leader %q; want role %s, leads %v", c.u.Name, c.u.Role, c.u.LeaderID, c.role, c.leads)
			}
		}
		if member.EmailVerifiedAt.IsZero() || !admin.EmailVerifiedAt.IsZero() {
			t.Fatalf("verified: member %v, admin %v; want the member's address proved by the mailed invitation, the admin's not",
				member.EmailVerifiedAt, admin.EmailVerifiedAt)
		}
		if admin.Email != "ada@example.org" {
			t.Fatalf("the invited email is stored as %q, want it lower-cased", admin.Email)
		}
		if got := len(must(e.app.Leaders(e.ctx))(t)); got != 3 {
			t.Fatalf("%d leaders, want 3 (owner, admin, leader)", got)
		}
		must(e.app.Login(e.ctx, "ben@example.org", "a long enough password"))(t)

		// Only the owner and admins invite and list.
		for _, u := range []*tl.User{leader, coach, member} {
			_, _, err := e.app.Invite(e.ctx, u.ID, "eve@example.org", tl.RoleLeader)
			wantCode(t, err, tl.EFORBIDDEN, "only the owner or an admin")
			_, err = e.app.Users(e.ctx, u.ID)
			wantCode(t, err, tl.EFORBIDDEN)
			_, err = e.app.Invitations(e.ctx, u.ID)
			wantCode(t, err, tl.EFORBIDDEN)
		}
		users := must(e.app.Users(e.ctx, admin.ID))(t)
		var emails []string
		for _, u := range users {
			emails = append(emails, u.Email)
		}
		if got := strings.Join(emails, " "); got != "ada@example.org ben@example.org cleo@example.org dev@example.org lena@example.org" {
			t.Fatalf("Users lists %s", got)
		}
		if got := len(must(e.app.Invitations(e.ctx, owner.ID))(t)); got != 4 {
			t.Fatalf("%d invitations listed, want 4", got)
		}

		// Single use.
		inv, token := must2(e.app.Invite(e.ctx, owner.ID, "fay@example.org", tl.RoleLeader))(t)
		if inv.InvitedBy != owner.ID || !inv.ExpiresAt.Equal(e.clk.Now().Add(7*24*time.Hour)) || !inv.UsedAt.IsZero() {
			t.Fatalf("invitation %+v", inv)
		}
		got := must(e.app.InvitationByToken(e.ctx, token))(t)
		if got.ID != inv.ID || got.Email != "fay@example.org" || got.Role != tl.RoleLeader {
			t.Fatalf("InvitationByToken %+v, want %+v", got, inv)
		}
		_, err := e.app.AcceptInvite(e.ctx, token, "Fay", "short")
		wantCode(t, err, tl.EINVALID, "at least 10 characters")
		must(e.app.AcceptInvite(e.ctx, token, "Fay", "a long enough password"))(t)
		_, err = e.app.AcceptInvite(e.ctx, token, "Fay again", "a long enough password")
		wantCode(t, err, tl.ECONFLICT, "already used")
		_, err = e.app.AcceptInvite(e.ctx, "not a token", "Gus", "a long enough password")
		wantCode(t, err, tl.ENOTFOUND, "not valid")

		// A member invitation made before the rule, whose link its inviter
		// saw, cannot be accepted.
		shown := &tl.Invitation{ID: "inv-shown-member", Email: "gil@example.org", Role: tl.RoleMember, InvitedBy: owner.ID,
			CreatedAt: e.clk.Now(), ExpiresAt: e.clk.Now().Add(time.Hour)}
		noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error { return tx.CreateInvitation(e.ctx, shown, sha256Hex("SHOWNMEMBERINVITATION")) }))
		_, err = e.app.AcceptInvite(e.ctx, "SHOWNMEMBERINVITATION", "Gil", "a long enough password")
		wantCode(t, err, tl.EFORBIDDEN, "ask for a new invitation by email")

		// A leader's name must not clash with another's.
		_, token = must2(e.app.Invite(e.ctx, owner.ID, "ben2@example.org", tl.RoleLeader))(t)
		_, err = e.app.AcceptInvite(e.ctx, token, "BEN", "a long enough password")
		wantCode(t, err, tl.ECONFLICT, "add a surname")
		must(e.app.AcceptInvite(e.ctx, token, "Ben Two", "a long enough password"))(t)

		// Expiry: seven days.
		_, token = must2(e.app.Invite(e.ctx, owner.ID, "hal@example.org", tl.RoleCoach))(t)
		_, late := must2(e.app.Invite(e.ctx, owner.ID, "ivy@example.org", tl.RoleCoach))(t)
		e.clk.Advance(app.InvitationLifetime - time.Millisecond)
		must(e.app.AcceptInvite(e.ctx, token, "Hal", "a long enough password"))(t)
		e.clk.Advance(time.Millisecond)
		_, err = e.app.AcceptInvite(e.ctx, late, "Ivy", "a long enough password")
		wantCode(t, err, tl.EINVALID, "expired")
		_, err = e.app.InvitationByToken(e.ctx, late)
		wantCode(t, err, tl.EINVALID, "expired")
	})
}

func TestAcceptInviteConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		_, token := must2(e.app.Invite(e.ctx, owner.ID, "ana@example.org", tl.RoleLeader))(t)
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.app.AcceptInvite(e.ctx, token, fmt.Sprintf("Ana %d", i), "a long enough password")
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch tl.ErrorCode(err) {
			case "":
				ok++
			case tl.ECONFLICT:
			default:
				t.Fatalf("concurrent accept failed with %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d acceptances of one invitation succeeded, want 1", ok)
		}
		if got := e.count(t, "users WHERE email = $1", "ana@example.org"); got != 1 {
			t.Fatalf("%d accounts for the invited email, want 1", got)
		}
		if got := e.count(t, "leaders"); got != 2 {
			t.Fatalf("%d leaders, want 2 (losers must leave none behind)", got)
		}
	})
}
