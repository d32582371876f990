// Package demo builds the demo organisation that `trustledger serve --demo`
// starts with: Lena, the leader of the article's story, her innovation team
// of six and sixteen weeks of what happened between them, replayed from
// scenarios/lena-team.yaml (File) through the real services so that every
// page of the web app has something true to show.
//
// Lena's story from the article is the team's (compliance, then influence),
// and each person lives it differently: Ana is won over by transparency,
// Ben complies under directives, Chen has a broken promise repaired by an
// apology, Dara disagrees and is heard, Femi is a peer in goodwill and Eli
// joined this week. The entries carry the story's words (notes, decisions).
// The simulator shows the same file, week by week.
//
// Nothing here reaches around the services: the owner account is created
// with AccountService.Signup, people with Service.AddPerson, the story's
// events with Service.Log (and Service.Decide for its decisions, which
// logs the same entries while giving the decision log its what and why).
// The numbers the dashboard shows are therefore the model's, not numbers
// written for the demo.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/scenario"
)

// The demo leader's account. The address is under .local, which is not a
// public domain, so no mail meant for it can reach a real person.
const (
	Email = "lena@demo.trustledger.local"
	// CoachEmail is the demo's coach, who signs in with the same password
	// and sees Lena's program.
	CoachEmail = "cora@demo.trustledger.local"
	Name       = "Lena"
	TeamName   = "Innovation"
	// File is the demo team's scenario, in the scenarios folder.
	File = "lena-team.yaml"
	// Newcomer joins the demo team in the story's last week: too little
	// evidence yet to say where Lena stands with him.
	Newcomer = "Eli"
)

// Seed creates the demo owner account and replays the scenario at
// scenarioPath as Lena's ledger, placed so that the scenario's last week
// ends today (now). It returns the demo account's email and a fresh random
// password to print. Seed needs an installation without accounts
// (ECONFLICT otherwise), because the demo owner is the first account.
//
// Everyone in the scenario is on one team, from day 0 or, for a person
// the story first names after its first week, from that day. Pulses and
// check-ins in the scenario are skipped: they are the team's own
// measurements, which only the team can give. Instead the demo ends with
// one pulse the team answers today, through the same services a real
// team's answers go through.
func Seed(ctx context.Context, svc tl.Services, scenarioPath string, now time.Time, opts Options) (email, password string, err error) {
	sc, err := scenario.Load(scenarioPath)
	if err != nil {
		return "", "", err
	}
	return SeedScenario(ctx, svc, sc, now, opts)
}

// Options let the demo team do what a real team does in their own
// mailboxes: confirm their addresses, and answer the pulse through their
// personal links. Without them the demo has no pulse.
type Options struct {
	// Mailbox delivers the mail waiting in the outbox, as the mail worker
	// would, and returns it: the demo team's inboxes.
	Mailbox func(ctx context.Context) ([]mail.Letter, error)
	// Travel sets the services' clock to at, or back to the present for a
	// zero at: the team confirmed their addresses weeks ago, not today.
	Travel func(at time.Time)
}

// SeedScenario is Seed for a scenario already parsed, for a caller that
// embeds the file (scenario.Parse) instead of reading it from disk.
func SeedScenario(ctx context.Context, svc tl.Services, sc *scenario.Scenario, now time.Time, opts Options) (email, password string, err error) {
	if sc == nil || len(sc.People) == 0 {
		return "", "", tl.Errorf(tl.EINVALID, "the demo scenario has no people")
	}
	has, err := svc.HasUsers(ctx)
	if err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	if has {
		return "", "", tl.Errorf(tl.ECONFLICT, "this database already has accounts: the demo needs an empty one (start without --db, or give a new file)")
	}
	password = rand.Text()
	u, err := svc.Signup(ctx, tl.SignupInput{Email: Email, Name: Name, Password: password})
	if err != nil {
		return "", "", fmt.Errorf("demo: create Lena's account: %w", err)
	}
	s := &seeder{ctx: ctx, svc: svc, leader: u.LeaderID, sc: sc, now: now.UTC(), opts: opts}
	if err := s.run(); err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	if err := seedProgram(ctx, svc, u, password); err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	return u.Email, password, nil
}

