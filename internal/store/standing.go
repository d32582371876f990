package store

import (
	"context"
	"database/sql"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Who counts toward k (docs/ANONYMITY.md, rule 1): address confirmations,
// approvals, and proved account addresses. The rule itself is written once,
// in internal/app (standing.go); these are its rows.

// AddressConfirmation is a confirmation waiting for its person.
type AddressConfirmation struct {
	RelationshipID string
	Email          string // the address it confirms
	TokenHash      string // "" until the message carrying the link was sent
	CreatedAt      time.Time
}

const addrConfCols = "relationship_id, email, token_hash, created_at"

func scanAddrConf(rows rowScanner, c *AddressConfirmation) error {
	return rows.Scan(&c.RelationshipID, &c.Email, optStr{&c.TokenHash}, msTime{&c.CreatedAt})
}

// PutAddressConfirmation starts (or starts again) the confirmation of a
// relationship's address; any link sent before stops working.
func (tx *Tx) PutAddressConfirmation(ctx context.Context, relID, email string, at time.Time) error {
	_, err := tx.exec(ctx, "put address confirmation",
		"INSERT INTO address_confirmations ("+addrConfCols+") VALUES ($1, $2, NULL, $3) "+
			"ON CONFLICT (relationship_id) DO UPDATE SET email = excluded.email, token_hash = NULL, created_at = excluded.created_at",
		relID, email, ms(at))
	return err
}

// AddressConfirmationFor finds the confirmation waiting for a relationship.
func (tx *Tx) AddressConfirmationFor(ctx context.Context, relID string) (*AddressConfirmation, error) {
	return one(ctx, tx, "address confirmation",
		"SELECT "+addrConfCols+" FROM address_confirmations WHERE relationship_id = $1",
		[]any{relID}, scanAddrConf, notFound("no confirmation is waiting"))
}

// AddressConfirmationByHash finds a confirmation by its link's token hash.
func (tx *Tx) AddressConfirmationByHash(ctx context.Context, hash string) (*AddressConfirmation, error) {
	return one(ctx, tx, "address confirmation",
		"SELECT "+addrConfCols+" FROM address_confirmations WHERE token_hash = $1",
		[]any{hash}, scanAddrConf, notFound("no such confirmation"))
}

// IssueAddressToken records the hash of a new link for a waiting
// confirmation (made when its message is sent).
func (tx *Tx) IssueAddressToken(ctx context.Context, relID, hash string) error {
	return tx.execOne(ctx, "issue address token",
		"UPDATE address_confirmations SET token_hash = $1 WHERE relationship_id = $2",
		[]any{hash, relID}, notFound("no confirmation is waiting"))
}

// DeleteAddressConfirmation ends a relationship's waiting confirmation.
func (tx *Tx) DeleteAddressConfirmation(ctx context.Context, relID string) error {
	_, err := tx.exec(ctx, "delete address confirmation",
		"DELETE FROM address_confirmations WHERE relationship_id = $1", relID)
	return err
}

// ConfirmEmail marks every relationship whose address is email
// and not yet confirmed as confirmed at at: its owner proved it.
func (tx *Tx) ConfirmEmail(ctx context.Context, email string, at time.Time) ([]string, error) {
	ids, err := list(ctx, tx, "relationships to confirm",
		"SELECT id FROM relationships WHERE email = $1 AND email_confirmed_at = 0 ORDER BY id",
		[]any{email}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "confirm email",
		"UPDATE relationships SET email_confirmed_at = $1 WHERE email = $2 AND email_confirmed_at = 0", ms(at), email); err != nil {
		return nil, err
	}
	return ids, nil
}

// AwaitingApproval lists every active relationship with an address that
// no administrator has approved, across leaders, oldest first.
func (tx *Tx) AwaitingApproval(ctx context.Context) ([]tl.Relationship, error) {
	return list(ctx, tx, "awaiting approval",
		"SELECT "+relCols+" FROM relationships WHERE active = 1 AND email <> '' AND approved_at = 0 ORDER BY created_at, id",
		nil, scanRel)
}

// VerifyUserEmail records that an account's address was proved at at.
func (tx *Tx) VerifyUserEmail(ctx context.Context, userID string, at time.Time) error {
	return tx.execOne(ctx, "verify user email",
		"UPDATE users SET email_verified_at = $1 WHERE id = $2",
		[]any{ms(at), userID}, notFound("no account with id %q", userID))
}

// Publication is when the named publication last ran (zero if never).
func (tx *Tx) Publication(ctx context.Context, name string) (time.Time, error) {
	out, err := one(ctx, tx, "publication",
		"SELECT published_at FROM voice_publications WHERE name = $1",
		[]any{name}, func(rows rowScanner, t *time.Time) error { return rows.Scan(msTime{t}) }, notFound("never published"))
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return *out, nil
}

// ClaimPublication moves the named publication from prev to at; it
// reports false when another writer moved it first, so several instances
// publish once.
func (tx *Tx) ClaimPublication(ctx context.Context, name string, prev, at time.Time) (bool, error) {
	var res sql.Result
	var err error
	if prev.IsZero() {
		res, err = tx.exec(ctx, "claim publication",
			"INSERT INTO voice_publications (name, published_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, ms(at))
	} else {
		res, err = tx.exec(ctx, "claim publication",
			"UPDATE voice_publications SET published_at = $1 WHERE name = $2 AND published_at = $3", ms(at), name, ms(prev))
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("claim publication", err)
	}
	return n == 1, nil
}

// MailAddressConfirm carries the link that confirms a person's address;
// its token is made when it is sent.
const MailAddressConfirm = "address-confirm"
