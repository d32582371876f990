package engine

import (
	"math"
	"testing"
)

// The twelve scenarios of MODEL.md §13. Reference numbers hold to ±0.01;
// every inequality the scenario states is asserted as written.

const refTol = 0.01

// scenario1 logs promise-kept (system) on days 7…70 and returns the story.
func scenario1() *story {
	m := newStory(DefaultBases(DirectReport))
	for d := 7; d <= 70; d += 7 {
		m.add(float64(d), KindPromiseKept, System, Normal)
	}
	return m
}

func TestScenario01MomentsToDestroy(t *testing.T) {
	m := scenario1()
	base := m.assess(77).Dims[Integrity].E
	kept, broken := m.clone(), m.clone()
	kept.add(77, KindPromiseKept, System, Normal)
	broken.add(77, KindPromiseBroken, System, Normal)
	rise := kept.assess(77).Dims[Integrity].E - base
	drop := broken.assess(77).Dims[Integrity].E - base
	near(t, "E_I", base, 0.895, refTol)
	near(t, "rise", rise, 0.010, refTol)
	near(t, "drop", drop, -0.308, refTol)
	if !(rise > 0) || -drop < 20*rise {
		t.Errorf("drop %.4f is not at least 20 × rise %.4f", drop, rise)
	}
	near(t, "drop/rise", -drop/rise, 31, 1) // the reference ratio, from rounded parts
}

func TestScenario02TimeToBuild(t *testing.T) {
	m := scenario1()
	target := m.assess(77).Dims[Integrity].E
	m.add(77, KindPromiseBroken, System, Normal)
	weeks := 0
	for w := 1; w <= 200; w++ {
		d := float64(77 + 7*w)
		m.add(d, KindPromiseKept, System, Normal)
		if m.assess(d).Dims[Integrity].E >= target {
			weeks = w
			break
		}
	}
	if weeks < 20 {
		t.Errorf("back to %.3f after %d weeks, want at least 20", target, weeks)
	}
	if weeks != 29 {
		t.Errorf("back after %d weeks, reference 29", weeks)
	}

	// A breach 182 days old keeps 2^(−182/90) of its weight.
	b := newStory(DefaultBases(DirectReport))
	b.add(0, KindPromiseBroken, System, Normal)
	rd := b.s.Read(b.st, b.at(182))
	near(t, "weight kept after 182 days", rd.S[Integrity]/b.s.Kappa[Integrity], 0.246, 0.001)
	near(t, "weight kept (formula)", math.Exp2(-182.0/90), 0.246, 0.001)
}

// lena replays §13.3 (reformed from week 5) or §13.4 (never reformed).
func lena(reformed bool, weeks int, each func(w int, a Assessment, m *story)) {
	m := newStory(DefaultBases(DirectReport))
	for w := 1; w <= weeks; w++ {
		d := float64(7 * w)
		if w <= 4 || !reformed {
			m.add(d-3, KindDecisionUnexplained, Self, Normal)
			m.add(d-2, KindAuthorityOverused, Self, Minor)
			m.add(d-1, KindPromiseKept, System, Normal)
		} else {
			m.add(d-5, KindPersonValued, Confirmed, Normal)
			m.add(d-4, KindSelfDisclosure, Self, Normal)
			m.add(d-3, KindDecisionExplained, Self, Normal)
			if w%2 == 1 {
				m.add(d-2, KindDecisionDelegated, Confirmed, Normal)
			} else {
				m.add(d-2, KindRecognition, System, Normal)
			}
			m.add(d-1, KindPromiseKept, System, Normal)
		}
		p := map[int][3]float64{4: {.65, .40, .50}, 8: {.65, .55, .60}, 12: {.70, .70, .70}, 16: {.70, .75, .75}}
		rwg := map[int]float64{4: .75, 8: .75, 12: .80, 16: .80}
		if v, ok := p[w]; ok {
			if !reformed {
				v, rwg[w] = p[4], rwg[4]
			}
			m.pulse(d, v[0], v[1], v[2], rwg[w], 5)
		}
		each(w, m.assess(d), m)
	}
}