// seedProgram makes a coaching program with Cora as coach and Lena, who
// consents and shares her journal entry, so the coach's view has
// something to show.
func seedProgram(ctx context.Context, svc tl.Services, lena *tl.User, password string) error {
	_, token, err := svc.Invite(ctx, lena.ID, CoachEmail, tl.RoleCoach)
	if err != nil {
		return err
	}
	if _, err := svc.AcceptInvite(ctx, token, "Cora", password); err != nil {
		return err
	}
	p, err := svc.CreateProgram(ctx, lena.ID, "Leadership cohort")
	if err != nil {
		return err
	}
	if err := svc.AddCoach(ctx, lena.ID, p.ID, CoachEmail); err != nil {
		return err
	}
	if err := svc.AddLeader(ctx, lena.ID, p.ID, lena.Email); err != nil {
		return err
	}
	if err := svc.SetConsent(ctx, lena.ID, p.ID, true); err != nil {
		return err
	}
	// This week's step is chosen now (as Lena's first dashboard would), which
	// records the week's quadrants for the coach.
	if _, err := svc.Week(ctx, lena.LeaderID); err != nil {
		return err
	}
	js, err := svc.Journal(ctx, lena.LeaderID)
	if err != nil || len(js) == 0 {
		return err
	}
	_, err = svc.ShareJournal(ctx, lena.LeaderID, js[0].ID, true)
	return err
}

// seeder carries one Seed run.
type seeder struct {
	ctx    context.Context
	svc    tl.Services
	leader string
	sc     *scenario.Scenario
	now    time.Time
	start  time.Time // the scenario's day 0, moved so its last week ends today
	opts   Options

	order  []int                   // the events' indexes in time order
	joins  map[string]time.Time    // when each person joined the team
	added  map[string]bool         // the people added so far
	bases  map[string]engine.Bases // each person's bases as the replay set them
	logged []loggedEvent           // breaches and everything else, for apologies

	used map[wordsKey]int // the words used so far of each list, to take the next
}

// loggedEvent remembers one entry so that an apology can find its breach.
type loggedEvent struct {
	id     string
	kind   engine.Kind
	at     time.Time
	people []string // who it touched
	team   bool
}

func (s *seeder) run() error {
	weeks := s.sc.Weeks()
	if weeks == 0 {
		return tl.Errorf(tl.EINVALID, "%s has no events to replay", s.sc.File)
	}
	today := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, time.UTC)
	// Week w's report is read at start + 7w days; the last one is today.
	s.start = today.AddDate(0, 0, -7*weeks)
	s.used = map[wordsKey]int{}
	s.timeline()

	if err := s.settings(); err != nil {
		return err
	}
	if _, err := s.svc.AddTeam(s.ctx, s.leader, TeamName); err != nil {
		return fmt.Errorf("add team %s: %w", TeamName, err)
	}
	s.bases = map[string]engine.Bases{}
	s.added = map[string]bool{}
	for _, p := range s.sc.People {
		if !s.joins[p.Name].After(s.start) {
			if err := s.addPerson(p.Name); err != nil {
				return err
			}
		}
	}
	if err := s.replay(); err != nil {
		return err
	}
	return s.today()
}

// addPerson adds one person of the scenario to the team, from the day
// they joined.
func (s *seeder) addPerson(name string) error {
	for _, p := range s.sc.People {
		if p.Name != name {
			continue
		}
		power := map[string]int{}
		for b := range engine.NumBases {
			power[engine.Base(b).String()] = p.Bases[b]
		}
		if _, err := s.svc.AddPerson(s.ctx, s.leader, tl.PersonInput{
			Name: p.Name, Kind: p.Kind, Team: TeamName, Power: power, Start: s.joins[p.Name], Email: demoEmail(p.Name),
		}); err != nil {
			return fmt.Errorf("add %s: %w", p.Name, err)
		}
		s.bases[p.Name] = p.Bases
		s.added[p.Name] = true
		return nil
	}
	return tl.Errorf(tl.EINVALID, "%s is not a person of %s", name, s.sc.File)
}

