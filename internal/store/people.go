package store

import (
	"context"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// lower is the case-folded form of a name, stored beside it so that both
// databases compare names case-insensitively with a plain index.
func lower(name string) string { return strings.ToLower(name) }

const leaderCols = "id, name, created_at, tz"

func scanLeader(rows rowScanner, l *tl.Leader) error {
	return rows.Scan(&l.ID, &l.Name, msTime{&l.CreatedAt}, &l.TimeZone)
}

// CreateLeader stores a new leader; ECONFLICT when the name is taken
// (case-insensitively).
func (tx *Tx) CreateLeader(ctx context.Context, l *tl.Leader) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO leaders (id, name, name_lower, created_at, tz) VALUES ($1, $2, $3, $4, $5)",
		l.ID, l.Name, lower(l.Name), ms(l.CreatedAt), l.TimeZone)
	return conflict("create leader", err, "a leader named %q already exists: pick another name", l.Name)
}

// SetLeaderZone changes the zone a leader's weeks and due dates follow
// (an IANA name the caller has checked).
func (tx *Tx) SetLeaderZone(ctx context.Context, leaderID, zone string) error {
	return tx.execOne(ctx, "set leader zone", "UPDATE leaders SET tz = $1 WHERE id = $2",
		[]any{zone, leaderID}, notFound("no leader with id %q", leaderID))
}

// Leaders lists every leader by name.
func (tx *Tx) Leaders(ctx context.Context) ([]tl.Leader, error) {
	return list(ctx, tx, "leaders", "SELECT "+leaderCols+" FROM leaders ORDER BY name_lower, id", nil, scanLeader)
}

// LeaderByID finds a leader by id.
func (tx *Tx) LeaderByID(ctx context.Context, id string) (*tl.Leader, error) {
	return one(ctx, tx, "leader", "SELECT "+leaderCols+" FROM leaders WHERE id = $1", []any{id}, scanLeader,
		notFound("no leader with id %q", id))
}

// LeaderByName finds a leader by name, ignoring case.
func (tx *Tx) LeaderByName(ctx context.Context, name string) (*tl.Leader, error) {
	return one(ctx, tx, "leader", "SELECT "+leaderCols+" FROM leaders WHERE name_lower = $1", []any{lower(name)}, scanLeader,
		notFound("no leader named %q", name))
}

const teamCols = "id, leader_id, name, created_at"

func scanTeam(rows rowScanner, t *tl.Team) error {
	return rows.Scan(&t.ID, &t.LeaderID, &t.Name, msTime{&t.CreatedAt})
}

// CreateTeam stores a new team; ECONFLICT when the leader already has a
// team of that name (case-insensitively).
func (tx *Tx) CreateTeam(ctx context.Context, t *tl.Team) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO teams (id, leader_id, name, name_lower, created_at) VALUES ($1, $2, $3, $4, $5)",
		t.ID, t.LeaderID, t.Name, lower(t.Name), ms(t.CreatedAt))
	return conflict("create team", err, "a team named %q already exists: pick another name", t.Name)
}

// Teams lists the leader's teams by name.
func (tx *Tx) Teams(ctx context.Context, leaderID string) ([]tl.Team, error) {
	return list(ctx, tx, "teams", "SELECT "+teamCols+" FROM teams WHERE leader_id = $1 ORDER BY name_lower, id",
		[]any{leaderID}, scanTeam)
}

// TeamByName finds one of the leader's teams by name, ignoring case.
func (tx *Tx) TeamByName(ctx context.Context, leaderID, name string) (*tl.Team, error) {
	return one(ctx, tx, "team", "SELECT "+teamCols+" FROM teams WHERE leader_id = $1 AND name_lower = $2",
		[]any{leaderID, lower(name)}, scanTeam, notFound("no team named %q", name))
}

const relCols = "id, leader_id, person, team_id, kind, base_legitimate, base_reward, base_coercive, " +
	"base_informational, base_expert, base_referent, active, started_at, created_at, email, " +
	"email_confirmed_at, approved_at, approved_by"

func scanRel(rows rowScanner, r *tl.Relationship) error {
	var kind string
	err := rows.Scan(relDest(r, &kind)...)
	r.Kind = engine.RelKind(kind)
	return err
}

