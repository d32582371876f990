package engine

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKindsCoverTaxonomy(t *testing.T) {
	want := []string{"promise-kept", "promise-kept-late", "promise-renegotiated", "promise-broken",
		"decision-explained", "decision-unexplained", "information-withheld", "deception-revealed",
		"favoritism", "mistake-owned", "competence-failure", "expertise-shown", "person-valued",
		"recognition", "decision-delegated", "input-sought", "dissent-invited", "self-disclosure",
		"authority-overused", "apology", "checkin", "pulse", "authority-granted", "authority-removed",
		"information-shared", "fair-treatment", "dismissed", "directive"}
	var got []string
	for _, k := range Kinds() {
		got = append(got, string(k.Kind))
		if k.Anchor == "" || k.Help == "" {
			t.Errorf("%s: missing anchor or help", k.Kind)
		}
		if k.Group != Builder && k.Group != Barrier && k.Group != Other {
			t.Errorf("%s: group %q", k.Kind, k.Group)
		}
		special := k.IsApology || k.IsPower || k.IsSnapshot || k.IsDirective
		if special != (len(k.Effects) == 0) || special != (k.Group == Other) {
			t.Errorf("%s: special kinds, and only they, have no evidence and group other", k.Kind)
		}
		for _, ef := range k.Effects {
			if ef.Negative && k.Group != Barrier && k.Kind != KindMistakeOwned {
				t.Errorf("%s: negative evidence but group %s", k.Kind, k.Group)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("kinds %v\nwant %v", got, want)
	}
	// The w0 of MODEL.md §2, spot-checked where the table is easy to get wrong.
	for name, w := range map[string][]Effect{
		"promise-kept-late":    {pos(Integrity, 0.5)},
		"promise-renegotiated": {pos(Integrity, 0.25)},
		"deception-revealed":   {neg(Integrity, 2)},
		"mistake-owned":        {pos(Integrity, 1), neg(Ability, 0.5)},
		"decision-unexplained": {neg(Integrity, 0.5)},
		"input-sought":         {pos(Benevolence, 0.5)},
	} {
		k, err := LookupKind(name)
		if err != nil || !slices.Equal(k.Effects, w) {
			t.Errorf("%s: effects %v (%v), want %v", name, k.Effects, err, w)
		}
	}
	if k, err := LookupKind("favouritism"); err != nil || k.Kind != KindFavoritism {
		t.Errorf("favouritism alias: %v %v", k.Kind, err)
	}
	_, err := LookupKind("promise-kpet")
	if err == nil || !strings.Contains(err.Error(), "promise-kept") {
		t.Errorf("unknown kind error %v should list the known kinds", err)
	}
	// Kinds returns a copy.
	ks := Kinds()
	ks[0].Effects[0].W0 = 99
	if k, _ := LookupKind("promise-kept"); k.Effects[0].W0 != 1 {
		t.Error("Kinds exposed the table")
	}
}

func TestBasesAndKinds(t *testing.T) {
	for i, n := range []string{"legitimate", "reward", "coercive", "informational", "expert", "referent"} {
		b, err := ParseBase(n)
		if err != nil || int(b) != i || b.String() != n {
			t.Errorf("ParseBase(%q) = %v, %v", n, b, err)
		}
	}
	if _, err := ParseBase("charisma"); err == nil {
		t.Error("ParseBase accepted charisma")
	}
	want := map[RelKind][2]float64{
		DirectReport: {.75, .625}, SkipLevel: {.5625, 11.0 / 24}, CrossFunctional: {.375, .375},
		Stakeholder: {.1875, .25}, Peer: {.0625, 4.0 / 24},
	}
	for _, k := range RelKinds() {
		got, err := ParseRelKind(string(k))
		if err != nil || got != k {
			t.Errorf("ParseRelKind(%s): %v", k, err)
		}
		b := DefaultBases(k)
		if b.Authority() != want[k][0] || math.Abs(b.Power()-want[k][1]) > 1e-12 {
			t.Errorf("%s: A %v P %v, want %v", k, b.Authority(), b.Power(), want[k])
		}
	}
	if _, err := ParseRelKind("boss"); err == nil || !strings.Contains(err.Error(), "direct-report") {
		t.Errorf("ParseRelKind(boss) error %v", err)
	}
	b := Bases{4, 0, 2, 2, 2, 2}
	if b.Shift(Legitimate, 3)[Legitimate] != 4 || b.Shift(Reward, -1)[Reward] != 0 || b.Shift(Coercive, 1)[Coercive] != 3 {
		t.Error("Shift does not clamp to 0..4")
	}
	if b.Personal() != 0.5 {
		t.Errorf("Q = %v", b.Personal())
	}
}

func TestPickVector(t *testing.T) {
	s := DefaultSettings()
	now := epoch
	c := []Candidate{
		{ID: "R1", Authority: .75, E: .30, Active: true},
		{ID: "R2", Authority: .75, E: .62, Active: true},
		{ID: "R3", Authority: .375, E: .20, Active: true},
	}
	if got := s.Pick(c, now); got != 0 {
		t.Errorf("pick %d, want R1", got)
	}
	c[0].LastAccepted = now.AddDate(0, 0, -7)
	if got := s.Pick(c, now); got != 2 {
		t.Errorf("pick %d, want R3 when R1 had a step 7 days ago", got)
	}
	c[0].LastAccepted = now.AddDate(0, 0, -14)
	if got := s.Pick(c, now); got != 0 {
		t.Errorf("pick %d, want R1 again after 14 days", got)
	}
	if got := s.Pick([]Candidate{{ID: "x", Authority: .5, E: .45, Active: true}, {ID: "y", Authority: .9, E: .1}}, now); got != -1 {
		t.Errorf("pick %d, want none (gap below 0.10, or inactive)", got)
	}
	// Resting names who is passed over only for a recent step: R1 and
	// R3 had one; R2, whose gap is too small, and R4, inactive, are
	// passed over whatever their steps.
	c[0].LastAccepted, c[2].LastAccepted = now.AddDate(0, 0, -3), now.AddDate(0, 0, -13)
	c[1].E, c[1].LastAccepted = .70, now.AddDate(0, 0, -1)
	c = append(c, Candidate{ID: "R4", Authority: .9, E: .1, LastAccepted: now.AddDate(0, 0, -1)})
	if got := s.Pick(c, now); got != -1 {
		t.Errorf("pick %d, want none while R1 and R3 rest", got)
	}
	if got := s.Resting(c, now); !slices.Equal(got, []int{0, 2}) {
		t.Errorf("resting %v, want R1 and R3", got)
	}
	c[0].LastAccepted = now.AddDate(0, 0, -14)
	if got := s.Resting(c, now); !slices.Equal(got, []int{2}) {
		t.Errorf("resting %v, want R3 alone once R1's 14 days are over", got)
	}
	// Ties on the rounded gap fall to Pr(T < A), then A, then id.
	tie := []Candidate{
		{ID: "b", Authority: .60, E: .301, PrBelowA: .9, Active: true},
		{ID: "a", Authority: .70, E: .399, PrBelowA: .9, Active: true},
		{ID: "c", Authority: .70, E: .40, PrBelowA: .95, Active: true},
	}
	if got := s.Pick(tie, now); got != 2 {
		t.Errorf("pick %d, want c (higher Pr(T<A))", got)
	}
	tie[2].PrBelowA = .9
	if got := s.Pick(tie, now); got != 1 {
		t.Errorf("pick %d, want a (higher A, then id)", got)
	}
}

func assessment(eA, eB, eI, u float64) Assessment {
	var a Assessment
	a.Dims[Ability].E, a.Dims[Benevolence].E, a.Dims[Integrity].E = eA, eB, eI
	a.Trust.U = u
	return a
}

func TestRecommendRules(t *testing.T) {
	s := DefaultSettings()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	due := time.Date(2026, 3, 8, 23, 59, 59, 0, time.UTC)
	ev := func(id string, k Kind, daysAgo float64) Recent {
		return Recent{Event: Event{ID: id, Kind: k, At: now.Add(-time.Duration(daysAgo * float64(24*time.Hour))), Source: System}}
	}
	major := func(r Recent) Recent { r.Severity = Major; return r }
	cases := []struct {
		name   string
		a      Assessment
		recent []Recent
		ps     *TeamSafety
		rule   Rule
		dim    Dim
		move   string
		breach string
	}{
		{"too little evidence", assessment(.5, .5, .5, .5), nil, nil, RuleFeedback, Integrity, MoveAskFeedback, ""},
		{"ability breach", assessment(.5, .6, .6, .1), []Recent{major(ev("b1", KindCompetenceFailure, 3))}, nil, RuleRepair, Ability, MoveApology, "b1"},
		{"integrity breach", assessment(.5, .6, .6, .1), []Recent{ev("b2", KindPromiseBroken, 10)}, nil, RuleRepair, Integrity, MoveApology, "b2"},
		{"deception", assessment(.5, .6, .6, .1), []Recent{ev("b3", KindDeceptionRevealed, 20)}, nil, RuleRepair, Integrity, MoveTransparent, "b3"},
		{"benevolence breach", assessment(.5, .6, .6, .1), []Recent{ev("b4", KindDismissed, 1)}, nil, RuleRepair, Benevolence, MoveApology, "b4"},
		{"heaviest breach wins", assessment(.5, .6, .6, .1), []Recent{major(ev("b5", KindCompetenceFailure, 1)), ev("b6", KindPromiseBroken, 20)}, nil, RuleRepair, Integrity, MoveApology, "b6"},
		{"repaired breach", assessment(.6, .6, .5, .1), []Recent{{Event: ev("b7", KindPromiseBroken, 2).Event, Repaired: true}}, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"reversed breach", assessment(.6, .6, .5, .1), []Recent{{Event: ev("b8", KindPromiseBroken, 2).Event, Reversed: true}}, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"old breach", assessment(.6, .6, .5, .1), []Recent{ev("b9", KindPromiseBroken, 29)}, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"light breach", assessment(.6, .6, .5, .1), []Recent{{Event: Event{ID: "b10", Kind: KindCompetenceFailure, At: now, Source: System, Severity: Minor}}}, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"normal ability breach has decayed below 1", assessment(.6, .6, .5, .1), []Recent{ev("b11", KindCompetenceFailure, 3)}, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"I unexplained", assessment(.6, .6, .5, .1), []Recent{ev("x", KindDecisionUnexplained, 3)}, nil, RuleWeakest, Integrity, MoveLeadTransp, ""},
		{"I favoritism", assessment(.6, .6, .5, .1), []Recent{{Event: ev("x", KindFavoritism, 40).Event, Repaired: true}}, nil, RuleWeakest, Integrity, MoveConsistency, ""},
		{"B safety", assessment(.6, .5, .6, .1), []Recent{ev("x", KindAuthorityOverused, 3)}, &TeamSafety{Mean: 3.5, K: 7, N: 5, Rwg: .8}, RuleWeakest, Benevolence, MoveSafety, ""},
		{"B safety, views differ", assessment(.6, .5, .6, .1), []Recent{ev("x", KindAuthorityOverused, 3)}, &TeamSafety{Mean: 3.5, K: 7, N: 5, Rwg: .6}, RuleWeakest, Benevolence, MoveEmpathy, ""},
		{"B authority", assessment(.6, .5, .6, .1), []Recent{ev("x", KindAuthorityOverused, 3)}, nil, RuleWeakest, Benevolence, MoveEmpathy, ""},
		{"B otherwise", assessment(.6, .5, .6, .1), nil, nil, RuleWeakest, Benevolence, MoveValued, ""},
		{"A", assessment(.4, .5, .6, .1), nil, nil, RuleWeakest, Ability, MoveFollowThru, ""},
		{"ties go to integrity", assessment(.50, .52, .515, .1), nil, nil, RuleWeakest, Integrity, MoveFollowThru, ""},
		{"then benevolence", assessment(.50, .515, .53, .1), nil, nil, RuleWeakest, Benevolence, MoveValued, ""},
	}
	for _, c := range cases {
		r := s.Recommend(c.a, c.recent, c.ps, now)
		if r.Rule != c.rule || r.Dim != c.dim || r.Move != c.move || r.Breach != c.breach || r.Text == "" || !r.Due.Equal(due) {
			t.Errorf("%s: got %s %s %q breach %q due %v, want %s %s %q breach %q", c.name, r.Rule, r.Dim, r.Move, r.Breach, r.Due, c.rule, c.dim, c.move, c.breach)
		}
	}
}

func TestEndOfWeek(t *testing.T) {
	sun := time.Date(2026, 3, 8, 23, 59, 59, 0, time.UTC)
	for _, now := range []time.Time{
		time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),  // Monday
		time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), // Sunday
	} {
		if got := endOfWeek(now); !got.Equal(sun) {
			t.Errorf("endOfWeek(%v) = %v", now, got)
		}
	}
	// The week is the one of now's own zone: Friday 23:00 at UTC−5 (already
	// Saturday in UTC) ends on that zone's Sunday night, and Monday 05:00
	// at UTC+9 (still Sunday in UTC) starts a new week there.
	minus5, plus9 := time.FixedZone("x", -5*3600), time.FixedZone("y", 9*3600)
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 3, 6, 23, 0, 0, 0, minus5), time.Date(2026, 3, 8, 23, 59, 59, 0, minus5)},
		{time.Date(2026, 3, 9, 5, 0, 0, 0, plus9), time.Date(2026, 3, 15, 23, 59, 59, 0, plus9)},
	} {
		if got := endOfWeek(c.now); !got.Equal(c.want) {
			t.Errorf("endOfWeek(%v) = %v, want %v", c.now, got, c.want)
		}
	}
}