// settings copies the scenario's overrides to Lena's settings.
func (s *seeder) settings() error {
	def := engine.DefaultSettings()
	for _, si := range engine.SettingNames() {
		v, err := s.sc.Settings.Get(si.Name)
		if err != nil {
			return err
		}
		d, err := def.Get(si.Name)
		if err != nil {
			return err
		}
		if v != d {
			if err := s.svc.SetSetting(s.ctx, s.leader, si.Name, v); err != nil {
				return fmt.Errorf("setting %s: %w", si.Name, err)
			}
		}
	}
	return nil
}

// at is the instant of day d of week w, moved to the demo's calendar.
func (s *seeder) at(week, day int) time.Time {
	return s.start.AddDate(0, 0, 7*(week-1)+day)
}

// timeline puts the scenario's events in time order (file order on ties;
// day 0 of week w after day 7 of week w−1, as the simulator reads them)
// and finds when each person joined: on day 0 when the story names them
// in its first week, and otherwise on the day it first names them. A
// person the story never names is there from day 0.
func (s *seeder) timeline() {
	s.order = make([]int, len(s.sc.Events))
	for i := range s.order {
		s.order[i] = i
	}
	sort.SliceStable(s.order, func(x, y int) bool {
		a, b := s.sc.Events[s.order[x]], s.sc.Events[s.order[y]]
		ta, tb := s.at(a.Week, a.Day), s.at(b.Week, b.Day)
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return a.Week < b.Week
	})
	s.joins = map[string]time.Time{}
	for _, i := range s.order {
		e := &s.sc.Events[i]
		for _, name := range s.people(e) {
			if _, ok := s.joins[name]; ok {
				continue
			}
			s.joins[name] = s.start
			if e.Week > 1 {
				s.joins[name] = s.at(e.Week, e.Day)
			}
		}
	}
	for _, p := range s.sc.People {
		if _, ok := s.joins[p.Name]; !ok {
			s.joins[p.Name] = s.start
		}
	}
}

// replay logs the scenario's events in time order, adding each person
// who joins later just before the first event that names them.
func (s *seeder) replay() error {
	for _, i := range s.order {
		e := &s.sc.Events[i]
		for _, name := range s.people(e) {
			if !s.added[name] {
				if err := s.addPerson(name); err != nil {
					return fmt.Errorf("%s:%d: %w", s.sc.File, e.Line, err)
				}
			}
		}
		if err := s.event(e); err != nil {
			return fmt.Errorf("%s:%d: %w", s.sc.File, e.Line, err)
		}
	}
	return nil
}

// people expands an event's who into names.
func (s *seeder) people(e *scenario.Event) []string {
	if !e.Team {
		return e.Who
	}
	names := make([]string, len(s.sc.People))
	for i, p := range s.sc.People {
		names[i] = p.Name
	}
	return names
}

// forTeam reports whether an event is logged once, for the team: when the
// scenario says who: team, or, while someone has yet to join, when it
// names everyone on the team so far. A story with a newcomer cannot say
// team before the newcomer joins (the simulator would count the entry for
// them too), so it names the others; the demo logs that list as the team
// entry it stands for. Any other list is one entry per person.
func (s *seeder) forTeam(e *scenario.Event, at time.Time) bool {
	if e.Team {
		return true
	}
	if len(e.Who) < 2 {
		return false
	}
	named := map[string]bool{}
	for _, n := range e.Who {
		named[n] = true
	}
	waiting := false
	for _, p := range s.sc.People {
		joined := !s.joins[p.Name].After(at)
		if joined != named[p.Name] {
			return false
		}
		waiting = waiting || !joined
	}
	return waiting
}