func TestScenario03Lena(t *testing.T) {
	first := 0
	lena(true, 16, func(w int, a Assessment, m *story) {
		switch {
		case w == 1 && a.Quadrant != Undetermined:
			t.Errorf("week 1: %s, want undetermined", a.Quadrant)
		case w >= 2 && w <= 5 && a.Quadrant != Compliance:
			t.Errorf("week %d: %s, want compliance", w, a.Quadrant)
		}
		if a.Quadrant == Influence && first == 0 {
			first = w
			near(t, "E at first influence", a.Trust.E, 0.591, refTol)
			near(t, "Pr(T>0.5) at first influence", a.Trust.PHigh, 0.864, refTol)
		}
		switch w {
		case 4:
			near(t, "week 4 E", a.Trust.E, 0.319, refTol)
			near(t, "week 4 I", a.Influence, 0.399, refTol)
			if a.Influence >= a.Power {
				t.Errorf("week 4: I %.3f not below P %.3f", a.Influence, a.Power)
			}
		case 12:
			near(t, "week 12 E", a.Trust.E, 0.728, refTol)
			near(t, "week 12 I", a.Influence, 0.910, refTol)
			if a.Influence <= a.Power {
				t.Errorf("week 12: I %.3f not above P %.3f", a.Influence, a.Power)
			}
		}
	})
	if first < 6 || first > 12 {
		t.Errorf("first influence in week %d, want 6..12", first)
	}
	if first != 8 {
		t.Errorf("first influence in week %d, reference 8", first)
	}
}

func TestScenario04LenasBehaviour(t *testing.T) {
	lena(false, 16, func(w int, a Assessment, m *story) {
		if w == 16 {
			if a.Quadrant != Compliance {
				t.Errorf("week 16 unreformed: %s, want compliance", a.Quadrant)
			}
			near(t, "week 16 unreformed E", a.Trust.E, 0.262, refTol)
		}
	})
	lena(true, 4, func(w int, a Assessment, m *story) {
		if w != 4 {
			return
		}
		eA, eB, eI := a.Dims[Ability].E, a.Dims[Benevolence].E, a.Dims[Integrity].E
		near(t, "E_A", eA, 0.579, refTol)
		near(t, "E_B", eB, 0.228, refTol)
		near(t, "E_I", eI, 0.342, refTol)
		if !(eB < eI && eI < eA) {
			t.Errorf("want E_B < E_I < E_A, got %.3f %.3f %.3f", eB, eI, eA)
		}
		now := m.at(28)
		rec := m.s.Recommend(a, m.window(now), nil, now)
		if rec.Rule != RuleWeakest || rec.Dim != Benevolence || rec.Move != MoveEmpathy || rec.Barrier != KindAuthorityOverused {
			t.Errorf("week 4 recommendation %+v, want R2 benevolence %q (barrier authority-overused)", rec, MoveEmpathy)
		}
	})
}

