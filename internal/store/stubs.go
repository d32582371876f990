package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

func notYet() error { return tl.Errorf(tl.EINTERNAL, "not implemented") }

// TargetEvent is an event applied to one relationship, with whether a
// reversing entry exists and whether a (live) apology links to it.
type TargetEvent struct {
	tl.Event
	Reversed bool
	Repaired bool
}

func (tx *Tx) CreateLeader(ctx context.Context, l *tl.Leader) error           { return notYet() }
func (tx *Tx) Leaders(ctx context.Context) ([]tl.Leader, error)               { return nil, notYet() }
func (tx *Tx) LeaderByID(ctx context.Context, id string) (*tl.Leader, error)  { return nil, notYet() }
func (tx *Tx) LeaderByName(ctx context.Context, n string) (*tl.Leader, error) { return nil, notYet() }
func (tx *Tx) CreateTeam(ctx context.Context, t *tl.Team) error               { return notYet() }
func (tx *Tx) Teams(ctx context.Context, leaderID string) ([]tl.Team, error)  { return nil, notYet() }
func (tx *Tx) TeamByName(ctx context.Context, leaderID, name string) (*tl.Team, error) {
	return nil, notYet()
}
func (tx *Tx) CreateRelationship(ctx context.Context, r *tl.Relationship) error { return notYet() }
func (tx *Tx) UpdateRelationship(ctx context.Context, r *tl.Relationship) error { return notYet() }
func (tx *Tx) Relationships(ctx context.Context, leaderID string) ([]tl.Relationship, error) {
	return nil, notYet()
}
func (tx *Tx) RelationshipByID(ctx context.Context, leaderID, id string) (*tl.Relationship, error) {
	return nil, notYet()
}
func (tx *Tx) RelationshipByName(ctx context.Context, leaderID, name string) (*tl.Relationship, error) {
	return nil, notYet()
}
func (tx *Tx) TeamMembers(ctx context.Context, leaderID, teamID string) ([]tl.Relationship, error) {
	return nil, notYet()
}
func (tx *Tx) AppendEvent(ctx context.Context, ev *tl.Event) error    { return notYet() }
func (tx *Tx) AppendEvents(ctx context.Context, evs []tl.Event) error { return notYet() }
func (tx *Tx) EventByID(ctx context.Context, leaderID, id string) (*tl.Event, error) {
	return nil, notYet()
}
func (tx *Tx) EventsFor(ctx context.Context, leaderID, relID string, since time.Time) ([]TargetEvent, error) {
	return nil, notYet()
}
func (tx *Tx) Events(ctx context.Context, leaderID, relID string, before string, limit int) ([]tl.Event, error) {
	return nil, notYet()
}
func (tx *Tx) IsReversed(ctx context.Context, eventID string) (bool, error) { return false, notYet() }
func (tx *Tx) State(ctx context.Context, relID string) (engine.State, error) {
	return engine.State{}, notYet()
}
func (tx *Tx) PutState(ctx context.Context, relID string, st engine.State) error { return notYet() }
func (tx *Tx) States(ctx context.Context, leaderID string) (map[string]engine.State, error) {
	return nil, notYet()
}
func (tx *Tx) CreateCommitment(ctx context.Context, c *tl.Commitment) error { return notYet() }
func (tx *Tx) UpdateCommitment(ctx context.Context, c *tl.Commitment) error { return notYet() }
func (tx *Tx) CommitmentByID(ctx context.Context, leaderID, id string) (*tl.Commitment, error) {
	return nil, notYet()
}
func (tx *Tx) Commitments(ctx context.Context, leaderID string, status tl.CommitmentStatus) ([]tl.Commitment, error) {
	return nil, notYet()
}
func (tx *Tx) OverdueCommitments(ctx context.Context, dueBefore time.Time) ([]tl.Commitment, error) {
	return nil, notYet()
}
func (tx *Tx) CreateDecision(ctx context.Context, d *tl.Decision) error { return notYet() }
func (tx *Tx) Decisions(ctx context.Context, leaderID string) ([]tl.Decision, error) {
	return nil, notYet()
}
func (tx *Tx) CreateStep(ctx context.Context, s *tl.Step) error { return notYet() }
func (tx *Tx) UpdateStep(ctx context.Context, s *tl.Step) error { return notYet() }
func (tx *Tx) StepForWeek(ctx context.Context, leaderID string, weekStart time.Time) (*tl.Step, error) {
	return nil, notYet()
}
func (tx *Tx) Steps(ctx context.Context, leaderID string) ([]tl.Step, error) { return nil, notYet() }
func (tx *Tx) CreateJournal(ctx context.Context, j *tl.JournalEntry) error   { return notYet() }
func (tx *Tx) Journal(ctx context.Context, leaderID string) ([]tl.JournalEntry, error) {
	return nil, notYet()
}
func (tx *Tx) Settings(ctx context.Context, leaderID string) ([]tl.Setting, error) {
	return nil, notYet()
}
func (tx *Tx) PutSetting(ctx context.Context, s tl.Setting) error { return notYet() }
