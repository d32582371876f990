package engine

import (
	"fmt"
	"strings"
)

// The kind names of MODEL.md §2. They are the words used in scenario
// files, the CLI and the API, so they never change once shipped.
const (
	KindPromiseKept         Kind = "promise-kept"
	KindPromiseKeptLate     Kind = "promise-kept-late"
	KindPromiseRenegotiated Kind = "promise-renegotiated"
	KindPromiseBroken       Kind = "promise-broken"
	KindDecisionExplained   Kind = "decision-explained"
	KindDecisionUnexplained Kind = "decision-unexplained"
	KindInformationWithheld Kind = "information-withheld"
	KindDeceptionRevealed   Kind = "deception-revealed"
	KindFavoritism          Kind = "favoritism"
	KindMistakeOwned        Kind = "mistake-owned"
	KindCompetenceFailure   Kind = "competence-failure"
	KindExpertiseShown      Kind = "expertise-shown"
	KindPersonValued        Kind = "person-valued"
	KindRecognition         Kind = "recognition"
	KindDecisionDelegated   Kind = "decision-delegated"
	KindInputSought         Kind = "input-sought"
	KindDissentInvited      Kind = "dissent-invited"
	KindSelfDisclosure      Kind = "self-disclosure"
	KindAuthorityOverused   Kind = "authority-overused"
	KindApology             Kind = "apology"
	KindCheckin             Kind = "checkin"
	KindPulse               Kind = "pulse"
	KindAuthorityGranted    Kind = "authority-granted"
	KindAuthorityRemoved    Kind = "authority-removed"
	KindInformationShared   Kind = "information-shared"
	KindFairTreatment       Kind = "fair-treatment"
	KindDismissed           Kind = "dismissed"
	KindDirective           Kind = "directive"
)

// kindAliases maps accepted spellings to their canonical kind, so British
// users are not told their word is unknown.
var kindAliases = map[string]Kind{
	"favouritism": KindFavoritism,
	"check-in":    KindCheckin,
}

func pos(d Dim, w float64) Effect { return Effect{Dim: d, W0: w} }
func neg(d Dim, w float64) Effect { return Effect{Dim: d, Negative: true, W0: w} }

