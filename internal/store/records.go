package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Promises are stored in the table commitments: the table keeps its old name.
const promiseCols = "id, leader_id, relationship_id, team_id, recipient, what, due_at, status, created_at, resolved_at, step_id"

func scanPromise(rows rowScanner, c *tl.Promise) error {
	var status string
	err := rows.Scan(&c.ID, &c.LeaderID, optStr{&c.RelationshipID}, optStr{&c.TeamID}, &c.To, &c.What,
		msTime{&c.Due}, &status, msTime{&c.CreatedAt}, msTime{&c.ResolvedAt}, optStr{&c.StepID})
	c.Status = tl.PromiseStatus(status)
	return err
}

// CreatePromise stores a new promise.
func (tx *Tx) CreatePromise(ctx context.Context, c *tl.Promise) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO commitments ("+promiseCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		c.ID, c.LeaderID, nullID(c.RelationshipID), nullID(c.TeamID), c.To, c.What,
		ms(c.Due), string(c.Status), ms(c.CreatedAt), ms(c.ResolvedAt), nullID(c.StepID))
	return conflict("create promise", err, "a promise with id %q already exists", c.ID)
}

// UpdatePromise saves a promise's status, due date, resolution time
// and step.
func (tx *Tx) UpdatePromise(ctx context.Context, c *tl.Promise) error {
	return tx.execOne(ctx, "update promise",
		"UPDATE commitments SET status = $1, due_at = $2, resolved_at = $3, step_id = $4 WHERE id = $5 AND leader_id = $6",
		[]any{string(c.Status), ms(c.Due), ms(c.ResolvedAt), nullID(c.StepID), c.ID, c.LeaderID},
		notFound("no promise with id %q", c.ID))
}

// PromiseByID finds one of the leader's promises.
func (tx *Tx) PromiseByID(ctx context.Context, leaderID, id string) (*tl.Promise, error) {
	return one(ctx, tx, "promise",
		"SELECT "+promiseCols+" FROM commitments WHERE id = $1 AND leader_id = $2",
		[]any{id, leaderID}, scanPromise, notFound("no promise with id %q", id))
}

// Promises lists the leader's promises with one status ("" for all),
// soonest due first.
func (tx *Tx) Promises(ctx context.Context, leaderID string, status tl.PromiseStatus) ([]tl.Promise, error) {
	if status == "" {
		return list(ctx, tx, "promises",
			"SELECT "+promiseCols+" FROM commitments WHERE leader_id = $1 ORDER BY due_at, id",
			[]any{leaderID}, scanPromise)
	}
	return list(ctx, tx, "promises",
		"SELECT "+promiseCols+" FROM commitments WHERE leader_id = $1 AND status = $2 ORDER BY due_at, id",
		[]any{leaderID, string(status)}, scanPromise)
}

// OverduePromises lists the open promises of every leader due before
// dueBefore, soonest first: what the system marks broken.
func (tx *Tx) OverduePromises(ctx context.Context, dueBefore time.Time) ([]tl.Promise, error) {
	return list(ctx, tx, "overdue promises",
		"SELECT "+promiseCols+" FROM commitments WHERE status = $1 AND due_at < $2 ORDER BY due_at, id",
		[]any{string(tl.PromiseOpen), ms(dueBefore)}, scanPromise)
}

const decisionCols = "id, leader_id, what, why, relationship_id, team_id, affects, decided_at, created_at"

func scanDecision(rows rowScanner, d *tl.Decision) error {
	return rows.Scan(&d.ID, &d.LeaderID, &d.What, &d.Why, optStr{&d.RelationshipID}, optStr{&d.TeamID},
		&d.Affects, msTime{&d.DecidedAt}, msTime{&d.CreatedAt})
}

// CreateDecision stores a decision.
func (tx *Tx) CreateDecision(ctx context.Context, d *tl.Decision) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO decisions ("+decisionCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		d.ID, d.LeaderID, d.What, d.Why, nullID(d.RelationshipID), nullID(d.TeamID), d.Affects,
		ms(d.DecidedAt), ms(d.CreatedAt))
	return conflict("create decision", err, "a decision with id %q already exists", d.ID)
}

// Decisions lists the leader's decisions, newest first.
func (tx *Tx) Decisions(ctx context.Context, leaderID string) ([]tl.Decision, error) {
	return list(ctx, tx, "decisions",
		"SELECT "+decisionCols+" FROM decisions WHERE leader_id = $1 ORDER BY decided_at DESC, id DESC",
		[]any{leaderID}, scanDecision)
}

// A step's promise is in the column commitment_id: the column keeps its old name.
const stepCols = "id, leader_id, relationship_id, person, week_start, rule, dim, move, body, status, commitment_id, " +
	"baseline_e, baseline_quadrant, baseline_n, created_at, accepted_at, closed_at"

func scanStep(rows rowScanner, s *tl.Step) error {
	var rule, dim, status, quad string
	err := rows.Scan(&s.ID, &s.LeaderID, optStr{&s.RelationshipID}, &s.Person, msTime{&s.WeekStart}, &rule, &dim,
		&s.Move, &s.Text, &status, optStr{&s.PromiseID}, &s.BaselineE, &quad, &s.BaselineN,
		msTime{&s.CreatedAt}, msTime{&s.AcceptedAt}, msTime{&s.ClosedAt})
	if err != nil {
		return err
	}
	s.Rule, s.Status, s.BaselineQuad = engine.Rule(rule), tl.StepStatus(status), engine.Quadrant(quad)
	s.Dim, err = engine.ParseDim(dim)
	return err
}

