package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// The weekly loop by mail: each leader's schedule, one digest row per
// leader and week (its primary key is what makes the digest go once), and
// the links the mail carries, stored by the hash of their token.

// Mail kinds of the weekly loop.
const (
	// MailDigest is the weekly email; Ref is the digest.
	MailDigest = "digest"
	// MailPromiseDue is the reminder on the morning a promise falls due;
	// Ref is the promise.
	MailPromiseDue = "promise-due"
)

// Mail link actions besides the step's (tl.StepAction).
const LinkUnsubscribe = "unsubscribe"

// DigestSchedule is a leader's choice of when the weekly mail goes out.
type DigestSchedule struct {
	LeaderID  string
	Weekday   int // 0 Monday … 6 Sunday
	Hour      int // 0–23
	MailOff   bool
	UpdatedAt time.Time
}

const scheduleCols = "leader_id, weekday, hour, mail_off, updated_at"

func scanSchedule(rows rowScanner, s *DigestSchedule) error {
	return rows.Scan(&s.LeaderID, &s.Weekday, &s.Hour, intBool{&s.MailOff}, msTime{&s.UpdatedAt})
}

// DigestSchedule is the leader's schedule; ENOTFOUND when they never
// chose one.
func (tx *Tx) DigestSchedule(ctx context.Context, leaderID string) (*DigestSchedule, error) {
	return one(ctx, tx, "digest schedule", "SELECT "+scheduleCols+" FROM digest_schedules WHERE leader_id = $1",
		[]any{leaderID}, scanSchedule, notFound("no weekly mail schedule"))
}

// DigestSchedules lists every schedule a leader chose, by leader.
func (tx *Tx) DigestSchedules(ctx context.Context) (map[string]DigestSchedule, error) {
	rows, err := list(ctx, tx, "digest schedules", "SELECT "+scheduleCols+" FROM digest_schedules", nil, scanSchedule)
	if err != nil {
		return nil, err
	}
	out := make(map[string]DigestSchedule, len(rows))
	for _, s := range rows {
		out[s.LeaderID] = s
	}
	return out, nil
}

// PutDigestSchedule stores the leader's schedule, replacing the one before.
func (tx *Tx) PutDigestSchedule(ctx context.Context, s *DigestSchedule) error {
	_, err := tx.exec(ctx, "put digest schedule",
		"INSERT INTO digest_schedules ("+scheduleCols+") VALUES ($1, $2, $3, $4, $5) "+
			"ON CONFLICT (leader_id) DO UPDATE SET weekday = $2, hour = $3, mail_off = $4, updated_at = $5",
		s.LeaderID, s.Weekday, s.Hour, b2i(s.MailOff), ms(s.UpdatedAt))
	return err
}

// Digest is one leader's digest of one week.
type Digest struct {
	ID         string
	LeaderID   string
	Week       time.Time // tl.WeekStartIn
	Since      time.Time // what arrived from Since …
	CreatedAt  time.Time // … to CreatedAt is in it
	ExpiresAt  time.Time // the step links work until then
	StepID     string    // "" when the week had no step
	UsedAt     time.Time // zero until one of its step links is used
	UsedAction string
}

const digestCols = "id, leader_id, week, since, created_at, expires_at, step_id, used_at, used_action"

func scanDigest(rows rowScanner, d *Digest) error {
	return rows.Scan(&d.ID, &d.LeaderID, msTime{&d.Week}, msTime{&d.Since}, msTime{&d.CreatedAt}, msTime{&d.ExpiresAt},
		optStr{&d.StepID}, msTime{&d.UsedAt}, &d.UsedAction)
}

// CreateDigest records the leader's digest of d.Week. It reports false,
// writing nothing, when that week's digest exists already: the primary
// key (leader, week) lets only one transaction ever record it.
func (tx *Tx) CreateDigest(ctx context.Context, d *Digest) (bool, error) {
	res, err := tx.exec(ctx, "create digest",
		"INSERT INTO digests ("+digestCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, 0, '') ON CONFLICT (leader_id, week) DO NOTHING",
		d.ID, d.LeaderID, ms(d.Week), ms(d.Since), ms(d.CreatedAt), ms(d.ExpiresAt), nullID(d.StepID))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("create digest", err)
	}
	return n == 1, nil
}

