package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// PulseRow is a pulse as stored: the public Pulse and what only the
// services read.
type PulseRow struct {
	tl.Pulse
	SharedHash  string // the shared link's token hash ("" for mail delivery)
	SelfAnswers string // the leader's own answers, "item=value;…"
	Released    bool
	Withheld    string
	EventID     string // the pulse snapshot entry, once released
	Band        string // the rough count as last published while open (a tl.Count* band)
	// CommentsShown says a released pulse's comments may be shown;
	// CommentsWithheld says why not, when it asked a question.
	CommentsShown    bool
	CommentsWithheld string
}

// Asked is one person of a pulse's population and the address they were
// asked at, fixed at launch.
type Asked struct {
	RelationshipID string
	Email          string
}

const pulseCols = "p.id, p.leader_id, p.team_id, t.name, p.wave, p.question, p.k, p.comments_k, p.delivery, p.status, " +
	"p.population, p.created_at, p.closes_at, p.closed_at, p.shared_hash, p.self_answers, p.released, p.withheld, p.event_id, p.band, " +
	"p.comments_shown, p.comments_withheld"

const pulseFrom = " FROM pulses p JOIN teams t ON t.id = p.team_id "

func scanPulse(rows rowScanner, p *PulseRow) error {
	var status string
	err := rows.Scan(&p.ID, &p.LeaderID, &p.TeamID, &p.Team, &p.Wave, &p.Question, &p.K, &p.CommentsK, &p.Delivery,
		&status, &p.Population, msTime{&p.CreatedAt}, msTime{&p.ClosesAt}, msTime{&p.ClosedAt},
		optStr{&p.SharedHash}, &p.SelfAnswers, intBool{&p.Released}, &p.Withheld, optStr{&p.EventID}, &p.Band,
		intBool{&p.CommentsShown}, &p.CommentsWithheld)
	p.Status = tl.PulseStatus(status)
	p.SelfDone = p.SelfAnswers != ""
	return err
}

