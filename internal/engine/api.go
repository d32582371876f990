package engine

// This file is the contract the rest of trustledger codes against. The
// engine helper owns the bodies; signatures change only by agreement.

import "time"

// Kind names an event kind of the taxonomy (MODEL.md §2), e.g.
// "promise-kept".
type Kind string

// Group says where a kind sits in the article: a builder of trust, a
// barrier that erodes it, or neither (repair, snapshots, power changes).
type Group string

// The groups shown when a leader picks a kind.
const (
	Builder Group = "builder"
	Barrier Group = "barrier"
	Other   Group = "other"
)

// Effect is one signed piece of evidence a kind produces before severity,
// source reliability and negativity weights.
type Effect struct {
	Dim      Dim
	Negative bool
	W0       float64
}

// KindInfo describes one kind: its article anchor, the evidence it
// produces, and whether it is a breach (rule R1, repairable by apology).
type KindInfo struct {
	Kind    Kind
	Group   Group
	Anchor  string // the article's words, e.g. "promises kept"
	Help    string // one line for pickers and --help
	Effects []Effect
	Breach  bool
	// Special kinds handled outside the evidence path.
	IsApology, IsPower, IsSnapshot, IsDirective bool
}

// Kinds lists every kind in taxonomy order.
func Kinds() []KindInfo { return kinds() }

// LookupKind returns the kind's description or an error naming the known
// kinds when the name is unknown.
func LookupKind(name string) (KindInfo, error) { return lookupKind(name) }

// Contribution is one accumulator increment produced by applying an event:
// Amount is Δ = w0·σ·λ_src(sign)·κ (MODEL.md §3) at the event's own time.
type Contribution struct {
	Dim      Dim
	Source   Source
	Negative bool
	Amount   float64
}

// Contributions returns the increments an event adds (empty for directive,
// power and snapshot kinds). For an apology it returns the (negative-side)
// amounts removed from the repaired breach, with Negative true and a
// negative Amount, measured at the apology's time.
func (s Settings) Contributions(e Event) []Contribution { return s.contributions(e) }

// Apply folds one event into the running state (decay to the event, or
// backdated add). Apologies reduce the linked breach's negative evidence
// (§6). Directive, power and snapshot kinds leave the evidence unchanged.
func (s Settings) Apply(st *State, e Event) { s.apply(st, e) }

// Reverse undoes a previously applied event (a reversing ledger entry):
// subtract the same decayed term, clamping at 0 (§3).
func (s Settings) Reverse(st *State, e Event) { s.reverse(st, e) }

// Replay builds a state from scratch from events in any order; it must
// equal folding them with Apply (§14).
func (s Settings) Replay(events []Event) State { return s.replay(events) }

// Reading is the decayed evidence at one instant after the self cap and the
// snapshots are added: r_d and s_d per dimension (§3).
type Reading struct {
	At             time.Time
	R, S           [NumDims]float64
	RCorr, SCorr   float64 // overall evidence without self-logged positives
	SelfShare      [NumDims]float64
	RTotal, STotal float64
}

// Read computes the evidence at now (pure; does not mutate st).
func (s Settings) Read(st State, now time.Time) Reading { return s.read(st, now) }

// Opinion is a Subjective Logic opinion with its Beta posterior summary.
type Opinion struct {
	R, S       float64
	B, D, U    float64
	E          float64 // expected trust (r + aW)/(r + s + W)
	Low, High  float64 // 10% and 90% quantiles of Beta(α, β)
	PHigh      float64 // Pr(T > θ_T)
	PLow       float64 // Pr(T < θ_T)
	N          float64 // r + s
	Enough     bool    // u ≤ u_max
	Alpha, Bet float64
}

// Opinion turns evidence into an opinion with the settings' prior.
func (s Settings) Opinion(r, sNeg float64) Opinion { return s.opinion(r, sNeg) }

// Expected is the Opinion's E alone, cheap where the quantiles are not
// needed (the dashboard's team view).
func (s Settings) Expected(r, sNeg float64) float64 { return s.expected(r, sNeg) }

// Quadrant is the classification of §9.
type Quadrant string

