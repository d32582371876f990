package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/engine"
)

type weekCmd struct {
	Show   weekShowCmd   `cmd:"" default:"1" hidden:"" help:"Show this week's step."`
	Accept weekAcceptCmd `cmd:"" help:"Take this week's step on, as a promise due at the end of the week."`
	Done   weekCloseCmd  `cmd:"" help:"Close your accepted step as done (the promise is kept)."`
	Skip   weekCloseCmd  `cmd:"" help:"Skip the step (its promise is renegotiated, not broken)."`
}

// Help explains the loop for `week --help`.
func (weekCmd) Help() string {
	return "\"Identify one relationship where your authority exceeds your trust. Ask for\n" +
		"feedback. Take one concrete step this week — transparency, apology, or\n" +
		"inclusion.\" The step is chosen once a week; four weeks after you accept it,\n" +
		"week shows whether trust in that relationship recovered.\n\n" +
		"Example:\n\n    trustledger week\n    trustledger week accept\n    trustledger week done\n"
}

// stepView is a weekly step as scripts see it.
type stepView struct {
	ID         string    `json:"id"`
	Person     string    `json:"person"`
	WeekStart  string    `json:"week_start"`
	Rule       string    `json:"rule"`
	Move       string    `json:"move"`
	Text       string    `json:"text"`
	Status     string    `json:"status"`
	PromiseID  string    `json:"commitment_id,omitempty"` // the promise's old JSON name, kept: scripts read it
	BaselineE  r3        `json:"baseline_trust"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	Outcome    string    `json:"outcome,omitempty"`
}

func viewStep(s tl.Step) stepView {
	return stepView{ID: s.ID, Person: s.Person, WeekStart: fmtDate(s.WeekStart), Rule: string(s.Rule), Move: s.Move,
		Text: s.Text, Status: string(s.Status), PromiseID: s.PromiseID, BaselineE: r3(s.BaselineE),
		AcceptedAt: s.AcceptedAt, ClosedAt: s.ClosedAt}
}

type weekView struct {
	WeekStart string      `json:"week_start"`
	Step      *stepView   `json:"step"`
	Why       *tl.StepWhy `json:"why,omitempty"`
	None      string      `json:"none,omitempty"`
	Earlier   []stepView  `json:"earlier"`
}

type weekShowCmd struct{}

func (weekShowCmd) Help() string { return "Example:\n\n    trustledger week\n" }

func (c *weekShowCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	rep, err := svc.Week(rt.ctx, lid)
	if err != nil {
		return err
	}
	v := weekView{WeekStart: fmtDate(rep.WeekStart), Why: rep.Why, None: rep.None, Earlier: []stepView{}}
	if rep.Step != nil {
		s := viewStep(*rep.Step)
		v.Step = &s
	}
	for i, s := range rep.Earlier {
		sv := viewStep(s)
		if i < len(rep.Outcomes) {
			sv.Outcome = rep.Outcomes[i]
		}
		v.Earlier = append(v.Earlier, sv)
	}
	return rt.output(v, func() error {
		rt.printf("Week of %s\n\n", fmtDay(rep.WeekStart))
		if s := rep.Step; s != nil {
			rt.printf("This week's step, with %s: %s\n", s.Person, s.Move)
			rt.printf("  %s\n\n", s.Text)
			if why := rep.Why; why != nil {
				// The services' sentence, as the web and the API say it.
				rt.printf("Why: %s\n", why.Sentence)
				if len(why.Evidence) > 0 {
					var parts []string
					for _, e := range why.Evidence {
						parts = append(parts, fmt.Sprintf("%s on %s", e.Kind, rt.day(e.At)))
					}
					rt.printf("Behind it: %s (all of it: trustledger explain %s)\n", strings.Join(parts, ", "), argQuote(s.Person))
				}
				if why.Breach != "" {
					rt.printf("Once you have apologised: trustledger log apology --repairs %s --acknowledges --offers-repair\n", why.Breach)
				}
				rt.printf("\n")
			}
			switch s.Status {
			case tl.StepSuggested:
				rt.printf("Take it on with: trustledger week accept   (or: trustledger week skip)\n")
			case tl.StepAccepted:
				rt.printf("Accepted %s. When it is done: trustledger week done\n", rt.date(s.AcceptedAt))
			default:
				rt.printf("This week's step is %s.\n", s.Status)
			}
		} else {
			none := rep.None
			if none == "" {
				none = "no step this week"
			}
			rt.printf("No step this week: %s.\n", none)
		}
		if len(rep.Earlier) > 0 {
			rt.printf("\nEarlier steps:\n")
			t := cli.NewTable("week of", "person", "move", "status", "outcome")
			for _, s := range v.Earlier {
				t.Row(s.WeekStart, s.Person, s.Move, s.Status, s.Outcome)
			}
			return t.Write(rt.stdout)
		}
		return nil
	})
}

type weekAcceptCmd struct{}

func (weekAcceptCmd) Help() string {
	return "Accepting turns the step into a promise to the person, due at the end of the\n" +
		"week, and records today's trust as the baseline for the 28-day check.\n\n" +
		"Example:\n\n    trustledger week\n    trustledger week accept\n"
}

func (c *weekAcceptCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	// Make sure this week's step exists: accepting without looking first
	// is fine.
	if _, err := svc.Week(rt.ctx, lid); err != nil {
		return err
	}
	s, p, err := svc.AcceptStep(rt.ctx, lid)
	if err != nil {
		return err
	}
	type acceptView struct {
		Step    stepView    `json:"step"`
		Promise promiseView `json:"promise"`
	}
	return rt.output(acceptView{Step: viewStep(*s), Promise: viewPromise(*p)}, func() error {
		rt.printf("Accepted: %s with %s: %s\n", s.Move, s.Person, s.Text)
		rt.printf("It is a promise to %s due %s (promise %s). When it is done: trustledger week done\n", p.To, rt.day(p.Due), p.ID)
		return nil
	})
}

type weekCloseCmd struct{}

func (weekCloseCmd) Help() string {
	return "Example:\n\n    trustledger week done\n    trustledger week skip\n"
}

// Run closes the step as done or skipped, as the subcommand says.
func (c *weekCloseCmd) Run(rt *runtime, status tl.StepStatus) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	s, err := svc.CloseStep(rt.ctx, lid, status)
	if err != nil {
		return err
	}
	return rt.output(viewStep(*s), func() error {
		if s.Status == tl.StepDone {
			rt.printf("Done: %s with %s. The promise is kept; in four weeks `trustledger week` shows whether trust recovered.\n", s.Move, s.Person)
		} else {
			rt.printf("Skipped: %s with %s. No penalty; next week brings a new step.\n", s.Move, s.Person)
		}
		return nil
	})
}

type journalCmd struct {
	Show    journalShowCmd    `cmd:"" default:"1" hidden:"" help:"This week's questions and answers."`
	Answer  journalAnswerCmd  `cmd:"" help:"Answer one of the three questions."`
	Note    journalNoteCmd    `cmd:"" help:"Write a free note."`
	List    journalListCmd    `cmd:"" help:"Every entry, newest first."`
	Share   journalShareCmd   `cmd:"" help:"Share an entry with the coaches of the programs you consent to."`
	Unshare journalUnshareCmd `cmd:"" help:"Stop sharing an entry."`
}

func (journalCmd) Help() string {
	return "The article's three questions for reflection, asked every week. The journal is\n" +
		"private: no one else reads it.\n\n" +
		"Example:\n\n    trustledger journal\n    trustledger journal answer 2 \"I lost Ben's trust when I moved his deadline without asking\"\n" +
		"    trustledger journal note \"ask Ana about the offsite\"\n"
}

type journalView struct {
	WeekStart string          `json:"week_start"`
	Questions []questionView  `json:"questions"`
	Notes     []journalEntryV `json:"notes"`
}

type questionView struct {
	N       int             `json:"n"`
	Text    string          `json:"question"`
	Answers []journalEntryV `json:"answers"`
}

type journalEntryV struct {
	ID        string    `json:"id"`
	Question  int       `json:"question"`
	Text      string    `json:"text"`
	WeekStart string    `json:"week_start"`
	CreatedAt time.Time `json:"created_at"`
}

func viewJournal(j tl.JournalEntry) journalEntryV {
	return journalEntryV{ID: j.ID, Question: j.Question, Text: j.Text, WeekStart: fmtDate(j.WeekStart), CreatedAt: j.CreatedAt}
}

type journalShowCmd struct{}

func (journalShowCmd) Help() string { return "Example:\n\n    trustledger journal\n" }

func (c *journalShowCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	entries, err := svc.Journal(rt.ctx, lid)
	if err != nil {
		return err
	}
	week := tl.WeekStartIn(rt.clock(), rt.leaderLoc())
	v := journalView{WeekStart: fmtDate(week), Notes: []journalEntryV{}}
	for i, q := range tl.ReflectionQuestions {
		v.Questions = append(v.Questions, questionView{N: i + 1, Text: q, Answers: []journalEntryV{}})
	}
	// Entries come newest first; show each week's answers oldest first.
	for i := len(entries) - 1; i >= 0; i-- {
		j := entries[i]
		if !j.WeekStart.Equal(week) {
			continue
		}
		if j.Question >= 1 && j.Question <= len(v.Questions) {
			v.Questions[j.Question-1].Answers = append(v.Questions[j.Question-1].Answers, viewJournal(j))
		} else {
			v.Notes = append(v.Notes, viewJournal(j))
		}
	}
	return rt.output(v, func() error {
		rt.printf("Week of %s: questions for reflection\n", fmtDay(week))
		for _, q := range v.Questions {
			rt.printf("\n%d. %s\n", q.N, q.Text)
			if len(q.Answers) == 0 {
				rt.printf("   (not answered this week: trustledger journal answer %d \"…\")\n", q.N)
			}
			for _, a := range q.Answers {
				rt.printf("   %s\n", oneLine(a.Text))
			}
		}
		if len(v.Notes) > 0 {
			rt.printf("\nNotes this week:\n")
			for _, nt := range v.Notes {
				rt.printf("   %s\n", oneLine(nt.Text))
			}
		}
		return nil
	})
}

type journalAnswerCmd struct {
	N    string `arg:"" placeholder:"N" help:"The question: 1, 2 or 3."`
	Text string `arg:"" help:"Your answer."`
}

func (journalAnswerCmd) Help() string {
	var b strings.Builder
	b.WriteString("The questions:\n\n")
	for i, q := range tl.ReflectionQuestions {
		fmt.Fprintf(&b, "    %d. %s\n", i+1, q)
	}
	b.WriteString("\nExample:\n\n    trustledger journal answer 1 \"mostly from my title, so far\"\n")
	return b.String()
}

func (c *journalAnswerCmd) Run(rt *runtime) error {
	n, err := strconv.Atoi(strings.TrimSpace(c.N))
	if err != nil || n < 1 || n > len(tl.ReflectionQuestions) {
		return tl.Errorf(tl.EINVALID, "question %q: answer question 1, 2 or 3 (see: trustledger journal), or write a free note with: trustledger journal note \"text\"", c.N)
	}
	return addJournal(rt, n, c.Text)
}

type journalNoteCmd struct {
	Text string `arg:"" help:"The note."`
}

func (journalNoteCmd) Help() string {
	return "Example:\n\n    trustledger journal note \"Chen went quiet after the reorg: ask why\"\n"
}

func (c *journalNoteCmd) Run(rt *runtime) error { return addJournal(rt, 0, c.Text) }

func addJournal(rt *runtime, n int, text string) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	j, err := svc.AddJournal(rt.ctx, lid, n, text)
	if err != nil {
		return err
	}
	return rt.output(viewJournal(*j), func() error {
		if n == 0 {
			rt.printf("Noted, privately, for the week of %s.\n", fmtDate(j.WeekStart))
		} else {
			rt.printf("Answered question %d for the week of %s. Only you can read it.\n", n, fmtDate(j.WeekStart))
		}
		return nil
	})
}

type journalListCmd struct{}

func (journalListCmd) Help() string { return "Example:\n\n    trustledger journal list\n" }

func (c *journalListCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	entries, err := svc.Journal(rt.ctx, lid)
	if err != nil {
		return err
	}
	views := make([]journalEntryV, 0, len(entries))
	for _, j := range entries {
		views = append(views, viewJournal(j))
	}
	return rt.output(views, func() error {
		if len(entries) == 0 {
			rt.printf("The journal is empty. See this week's questions with: trustledger journal\n")
			return nil
		}
		t := cli.NewTable("week of", "question", "text")
		for _, j := range entries {
			q := "note"
			if j.Question > 0 {
				q = strconv.Itoa(j.Question)
			}
			t.Row(fmtDate(j.WeekStart), q, clip(j.Text, 70))
		}
		return t.Write(rt.stdout)
	})
}

type settingsCmd struct {
	Show settingsShowCmd `cmd:"" default:"1" hidden:"" help:"List every setting."`
	Set  settingsSetCmd  `cmd:"" help:"Override one setting."`
}

func (settingsCmd) Help() string {
	return "Every number in the model is a named setting with a default (MODEL.md §16).\n\n" +
		"Example:\n\n    trustledger settings\n    trustledger settings set half_life_days 60\n"
}

type settingView struct {
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Default float64 `json:"default"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Doc     string  `json:"doc"`
}

