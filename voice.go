package trustledger

import (
	"context"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// This file is the contract for team voice (docs/ANONYMITY.md): anonymous pulses,
// named check-ins, and the team's window on the leader's promises and
// decisions. Anonymity is enforced behind these methods, in internal/app
// and internal/store, never in the pages: no method returns an individual
// pulse answer, a per-response time, or who answered.

// Pulse scales. The three trust dimensions use the engine's names.
const (
	ScaleAbility     = "ability"
	ScaleBenevolence = "benevolence"
	ScaleIntegrity   = "integrity"
	ScaleSafety      = "safety"  // psychological safety, Edmondson's seven constructs
	ScaleOutcome     = "outcome" // commit / comply / resist
)

// PulseScalePoints is the number of points on every pulse item but the
// outcome item (1–5).
const PulseScalePoints = 5

// Outcome answers (the outcome item's values).
const (
	OutcomeResist = 1
	OutcomeComply = 2
	OutcomeCommit = 3
)

// PulseItem is one question of the pulse template. Self is the wording the
// leader answers about themself ("" for items the leader does not answer).
type PulseItem struct {
	ID      string `json:"id"`
	Scale   string `json:"scale"`
	Text    string `json:"text"`
	Self    string `json:"self,omitempty"`
	Reverse bool   `json:"reverse,omitempty"`
}

// PulseItems is the pulse template (MODEL.md §12), in the order it is
// asked: two items per trust dimension, the seven psychological-safety
// constructs (three reverse-scored), and the outcome item. The wording is
// ours.
var PulseItems = []PulseItem{
	{ID: "a1", Scale: ScaleAbility, Text: "My leader has the skills to do their job well.",
		Self: "I have the skills to do my job well."},
	{ID: "a2", Scale: ScaleAbility, Text: "When my leader takes something on, it gets done competently.",
		Self: "When I take something on, it gets done competently."},
	{ID: "b1", Scale: ScaleBenevolence, Text: "My leader looks out for what matters to me, not only for results.",
		Self: "I look out for what matters to each person, not only for results."},
	{ID: "b2", Scale: ScaleBenevolence, Text: "My leader would go out of their way to help me.",
		Self: "I would go out of my way to help the people I lead."},
	{ID: "i1", Scale: ScaleIntegrity, Text: "My leader does what they say they will do.",
		Self: "I do what I say I will do."},
	{ID: "i2", Scale: ScaleIntegrity, Text: "My leader explains the reasons behind decisions and treats people by the same rules.",
		Self: "I explain the reasons behind decisions and treat people by the same rules."},
	{ID: "s1", Scale: ScaleSafety, Reverse: true, Text: "If I make a mistake on this team, it is held against me."},
	{ID: "s2", Scale: ScaleSafety, Text: "On this team we can bring up problems and difficult issues."},
	{ID: "s3", Scale: ScaleSafety, Reverse: true, Text: "People on this team are sometimes shut out for being different."},
	{ID: "s4", Scale: ScaleSafety, Text: "It feels safe to try something new or take a risk here."},
	{ID: "s5", Scale: ScaleSafety, Reverse: true, Text: "It is hard to ask others on this team for help."},
	{ID: "s6", Scale: ScaleSafety, Text: "Nobody on this team would knowingly work against my efforts."},
	{ID: "s7", Scale: ScaleSafety, Text: "My particular skills and talents are valued and put to use here."},
	{ID: "o1", Scale: ScaleOutcome, Text: "When my leader asks something of me, I usually…"},
}

// OutcomeChoices are the outcome item's answers, by value.
var OutcomeChoices = map[int]string{
	OutcomeCommit: "commit: I do it because I believe in it",
	OutcomeComply: "comply: I do it because I have to",
	OutcomeResist: "resist: I push back or let it slide",
}

// CheckinQuestion is the article's exercise, asked by name.
const CheckinQuestion = "How have my decisions or communication affected your confidence?"

// CheckinItems are a named check-in's questions, one per trust dimension
// (answered 1–5 and fused as MODEL.md §5's check-in snapshot).
var CheckinItems = []PulseItem{
	{ID: "ca", Scale: ScaleAbility, Text: "How confident are you that I can deliver what I take on?"},
	{ID: "cb", Scale: ScaleBenevolence, Text: "How confident are you that I act in your interest, not only mine?"},
	{ID: "ci", Scale: ScaleIntegrity, Text: "How confident are you that I keep my word and tell you the reasons for my decisions?"},
}

// Pulse delivery. Pulses go by personal links only: a shared link lets
// whoever holds it answer in the team's name, so a leader could fill it
// and subtract (docs/ANONYMITY.md, rule 2). DeliveryLink remains for the
// pulses launched that way before, whose results stay as they were.
const (
	DeliveryEmail = "email" // a single-use link per member, by mail
	DeliveryLink  = "link"  // one shared link for the whole team: no longer launched
)

// Anonymity floors (docs/ANONYMITY.md, rule 8). The settings anonymity_k
// and comments_k may raise these, never lower them.
const (
	KFloor        = engine.MinK         // answers behind every number a leader sees
	CommentsFloor = engine.MinCommentsK // answers before comments are shown
)

// MemberWait is how long a new or changed address waits, once confirmed,
// before its person counts toward k: time for the team to see the
// newcomer in their window (docs/ANONYMITY.md, rule 1).
const MemberWait = 7 * 24 * time.Hour

// PublishEvery is how often what a leader can see of answers still
// coming in (an open pulse's rough count, reactions to decisions) is
// published: at fixed times of the UTC day, never as answers arrive, so
// that watching the page does not tell when someone answered
// (docs/ANONYMITY.md, rule 3).
const PublishEvery = 6 * time.Hour

// Standing steps: what a person still lacks before they count toward k.
const (
	StepAddress  = "address"  // no email address
	StepConfirm  = "confirm"  // the person has not confirmed the address
	StepAlias    = "alias"    // the address is the leader's own mailbox, or another person's
	StepApproval = "approval" // an administrator who is not the leader has not approved them
	StepWait     = "wait"     // confirmed; counts from Standing.From
	StepInactive = "inactive" // no longer among the people the leader leads
)

// Standing is where one person stands for the team's voice: whether they
// count toward k, and so are asked in pulses and may react to decisions,
// and if not, what is missing and in words why.
type Standing struct {
	RelationshipID string    `json:"relationship_id"`
	Person         string    `json:"person"`
	TeamID         string    `json:"team_id"`
	Counts         bool      `json:"counts"`
	Step           string    `json:"step,omitempty"`   // a Step* constant when not counted
	Reason         string    `json:"reason,omitempty"` // the missing step, in words
	From           time.Time `json:"counts_from,omitzero"`
}

// ForYou says to the person themself why they do not count yet, or ""
// when they do.
func (s Standing) ForYou() string {
	switch {
	case s.Counts:
		return ""
	case s.Step == StepConfirm:
		return "you have not confirmed your address yet (look for the email from trustledger)"
	case s.Step == StepAlias:
		return "your address reaches your leader's own mailbox, or another person's"
	case s.Step == StepApproval:
		return "an administrator has not approved you yet"
	case s.Step == StepWait:
		return "your address counts from " + s.From.Format("Monday 2 January")
	case s.Step == StepAddress:
		return "your leader has no address for you"
	}
	return "you are no longer among the people this leader leads"
}

// AddressConfirmation is what a person sees when they open the link
// that confirms their address: who leads them, in which team, and the
// address.
type AddressConfirmation struct {
	Leader    string `json:"leader"`
	Person    string `json:"person"`
	Team      string `json:"team"`
	Email     string `json:"email"`
	Confirmed bool   `json:"confirmed"`
}

// Approval is a person an administrator may approve for the team's voice.
type Approval struct {
	Leader         string    `json:"leader"`
	RelationshipID string    `json:"relationship_id"`
	Person         string    `json:"person"`
	Team           string    `json:"team"`
	Email          string    `json:"email"`
	Confirmed      bool      `json:"confirmed"`
	CreatedAt      time.Time `json:"created_at"`
}

// PulseStatus is where a pulse stands.
type PulseStatus string

// Pulse states.
const (
	PulseOpen   PulseStatus = "open"
	PulseClosed PulseStatus = "closed"
)

// Pulse is one wave of a team pulse. K is fixed when it launches.
type Pulse struct {
	ID         string      `json:"id"`
	LeaderID   string      `json:"leader_id"`
	TeamID     string      `json:"team_id"`
	Team       string      `json:"team"`
	Wave       int         `json:"wave"` // 1, 2, … per team
	Question   string      `json:"question,omitempty"`
	K          int         `json:"k"`          // responses needed for results
	CommentsK  int         `json:"comments_k"` // responses needed for free text
	Delivery   string      `json:"delivery"`
	Status     PulseStatus `json:"status"`
	Population int         `json:"population"` // people invited
	CreatedAt  time.Time   `json:"created_at"`
	ClosesAt   time.Time   `json:"closes_at"`
	ClosedAt   time.Time   `json:"closed_at,omitzero"`
	SelfDone   bool        `json:"self_answered"` // the leader answered about themself
}

// PulseInput launches a pulse.
type PulseInput struct {
	Team     string    // team name; "" for the default team
	Members  []string  // person names; empty for every active member of the team
	K        int       // 0: the leader's anonymity_k setting
	Question string    // the optional free-text question; "" for none
	Delivery string    // DeliveryEmail or DeliveryLink ("" is email)
	Closes   time.Time // zero: a week after launch
}

// PulseLaunch is what launching returns: the pulse, and how many
// invitations were queued for mail.
type PulseLaunch struct {
	Pulse  Pulse `json:"pulse"`
	Queued int   `json:"queued"` // invitations queued for mail
	// NotAsked are the team's people who do not count toward k yet, and
	// why: they get no invitation.
	NotAsked []Standing `json:"not_asked,omitempty"`
}

// Response counts while a pulse is open are coarse: one of these bands.
const (
	CountBelowK    = "below-k"    // fewer than k answers so far
	CountK         = "k"          // at least k, fewer than comments_k
	CountCommentsK = "comments-k" // at least comments_k
	// CountHidden: the pulse asked too few people for any count to be
	// published while it is open. A band that moved to "at least k" when
	// only k were asked would say that every one of them had answered.
	CountHidden = "hidden"
)

// ScaleResult is the team's score on one scale.
type ScaleResult struct {
	Scale     string  `json:"scale"`
	Mean      float64 `json:"mean"` // 1–5
	P         float64 `json:"p"`    // (mean−1)/4
	Rwg       float64 `json:"rwg"`
	Agreement string  `json:"agreement"` // weak, moderate or strong
}

// OutcomeResult is the share of each outcome answer, in percent.
type OutcomeResult struct {
	Commit int `json:"commit"`
	Comply int `json:"comply"`
	Resist int `json:"resist"`
}

// Gap is the leader's self-view against the team's on one dimension.
type Gap struct {
	Scale   string  `json:"scale"`
	Self    float64 `json:"self"` // 1–5
	Team    float64 `json:"team"` // 1–5
	Gap     float64 `json:"gap"`  // self − team
	Flagged bool    `json:"flagged"`
}

// PulseReport is what a leader (or coach) can see of a pulse. Results are
// present only when Released: the pulse closed with at least K responses
// and no other result the viewer can see differs from it by fewer than K
// people. Otherwise Withheld says why, in words for the page.
type PulseReport struct {
	Pulse    Pulse          `json:"pulse"`
	Count    string         `json:"count"` // a Count* band; exact N only once released
	Released bool           `json:"released"`
	Withheld string         `json:"withheld,omitempty"`
	N        int            `json:"n,omitempty"`
	Scales   []ScaleResult  `json:"scales,omitempty"`
	Outcome  *OutcomeResult `json:"outcome,omitempty"`
	Comments []string       `json:"comments,omitempty"` // random order; only at CommentsK or more
	// CommentsWithheld says why a released pulse's comments are not shown,
	// when it asked a question.
	CommentsWithheld string `json:"comments_withheld,omitempty"`
	Gaps             []Gap  `json:"gaps,omitempty"` // when the leader answered about themself
}

// PulseForm is what a respondent sees: the items, who asks, and what the
// leader will and will not see.
type PulseForm struct {
	PulseID   string      `json:"pulse_id"`
	Leader    string      `json:"leader"`
	Team      string      `json:"team"`
	Items     []PulseItem `json:"items"`
	Question  string      `json:"question,omitempty"`
	K         int         `json:"k"`
	CommentsK int         `json:"comments_k"`
	Status    PulseStatus `json:"status"`
	ClosesAt  time.Time   `json:"closes_at"`
	Answered  bool        `json:"answered"` // this link or pass was already used
	// Asked are the names of everyone the pulse asked: the people its
	// result stands for, as the team knows them.
	Asked []string `json:"asked"`
}

// PulseAnswers is one response: item id → value, and the optional free
// text. Items may be left out (skipped); at least one must be answered.
type PulseAnswers struct {
	Answers map[string]int
	Comment string
}

// Checkin is a named check-in: a leader asks one person, by name.
type Checkin struct {
	ID             string    `json:"id"`
	LeaderID       string    `json:"leader_id"`
	RelationshipID string    `json:"relationship_id"`
	Person         string    `json:"person"`
	Delivery       string    `json:"delivery"`
	CreatedAt      time.Time `json:"created_at"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	Ratings        []int     `json:"ratings,omitempty"` // per CheckinItems, once answered
	Comment        string    `json:"comment,omitempty"`
}

// CheckinForm is what the person asked sees.
type CheckinForm struct {
	CheckinID string      `json:"checkin_id"`
	Leader    string      `json:"leader"`
	Person    string      `json:"person"`
	Question  string      `json:"question"`
	Items     []PulseItem `json:"items"`
	Answered  bool        `json:"answered"`
}

// Decision reactions (PRODUCT.md §4).
const (
	ReactionUnderstood = "understood"
	ReactionNotClear   = "not-clear"
	ReactionDisagree   = "disagree"
)

// ReactionCounts are a decision's reactions, released in batches of k:
// N is a multiple of k (0 until k people reacted).
type ReactionCounts struct {
	N          int `json:"n"`
	Understood int `json:"understood"`
	NotClear   int `json:"not_clear"`
	Disagree   int `json:"disagree"`
}

// WindowPromise is a promise as the team sees it.
type WindowPromise struct {
	// The JSON name is the promise's old one, kept as the domain's JSON
	// keeps it everywhere (commitment_id, a backup's commitments).
	Promise Promise `json:"commitment"`
	ToMe    bool    `json:"to_me"`
	// Mine is this viewer's confirmation of a kept promise: "confirmed",
	// "disputed" or "".
	Mine string `json:"mine,omitempty"`
}

// WindowDecision is a decision as the team sees it.
type WindowDecision struct {
	Decision  Decision       `json:"decision"`
	Reactions ReactionCounts `json:"reactions"`
	// Reacted says this viewer has reacted. Which reaction is not kept
	// with the viewer, so it cannot be shown, changed or traced.
	Reacted bool `json:"reacted"`
}

// Window is the team's view of their leader: open and kept promises to
// the team and to the viewer, and the decision log with reasons. It never
// holds the leader's ledger notes, journal or scores.
type Window struct {
	Leader    string           `json:"leader"`
	Person    string           `json:"person"`
	Team      string           `json:"team"`
	Open      []WindowPromise  `json:"open"`
	Kept      []WindowPromise  `json:"kept"`
	Decisions []WindowDecision `json:"decisions"`
	SayDo     *SayDoRatio      `json:"say_do,omitempty"`
	// K is how many reactions a count needs before it shows, and the
	// smallest step it moves by (the leader's anonymity_k).
	K int `json:"k"`
	// Counts says whether this viewer counts toward k, so may react;
	// Standing says why not when they do not.
	Counts   bool     `json:"counts"`
	Standing Standing `json:"standing"`
	// Voice is everyone on the viewer's team and where they stand, so the
	// team sees who its results stand for, and anyone who should not be
	// there (docs/ANONYMITY.md, rule 1).
	Voice []Standing `json:"voice"`
	// Pulses are the leader's recent pulses that asked this viewer's team,
	// with the names of everyone each one asked.
	Pulses []WindowPulse `json:"pulses"`
	// SoleAdmin says the installation has no administrator other than the
	// leader, so nobody else approves who counts.
	SoleAdmin bool `json:"sole_admin"`
}

// WindowPulse is a pulse as the team sees it: who it asked, and whether
// its results were released.
type WindowPulse struct {
	Wave     int         `json:"wave"`
	Team     string      `json:"team"`
	Status   PulseStatus `json:"status"`
	Released bool        `json:"released"`
	ClosesAt time.Time   `json:"closes_at"`
	Asked    []string    `json:"asked"`
}

// SayDoRatio is promises kept over promises due.
type SayDoRatio struct {
	Kept int `json:"kept"`
	Due  int `json:"due"`
}

// TeamView is the dashboard's three views of one team, dimension by
// dimension: the ledger's (mean expected trust over the members), the
// team's (the latest released pulse) and the leader's own.
type TeamView struct {
	Team    Team         `json:"team"`
	PulseID string       `json:"pulse_id,omitempty"` // the released wave shown; "" if none
	Dims    []ViewDim    `json:"dims"`
	Biggest *ViewDim     `json:"biggest_gap,omitempty"`
	Safety  *ScaleResult `json:"safety,omitempty"`
}

// ViewDim is one dimension of a TeamView, each on 0–1 (NaN-free: Has*
// say which are known).
type ViewDim struct {
	Scale   string  `json:"scale"`
	Ledger  float64 `json:"ledger"`
	Team    float64 `json:"team"`
	Self    float64 `json:"self"`
	HasTeam bool    `json:"has_team"`
	HasSelf bool    `json:"has_self"`
	Gap     float64 `json:"gap"` // the largest difference between the known views
}

// VoiceService is team voice. Leader-side methods act for one leader, as
// in Service. Respondent-side methods take a token (from a link) or a
// pass (the short-lived cookie a token is exchanged for) and never a
// leader id: a respondent has no account.
type VoiceService interface {
	// Pulses, leader side.
	LaunchPulse(ctx context.Context, leaderID string, in PulseInput) (*PulseLaunch, error)
	Pulses(ctx context.Context, leaderID string) ([]Pulse, error)
	PulseReport(ctx context.Context, leaderID, pulseID string) (*PulseReport, error)
	ClosePulse(ctx context.Context, leaderID, pulseID string) (*PulseReport, error)
	RemindPulse(ctx context.Context, leaderID, pulseID string) error
	AnswerSelf(ctx context.Context, leaderID, pulseID string, answers map[string]int) error
	TeamViews(ctx context.Context, leaderID string) ([]TeamView, error)

	// Pulses, respondent side. OpenPulseLink exchanges a link's token
	// (member or shared) for a pass without using the token up.
	OpenPulseLink(ctx context.Context, token string) (pass string, err error)
	PulseForm(ctx context.Context, pass string) (*PulseForm, error)
	SubmitPulse(ctx context.Context, pass string, in PulseAnswers) error

	// Named check-ins. AskCheckin returns the link token when the check-in
	// is delivered by link (shown once), "" when it is mailed.
	AskCheckin(ctx context.Context, leaderID, person, delivery string) (*Checkin, string, error)
	Checkins(ctx context.Context, leaderID string) ([]Checkin, error)
	OpenCheckinLink(ctx context.Context, token string) (pass string, err error)
	CheckinForm(ctx context.Context, pass string) (*CheckinForm, error)
	AnswerCheckin(ctx context.Context, pass string, ratings map[string]int, comment string) error

	// Who counts toward k: where each of the leader's people
	// stands (VoiceRoster); SendConfirmation mails a person the link that confirms their
	// address (again). The person opens it: AddressConfirmation shows what
	// they confirm, ConfirmAddress records it. Approvals and Approve are
	// for an owner or administrator who is not the person's leader.
	VoiceRoster(ctx context.Context, leaderID string) ([]Standing, error)
	SendConfirmation(ctx context.Context, leaderID, person string) error
	AddressConfirmation(ctx context.Context, token string) (*AddressConfirmation, error)
	ConfirmAddress(ctx context.Context, token string) error
	Approvals(ctx context.Context, actorID string) ([]Approval, error)
	Approve(ctx context.Context, actorID, relationshipID string) error

	// The team's window. SendWindowLink mails a person (at their confirmed
	// address) the link to their window; nobody else ever sees it.
	// OpenWindowLink exchanges it for a pass. WindowForPass resolves a
	// pass, MemberRelationships a member account, to the relationship the
	// visitor may act as.
	SendWindowLink(ctx context.Context, leaderID, person string) error
	OpenWindowLink(ctx context.Context, token string) (pass string, err error)
	WindowForPass(ctx context.Context, pass string) (relationshipID string, err error)
	MemberRelationships(ctx context.Context, userID string) ([]Relationship, error)
	Window(ctx context.Context, relationshipID string) (*Window, error)
	ConfirmPromise(ctx context.Context, relationshipID, promiseID string, confirm bool) error
	React(ctx context.Context, relationshipID, decisionID, reaction string) error
}

// Pass lifetimes: a pulse or check-in pass lasts long enough to answer;
// a window pass as long as a signed-in session.
const (
	AnswerPassTTL = 2 * time.Hour
	WindowPassTTL = SessionAbsoluteTimeout
)