// The five quadrants.
const (
	Influence    Quadrant = "influence"
	Compliance   Quadrant = "compliance"
	Goodwill     Quadrant = "goodwill"
	Unanchored   Quadrant = "unanchored"
	Undetermined Quadrant = "undetermined"
)

// Warning names.
const (
	WarnFearRisk     = "fear-risk"
	WarnCommandHeavy = "command-heavy"
)

// Recent is one event of the last weeks with what the windowed rules of
// §7, §10, §11 and §17 need. Callers pass the events of the last
// max(BarrierWindowDays, CommandHeavyWindowDays, BreachWindowDays) days.
type Recent struct {
	Event
	Repaired bool // a linked apology exists
	Reversed bool // a reversing entry exists (then it is ignored)
}

// Assessment is everything status shows for one relationship.
type Assessment struct {
	At        time.Time
	Dims      [NumDims]Opinion
	Trust     Opinion // overall, one prior over Σ_d r_d and Σ_d s_d
	ECorr     float64
	Authority float64 // A
	Personal  float64 // Q
	Power     float64 // P
	Influence float64 // I = P·2E
	InfLow    float64 // 2·P·q10
	InfHigh   float64 // 2·P·q90
	Gap       float64 // A − E
	Quadrant  Quadrant
	Warnings  []string
	PowerUse  float64 // share of directive/authority-overused among recent events (0 when none)
	Evidence  float64 // r + s overall
	SelfShare float64 // share of overall evidence that is self-logged
	PrBelowA  float64 // Pr(T < A), the weekly pick's second key
}

// Assess classifies one relationship at now from its stored state, its
// power bases and its recent events (pure).
func (s Settings) Assess(st State, b Bases, recent []Recent, now time.Time) Assessment {
	return s.assess(st, b, recent, now)
}

// Base is one of the six bases of power (§7).
type Base int

// The six bases in the order of Bases.
const (
	Legitimate Base = iota
	Reward
	Coercive
	Informational
	Expert
	Referent
	NumBases = 6
)

// ParseBase reads a base name ("legitimate", …, "referent").
func ParseBase(name string) (Base, error) { return parseBase(name) }

// String names the base.
func (b Base) String() string { return baseString(b) }

// Bases is a power profile, each base scored 0..4.
type Bases [NumBases]int

// RelKind is a relationship kind with a default power profile.
type RelKind string

// Relationship kinds.
const (
	DirectReport    RelKind = "direct-report"
	SkipLevel       RelKind = "skip-level"
	CrossFunctional RelKind = "cross-functional"
	Stakeholder     RelKind = "stakeholder"
	Peer            RelKind = "peer"
)

// ParseRelKind validates a relationship kind name.
func ParseRelKind(name string) (RelKind, error) { return parseRelKind(name) }

// RelKinds lists the kinds in the order of §7.
func RelKinds() []RelKind {
	return []RelKind{DirectReport, SkipLevel, CrossFunctional, Stakeholder, Peer}
}

// DefaultBases returns the kind's default profile (§7).
func DefaultBases(k RelKind) Bases { return defaultBases(k) }

// Authority is position power A = (leg+rew+coe+inf)/16.
func (b Bases) Authority() float64 { return b.authority() }

// Personal is personal power Q = (exp+ref)/8.
func (b Bases) Personal() float64 { return b.personal() }

// Power is P = Σ/24.
func (b Bases) Power() float64 { return b.power() }

// Shift moves one base by delta, clamped to 0..4 (authority-granted/removed).
func (b Bases) Shift(base Base, delta int) Bases { return b.shift(base, delta) }

// Candidate is one relationship offered to the weekly pick (§10).
type Candidate struct {
	ID           string
	Authority    float64
	E            float64
	PrBelowA     float64
	Active       bool
	LastAccepted time.Time // zero when never
}

// Pick returns the index of the relationship where authority most exceeds
// trust, or -1 when none is eligible.
func (s Settings) Pick(cands []Candidate, now time.Time) int { return s.pick(cands, now) }