func TestScenario05Holmes(t *testing.T) {
	m := newStory(Bases{2, 1, 1, 2, 1, 2})
	caps := Bases{4, 4, 3, 4, 1, 4}
	var i39 float64
	for w := 1; w <= 44; w++ {
		d := float64(7*w - 3) // mid-week; the read is on day 7w
		if w%4 == 0 && w <= 24 {
			for k := range NumBases {
				m.b = m.b.Shift(Base(k), 1)
				m.b[k] = min(m.b[k], caps[k])
			}
		}
		if w <= 39 {
			m.add(d, KindPromiseKept, Self, Normal)
			m.add(d, KindExpertiseShown, Self, Normal)
			if w%4 == 0 {
				m.add(d, KindPromiseKept, System, Normal)
			}
		}
		if w%8 == 0 && w <= 32 {
			m.pulse(d, .75, .70, .75, .60, 5)
		}
		switch w {
		case 40:
			m.add(d, KindDeceptionRevealed, System, Major)
			m.add(d, KindPromiseBroken, System, Normal)
			m.add(d, KindPromiseBroken, System, Normal)
			m.add(d, KindCompetenceFailure, System, Major)
		case 42:
			m.pulse(d, .30, .30, .15, .70, 5)
		case 44:
			m.b = Bases{1, 1, 1, 1, 1, 0}
		}
		a := m.assess(float64(7 * w))
		switch w {
		case 24:
			near(t, "P at week 24", a.Power, 0.833, 0.001)
		case 39:
			i39 = a.Influence
			if a.Quadrant != Influence {
				t.Errorf("week 39: %s, want influence", a.Quadrant)
			}
			near(t, "I(39)", a.Influence, 1.451, refTol)
		case 40:
			if a.Quadrant != Compliance {
				t.Errorf("week 40: %s, want compliance", a.Quadrant)
			}
			if a.Influence > 0.4*i39 {
				t.Errorf("I(40) %.3f > 0.4 × I(39) %.3f", a.Influence, i39)
			}
			near(t, "I(40)", a.Influence, 0.469, refTol)
		case 44:
			if a.Quadrant != Unanchored {
				t.Errorf("week 44: %s, want unanchored", a.Quadrant)
			}
			if a.Influence >= 0.15 {
				t.Errorf("I(44) %.3f, want < 0.15", a.Influence)
			}
			near(t, "I(44)", a.Influence, 0.112, refTol)
		}
	}
}

func TestScenario06Mandela(t *testing.T) {
	m := newStory(Bases{1, 1, 0, 3, 3, 4})
	near(t, "A", m.b.Authority(), 0.3125, 1e-12)
	near(t, "P", m.b.Power(), 0.5, 1e-12)
	for w := 1; w <= 52; w++ {
		d := float64(7 * w)
		m.add(d, KindPromiseKept, System, Normal)
		m.add(d, KindPersonValued, Confirmed, Normal)
		if w%2 == 0 {
			m.add(d, KindDecisionExplained, Confirmed, Normal)
		}
		if w%8 == 0 {
			m.pulse(d, .75, .90, .90, .85, 5)
		}
	}
	a := m.assess(7 * 52)
	if a.Quadrant != Influence {
		t.Errorf("week 52: %s, want influence", a.Quadrant)
	}
	if a.Influence < 2.5*a.Authority {
		t.Errorf("I %.3f < 2.5 × A %.4f", a.Influence, a.Authority)
	}
	near(t, "I", a.Influence, 0.960, refTol)
	near(t, "I/A", a.Influence/a.Authority, 3.08, refTol)
}

func TestScenario07Nadella(t *testing.T) {
	m := newStory(Bases{4, 4, 3, 3, 3, 2})
	near(t, "P", m.b.Power(), 0.792, 0.001)
	m.pulse(0, .60, .45, .50, .70, 5)
	a1 := m.assess(1)
	near(t, "I(day 1)", a1.Influence, 0.812, refTol)
	for w := 1; w <= 26; w++ {
		d := float64(7 * w)
		m.add(d, KindPersonValued, Confirmed, Normal)
		m.add(d, KindInputSought, Confirmed, Normal)
		m.add(d, KindDecisionExplained, System, Normal)
		if w%2 == 0 {
			m.add(d, KindPromiseKept, System, Normal)
		}
		if w%13 == 0 {
			k := float64(w / 13)
			m.pulse(d, .70, .5+.1*k, .5+.08*k, .75, 5)
		}
		a := m.assess(d)
		if a.Power != a1.Power {
			t.Errorf("week %d: P %.4f changed from %.4f", w, a.Power, a1.Power)
		}
		if w >= 13 && a.Quadrant != Influence {
			t.Errorf("week %d: %s, want influence from week 13", w, a.Quadrant)
		}
		if w == 26 {
			if a.Influence < 1.5*a1.Influence {
				t.Errorf("I(26) %.3f < 1.5 × I(day 1) %.3f", a.Influence, a1.Influence)
			}
			near(t, "I(26)", a.Influence, 1.471, refTol)
		}
	}
}