func (s *seeder) event(e *scenario.Event) error {
	info, err := engine.LookupKind(string(e.Kind))
	if err != nil {
		return err
	}
	at := s.at(e.Week, e.Day)
	switch {
	case info.IsSnapshot:
		return nil // measurements from the team: not a leader's entry
	case info.IsPower:
		return s.power(e, at)
	case info.IsApology:
		return s.apology(e, at)
	}
	team := s.forTeam(e, at)
	targets := e.Who
	if team {
		targets = []string{TeamName}
	}
	decision := (e.Kind == engine.KindDecisionExplained || e.Kind == engine.KindDecisionUnexplained) &&
		e.Source == engine.Self && e.Severity == engine.Normal
	for _, who := range targets {
		for range max(e.Count, 1) {
			var id string
			if decision {
				// Decide logs the same entry (self, normal) and keeps
				// the decision's words for the decision log.
				d, err := s.svc.Decide(s.ctx, s.leader, s.decision(e.Kind == engine.KindDecisionExplained, who, at))
				if err != nil {
					return err
				}
				id = d.ID
			} else {
				ev, err := s.svc.Log(s.ctx, s.leader, tl.EventInput{
					Who: who, Kind: e.Kind, At: at, Source: e.Source, Severity: e.Severity, Note: s.note(who, e.Kind),
				})
				if err != nil {
					return err
				}
				id = ev.ID
			}
			touched := []string{who}
			if team {
				touched = s.people(e)
			}
			s.logged = append(s.logged, loggedEvent{id: id, kind: e.Kind, at: at, people: touched, team: team})
		}
	}
	return nil
}

// decision words one of the story's decisions about who (a person, or
// the team), in order.
func (s *seeder) decision(explained bool, who string, at time.Time) tl.DecisionInput {
	if explained {
		ds := explainedDecisions[who]
		if len(ds) == 0 {
			who, ds = TeamName, explainedDecisions[TeamName]
		}
		d := ds[s.next(wordsKey{who, engine.KindDecisionExplained}, len(ds))]
		return tl.DecisionInput{What: d[0], Why: d[1], Affects: who, At: at}
	}
	ds := unexplainedDecisions[who]
	if len(ds) == 0 {
		who, ds = TeamName, unexplainedDecisions[TeamName]
	}
	return tl.DecisionInput{What: ds[s.next(wordsKey{who, engine.KindDecisionUnexplained}, len(ds))], Affects: who, At: at}
}

// note is the story's words for the next entry of kind about who (a
// person, or the team), or the kind's own words when the story has none
// for them.
func (s *seeder) note(who string, kind engine.Kind) string {
	k := wordsKey{who, kind}
	if ns := notes[k]; len(ns) > 0 {
		return ns[s.next(k, len(ns))]
	}
	if ns := notes[wordsKey{TeamName, kind}]; len(ns) > 0 {
		return ns[0]
	}
	return ""
}

// next is the index of the next words of list k, which has n entries.
func (s *seeder) next(k wordsKey, n int) int {
	i := s.used[k] % n
	s.used[k]++
	return i
}

// power sets bases as the scenario does, logged as the shifts that get
// each person there (the services move bases by a shift).
func (s *seeder) power(e *scenario.Event, at time.Time) error {
	for _, name := range s.people(e) {
		cur := s.bases[name]
		for b := range engine.NumBases {
			if !e.SetBase[b] {
				continue
			}
			delta := e.Bases[b] - cur[b]
			if delta == 0 {
				continue
			}
			kind, shift := engine.KindAuthorityGranted, delta
			if delta < 0 {
				kind, shift = engine.KindAuthorityRemoved, -delta
			}
			if _, err := s.svc.Log(s.ctx, s.leader, tl.EventInput{
				Who: name, Kind: kind, At: at, Base: engine.Base(b).String(), Shift: shift,
			}); err != nil {
				return err
			}
			cur[b] = e.Bases[b]
		}
		s.bases[name] = cur
	}
	return nil
}