// kindTable is the taxonomy of MODEL.md §2 in its order. Builders and
// barriers follow the article: everything that adds positive evidence is
// something the article says builds trust (its list, its practical moves,
// or what Lena did); everything that adds negative evidence is one of its
// barriers or their direct opposite. Repair, snapshots, power changes and
// directives are "other".
var kindTable = []KindInfo{
	{Kind: KindPromiseKept, Group: Builder, Anchor: "Promises are kept — reliability turns words into credibility",
		Help: "a promise kept on time (system when detected, confirmed when the person confirms)", Effects: []Effect{pos(Integrity, 1)}},
	{Kind: KindPromiseKeptLate, Group: Builder, Anchor: "Following through — keep promises, even in small matters",
		Help: "a promise kept, but after its due date", Effects: []Effect{pos(Integrity, 0.5)}},
	{Kind: KindPromiseRenegotiated, Group: Builder, Anchor: "Following through — keep promises, even in small matters",
		Help: "a promise renegotiated openly before it was due", Effects: []Effect{pos(Integrity, 0.25)}},
	{Kind: KindPromiseBroken, Group: Barrier, Anchor: "Break commitments — even small inconsistencies can fracture credibility",
		Help: "a promise not kept (logged automatically two days after its due date)", Effects: []Effect{neg(Integrity, 1)}, Breach: true},
	{Kind: KindDecisionExplained, Group: Builder, Anchor: "Decisions are explained — transparency reduces uncertainty and builds confidence",
		Help: "a decision announced with the why behind it", Effects: []Effect{pos(Integrity, 0.5)}},
	{Kind: KindDecisionUnexplained, Group: Barrier, Anchor: "Withhold information — creating suspicion and confusion",
		Help: "a decision announced without the why, or most reactions said it was not clear", Effects: []Effect{neg(Integrity, 0.5)}},
	{Kind: KindInformationWithheld, Group: Barrier, Anchor: "Withhold information — creating suspicion and confusion",
		Help: "information the person needed was kept from them", Effects: []Effect{neg(Integrity, 1)}, Breach: true},
	{Kind: KindDeceptionRevealed, Group: Barrier, Anchor: "when trust failed, her empire collapsed overnight",
		Help: "a deception came to light (an apology alone does not repair it)", Effects: []Effect{neg(Integrity, 2)}, Breach: true},
	{Kind: KindFavoritism, Group: Barrier, Anchor: "Ignore fairness — perceived favoritism or inconsistency weakens belief in leadership integrity",
		Help: "favouritism or an inconsistent standard", Effects: []Effect{neg(Integrity, 1)}, Breach: true},
	{Kind: KindMistakeOwned, Group: Builder, Anchor: "Mistakes are owned — accountability signals integrity",
		Help: "the leader owned a mistake (integrity up, ability slightly down)", Effects: []Effect{pos(Integrity, 1), neg(Ability, 0.5)}},
	{Kind: KindCompetenceFailure, Group: Barrier, Anchor: "Mistakes are owned — accountability signals integrity (here: found, not owned)",
		Help: "a competence failure that others found", Effects: []Effect{neg(Ability, 1)}, Breach: true},
	{Kind: KindExpertiseShown, Group: Builder, Anchor: "It is not enough to gain authority or expertise; influence must be grounded in credibility",
		Help: "expertise used well for the person", Effects: []Effect{pos(Ability, 1)}},
	{Kind: KindPersonValued, Group: Builder, Anchor: "People are valued — empathy builds connection and loyalty",
		Help: "a 1:1 on their motivations, real listening", Effects: []Effect{pos(Benevolence, 1)}},
	{Kind: KindRecognition, Group: Builder, Anchor: "celebrated small wins publicly",
		Help: "public credit for their work", Effects: []Effect{pos(Benevolence, 1)}},
	{Kind: KindDecisionDelegated, Group: Builder, Anchor: "She delegated meaningful decisions",
		Help: "a meaningful decision handed to them", Effects: []Effect{pos(Benevolence, 1)}},
	{Kind: KindInputSought, Group: Builder, Anchor: "Creating psychological safety — encourage dissent and dialogue without fear",
		Help: "their input asked for before deciding", Effects: []Effect{pos(Benevolence, 0.5)}},
	{Kind: KindDissentInvited, Group: Builder, Anchor: "Creating psychological safety — encourage dissent and dialogue without fear",
		Help: "disagreement explicitly invited", Effects: []Effect{pos(Benevolence, 0.5)}},
	{Kind: KindSelfDisclosure, Group: Builder, Anchor: "began sharing more openly about her own challenges",
		Help: "the leader shared their own challenges", Effects: []Effect{pos(Benevolence, 0.5)}},
	{Kind: KindAuthorityOverused, Group: Barrier, Anchor: "Overuse authority — relying too heavily on position instead of persuasion",
		Help: "an order where persuasion was possible", Effects: []Effect{neg(Benevolence, 1)}},
	{Kind: KindApology, Group: Other, Anchor: "Take one concrete step this week — transparency, apology, or inclusion",
		Help: "an apology linked to one earlier breach (removes part of its weight)", IsApology: true},
	{Kind: KindCheckin, Group: Other, Anchor: "Ask for feedback about how your decisions or communication have affected confidence",
		Help: "the person's named 1–5 rating of ability, benevolence and integrity", IsSnapshot: true},
	{Kind: KindPulse, Group: Other, Anchor: "Every word, action, and silence communicates",
		Help: "an anonymous team pulse wave (counts only with enough respondents)", IsSnapshot: true},
	{Kind: KindAuthorityGranted, Group: Other, Anchor: "Power can be given through title",
		Help: "formal power raised (bases shift up)", IsPower: true},
	{Kind: KindAuthorityRemoved, Group: Other, Anchor: "Power can be transferred instantly",
		Help: "formal power taken away (bases shift down)", IsPower: true},
	{Kind: KindInformationShared, Group: Builder, Anchor: "Leading with transparency — share the why behind decisions",
		Help: "context given before it was asked for", Effects: []Effect{pos(Integrity, 0.5)}},
	{Kind: KindFairTreatment, Group: Builder, Anchor: "Modeling consistency — predictable integrity builds deep confidence",
		Help: "a criterion stated and applied to everyone", Effects: []Effect{pos(Integrity, 0.5)}},
	{Kind: KindDismissed, Group: Barrier, Anchor: "whether the leader's power is being used for their benefit or the leader's gain",
		Help: "a concern brushed off (the opposite of people valued)", Effects: []Effect{neg(Benevolence, 1)}, Breach: true},
	{Kind: KindDirective, Group: Other, Anchor: "establishing direction, setting deadlines, and holding people accountable",
		Help: "a deadline set or direction given: a use of power, no trust evidence", IsDirective: true},
}

var kindIndex = func() map[Kind]int {
	m := make(map[Kind]int, len(kindTable))
	for i, k := range kindTable {
		m[k.Kind] = i
	}
	return m
}()

func cloneKind(k KindInfo) KindInfo {
	k.Effects = append([]Effect(nil), k.Effects...)
	return k
}

func kinds() []KindInfo {
	out := make([]KindInfo, len(kindTable))
	for i, k := range kindTable {
		out[i] = cloneKind(k)
	}
	return out
}

// kindInfo returns the table entry without copying; callers must not
// modify it.
func kindInfo(k Kind) (*KindInfo, bool) {
	i, ok := kindIndex[k]
	if !ok {
		if a, ok2 := kindAliases[string(k)]; ok2 {
			i = kindIndex[a]
			ok = true
		}
	}
	if !ok {
		return nil, false
	}
	return &kindTable[i], true
}

func lookupKind(name string) (KindInfo, error) {
	if k, ok := kindInfo(Kind(strings.TrimSpace(name))); ok {
		return cloneKind(*k), nil
	}
	names := make([]string, len(kindTable))
	for i, k := range kindTable {
		names[i] = string(k.Kind)
	}
	return KindInfo{}, fmt.Errorf("unknown event kind %q (known: %s)", name, strings.Join(names, ", "))
}
