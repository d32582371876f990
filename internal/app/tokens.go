package app

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.TokenService = (*App)(nil)

// tokenPrefix marks trustledger API tokens, so secret scanners and people
// recognise one in a log or a paste.
const tokenPrefix = "tl_"

// CreateToken makes an API token for the user; the secret is returned
// once and only its hash is kept.
func (a *App) CreateToken(ctx context.Context, userID, name, scope string) (*tl.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > tl.MaxNameLength {
		return nil, "", tl.Invalidf("name", "give the token a name of 1–%d characters, saying where it is used (e.g. \"nightly export\")", tl.MaxNameLength)
	}
	if scope == "" {
		scope = tl.ScopeRead
	}
	if scope != tl.ScopeRead && scope != tl.ScopeWrite {
		return nil, "", tl.Invalidf("scope", "a token's scope is %q or %q, not %q", tl.ScopeRead, tl.ScopeWrite, scope)
	}
	now := a.clock()
	secret := tokenPrefix + rand.Text()
	t := &tl.APIToken{ID: store.NewID(now), UserID: userID, Name: name, Scope: scope, CreatedAt: now}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.UserByID(ctx, userID); err != nil {
			return err
		}
		return tx.CreateAPIToken(ctx, t, hashToken(secret))
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens lists the user's tokens, revoked ones included.
func (a *App) Tokens(ctx context.Context, userID string) ([]tl.APIToken, error) {
	var out []tl.APIToken
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.APITokens(ctx, userID)
		return err
	})
	return nonNil(out), err
}

// RevokeToken ends one of the user's tokens at once.
func (a *App) RevokeToken(ctx context.Context, userID, id string) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, userID, strings.TrimSpace(id), now) })
}

// TokenUser checks a bearer token and records its use.
func (a *App) TokenUser(ctx context.Context, secret string) (*tl.User, *tl.APIToken, error) {
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, nil, tl.Errorf(tl.EUNAUTHORIZED, "this is not a trustledger token (they start with %s): make one with: trustledger token create", tokenPrefix)
	}
	now := a.clock()
	var u *tl.User
	var t *tl.APIToken
	// Most requests only read, one statement; the use is recorded at most
	// once a minute.
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		t, u, err = tx.APITokenUser(ctx, hashToken(secret))
		return err
	})
	if err == nil && now.Sub(t.LastUsed) >= time.Minute {
		err = a.db.WriteOne(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t.ID, now) })
	}
	if err != nil {
		return nil, nil, err
	}
	return u, t, nil
}

// LeaderUser is the account of a leader (for the CLI, which acts as a
// leader rather than a signed-in user).
func (a *App) LeaderUser(ctx context.Context, leaderID string) (*tl.User, error) {
	var u *tl.User
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByLeader(ctx, leaderID)
		return err
	})
	return u, err
}