func TestScenario08Goodwill(t *testing.T) {
	m := newStory(DefaultBases(Peer))
	near(t, "P", m.b.Power(), 0.167, 0.001)
	for w := 1; w <= 20; w++ {
		d := float64(7 * w)
		m.add(d, KindPersonValued, Confirmed, Normal)
		m.add(d, KindPromiseKept, System, Normal)
	}
	a := m.assess(140)
	direct := DefaultBases(DirectReport).Power() // I of a direct report at E = 0.5
	if a.Quadrant != Goodwill || a.Trust.E < 0.9 || a.Influence >= 0.4 || a.Influence >= direct {
		t.Errorf("got %s E %.3f I %.3f, want goodwill, E ≥ .9, I < .4 and < %.3f", a.Quadrant, a.Trust.E, a.Influence, direct)
	}
	near(t, "E", a.Trust.E, 0.963, refTol)
	near(t, "I", a.Influence, 0.321, refTol)
}

func TestScenario09LittleEvidence(t *testing.T) {
	m := newStory(DefaultBases(DirectReport))
	m.add(5, KindPersonValued, Confirmed, Normal)
	m.add(6, KindPromiseKept, Confirmed, Normal)
	a := m.assess(7)
	if a.Quadrant != Undetermined {
		t.Errorf("quadrant %s, want undetermined", a.Quadrant)
	}
	near(t, "u", a.Trust.U, 0.503, refTol)
	rec := m.s.Recommend(a, m.window(m.at(7)), nil, m.at(7))
	if rec.Rule != RuleFeedback || rec.Move != MoveAskFeedback {
		t.Errorf("recommendation %s %q, want R0 %q", rec.Rule, rec.Move, MoveAskFeedback)
	}
}

func TestScenario10SelfLogging(t *testing.T) {
	for _, count := range []int{10, 50, 500} {
		m := newStory(DefaultBases(DirectReport))
		for i := range count {
			m.add(1+6*float64(i)/float64(count), KindPersonValued, Self, Normal)
		}
		a := m.assess(7)
		near(t, "E_B", a.Dims[Benevolence].E, 0.8, 1e-12)
		near(t, "E_corr", a.ECorr, 0.5, 1e-12)
		for d := 7.0; d <= 365; d += 7 {
			if q := m.assess(d).Quadrant; q == Influence || q == Goodwill {
				t.Fatalf("%d self-logged events: %s on day %v", count, q, d)
			}
		}
	}
}

// scenario11 is the baseline of §13.11: promise-kept and expertise-shown
// (system) weekly for 8 weeks, with weekly person-valued for the repair runs.
func scenario11(valued bool) *story {
	m := newStory(DefaultBases(DirectReport))
	for w := 1; w <= 8; w++ {
		d := float64(7 * w)
		m.add(d, KindPromiseKept, System, Normal)
		m.add(d, KindExpertiseShown, System, Normal)
		if valued {
			m.add(d, KindPersonValued, Confirmed, Normal)
		}
	}
	return m
}

func TestScenario11OwningAndApology(t *testing.T) {
	m := scenario11(false)
	own, hide := m.clone(), m.clone()
	own.add(60, KindMistakeOwned, Confirmed, Normal)
	hide.add(60, KindCompetenceFailure, System, Normal)
	hide.add(60, KindInformationWithheld, System, Normal)
	eOwn, eHide := own.assess(60).Trust.E, hide.assess(60).Trust.E
	near(t, "E owned", eOwn, 0.908, refTol)
	near(t, "E hidden", eHide, 0.666, refTol)
	if eOwn-eHide < 0.2 {
		t.Errorf("owning beats hiding by %.3f, want ≥ 0.2", eOwn-eHide)
	}

	// One system breach of w0 1 per dimension on day 60, a full apology on
	// day 62; the share of the dimension's loss that the apology recovers.
	share := map[Dim]float64{}
	for _, k := range []Kind{KindCompetenceFailure, KindDismissed, KindPromiseBroken} {
		base := scenario11(true)
		d := kindTable[kindIndex[k]].Effects[0].Dim
		hit := base.clone()
		breach := hit.add(60, k, System, Normal)
		fixed := hit.clone()
		fixed.apology(62, breach, true, true)
		before, after, repaired := base.assess(60).Dims[d].E, hit.assess(60).Dims[d].E, fixed.assess(62).Dims[d].E
		share[d] = (repaired - after) / (before - after)
	}
	if !(share[Ability] > share[Benevolence] && share[Benevolence] > share[Integrity] && share[Integrity] <= 0.2) {
		t.Errorf("recovered shares A %.3f B %.3f I %.3f, want A > B > I and I ≤ 0.2", share[Ability], share[Benevolence], share[Integrity])
	}
	near(t, "share A", share[Ability], 0.46, refTol)
	near(t, "share B", share[Benevolence], 0.29, refTol)
	near(t, "share I", share[Integrity], 0.14, refTol)
}

