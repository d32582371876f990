package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Pass purposes: what a link's token was exchanged for.
const (
	PassPulse   = "pulse"
	PassCheckin = "checkin"
	PassWindow  = "window"
)

// Pass is a short-lived credential (a cookie) a link's token was
// exchanged for. Only the hash of its value is stored. TokenHash is the
// member token a pulse pass stands for ("" for a shared link).
type Pass struct {
	Hash      string
	Purpose   string
	Ref       string // pulse, check-in or relationship id
	TokenHash string
	ExpiresAt time.Time
}

// CreatePass stores a pass.
func (tx *Tx) CreatePass(ctx context.Context, p *Pass) error {
	_, err := tx.exec(ctx, "create pass",
		"INSERT INTO passes (pass_hash, purpose, ref_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
		p.Hash, p.Purpose, p.Ref, nullID(p.TokenHash), ms(p.ExpiresAt))
	return err
}

// PassByHash finds a pass of the given purpose that has not expired at
// now; ENOTFOUND otherwise.
func (tx *Tx) PassByHash(ctx context.Context, hash, purpose string, now time.Time) (*Pass, error) {
	return one(ctx, tx, "pass",
		"SELECT pass_hash, purpose, ref_id, token_hash, expires_at FROM passes WHERE pass_hash = $1 AND purpose = $2 AND expires_at > $3",
		[]any{hash, purpose, ms(now)},
		func(rows rowScanner, p *Pass) error {
			return rows.Scan(&p.Hash, &p.Purpose, &p.Ref, optStr{&p.TokenHash}, msTime{&p.ExpiresAt})
		},
		tl.Errorf(tl.ENOTFOUND, "this page has expired: open the link you were sent again"))
}

// DeletePass removes a pass and reports whether it existed: a pass used
// to submit is deleted in the same transaction, so exactly one of any
// number of concurrent submissions sees true.
func (tx *Tx) DeletePass(ctx context.Context, hash string) (bool, error) {
	res, err := tx.exec(ctx, "delete pass", "DELETE FROM passes WHERE pass_hash = $1", hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("delete pass", err)
	}
	return n == 1, nil
}

// DeletePassesFor removes every pass of a purpose for one ref (a closed
// pulse, an answered check-in, a replaced window link).
func (tx *Tx) DeletePassesFor(ctx context.Context, purpose, ref string) error {
	_, err := tx.exec(ctx, "delete passes", "DELETE FROM passes WHERE purpose = $1 AND ref_id = $2", purpose, ref)
	return err
}

// DeleteExpiredPasses prunes passes that expired before now.
func (tx *Tx) DeleteExpiredPasses(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.exec(ctx, "prune passes", "DELETE FROM passes WHERE expires_at <= $1", ms(now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, internal("prune passes", err)
	}
	return n, nil
}

// DeletePassesOfLink drops every pass a member's link was exchanged for:
// once the link is used, a second browser's pass would only keep when it
// was opened (docs/ANONYMITY.md, rule 7).
func (tx *Tx) DeletePassesOfLink(ctx context.Context, tokenHash string) error {
	_, err := tx.exec(ctx, "delete passes of link", "DELETE FROM passes WHERE token_hash = $1", tokenHash)
	return err
}
