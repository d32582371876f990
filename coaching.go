package trustledger

import (
	"context"
	"time"
)

// One installation is one organisation: its accounts are the
// organisation's admins, coaches, leaders and members. A Program groups
// leaders inside it for coaches (docs/MODEL.md, choices 32–33).

// Program is a coaching program: leaders, and the coaches who follow them.
type Program struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ProgramCoach is a coach of a program.
type ProgramCoach struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// ProgramLeader is a leader in a program and their consent: a coach sees
// a leader's aggregates only while Consented.
type ProgramLeader struct {
	LeaderID    string    `json:"leader_id"`
	Name        string    `json:"name"`
	Email       string    `json:"email,omitempty"`
	AddedAt     time.Time `json:"added_at"`
	Consented   bool      `json:"consented"`
	ConsentedAt time.Time `json:"consented_at,omitzero"`
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
}

// ProgramDetail is a program with its coaches and leaders.
type ProgramDetail struct {
	Program Program         `json:"program"`
	Coaches []ProgramCoach  `json:"coaches"`
	Leaders []ProgramLeader `json:"leaders"`
}

// SeesRollup reports whether an account with role may see a program's
// rollup: the installation's administrators, and the program's own
// coaches (coachesIt). A leader in the program sees only their own numbers.
func SeesRollup(role Role, coachesIt bool) bool { return role.CanAdminister() || coachesIt }

// RollupVisibleTo is SeesRollup for u and the program as Program returned
// it (its coaches are listed to everyone who may see the program).
func (d *ProgramDetail) RollupVisibleTo(u *User) bool {
	coach := false
	for _, c := range d.Coaches {
		coach = coach || c.UserID == u.ID
	}
	return SeesRollup(u.Role, coach)
}

// RollupWeek is the quadrants of the consenting leaders' relationships in
// one week, as recorded when that week's step was chosen.
type RollupWeek struct {
	WeekStart time.Time      `json:"week_start"`
	Leaders   int            `json:"leaders"` // consenting leaders with a record that week
	Quadrants map[string]int `json:"quadrants"`
}

// RollupPulse is one released pulse of a consenting leader: the team's
// means only, which were shown to the leader already (above k).
type RollupPulse struct {
	Leader   string        `json:"leader"`
	ClosedAt time.Time     `json:"closed_at"`
	N        int           `json:"n"`
	Scales   []ScaleResult `json:"scales"`
}

// RollupEntry is a journal entry its leader chose to share with coaches.
type RollupEntry struct {
	Leader    string    `json:"leader"`
	WeekStart time.Time `json:"week_start"`
	Question  int       `json:"question"`
	Text      string    `json:"text"`
}

// Rollup is what a coach sees of a program: aggregates of the leaders who
// consent, never an unshared journal entry, a ledger note or an answer.
type Rollup struct {
	Program    Program       `json:"program"`
	Leaders    int           `json:"leaders"`    // in the program
	Consenting int           `json:"consenting"` // of whom consent now
	Weeks      []RollupWeek  `json:"weeks"`      // oldest first
	Steps      StepCounts    `json:"steps"`
	Pulses     []RollupPulse `json:"pulses"` // newest first
	Shared     []RollupEntry `json:"shared"` // newest first
}

// StepCounts counts the consenting leaders' weekly steps.
type StepCounts struct {
	Suggested int `json:"suggested"`
	Accepted  int `json:"accepted"` // accepted, and not yet closed
	Done      int `json:"done"`
	Skipped   int `json:"skipped"`
}

// RosterRow is one line of a roster file: a person to invite, and for a
// member the leader they report to.
type RosterRow struct {
	Line        int    `json:"line"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	Team        string `json:"team,omitempty"`
	LeaderEmail string `json:"leader_email,omitempty"`
	Error       string `json:"error,omitempty"` // what is wrong with this line, and how to fix it
}

// RosterResult is a checked roster: every row with its error, and once
// imported how many invitations and people it made.
type RosterResult struct {
	Rows        []RosterRow `json:"rows"`
	Errors      int         `json:"errors"`
	Imported    bool        `json:"imported"`
	Invitations int         `json:"invitations"`
	People      int         `json:"people"` // members added to their leader's people
}

// ProgramService runs programs. Implemented by internal/app; actorID is
// the signed-in user.
type ProgramService interface {
	CreateProgram(ctx context.Context, actorID, name string) (*Program, error)
	// Programs lists what the actor may see: all for admins, theirs for
	// coaches, the ones they are in for leaders.
	Programs(ctx context.Context, actorID string) ([]Program, error)
	Program(ctx context.Context, actorID, programID string) (*ProgramDetail, error)
	AddCoach(ctx context.Context, actorID, programID, email string) error
	AddLeader(ctx context.Context, actorID, programID, email string) error
	// SetConsent gives or withdraws the actor's own consent (a leader),
	// effective on the next request.
	SetConsent(ctx context.Context, actorID, programID string, consent bool) error
	Rollup(ctx context.Context, actorID, programID string) (*Rollup, error)
	// ShareJournal shares or unshares one of the leader's journal entries
	// with the coaches of programs they consent to.
	ShareJournal(ctx context.Context, leaderID, entryID string, shared bool) (*JournalEntry, error)
	// Roster checks a roster (CSV) and, unless dryRun or a row is wrong,
	// imports it in one transaction. progress, if not nil, is called with
	// rows done and rows in all.
	Roster(ctx context.Context, actorID string, csv []byte, dryRun bool, progress func(done, total int)) (*RosterResult, error)
}