func TestScenario12TeamVoice(t *testing.T) {
	s := DefaultSettings()
	// answers[respondent][item]: the two items of one dimension, six people.
	item1 := []int{4, 4, 5, 4, 3, 4}
	item2 := []int{4, 5, 5, 4, 4, 4}
	var ans [][]int
	for i := range item1 {
		ans = append(ans, []int{item1[i], item2[i]})
	}
	res := ScorePulse(ans, 5, nil)
	near(t, "rwg(2)", res.Rwg, 0.909, 0.001)
	near(t, "m", res.Mean, 4.167, 0.001)
	near(t, "p", res.P, 0.7917, 0.0001)
	if res.N != 6 {
		t.Errorf("N = %d, want 6", res.N)
	}

	snap := Snapshot{At: epoch, N: res.N}
	for d := range NumDims {
		snap.P[d], snap.Rwg[d] = res.P, res.Rwg
	}
	var st State
	s.Apply(&st, Event{Kind: KindPulse, At: epoch, Snapshot: &snap})
	rd := s.Read(st, epoch)
	near(t, "team r", rd.R[Integrity], 2.159, 0.001)
	near(t, "team s", rd.S[Integrity], 0.568, 0.001)

	// n = 4 < k: neither shown nor counted.
	small := snap
	small.N = 4
	var st4 State
	s.Apply(&st4, Event{Kind: KindPulse, At: epoch, Snapshot: &small})
	if rd := s.Read(st4, epoch); rd.RTotal != 0 || rd.STotal != 0 {
		t.Errorf("a pulse with n = 4 added evidence r %.3f s %.3f", rd.RTotal, rd.STotal)
	}

	// Perfect disagreement: rwg 0, so no evidence.
	split := [][]int{}
	a, b := []int{1, 5, 1, 5, 1, 5}, []int{5, 1, 5, 1, 5, 1}
	for i := range a {
		split = append(split, []int{a[i], b[i]})
	}
	res0 := ScorePulse(split, 5, nil)
	if res0.Rwg != 0 {
		t.Errorf("rwg of opposite answers = %.3f, want 0", res0.Rwg)
	}
	snap0 := Snapshot{At: epoch, N: res0.N, P: [NumDims]float64{res0.P, res0.P, res0.P}}
	var st0 State
	s.Apply(&st0, Event{Kind: KindPulse, At: epoch, Snapshot: &snap0})
	if rd := s.Read(st0, epoch); rd.RTotal != 0 || rd.STotal != 0 {
		t.Errorf("a pulse with rwg 0 added evidence r %.3f s %.3f", rd.RTotal, rd.STotal)
	}

	// Psychological safety: K = 7, items 1, 3 and 5 reverse-scored.
	ps := [][]int{{2, 6, 3, 6, 2, 5, 6}, {3, 5, 2, 5, 3, 6, 5}, {2, 6, 2, 6, 2, 6, 6}, {4, 5, 3, 5, 3, 5, 5}, {2, 6, 2, 5, 2, 6, 6}}
	rev := []bool{true, false, true, false, true, false, false}
	pr := ScorePulse(ps, 7, rev)
	near(t, "PS mean", pr.Mean, 5.543, 0.001)
	near(t, "PS rwg(7)", pr.Rwg, 0.986, 0.001)
}