// CreatePulse stores a new pulse with its population (the invited
// relationships, each with the address it is asked at). ECONFLICT when
// the team already has that wave.
func (tx *Tx) CreatePulse(ctx context.Context, p *PulseRow, population []Asked) error {
	if p.Band == "" {
		p.Band = tl.CountBelowK
	}
	_, err := tx.execContext(ctx,
		"INSERT INTO pulses (id, leader_id, team_id, wave, question, k, comments_k, delivery, status, population, "+
			"created_at, closes_at, closed_at, shared_hash, self_answers, released, withheld, event_id, band, comments_shown, comments_withheld) "+
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
		p.ID, p.LeaderID, p.TeamID, p.Wave, p.Question, p.K, p.CommentsK, p.Delivery, string(p.Status), p.Population,
		ms(p.CreatedAt), ms(p.ClosesAt), ms(p.ClosedAt), nullID(p.SharedHash), p.SelfAnswers, b2i(p.Released),
		p.Withheld, nullID(p.EventID), p.Band, b2i(p.CommentsShown), p.CommentsWithheld)
	if err := conflict("create pulse", err, "wave %d of this team already exists", p.Wave); err != nil {
		return err
	}
	for start := 0; start < len(population); start += batchRows {
		chunk := population[start:min(start+batchRows, len(population))]
		args := make([]any, 0, 3*len(chunk))
		for _, a := range chunk {
			args = append(args, p.ID, a.RelationshipID, a.Email)
		}
		if _, err := tx.exec(ctx, "pulse population",
			tx.multiInsert("pulse_population", []string{"pulse_id", "relationship_id", "email"}, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePulse saves a pulse's status, close time, self answers, release
// decision, snapshot entry and published band.
func (tx *Tx) UpdatePulse(ctx context.Context, p *PulseRow) error {
	return tx.execOne(ctx, "update pulse",
		"UPDATE pulses SET status = $1, closed_at = $2, self_answers = $3, released = $4, withheld = $5, event_id = $6, band = $7, "+
			"comments_shown = $8, comments_withheld = $9 WHERE id = $10 AND leader_id = $11",
		[]any{string(p.Status), ms(p.ClosedAt), p.SelfAnswers, b2i(p.Released), p.Withheld, nullID(p.EventID), p.Band,
			b2i(p.CommentsShown), p.CommentsWithheld, p.ID, p.LeaderID},
		notFound("no pulse with id %q", p.ID))
}

// PulseByID finds one of the leader's pulses.
func (tx *Tx) PulseByID(ctx context.Context, leaderID, id string) (*PulseRow, error) {
	return one(ctx, tx, "pulse", "SELECT "+pulseCols+pulseFrom+"WHERE p.id = $1 AND p.leader_id = $2",
		[]any{id, leaderID}, scanPulse, notFound("no pulse with id %q: list yours with: trustledger pulse list", id))
}

// PulseByIDAny finds a pulse whoever leads it (for the respondent side,
// which knows a pulse only through a link).
func (tx *Tx) PulseByIDAny(ctx context.Context, id string) (*PulseRow, error) {
	return one(ctx, tx, "pulse", "SELECT "+pulseCols+pulseFrom+"WHERE p.id = $1",
		[]any{id}, scanPulse, notFound("no pulse with id %q", id))
}

// PulseBySharedHash finds the pulse a shared link belongs to.
func (tx *Tx) PulseBySharedHash(ctx context.Context, hash string) (*PulseRow, error) {
	return one(ctx, tx, "pulse", "SELECT "+pulseCols+pulseFrom+"WHERE p.shared_hash = $1",
		[]any{hash}, scanPulse, notFound("no pulse for this link"))
}

// Pulses lists the leader's pulses, newest first.
func (tx *Tx) Pulses(ctx context.Context, leaderID string) ([]PulseRow, error) {
	return list(ctx, tx, "pulses", "SELECT "+pulseCols+pulseFrom+"WHERE p.leader_id = $1 ORDER BY p.created_at DESC, p.id DESC",
		[]any{leaderID}, scanPulse)
}

// DuePulses lists the open pulses of every leader whose closing time has
// come.
func (tx *Tx) DuePulses(ctx context.Context, now time.Time) ([]PulseRow, error) {
	return list(ctx, tx, "due pulses", "SELECT "+pulseCols+pulseFrom+"WHERE p.status = $1 AND p.closes_at <= $2 ORDER BY p.closes_at, p.id",
		[]any{string(tl.PulseOpen), ms(now)}, scanPulse)
}

// OpenPulseForTeam reports the id of the team's open pulse, or "".
func (tx *Tx) OpenPulseForTeam(ctx context.Context, teamID string) (string, error) {
	ids, err := list(ctx, tx, "open pulse", "SELECT id FROM pulses WHERE team_id = $1 AND status = $2",
		[]any{teamID, string(tl.PulseOpen)}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// HasOpenPulse reports whether the leader has any open pulse.
func (tx *Tx) HasOpenPulse(ctx context.Context, leaderID string) (bool, error) {
	var open bool
	err := tx.queryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pulses WHERE leader_id = $1 AND status = $2)",
		leaderID, string(tl.PulseOpen)).Scan(intBool{&open})
	return open, translate("has open pulse", err)
}

// NextWave is the wave number the team's next pulse gets.
func (tx *Tx) NextWave(ctx context.Context, teamID string) (int, error) {
	var n int64
	err := tx.queryRowContext(ctx, "SELECT COALESCE(MAX(wave), 0) FROM pulses WHERE team_id = $1", teamID).Scan(&n)
	if err != nil {
		return 0, translate("next wave", err)
	}
	return int(n) + 1, nil
}

// PulseAsked lists a pulse's population with the address each person was
// asked at.
func (tx *Tx) PulseAsked(ctx context.Context, pulseID string) ([]Asked, error) {
	return list(ctx, tx, "pulse population",
		"SELECT relationship_id, email FROM pulse_population WHERE pulse_id = $1 ORDER BY relationship_id",
		[]any{pulseID}, func(rows rowScanner, a *Asked) error { return rows.Scan(&a.RelationshipID, &a.Email) })
}

// PulsePopulation lists the relationships a pulse was sent to.
func (tx *Tx) PulsePopulation(ctx context.Context, pulseID string) ([]string, error) {
	return list(ctx, tx, "pulse population",
		"SELECT relationship_id FROM pulse_population WHERE pulse_id = $1 ORDER BY relationship_id",
		[]any{pulseID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
}

// PulseToken is a member's single-use link record: whether it was used,
// never what was answered.
type PulseToken struct {
	PulseID        string
	RelationshipID string
	TokenHash      string // "" until the link is issued
	Used           bool
}

func scanPulseToken(rows rowScanner, t *PulseToken) error {
	return rows.Scan(&t.PulseID, &t.RelationshipID, optStr{&t.TokenHash}, intBool{&t.Used})
}

// CreatePulseTokens adds an unissued, unused link record per member.
func (tx *Tx) CreatePulseTokens(ctx context.Context, pulseID string, relIDs []string) error {
	for start := 0; start < len(relIDs); start += batchRows {
		chunk := relIDs[start:min(start+batchRows, len(relIDs))]
		args := make([]any, 0, 3*len(chunk))
		for _, id := range chunk {
			args = append(args, pulseID, id, int64(0))
		}
		if _, err := tx.exec(ctx, "pulse tokens",
			tx.multiInsert("pulse_tokens", []string{"pulse_id", "relationship_id", "used"}, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// PulseToken finds a member's link record.
func (tx *Tx) PulseToken(ctx context.Context, pulseID, relID string) (*PulseToken, error) {
	return one(ctx, tx, "pulse token",
		"SELECT pulse_id, relationship_id, token_hash, used FROM pulse_tokens WHERE pulse_id = $1 AND relationship_id = $2",
		[]any{pulseID, relID}, scanPulseToken, notFound("no link for this member"))
}

// PulseTokenByHash finds the link record a token belongs to.
func (tx *Tx) PulseTokenByHash(ctx context.Context, hash string) (*PulseToken, error) {
	return one(ctx, tx, "pulse token",
		"SELECT pulse_id, relationship_id, token_hash, used FROM pulse_tokens WHERE token_hash = $1",
		[]any{hash}, scanPulseToken, notFound("no link with this token"))
}

// PulseTokens lists a pulse's link records.
func (tx *Tx) PulseTokens(ctx context.Context, pulseID string) ([]PulseToken, error) {
	return list(ctx, tx, "pulse tokens",
		"SELECT pulse_id, relationship_id, token_hash, used FROM pulse_tokens WHERE pulse_id = $1 ORDER BY relationship_id",
		[]any{pulseID}, scanPulseToken)
}

// IssuePulseToken replaces a member link's hash with a new one, and moves
// the passes of the old link to it so that a member in the middle of
// answering is not cut off. A used link gets a new hash too (a reminder
// goes to everyone): opening it says the member already answered.
func (tx *Tx) IssuePulseToken(ctx context.Context, pulseID, relID, newHash string) error {
	old, err := tx.PulseToken(ctx, pulseID, relID)
	if err != nil {
		return err
	}
	if err := tx.execOne(ctx, "issue pulse token",
		"UPDATE pulse_tokens SET token_hash = $1 WHERE pulse_id = $2 AND relationship_id = $3",
		[]any{newHash, pulseID, relID}, notFound("no link for this member")); err != nil {
		return err
	}
	if old.TokenHash != "" {
		_, err = tx.exec(ctx, "move passes", "UPDATE passes SET token_hash = $1 WHERE token_hash = $2", newHash, old.TokenHash)
	}
	return err
}

// UsePulseToken marks a member link used and reports whether this call
// did it: of any number of concurrent calls for one link, one sees true.
func (tx *Tx) UsePulseToken(ctx context.Context, hash string) (bool, error) {
	res, err := tx.exec(ctx, "use pulse token", "UPDATE pulse_tokens SET used = 1 WHERE token_hash = $1 AND used = 0", hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("use pulse token", err)
	}
	return n == 1, nil
}

// PulseResponse is one anonymous answer: the answers and the comment,
// nothing else.
type PulseResponse struct {
	Answers string // "item=value;…"
	Comment string
}

// AddPulseResponse stores one response under a random key.
func (tx *Tx) AddPulseResponse(ctx context.Context, pulseID, key string, r PulseResponse) error {
	_, err := tx.exec(ctx, "add response",
		"INSERT INTO pulse_responses (pulse_id, id, answers, comment) VALUES ($1, $2, $3, $4)",
		pulseID, key, r.Answers, r.Comment)
	return err
}

// PulseResponses lists a pulse's responses in key order, which is random.
func (tx *Tx) PulseResponses(ctx context.Context, pulseID string) ([]PulseResponse, error) {
	return list(ctx, tx, "responses", "SELECT answers, comment FROM pulse_responses WHERE pulse_id = $1 ORDER BY id",
		[]any{pulseID}, func(rows rowScanner, r *PulseResponse) error { return rows.Scan(&r.Answers, &r.Comment) })
}

// CountPulseResponses counts a pulse's responses.
func (tx *Tx) CountPulseResponses(ctx context.Context, pulseID string) (int, error) {
	var n int64
	err := tx.queryRowContext(ctx, "SELECT COUNT(*) FROM pulse_responses WHERE pulse_id = $1", pulseID).Scan(&n)
	if err != nil {
		return 0, translate("count responses", err)
	}
	return int(n), nil
}

// ResponseKeys lists a pulse's response keys in stored order, for tests
// that check the order says nothing about who answered when.
func (tx *Tx) ResponseKeys(ctx context.Context, pulseID string) ([]string, error) {
	return list(ctx, tx, "response keys", "SELECT id FROM pulse_responses WHERE pulse_id = $1 ORDER BY id",
		[]any{pulseID}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
}

// Columns lists a table's column names, for tests that check what the
// schema can hold.
func (tx *Tx) Columns(ctx context.Context, table string) ([]string, error) {
	q := "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name"
	if tx.dialect == SQLite {
		q = "SELECT name FROM pragma_table_info($1) ORDER BY name"
	}
	return list(ctx, tx, "columns", q, []any{table}, func(rows rowScanner, s *string) error { return rows.Scan(s) })
}

// CountRows runs a SELECT COUNT(*) query, for tests and diagnostics that
// check what the tables hold.
func (tx *Tx) CountRows(ctx context.Context, query string, args ...any) (int, error) {
	var n int64
	if err := tx.queryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, translate("count rows", err)
	}
	return int(n), nil
}

// AskedIDs is a population without addresses, for tests and for pulses
// whose addresses do not matter (shared links).
func AskedIDs(ids []string) []Asked {
	out := make([]Asked, len(ids))
	for i, id := range ids {
		out[i] = Asked{RelationshipID: id}
	}
	return out
}
