package trustledger

import (
	"context"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// This file is the contract between the services (internal/app) and their
// callers (the CLI, the web app, the API and the demo; all of it together
// is Services, below). Every method acts for
// one leader, named by leaderID, and never sees another leader's data:
// asking for another leader's entry is ENOTFOUND, not EFORBIDDEN, so that
// ids cannot be probed.

// PersonInput adds a person the leader leads.
type PersonInput struct {
	Name  string
	Email string // optional: where pulse and check-in invitations go
	Kind  engine.RelKind
	Team  string         // team name; "" for the default team
	Power map[string]int // base name → 0..4, overriding the kind's defaults
	Start time.Time      // zero: now
}

// EventInput logs one ledger entry. Who is a person's name, or "team" (or
// a team's name) for every active member.
type EventInput struct {
	Who          string
	Kind         engine.Kind
	At           time.Time // zero: now
	Source       engine.Source
	Severity     engine.Severity // 0: normal
	Note         string
	Repairs      string // apology: id of the breach
	Acknowledges bool
	OffersRepair bool
	Base         string // authority-granted/removed: which base
	Shift        int    // and by how much (default ±1)
}

// PromiseInput records a promise.
type PromiseInput struct {
	To   string // person or team
	What string
	Due  time.Time
}

// DecisionInput records a decision. An empty Why logs decision-unexplained.
type DecisionInput struct {
	What    string
	Why     string
	Affects string // person or team
	At      time.Time
}

// EventFilter narrows a ledger listing.
type EventFilter struct {
	Who    string // person name, "team", or "" for all
	Limit  int    // 0: 50
	Before string // cursor: list entries older than this event id
}

// RelationshipStatus is one row of `status`.
type RelationshipStatus struct {
	Relationship Relationship      `json:"relationship"`
	Assessment   engine.Assessment `json:"assessment"`
}

// StatusReport is `status`: every relationship of the leader, and the team
// averages as in the simulator's JSON.
type StatusReport struct {
	Leader        Leader               `json:"leader"`
	At            time.Time            `json:"at"`
	Relationships []RelationshipStatus `json:"relationships"`
	Broken        []Promise            `json:"newly_broken,omitempty"` // promises the system just marked broken
}

// Explanation is `explain PERSON`: the numbers and the events behind them.
type Explanation struct {
	Relationship Relationship      `json:"relationship"`
	Assessment   engine.Assessment `json:"assessment"`
	Weights      []engine.Weight   `json:"weights"` // largest first
	Events       map[string]Event  `json:"events"`  // by id, for notes
	IfBroken     engine.Assessment `json:"if_promise_broken"`
}

// WeekReport is `week`: this week's step, or why there is none, and the
// outcome of earlier steps that are due for their check.
type WeekReport struct {
	WeekStart time.Time `json:"week_start"`
	Step      *Step     `json:"step"`           // nil when nothing is eligible
	Why       *StepWhy  `json:"why,omitempty"`  // why this person and this move; nil with no step
	None      string    `json:"none,omitempty"` // why there is no step
	Earlier   []Step    `json:"earlier"`        // accepted steps and their outcomes
	Outcomes  []string  `json:"outcomes"`       // parallel to Earlier
}

// StepWhy says why this week's step names its person and its move, in one
// sentence a leader reads without the model's vocabulary, and which ledger
// entries weigh most behind it. The services write it once
// (internal/app/why.go) and every front end shows it as it is, so the web,
// the CLI and the API say the same thing.
type StepWhy struct {
	Sentence string     `json:"sentence"`
	Evidence []WhyEntry `json:"evidence"`         // heaviest first, at most MaxWhyEvidence
	Breach   string     `json:"breach,omitempty"` // an apology step: the id of the entry it repairs
}

// MaxWhyEvidence is how many entries a step's reason names.
const MaxWhyEvidence = 3

// WhyEntry is one ledger entry behind a step's reason.
type WhyEntry struct {
	EventID string      `json:"event_id"`
	Kind    engine.Kind `json:"kind"`
	At      time.Time   `json:"at"`
}

// Backup is the JSON export of one or all leaders; import takes it back in
// one transaction.
type Backup struct {
	Version   int            `json:"version"`
	Exported  time.Time      `json:"exported_at"`
	Leaders   []Leader       `json:"leaders"`
	Teams     []Team         `json:"teams"`
	People    []Relationship `json:"relationships"`
	Events    []BackupEvent  `json:"events"`
	Promises  []Promise      `json:"commitments"` // the promises' old name, kept: backups and API clients read it
	Decisions []Decision     `json:"decisions"`
	Steps     []Step         `json:"steps"`
	Journal   []JournalEntry `json:"journal"`
	Settings  []Setting      `json:"settings"`
}

// BackupEvent is an Event with its source and severity spelled out.
type BackupEvent struct {
	Event
	SourceName   string `json:"source"`
	SeverityName string `json:"severity"`
}

// Setting is one model setting overridden for a leader.
type Setting struct {
	LeaderID string  `json:"leader_id"`
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
}

// Operator is the actor of a command run on the database itself (the CLI
// without --server): whoever can open the database file could change any
// row, so the services let them do what an administrator may. It is never
// an account's id, and no front end that signs people in passes it.
const Operator = "operator"

// Service is everything a leader can do. Implemented by internal/app.
type Service interface {
	// Leaders.
	CreateLeader(ctx context.Context, name string) (*Leader, error)
	Leaders(ctx context.Context) ([]Leader, error)
	// ResolveLeader picks the leader by name, or the only one when name
	// is "" (EINVALID naming the choices when there are several).
	ResolveLeader(ctx context.Context, name string) (*Leader, error)

	// People and teams.
	AddPerson(ctx context.Context, leaderID string, in PersonInput) (*Relationship, error)
	People(ctx context.Context, leaderID string) ([]Relationship, error)
	SetPower(ctx context.Context, leaderID, person string, power map[string]int) (*Relationship, error)
	SetActive(ctx context.Context, leaderID, person string, active bool) (*Relationship, error)
	SetEmail(ctx context.Context, leaderID, person, email string) (*Relationship, error)
	AddTeam(ctx context.Context, leaderID, name string) (*Team, error)
	Teams(ctx context.Context, leaderID string) ([]Team, error)

	// The ledger.
	Log(ctx context.Context, leaderID string, in EventInput) (*Event, error)
	Reverse(ctx context.Context, leaderID, eventID, note string) (*Event, error)
	Events(ctx context.Context, leaderID string, f EventFilter) ([]Event, error)

	// Promises. Outcome is kept, kept-late, renegotiated or broken.
	AddPromise(ctx context.Context, leaderID string, in PromiseInput) (*Promise, error)
	ResolvePromise(ctx context.Context, leaderID, id string, outcome PromiseStatus, newDue time.Time) (*Promise, error)
	Promises(ctx context.Context, leaderID string, status PromiseStatus) ([]Promise, error)
	SayDo(ctx context.Context, leaderID string) (kept, due int, err error)

	// Decisions.
	Decide(ctx context.Context, leaderID string, in DecisionInput) (*Decision, error)
	Decisions(ctx context.Context, leaderID string) ([]Decision, error)

	// Reading the model.
	Status(ctx context.Context, leaderID string) (*StatusReport, error)
	Explain(ctx context.Context, leaderID, person string) (*Explanation, error)

	// The weekly loop.
	Week(ctx context.Context, leaderID string) (*WeekReport, error)
	AcceptStep(ctx context.Context, leaderID string) (*Step, *Promise, error)
	CloseStep(ctx context.Context, leaderID string, status StepStatus) (*Step, error) // done or skipped

	// The journal (private to the leader).
	AddJournal(ctx context.Context, leaderID string, question int, text string) (*JournalEntry, error)
	Journal(ctx context.Context, leaderID string) ([]JournalEntry, error)

	// Settings.
	Settings(ctx context.Context, leaderID string) (engine.Settings, error)
	SetSetting(ctx context.Context, leaderID, name string, value float64) error

	// Export and import (import is one transaction; a failure writes
	// nothing). Import is for an actor who administers the installation,
	// or the Operator; anyone else is EFORBIDDEN.
	Export(ctx context.Context, leaderID string) (*Backup, error) // leaderID "" exports every leader
	Import(ctx context.Context, actorID string, b *Backup) error

	// Tick runs what is due: open promises past due + grace become broken
	// (a system event). Every command calls it first; it returns what it did.
	Tick(ctx context.Context) ([]Promise, error)
}

// Services is the whole contract the front ends hold: the web app, the
// JSON API, the CLI (on a database or over the API) and the demo. If a
// front end needs a method that is not here, the contract grows; none
// reaches past it with a type assertion. *app.App implements it over a
// database, internal/api/remote over the JSON API (refusing, with a
// sentence, what only a browser or the server itself can do). What only
// the wiring in cmd/ needs (mail rendering, the mixer) is not in it.
type Services interface {
	Service
	AccountService
	TokenService
	VoiceService
	CalendarService
	PrivacyService
	WebhookService
	ProgramService
	IdempotencyService
	WeeklyMailService
}