func stepDim(s *tl.Step) (string, error) {
	if s.Dim < 0 || s.Dim >= engine.NumDims {
		return "", errorf("step", tl.EINVALID, "step %s has an unknown dimension %d", s.ID, int(s.Dim))
	}
	return s.Dim.String(), nil
}

// CreateStep stores a week's step.
func (tx *Tx) CreateStep(ctx context.Context, s *tl.Step) error {
	dim, err := stepDim(s)
	if err != nil {
		return err
	}
	_, err = tx.execContext(ctx,
		"INSERT INTO steps ("+stepCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
		s.ID, s.LeaderID, nullID(s.RelationshipID), s.Person, ms(s.WeekStart), string(s.Rule), dim, s.Move, s.Text,
		string(s.Status), nullID(s.PromiseID), s.BaselineE, string(s.BaselineQuad), s.BaselineN,
		ms(s.CreatedAt), ms(s.AcceptedAt), ms(s.ClosedAt))
	return conflict("create step", err, "a step with id %q already exists", s.ID)
}

// UpdateStep saves every field of a step but its id, leader and creation
// time.
func (tx *Tx) UpdateStep(ctx context.Context, s *tl.Step) error {
	dim, err := stepDim(s)
	if err != nil {
		return err
	}
	return tx.execOne(ctx, "update step",
		"UPDATE steps SET relationship_id = $1, person = $2, week_start = $3, rule = $4, dim = $5, move = $6, body = $7, "+
			"status = $8, commitment_id = $9, baseline_e = $10, baseline_quadrant = $11, baseline_n = $12, "+
			"accepted_at = $13, closed_at = $14 WHERE id = $15 AND leader_id = $16",
		[]any{nullID(s.RelationshipID), s.Person, ms(s.WeekStart), string(s.Rule), dim, s.Move, s.Text,
			string(s.Status), nullID(s.PromiseID), s.BaselineE, string(s.BaselineQuad), s.BaselineN,
			ms(s.AcceptedAt), ms(s.ClosedAt), s.ID, s.LeaderID},
		notFound("no step with id %q", s.ID))
}

// StepForWeek returns the leader's step for the week starting at
// weekStart (the newest when there are several); ENOTFOUND when none.
func (tx *Tx) StepForWeek(ctx context.Context, leaderID string, weekStart time.Time) (*tl.Step, error) {
	return one(ctx, tx, "step for week",
		"SELECT "+stepCols+" FROM steps WHERE leader_id = $1 AND week_start = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
		[]any{leaderID, ms(weekStart)}, scanStep,
		notFound("no step for the week of %s", weekStart.UTC().Format("2006-01-02")))
}

// Steps lists the leader's steps, newest week first.
func (tx *Tx) Steps(ctx context.Context, leaderID string) ([]tl.Step, error) {
	return list(ctx, tx, "steps",
		"SELECT "+stepCols+" FROM steps WHERE leader_id = $1 ORDER BY week_start DESC, created_at DESC, id DESC",
		[]any{leaderID}, scanStep)
}

const journalCols = "id, leader_id, week_start, question, body, shared, created_at"

func scanJournal(rows rowScanner, j *tl.JournalEntry) error {
	return rows.Scan(&j.ID, &j.LeaderID, msTime{&j.WeekStart}, &j.Question, &j.Text, intBool{&j.Shared}, msTime{&j.CreatedAt})
}

// CreateJournal stores a journal entry.
func (tx *Tx) CreateJournal(ctx context.Context, j *tl.JournalEntry) error {
	_, err := tx.execContext(ctx,
		"INSERT INTO journal ("+journalCols+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		j.ID, j.LeaderID, ms(j.WeekStart), int64(j.Question), j.Text, b2i(j.Shared), ms(j.CreatedAt))
	return conflict("create journal entry", err, "a journal entry with id %q already exists", j.ID)
}

// Journal lists the leader's journal, newest first.
func (tx *Tx) Journal(ctx context.Context, leaderID string) ([]tl.JournalEntry, error) {
	return list(ctx, tx, "journal",
		"SELECT "+journalCols+" FROM journal WHERE leader_id = $1 ORDER BY created_at DESC, id DESC",
		[]any{leaderID}, scanJournal)
}

// Settings lists the leader's overridden settings by name.
func (tx *Tx) Settings(ctx context.Context, leaderID string) ([]tl.Setting, error) {
	return list(ctx, tx, "settings",
		"SELECT leader_id, name, value FROM settings WHERE leader_id = $1 ORDER BY name",
		[]any{leaderID}, func(rows rowScanner, s *tl.Setting) error {
			return rows.Scan(&s.LeaderID, &s.Name, &s.Value)
		})
}

// LeaderSettings is Settings for a leader that must exist (ENOTFOUND
// otherwise), in one statement: a write checks the leader and reads the
// settings, and on PostgreSQL each statement is a round trip. It is
// SettingsAndPerson looking nobody up.
func (tx *Tx) LeaderSettings(ctx context.Context, leaderID string) ([]tl.Setting, error) {
	return tx.SettingsAndPerson(ctx, leaderID, "")
}

// PutSetting overrides one setting for a leader (insert or replace).
func (tx *Tx) PutSetting(ctx context.Context, s tl.Setting) error {
	_, err := tx.exec(ctx, "put setting",
		"INSERT INTO settings (leader_id, name, value) VALUES ($1, $2, $3) "+
			"ON CONFLICT (leader_id, name) DO UPDATE SET value = excluded.value",
		s.LeaderID, s.Name, s.Value)
	return err
}