// Resting returns the indexes of the candidates Pick passes over only
// because a step for them was accepted within the cooldown: authority
// exceeds trust there by the gap threshold or more. When Pick finds
// nobody, they say whether that is for want of a gap or of time.
func (s Settings) Resting(cands []Candidate, now time.Time) []int { return s.restingAll(cands, now) }

// Rule is the recommendation rule that fired (§11).
type Rule string

// Rules in the order they are tried.
const (
	RuleFeedback Rule = "R0"
	RuleRepair   Rule = "R1"
	RuleWeakest  Rule = "R2"
)

// TeamSafety is the released psychological-safety result of the person's
// team, when there is one (§11 row B/PS).
type TeamSafety struct {
	Mean float64 // on the pulse's K-point scale
	K    int
	N    int
	Rwg  float64
}

// Recommendation is this week's one concrete step (§11).
type Recommendation struct {
	Rule    Rule
	Dim     Dim
	Barrier Kind   // dominant barrier, when R2 found one
	Move    string // the article's move, e.g. "balancing authority with empathy"
	Text    string // the suggested wording
	Due     time.Time
	Breach  string // R1: the event id to apologise for
}

// Recommend chooses the move for one relationship (pure). Its due date
// and the dates in its text are in now's zone: pass now in the leader's.
func (s Settings) Recommend(a Assessment, recent []Recent, ps *TeamSafety, now time.Time) Recommendation {
	return s.recommend(a, recent, ps, now)
}

// DominantBarrier is the kind with the largest decayed negative evidence in
// d among the non-reversed recent events of the barrier window, or "" when
// there is none: the barrier rule R2 reads (§11), which a step's reason
// names.
func (s Settings) DominantBarrier(recent []Recent, d Dim, now time.Time) Kind {
	return s.dominantBarrier(recent, d, now)
}

// Outcome is the result of the 28-day check of an accepted step.
type Outcome string

// Outcomes of a step.
const (
	OutcomePending   Outcome = "pending"
	OutcomeRecovered Outcome = "recovered"
	OutcomeNotYet    Outcome = "not-recovered"
	OutcomeTooLittle Outcome = "too-little-evidence"
)

// CheckOutcome compares the assessment now with the baseline taken when
// the step was accepted (§11).
func (s Settings) CheckOutcome(baseline, now Assessment, acceptedAt time.Time) Outcome {
	return s.checkOutcome(baseline, now, acceptedAt)
}

// Weight is one event's current contribution for explanations:
// Δ·f(now − t_e), per dimension and source.
type Weight struct {
	EventID  string
	Kind     Kind
	At       time.Time
	Dim      Dim
	Source   Source
	Negative bool
	Now      float64
}

// Explain returns every event's current contribution, largest first. Their
// sum per accumulator equals the stored state read at now (before the self
// cap), which is what the §14 test checks.
func (s Settings) Explain(events []Event, now time.Time) []Weight { return s.explain(events, now) }

// Weights is Explain unsorted, in the order of events: for callers that
// add the weights up and have no use for the order.
func (s Settings) Weights(events []Event, now time.Time) []Weight { return s.weights(events, now) }

// BrokenPromiseCost returns the assessment now and as it would be if one
// more promise were broken now (system source).
func (s Settings) BrokenPromiseCost(st State, b Bases, recent []Recent, now time.Time) (before, after Assessment) {
	return s.brokenPromiseCost(st, b, recent, now)
}

// PulseResult is the aggregate of one pulse scale (§12).
type PulseResult struct {
	N    int     // respondents
	Mean float64 // m on the K-point scale
	P    float64 // (m−1)/(K−1)
	Rwg  float64 // rwg(J)
}

// ScorePulse aggregates answers[respondent][item] on a K-point scale, with
// reverse[item] marking reverse-scored items.
func ScorePulse(answers [][]int, k int, reverse []bool) PulseResult {
	return scorePulse(answers, k, reverse)
}

// CheckinSnapshot turns a named check-in's 1–5 ratings per dimension into
// a snapshot (p = (x−1)/4).
func CheckinSnapshot(at time.Time, ratings [NumDims]float64) Snapshot {
	return checkinSnapshot(at, ratings)
}