// apology finds the breach the scenario names (the latest entry of that
// kind touching the person, on or before the named week) and repairs it.
func (s *seeder) apology(e *scenario.Event, at time.Time) error {
	until := s.at(e.Repairs.Week, 7)
	find := func(person string, team bool) (loggedEvent, bool) {
		for i := len(s.logged) - 1; i >= 0; i-- {
			l := s.logged[i]
			if l.kind != e.Repairs.Kind || l.at.After(until) || !l.at.Before(at) {
				continue
			}
			if team && l.team {
				return l, true
			}
			for _, p := range l.people {
				if !team && p == person {
					return l, true
				}
			}
		}
		return loggedEvent{}, false
	}
	in := tl.EventInput{Kind: e.Kind, At: at, Acknowledges: e.Acknowledges, OffersRepair: e.OffersRepair}
	if e.Team {
		b, ok := find("", true)
		if !ok {
			return tl.Errorf(tl.EINVALID, "the apology finds no team %s to repair", e.Repairs.Kind)
		}
		in.Repairs, in.Note = b.id, s.note(TeamName, e.Kind)
		_, err := s.svc.Log(s.ctx, s.leader, in)
		return err
	}
	for _, name := range e.Who {
		b, ok := find(name, false)
		if !ok {
			return tl.Errorf(tl.EINVALID, "the apology to %s finds no %s to repair", name, e.Repairs.Kind)
		}
		in.Who, in.Repairs, in.Note = name, b.id, s.note(name, e.Kind)
		if _, err := s.svc.Log(s.ctx, s.leader, in); err != nil {
			return err
		}
	}
	return nil
}

// today adds what makes the demo's present: promises in every state and a
// journal entry. The story's people get them when the scenario has them
// (the demo team's), and otherwise the scenario's first people do.
func (s *seeder) today() error {
	ctx, svc, l := s.ctx, s.svc, s.leader
	today := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, time.UTC)
	// The overdue promise was due yesterday: the latest instant of
	// yesterday is never more than a day ago, which AddPromise accepts.
	promises := []tl.PromiseInput{
		{To: s.person("Ana", 0), What: "Walk through the pilot budget before it is final", Due: today.AddDate(0, 0, 3)},
		{To: TeamName, What: "Share the next quarter's roadmap and the reasons behind it", Due: today.AddDate(0, 0, 12)},
		{To: s.person("Chen", 2), What: "Give feedback on the prototype plan", Due: today.AddDate(0, 0, 5)},
		{To: s.person("Ben", 1), What: "Send the launch budget numbers", Due: today.Add(-time.Millisecond)},
	}
	if s.has(Newcomer) {
		promises[2] = tl.PromiseInput{To: Newcomer, What: "Find an onboarding buddy for the first month", Due: today.AddDate(0, 0, 5)}
	}
	for _, p := range promises {
		if _, err := svc.AddPromise(ctx, l, p); err != nil {
			return fmt.Errorf("promise %q: %w", p.What, err)
		}
	}
	to := s.person("Femi", 3)
	kept, err := svc.AddPromise(ctx, l, tl.PromiseInput{To: to, What: "Review the prototype sketches", Due: today.AddDate(0, 0, 2)})
	if err != nil {
		return fmt.Errorf("promise to %s: %w", to, err)
	}
	if _, err := svc.ResolvePromise(ctx, l, kept.ID, tl.PromiseKept, time.Time{}); err != nil {
		return fmt.Errorf("keep the promise to %s: %w", to, err)
	}

	entry := journal
	if !s.has("Ana") || !s.has("Ben") || !s.has("Chen") || !s.has("Dara") {
		entry = journalShort
	}
	if _, err := svc.AddJournal(ctx, l, 1, entry); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return s.pulse()
}

// person is name when the scenario has that person, and otherwise its
// i-th person (counting round).
func (s *seeder) person(name string, i int) string {
	if s.has(name) {
		return name
	}
	return s.sc.People[i%len(s.sc.People)].Name
}

// has reports whether the scenario has a person of that name.
func (s *seeder) has(name string) bool {
	for _, p := range s.sc.People {
		if p.Name == name {
			return true
		}
	}
	return false
}

// demoEmail is a person's address in the demo, under .local like Lena's,
// so that no demo mail can reach anyone.
func demoEmail(name string) string {
	return strings.ToLower(name) + "@demo.trustledger.local"
}