func TestCheckOutcome(t *testing.T) {
	s := DefaultSettings()
	acc := epoch
	base := Assessment{At: acc, Quadrant: Compliance, Evidence: 10}
	base.Trust.E = 0.40
	at := func(d int, e, ev float64, q Quadrant) Assessment {
		a := Assessment{At: acc.AddDate(0, 0, d), Quadrant: q, Evidence: ev}
		a.Trust.E = e
		return a
	}
	carried := 10 * math.Exp2(-28.0/90)
	for _, c := range []struct {
		now  Assessment
		want Outcome
	}{
		{at(27, .6, 30, Influence), OutcomePending},
		{at(28, .45, 30, Compliance), OutcomeRecovered},
		{at(28, .42, 30, Undetermined), OutcomeRecovered},
		{at(28, .42, carried+3.9, Compliance), OutcomeTooLittle},
		{at(28, .42, carried+4.1, Compliance), OutcomeNotYet},
	} {
		if got := s.CheckOutcome(base, c.now, acc); got != c.want {
			t.Errorf("E %.2f ev %.1f %s: %s, want %s", c.now.Trust.E, c.now.Evidence, c.now.Quadrant, got, c.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	s := DefaultSettings()
	now := epoch.AddDate(0, 0, 40)
	var st State
	var recent []Recent
	add := func(k Kind, daysAgo int) {
		e := Event{ID: string(k) + string(rune('a'+len(recent))), Kind: k, At: now.AddDate(0, 0, -daysAgo), Source: Self}
		s.Apply(&st, e)
		recent = append(recent, Recent{Event: e})
	}
	add(KindDirective, 1)
	add(KindDirective, 2)
	add(KindAuthorityOverused, 3)
	add(KindPersonValued, 4)
	add(KindPersonValued, 35) // outside the 30-day window
	a := s.Assess(st, DefaultBases(DirectReport), recent, now)
	if a.PowerUse != 0.75 || !slices.Contains(a.Warnings, WarnCommandHeavy) {
		t.Errorf("power use %.2f warnings %v, want 0.75 and command-heavy", a.PowerUse, a.Warnings)
	}
	if slices.Contains(a.Warnings, WarnFearRisk) {
		t.Errorf("fear-risk raised with coercive 2")
	}
	a = s.Assess(st, Bases{4, 3, 3, 3, 2, 1}, recent, now)
	if !slices.Contains(a.Warnings, WarnFearRisk) {
		t.Errorf("no fear-risk with coercive 3 and E_B %.3f", a.Dims[Benevolence].E)
	}
	recent[0].Reversed, recent[1].Reversed = true, true
	a = s.Assess(st, DefaultBases(DirectReport), recent, now)
	if a.PowerUse != 0.5 || slices.Contains(a.Warnings, WarnCommandHeavy) {
		t.Errorf("reversed directives still counted: %.2f %v", a.PowerUse, a.Warnings)
	}
}

func TestApologyRepair(t *testing.T) {
	s := DefaultSettings()
	breach := Event{ID: "b", Kind: KindPromiseBroken, At: epoch, Source: System}
	for _, c := range []struct {
		ack, offer bool
		after      float64
		q          float64
	}{{true, true, 2, 1}, {true, false, 2, .5}, {false, true, 2, .5}, {false, false, 2, .25}, {true, true, 31, 0}} {
		ap := Event{ID: "a", Kind: KindApology, At: dayAt(c.after), Repairs: &breach, Acknowledges: c.ack, OffersRepair: c.offer}
		var st State
		s.Apply(&st, breach)
		s.Apply(&st, ap)
		want := 5 * (1 - 0.2*c.q)
		if got := s.Read(st, dayAt(c.after)).S[Integrity] / math.Exp2(-c.after/90); math.Abs(got-want) > 1e-9 {
			t.Errorf("q %.2f after %v days: s %.4f, want %.4f", c.q, c.after, got, want)
		}
		cs := s.Contributions(ap)
		if c.q > 0 && (len(cs) != 1 || !cs[0].Negative || cs[0].Amount >= 0 || cs[0].Source != System) {
			t.Errorf("apology contributions %+v", cs)
		}
	}
	// An apology does not repair a deception.
	dec := Event{ID: "d", Kind: KindDeceptionRevealed, At: epoch, Source: System}
	if cs := s.Contributions(Event{Kind: KindApology, At: dayAt(1), Repairs: &dec, Acknowledges: true, OffersRepair: true}); len(cs) != 0 {
		t.Errorf("apology for deception removed %+v", cs)
	}
}

func TestSnapshots(t *testing.T) {
	s := DefaultSettings()
	snap := CheckinSnapshot(epoch, [NumDims]float64{5, 1, 3})
	if snap.P != [NumDims]float64{1, 0, 0.5} || snap.N != 1 || snap.Rwg[0] != 1 {
		t.Fatalf("check-in snapshot %+v", snap)
	}
	var st State
	s.Apply(&st, Event{Kind: KindCheckin, At: epoch, Snapshot: &snap})
	rd := s.Read(st, epoch)
	if rd.R != [NumDims]float64{3, 0, 1.5} || rd.S != [NumDims]float64{0, 3, 1.5} {
		t.Errorf("check-in evidence r %v s %v", rd.R, rd.S)
	}
	// A later check-in replaces the earlier one, an older one does not.
	later := CheckinSnapshot(dayAt(90), [NumDims]float64{1, 1, 1})
	older := CheckinSnapshot(dayAt(10), [NumDims]float64{5, 5, 5})
	s.Apply(&st, Event{Kind: KindCheckin, At: later.At, Snapshot: &later})
	s.Apply(&st, Event{Kind: KindCheckin, At: older.At, Snapshot: &older})
	rd = s.Read(st, dayAt(180))
	if math.Abs(rd.S[Ability]-1.5) > 1e-12 || rd.R[Ability] != 0 {
		t.Errorf("after replacement r %v s %v, want s 1.5 (3 halved once)", rd.R, rd.S)
	}
	// Pulse negatives get no κ, and the pulse is counted per dimension.
	p := Snapshot{At: epoch, P: [NumDims]float64{.5, .5, .5}, Rwg: [NumDims]float64{1, 1, 1}, N: 5}
	var ps State
	s.Apply(&ps, Event{Kind: KindPulse, At: epoch, Snapshot: &p})
	if rd := s.Read(ps, epoch); rd.S[Integrity] != 1.5 || rd.R[Integrity] != 1.5 {
		t.Errorf("pulse evidence %v %v", rd.R, rd.S)
	}
}

func TestSelfCapAndCorroboration(t *testing.T) {
	s := DefaultSettings()
	var st State
	for i := range 20 {
		s.Apply(&st, Event{Kind: KindExpertiseShown, At: epoch.Add(time.Duration(i) * time.Hour), Source: Self})
	}
	s.Apply(&st, Event{Kind: KindExpertiseShown, At: epoch, Source: Confirmed})
	rd := s.Read(st, dayAt(1))
	g := math.Exp2(-1.0 / 90)
	if math.Abs(rd.R[Ability]-(3+g)) > 1e-9 || math.Abs(rd.RCorr-g) > 1e-9 {
		t.Errorf("r_A %v RCorr %v, want %v and %v", rd.R[Ability], rd.RCorr, 3+g, g)
	}
	if math.Abs(rd.SelfShare[Ability]-3/(3+g)) > 1e-9 {
		t.Errorf("self share %v", rd.SelfShare[Ability])
	}
}

func TestBrokenPromiseCost(t *testing.T) {
	s := DefaultSettings()
	m := scenario1()
	before, after := s.BrokenPromiseCost(m.st, m.b, m.window(m.at(77)), m.at(77))
	if !(after.Dims[Integrity].E < before.Dims[Integrity].E-0.2) {
		t.Errorf("one broken promise moved E_I from %.3f to %.3f", before.Dims[Integrity].E, after.Dims[Integrity].E)
	}
	if before.Trust.E != m.assess(77).Trust.E {
		t.Errorf("before E %.4f differs from Assess", before.Trust.E)
	}
}

func BenchmarkApply(b *testing.B) {
	s := DefaultSettings()
	var st State
	e := Event{Kind: KindPromiseKept, Source: System}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.At = epoch.Add(time.Duration(i) * time.Minute)
		s.Apply(&st, e)
	}
}

func BenchmarkAssess(b *testing.B) {
	m := scenario1()
	m.pulse(70, .6, .6, .6, .8, 6)
	snap := CheckinSnapshot(m.at(72), [NumDims]float64{4, 3, 4})
	m.st.Checkin = &snap
	now := m.at(77)
	recent := m.window(now)
	bases := DefaultBases(DirectReport)
	b.ReportAllocs()
	for b.Loop() {
		m.s.Assess(m.st, bases, recent, now)
	}
}