// relDest returns scan destinations for relCols; the kind goes to *kind.
func relDest(r *tl.Relationship, kind *string) []any {
	return []any{&r.ID, &r.LeaderID, &r.Person, optStr{&r.TeamID}, kind,
		&r.Bases[engine.Legitimate], &r.Bases[engine.Reward], &r.Bases[engine.Coercive],
		&r.Bases[engine.Informational], &r.Bases[engine.Expert], &r.Bases[engine.Referent],
		intBool{&r.Active}, msTime{&r.StartedAt}, msTime{&r.CreatedAt}, &r.Email,
		msTime{&r.EmailConfirmedAt}, msTime{&r.ApprovedAt}, &r.ApprovedBy}
}

// CreateRelationship stores a new relationship; ECONFLICT when the
// leader already has a person of that name (case-insensitively).
func (tx *Tx) CreateRelationship(ctx context.Context, r *tl.Relationship) error {
	b := r.Bases
	_, err := tx.execContext(ctx,
		"INSERT INTO relationships ("+relCols+", person_lower) "+
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
		r.ID, r.LeaderID, r.Person, nullID(r.TeamID), string(r.Kind),
		b[engine.Legitimate], b[engine.Reward], b[engine.Coercive],
		b[engine.Informational], b[engine.Expert], b[engine.Referent],
		b2i(r.Active), ms(r.StartedAt), ms(r.CreatedAt), r.Email,
		ms(r.EmailConfirmedAt), ms(r.ApprovedAt), r.ApprovedBy, lower(r.Person))
	return conflict("create relationship", err, "a person named %q already exists: use another name, or a surname to tell them apart", r.Person)
}

// UpdateRelationship saves the kind, power bases, team, active flag,
// email, and the email's confirmation and approval.
func (tx *Tx) UpdateRelationship(ctx context.Context, r *tl.Relationship) error {
	b := r.Bases
	return tx.execOne(ctx, "update relationship",
		"UPDATE relationships SET kind = $1, base_legitimate = $2, base_reward = $3, base_coercive = $4, "+
			"base_informational = $5, base_expert = $6, base_referent = $7, team_id = $8, active = $9, email = $10, "+
			"email_confirmed_at = $11, approved_at = $12, approved_by = $13 WHERE id = $14 AND leader_id = $15",
		[]any{string(r.Kind), b[engine.Legitimate], b[engine.Reward], b[engine.Coercive],
			b[engine.Informational], b[engine.Expert], b[engine.Referent], nullID(r.TeamID), b2i(r.Active),
			r.Email, ms(r.EmailConfirmedAt), ms(r.ApprovedAt), r.ApprovedBy, r.ID, r.LeaderID},
		notFound("no relationship with id %q", r.ID))
}

// Relationships lists the leader's relationships by person name.
func (tx *Tx) Relationships(ctx context.Context, leaderID string) ([]tl.Relationship, error) {
	return list(ctx, tx, "relationships",
		"SELECT "+relCols+" FROM relationships WHERE leader_id = $1 ORDER BY person_lower, id",
		[]any{leaderID}, scanRel)
}

// RelationshipByID finds one of the leader's relationships by id.
func (tx *Tx) RelationshipByID(ctx context.Context, leaderID, id string) (*tl.Relationship, error) {
	return one(ctx, tx, "relationship",
		"SELECT "+relCols+" FROM relationships WHERE id = $1 AND leader_id = $2",
		[]any{id, leaderID}, scanRel, notFound("no relationship with id %q", id))
}

// RelationshipByName finds one of the leader's relationships by the
// person's name, ignoring case; what SettingsAndPerson kept for the name
// in this transaction, if anything.
func (tx *Tx) RelationshipByName(ctx context.Context, leaderID, name string) (*tl.Relationship, error) {
	if r, ok := tx.keptPerson(leaderID, name); ok {
		if r == nil {
			return nil, withOp("relationship", notFound("no person named %q", name))
		}
		return r, nil
	}
	return one(ctx, tx, "relationship",
		"SELECT "+relCols+" FROM relationships WHERE leader_id = $1 AND person_lower = $2",
		[]any{leaderID, lower(name)}, scanRel, notFound("no person named %q", name))
}

// TeamMembers lists the active relationships of one of the leader's
// teams, by person name.
func (tx *Tx) TeamMembers(ctx context.Context, leaderID, teamID string) ([]tl.Relationship, error) {
	return list(ctx, tx, "team members",
		"SELECT "+relCols+" FROM relationships WHERE leader_id = $1 AND team_id = $2 AND active = 1 ORDER BY person_lower, id",
		[]any{leaderID, teamID}, scanRel)
}
