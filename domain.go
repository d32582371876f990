// Package trustledger holds the domain of the trust ledger: the people a
// leader leads, the ledger of events that deposit or withdraw trust, the
// promises and decisions behind them, the weekly step and the journal,
// and the service interfaces the CLI, the web app and the API use. The
// model itself lives in internal/engine; storage in internal/store; the
// services, with authorization written once, in internal/app.
package trustledger

import (
	"time"
	"unicode/utf8"

	"github.com/trustledger/trustledger/internal/engine"
)

// Leader is someone who keeps trust accounts with the people they lead.
type Leader struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// TimeZone is the IANA name of the zone the leader's weeks and due
	// dates follow (zone.go); "" for a leader made by the CLI without an
	// account, who follows the zone of the CLI at hand.
	TimeZone string `json:"time_zone,omitempty"`
}

// Team groups a leader's relationships; an event about the team fans out
// to every active member at full weight (MODEL.md §2).
type Team struct {
	ID        string    `json:"id"`
	LeaderID  string    `json:"leader_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// DefaultTeamName is the team every leader has from the start; "team" on
// the command line means this team unless another is named.
const DefaultTeamName = "team"

// TeamPhrase names a team inside a sentence a leader reads, in the pages,
// the mail and the services' messages alike: "your team" for the default
// one (so never "team team"), "team Platform" for the others.
func TeamPhrase(name string) string {
	if name == DefaultTeamName {
		return "your team"
	}
	return "team " + name
}

// Relationship is the dyad leader → person: the unit of trust (MODEL.md §1).
// A person is known by name within one leader's relationships.
type Relationship struct {
	ID        string         `json:"id"`
	LeaderID  string         `json:"leader_id"`
	Person    string         `json:"person"`          // the person's display name, unique per leader (case-insensitive)
	Email     string         `json:"email,omitempty"` // for pulse and check-in invitations; "" if unknown
	TeamID    string         `json:"team_id"`
	Kind      engine.RelKind `json:"kind"`
	Bases     engine.Bases   `json:"bases"` // legitimate, reward, coercive, informational, expert, referent
	Active    bool           `json:"active"`
	StartedAt time.Time      `json:"started_at"`
	CreatedAt time.Time      `json:"created_at"`
	// EmailConfirmedAt is when the person confirmed Email from that
	// mailbox; zero until then, and again when the address changes
	// (docs/ANONYMITY.md, rule 1).
	EmailConfirmedAt time.Time `json:"email_confirmed_at,omitzero"`
	// ApprovedAt and ApprovedBy record the administrator (not the leader)
	// who approved this person for the current address.
	ApprovedAt time.Time `json:"approved_at,omitzero"`
	ApprovedBy string    `json:"approved_by,omitempty"`
}

// Validate checks the fields a caller supplies.
func (r *Relationship) Validate() error {
	if r.Person == "" {
		return Errorf(EINVALID, "a person needs a name")
	}
	if n := utf8.RuneCountInString(r.Person); n > MaxNameLength {
		return Errorf(EINVALID, "a name may have at most %d characters, this one has %d: shorten it", MaxNameLength, n)
	}
	if _, err := engine.ParseRelKind(string(r.Kind)); err != nil {
		return Errorf(EINVALID, "%w", err)
	}
	for i, b := range r.Bases {
		if b < 0 || b > 4 {
			return Errorf(EINVALID, "power base %s must be 0–4, got %d", engine.Base(i), b)
		}
	}
	return nil
}

// Subject kinds of an event.
const (
	SubjectPerson = "person"
	SubjectTeam   = "team"
)

// Event is one append-only ledger entry. A correction is a new entry with
// Reverses set to the original's id; the original is never edited.
type Event struct {
	ID             string          `json:"id"`
	LeaderID       string          `json:"leader_id"`
	Subject        string          `json:"subject"`                   // person or team
	RelationshipID string          `json:"relationship_id,omitempty"` // subject person
	TeamID         string          `json:"team_id,omitempty"`         // subject team
	Kind           engine.Kind     `json:"kind"`
	OccurredAt     time.Time       `json:"occurred_at"`
	RecordedAt     time.Time       `json:"recorded_at"`
	Source         engine.Source   `json:"-"`
	Severity       engine.Severity `json:"-"`
	Note           string          `json:"note,omitempty"`
	RecordedBy     string          `json:"recorded_by"` // leader, system or person
	// Reverses is the id of the entry this one cancels (a reversal).
	Reverses string `json:"reverses,omitempty"`
	// Repairs is the id of the breach an apology repairs.
	Repairs      string `json:"repairs,omitempty"`
	Acknowledges bool   `json:"acknowledges,omitempty"`
	OffersRepair bool   `json:"offers_repair,omitempty"`
	// Power events: the base that moves and by how much.
	Base  string `json:"base,omitempty"`
	Shift int    `json:"shift,omitempty"`
	// PromiseID / DecisionID link the entry to what caused it. The JSON
	// name is the promise's old one, kept: API clients and backups read it.
	PromiseID  string `json:"commitment_id,omitempty"`
	DecisionID string `json:"decision_id,omitempty"`
	// Snapshot is the measurement a check-in or pulse entry carries.
	Snapshot *engine.Snapshot `json:"snapshot,omitempty"`
	// Targets are the relationships the event was applied to (one for a
	// person, every active member for a team), filled by the store.
	Targets []string `json:"targets,omitempty"`
}

// PromiseStatus is where a promise stands.
type PromiseStatus string

// Promise outcomes (PRODUCT.md §3).
const (
	PromiseOpen         PromiseStatus = "open"
	PromiseKept         PromiseStatus = "kept"
	PromiseKeptLate     PromiseStatus = "kept-late"
	PromiseRenegotiated PromiseStatus = "renegotiated"
	PromiseBroken       PromiseStatus = "broken"
)

// Promise is what a leader promised: to whom, what, due when, and how it
// ended.
type Promise struct {
	ID             string        `json:"id"`
	LeaderID       string        `json:"leader_id"`
	RelationshipID string        `json:"relationship_id,omitempty"` // "" when made to a team
	TeamID         string        `json:"team_id,omitempty"`
	To             string        `json:"to"` // person name or team name, for display
	What           string        `json:"what"`
	Due            time.Time     `json:"due"`
	Status         PromiseStatus `json:"status"`
	CreatedAt      time.Time     `json:"created_at"`
	ResolvedAt     time.Time     `json:"resolved_at,omitzero"`
	StepID         string        `json:"step_id,omitempty"` // made by accepting a weekly step
}

// Decision is a decision with its why and who it affects.
type Decision struct {
	ID             string    `json:"id"`
	LeaderID       string    `json:"leader_id"`
	What           string    `json:"what"`
	Why            string    `json:"why,omitempty"` // empty: never explained, a transparency withdrawal
	RelationshipID string    `json:"relationship_id,omitempty"`
	TeamID         string    `json:"team_id,omitempty"`
	Affects        string    `json:"affects"` // person name or team name
	DecidedAt      time.Time `json:"decided_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// StepStatus is where the week's step stands.
type StepStatus string

// Step states.
const (
	StepSuggested StepStatus = "suggested"
	StepAccepted  StepStatus = "accepted"
	StepDone      StepStatus = "done"
	StepSkipped   StepStatus = "skipped"
)

// Step is the one concrete step of a week (MODEL.md §10–§11).
type Step struct {
	ID             string          `json:"id"`
	LeaderID       string          `json:"leader_id"`
	RelationshipID string          `json:"relationship_id"`
	Person         string          `json:"person"`
	WeekStart      time.Time       `json:"week_start"` // Monday 00:00 UTC
	Rule           engine.Rule     `json:"rule"`
	Dim            engine.Dim      `json:"-"`
	Move           string          `json:"move"`
	Text           string          `json:"text"`
	Status         StepStatus      `json:"status"`
	PromiseID      string          `json:"commitment_id,omitempty"` // the promise's old JSON name, kept: API clients and backups read it
	BaselineE      float64         `json:"baseline_trust"`
	BaselineQuad   engine.Quadrant `json:"baseline_quadrant"`
	BaselineN      float64         `json:"baseline_evidence"`
	CreatedAt      time.Time       `json:"created_at"`
	AcceptedAt     time.Time       `json:"accepted_at,omitzero"`
	ClosedAt       time.Time       `json:"closed_at,omitzero"`
}

// WeekStart is the week of t in UTC: WeekStartIn(t, time.UTC).
func WeekStart(t time.Time) time.Time {
	return WeekStartIn(t, time.UTC)
}

// WeekStartIn names the week that t falls in where the leader lives: the
// calendar date of that week's Monday in loc, written as 00:00 UTC of that
// date. Weeks run Monday to Sunday in the leader's zone; the weekly step,
// the journal, a program's summary and the charts by week count them from
// here. A week is named by its Monday's date rather than by an instant so
// that the name stays the same when a leader changes zone, and weeks
// stored before zones existed (Monday 00:00 UTC) keep theirs. The week's
// first instant is WeekBegins. A nil loc is UTC.
func WeekStartIn(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // Monday 0 … Sunday 6
}

// WeekBegins is the instant the week named by week (a WeekStartIn value)
// begins in loc: Monday 00:00 there. A nil loc is UTC.
func WeekBegins(week time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(week.Year(), week.Month(), week.Day(), 0, 0, 0, 0, loc)
}

// The article's three questions for reflection, asked weekly.
var ReflectionQuestions = [3]string{
	"Where does your current leadership draw its strength — from power, trust, or both?",
	"When have you lost trust, and what caused it?",
	"How can you use power in a way that consistently reinforces trust?",
}

// JournalEntry is a private reflection. Question is 1–3 for the article's
// questions and 0 for a free note. Only its author reads it unless Shared.
type JournalEntry struct {
	ID        string    `json:"id"`
	LeaderID  string    `json:"leader_id"`
	WeekStart time.Time `json:"week_start"`
	Question  int       `json:"question"`
	Text      string    `json:"text"`
	Shared    bool      `json:"shared"`
	CreatedAt time.Time `json:"created_at"`
}
