package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// movesDays is the stretch of the ledger the moves page reads: about a
// month.
const movesDays = 30

// moveWords says each practical move in plain words: what it is, and one
// way to make it this week. Our own wording of the article's ideas.
var moveWords = map[string]struct{ What, Try string }{
	"transparency": {
		What: "Say why, not only what. When a decision touches someone, give them the reasons and what you weighed before they have to ask. People who understand a decision can trust you even when they would have decided otherwise; people left guessing fill the silence with suspicion.",
		Try:  "Tell the people a recent decision affected why you made it, and share one piece of context before anyone asks for it.",
	},
	"following-through": {
		What: "Do what you said you would, the small things included. Each promise kept turns your word into evidence; one broken costs far more than one kept earns. When you cannot keep one, say so early and agree a new date rather than letting it lapse.",
		Try:  "Make one small, specific promise, keep it, and close the loop in writing.",
	},
	"empathy": {
		What: "Use your position for the people you lead, not over them. Listen before you decide, hand over decisions that are rightly theirs, and notice the work they do. An order given where persuasion would have worked gets compliance and spends trust.",
		Try:  "Before your next decision that affects someone, ask for their view, or hand one meaningful decision to them.",
	},
	"safety": {
		What: "Make it safe to disagree with you. Ask for objections before you settle a question, thank the first person who raises one, and never make anyone pay for bringing bad news. A team that speaks up tells you what you would otherwise learn too late.",
		Try:  "In your next meeting, ask what could go wrong with your plan and thank whoever answers first.",
	},
	"consistency": {
		What: "Be predictable in what you value. Say which rule you are applying and apply it to everyone the same way. Favours and quiet exceptions, even kind ones, teach people that the rules depend on who is asking.",
		Try:  "Next time you decide between people, state the criterion first and apply it to all of them.",
	},
}

// moveRow is one practical move with what the ledger shows about it.
type moveRow struct {
	tl.MoveTally
	What, Try string
	LastWho   string
	Kinds     string // the entries that count for it, in words
	Against   string // and against it
	LogHref   string // the /log form with this move's first kind, and the person
	Current   bool   // this week's step is this move
}

// movesPage is the data of pages_moves.html.
type movesPage struct {
	Page
	Person   *tl.Relationship // the page narrowed to one person; nil for everyone
	People   int              // active people the page counts
	Days     int
	Moves    []moveRow
	SayKept  int // all promises kept, on time or late
	SayDue   int // all promises that came due
	Overdue  int
	Orders   int      // directives and overused authority in the stretch
	Heavy    []string // people for whom orders outweigh persuasion
	Safety   []teamSafety
	StepWho  string // this week's step's person, when it is one of the moves
	StepWhy  string
	LogQuery string // "&who=Ben" on the page for one person
}

// teamSafety is a team's latest released psychological-safety result.
type teamSafety struct {
	Team   string
	Mean   float64
	Strong bool
}

// movesPage shows the article's five practical moves, each in plain words
// with what the ledger shows about it over the last month: how many
// entries show it made, the latest, who none reached, and what went
// against it. ?who= narrows it to one person.
func (s *Server) movesPage(w http.ResponseWriter, r *http.Request) {
	ctx, leader := r.Context(), s.leader(r)
	people, err := s.svc.People(ctx, leader)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	since := now.AddDate(0, 0, -movesDays)
	d := &movesPage{Page: Page{Title: "The five moves", Nav: "dashboard"}, Days: movesDays}
	var active []tl.Relationship
	names := map[string]string{}
	for i, p := range people {
		names[p.ID] = p.Person
		if who := r.URL.Query().Get("who"); who != "" && strings.EqualFold(p.Person, who) {
			d.Person = &people[i]
		}
		if p.Active {
			active = append(active, p)
		}
	}
	if who := r.URL.Query().Get("who"); who != "" && d.Person == nil {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "no one called %q among the people you lead", who))
		return
	}
	evs, err := s.eventsSince(r, since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Person != nil {
		active = []tl.Relationship{*d.Person}
		d.LogQuery = "&who=" + url.QueryEscape(d.Person.Person)
		var about []tl.Event
		for i := range evs {
			if evs[i].About(*d.Person) {
				about = append(about, evs[i])
			}
		}
		evs = about
	}
	d.People = len(active)
	week, err := s.svc.Week(ctx, leader)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var current string
	if st := week.Step; st != nil {
		if m, ok := tl.MoveOfStep(st.Move); ok {
			current, d.StepWho = m.Slug, st.Person
			if week.Why != nil {
				d.StepWhy = week.Why.Sentence
			}
		}
	}
	for _, t := range tl.TallyMoves(evs, active, since) {
		row := moveRow{MoveTally: t, What: moveWords[t.Move.Slug].What, Try: moveWords[t.Move.Slug].Try,
			Kinds: kindList(t.Move.Builders), Against: kindList(t.Move.Barriers), LogHref: "/log?kind=" + url.QueryEscape(string(t.Move.Builders[0])) + d.LogQuery,
			Current: t.Move.Slug == current}
		if t.Last != nil {
			row.LastWho = names[t.Last.RelationshipID]
			if t.Last.RelationshipID == "" {
				row.LastWho = "the whole team"
			}
		}
		d.Moves = append(d.Moves, row)
	}
	for _, e := range evs {
		if e.Reverses == "" && (e.Kind == engine.KindDirective || e.Kind == engine.KindAuthorityOverused) && !e.OccurredAt.Before(since) {
			d.Orders++
		}
	}
	if d.SayKept, d.SayDue, err = s.svc.SayDo(ctx, leader); err != nil {
		s.fail(w, r, err)
		return
	}
	open, err := s.svc.Promises(ctx, leader, tl.PromiseOpen)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range open {
		if p.Due.Before(now) && (d.Person == nil || p.RelationshipID == d.Person.ID) {
			d.Overdue++
		}
	}
	st, err := s.svc.Status(ctx, leader)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, rs := range st.Relationships {
		if rs.Relationship.Active && slices.Contains(rs.Assessment.Warnings, engine.WarnCommandHeavy) &&
			(d.Person == nil || rs.Relationship.ID == d.Person.ID) {
			d.Heavy = append(d.Heavy, rs.Relationship.Person)
		}
	}
	views, err := s.svc.TeamViews(ctx, leader)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, v := range views {
		if v.Safety != nil && (d.Person == nil || v.Team.ID == d.Person.TeamID) {
			d.Safety = append(d.Safety, teamSafety{Team: v.Team.Name, Mean: v.Safety.Mean, Strong: v.Safety.Agreement == "strong"})
		}
	}
	s.render(w, r, http.StatusOK, "pages_moves.html", d)
}

// kindList names kinds in words: "information shared or decision explained".
func kindList(ks []engine.Kind) string {
	words := make([]string, len(ks))
	for i, k := range ks {
		words[i] = kindLabel(k)
	}
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// moveSlug is the anchor on the moves page of a weekly step's move; "" for
// a step outside the five (an apology).
func moveSlug(move string) string {
	if m, ok := tl.MoveOfStep(move); ok {
		return m.Slug
	}
	return ""
}