// DigestByID finds a digest whoever it is for.
func (tx *Tx) DigestByID(ctx context.Context, id string) (*Digest, error) {
	return one(ctx, tx, "digest", "SELECT "+digestCols+" FROM digests WHERE id = $1", []any{id}, scanDigest,
		notFound("no digest %q", id))
}

// LastDigest is the leader's latest digest; ENOTFOUND before the first.
func (tx *Tx) LastDigest(ctx context.Context, leaderID string) (*Digest, error) {
	return one(ctx, tx, "last digest",
		"SELECT "+digestCols+" FROM digests WHERE leader_id = $1 ORDER BY week DESC LIMIT 1",
		[]any{leaderID}, scanDigest, notFound("no digest yet"))
}

// DigestWeeks is the week of each leader's latest digest.
func (tx *Tx) DigestWeeks(ctx context.Context) (map[string]time.Time, error) {
	type row struct {
		leader string
		week   time.Time
	}
	rows, err := list(ctx, tx, "digest weeks", "SELECT leader_id, MAX(week) FROM digests GROUP BY leader_id", nil,
		func(rows rowScanner, r *row) error { return rows.Scan(&r.leader, msTime{&r.week}) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.leader] = r.week
	}
	return out, nil
}

// UseDigest records that one of the digest's step links was used. Only
// the first use is recorded: a digest used already is ECONFLICT, so of
// two presses of its links exactly one acts.
func (tx *Tx) UseDigest(ctx context.Context, id, action string, at time.Time) error {
	return tx.execOne(ctx, "use digest",
		"UPDATE digests SET used_at = $1, used_action = $2 WHERE id = $3 AND used_at = 0",
		[]any{ms(at), action, id}, tl.Errorf(tl.ECONFLICT, "this email's links were used already"))
}

// MailLink is a link a mail carries, by its token's hash.
type MailLink struct {
	Hash      string
	LeaderID  string
	DigestID  string // a step link's digest; "" for an unsubscribe link
	Action    string // a tl.StepAction or LinkUnsubscribe
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
}

const mailLinkCols = "token_hash, leader_id, digest_id, action, created_at, expires_at"

// CreateMailLink stores a link's hash.
func (tx *Tx) CreateMailLink(ctx context.Context, l *MailLink) error {
	_, err := tx.exec(ctx, "create mail link",
		"INSERT INTO mail_links ("+mailLinkCols+") VALUES ($1, $2, $3, $4, $5, $6)",
		l.Hash, l.LeaderID, nullID(l.DigestID), l.Action, ms(l.CreatedAt), ms(l.ExpiresAt))
	return err
}

// MailLinkByHash finds the link a token belongs to, expired or not (its
// page says which); ENOTFOUND for a token no mail carried.
func (tx *Tx) MailLinkByHash(ctx context.Context, hash string) (*MailLink, error) {
	return one(ctx, tx, "mail link", "SELECT "+mailLinkCols+" FROM mail_links WHERE token_hash = $1", []any{hash},
		func(rows rowScanner, l *MailLink) error {
			return rows.Scan(&l.Hash, &l.LeaderID, optStr{&l.DigestID}, &l.Action, msTime{&l.CreatedAt}, msTime{&l.ExpiresAt})
		},
		notFound("no such link"))
}

// DeleteDigestLinks removes a digest's step links: a message sent again
// carries new ones, which replace them.
func (tx *Tx) DeleteDigestLinks(ctx context.Context, digestID string) error {
	_, err := tx.exec(ctx, "delete digest links", "DELETE FROM mail_links WHERE digest_id = $1", digestID)
	return err
}

// DeleteExpiredMailLinks removes the links that expired before t.
func (tx *Tx) DeleteExpiredMailLinks(ctx context.Context, t time.Time) error {
	_, err := tx.exec(ctx, "prune mail links", "DELETE FROM mail_links WHERE expires_at > 0 AND expires_at < $1", ms(t))
	return err
}