type settingsShowCmd struct{}

func (settingsShowCmd) Help() string { return "Example:\n\n    trustledger settings\n" }

func (c *settingsShowCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	set, err := svc.Settings(rt.ctx, lid)
	if err != nil {
		return err
	}
	def := engine.DefaultSettings()
	var views []settingView
	for _, si := range engine.SettingNames() {
		v, err := set.Get(si.Name)
		if err != nil {
			return err
		}
		d, err := def.Get(si.Name)
		if err != nil {
			return err
		}
		views = append(views, settingView{Name: si.Name, Value: v, Default: d, Min: si.Min, Max: si.Max, Doc: si.Doc})
	}
	return rt.output(views, func() error {
		t := cli.NewTable("setting", "value", "default", "range", "what it is")
		for _, s := range views {
			def := ""
			if s.Value != s.Default {
				def = strconv.FormatFloat(s.Default, 'g', -1, 64)
			}
			rng := strconv.FormatFloat(s.Min, 'g', -1, 64) + " to " + strconv.FormatFloat(s.Max, 'g', -1, 64)
			t.Row(s.Name, strconv.FormatFloat(s.Value, 'g', -1, 64), def, rng, s.Doc)
		}
		return t.Write(rt.stdout)
	})
}

type settingsSetCmd struct {
	Name  string `arg:"" help:"The setting's name (see: trustledger settings)."`
	Value string `arg:"" help:"The new value."`
}

func (settingsSetCmd) Help() string {
	return "Changing a setting replays your ledger with it, so every score reflects it.\n\n" +
		"Example:\n\n    trustledger settings set half_life_days 60\n"
}

func (c *settingsSetCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64)
	if err != nil {
		return tl.Errorf(tl.EINVALID, "setting %s needs a number, got %q", c.Name, c.Value)
	}
	if err := svc.SetSetting(rt.ctx, lid, c.Name, v); err != nil {
		return err
	}
	def := engine.DefaultSettings()
	d, _ := def.Get(c.Name)
	return rt.output(settingView{Name: c.Name, Value: v, Default: d}, func() error {
		rt.printf("%s = %g (default %g). Your scores were recomputed from the ledger.\n", c.Name, v, d)
		return nil
	})
}
