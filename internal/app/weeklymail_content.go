package app

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// What the weekly digest says. It is read from what the leader's own pages
// show (docs/ANONYMITY.md): the week's step with its reason, the open
// promises, named check-in answers, and pulse results only once released,
// as the pulse page shows them. It keeps people's own words (check-in and
// pulse comments) in the app, where erasing a person reaches them, and
// says where to read them. The webhook, which may post to a channel others
// read, names who answered and which results are in, without the answers.

// maxDigestItems is how many entries one list of the digest names.
const maxDigestItems = 10

// digest is one weekly digest.
type digest struct {
	Leader   string
	Week     time.Time // its name (tl.WeekStartIn)
	Loc      *time.Location
	Now      time.Time
	Step     *tl.Step // nil when there is none: None says why
	Why      string
	None     string
	Linked   bool // the step is the one the digest's links act on
	DueSoon  []tl.Promise
	Overdue  []tl.Promise
	Checkins []tl.Checkin
	Pulses   []tl.PulseReport
}

// digestContent reads what d says, as of now. rep is the week's report
// when the caller has it (nil: read it here, choosing the step if it was
// not yet, so tx must be a write).
func (a *App) digestContent(ctx context.Context, tx *store.Tx, l *tl.Leader, d *store.Digest, loc *time.Location, rep *tl.WeekReport, now time.Time) (*digest, error) {
	if rep == nil {
		var err error
		if rep, err = a.weekReport(ctx, tx, l.ID, now); err != nil {
			return nil, err
		}
	}
	c := &digest{Leader: l.Name, Week: d.Week, Loc: loc, Now: now, Step: rep.Step, None: rep.None}
	if rep.Why != nil {
		c.Why = rep.Why.Sentence
	}
	c.Linked = c.Step != nil && c.Step.ID == d.StepID
	open, err := tx.Promises(ctx, l.ID, tl.PromiseOpen)
	if err != nil {
		return nil, err
	}
	today, ends := localDay(now, loc), weekEnds(d.Week, loc)
	for _, p := range open {
		switch due := localDay(p.Due, loc); {
		case due.Before(today):
			c.Overdue = append(c.Overdue, p)
		case due.Before(ends):
			c.DueSoon = append(c.DueSoon, p)
		}
	}
	// What arrived between the last digest and this one: a check-in
	// answer, a pulse that closed with results.
	in := func(t time.Time) bool { return !t.Before(d.Since) && t.Before(d.CreatedAt) }
	checkins, err := tx.Checkins(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	for i := len(checkins) - 1; i >= 0; i-- {
		if ck := checkins[i]; !ck.AnsweredAt.IsZero() && in(ck.AnsweredAt) {
			c.Checkins = append(c.Checkins, withRatings(ck))
		}
	}
	pulses, err := tx.Pulses(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	sets := settingsCache{}
	for i := len(pulses) - 1; i >= 0; i-- {
		p := &pulses[i]
		if p.Status != tl.PulseClosed || !p.Released || !in(p.ClosedAt) {
			continue
		}
		s, err := sets.get(ctx, tx, l.ID)
		if err != nil {
			return nil, err
		}
		rep, err := report(ctx, tx, s, p)
		if err != nil {
			return nil, err
		}
		if rep.Released {
			c.Pulses = append(c.Pulses, *rep)
		}
	}
	return c, nil
}

// localDay is the first instant of the date t falls on in loc.
func localDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// actions are the step links the digest offers, by what the step is now:
// a suggested step may be accepted, skipped or marked done at once (done
// already); an accepted one marked done or skipped.
func (c *digest) actions() []tl.StepAction {
	if c.Step == nil || !c.Linked {
		return nil
	}
	switch c.Step.Status {
	case tl.StepSuggested:
		return []tl.StepAction{tl.StepActionAccept, tl.StepActionDone, tl.StepActionSkip}
	case tl.StepAccepted:
		return []tl.StepAction{tl.StepActionDone, tl.StepActionSkip}
	}
	return nil
}

// actionWords is how a step link reads in the mail.
var actionWords = map[tl.StepAction]string{
	tl.StepActionAccept: "Accept it",
	tl.StepActionDone:   "Mark it done",
	tl.StepActionSkip:   "Skip it this week",
}

// day writes a date as the digest does: "Monday 9 March", in the
// leader's zone.
func (c *digest) day(t time.Time) string { return t.In(c.Loc).Format("Monday 2 January") }

// section is one part of the digest: a heading and its lines, with an
// optional line of links under it.
type section struct {
	Title string
	Lines []string
	Links []mailButton
	After string
}

// mailButton is a link with its words.
type mailButton struct{ Words, URL string }

// sections writes the digest's parts, for the mail. links are the step
// links by action, unsub the unsubscribe link.
func (c *digest) sections(base string, links map[tl.StepAction]string) []section {
	var out []section
	step := section{Title: "This week's step"}
	switch {
	case c.Step == nil:
		step.Lines = append(step.Lines, "No step this week: "+c.None+".")
	default:
		s := c.Step
		step.Lines = append(step.Lines, fmt.Sprintf("%s, %s: %s", s.Person, s.Move, s.Text))
		if c.Why != "" {
			step.Lines = append(step.Lines, "Why: "+c.Why)
		}
		switch s.Status {
		case tl.StepAccepted:
			step.Lines = append(step.Lines, "You accepted it on "+c.day(s.AcceptedAt)+".")
		case tl.StepDone:
			step.Lines = append(step.Lines, "You did it on "+c.day(s.ClosedAt)+".")
		case tl.StepSkipped:
			step.Lines = append(step.Lines, "You skipped it on "+c.day(s.ClosedAt)+".")
		}
		for _, a := range c.actions() {
			if u, ok := links[a]; ok {
				step.Links = append(step.Links, mailButton{actionWords[a], u})
			}
		}
		if len(step.Links) > 0 {
			step.After = fmt.Sprintf("Each link opens a page with one button and needs no password. They work once (using one ends all three) and until %s ends.",
				c.day(weekEnds(c.Week, c.Loc).Add(-time.Millisecond)))
		}
	}
	out = append(out, step)
	if len(c.DueSoon) > 0 || len(c.Overdue) > 0 {
		p := section{Title: "Your promises"}
		for _, pr := range capped(c.Overdue) {
			p.Lines = append(p.Lines, fmt.Sprintf("Overdue: to %s, %q, was due %s.", pr.To, pr.What, c.day(pr.Due)))
		}
		p.Lines = append(p.Lines, more(len(c.Overdue), "overdue")...)
		for _, pr := range capped(c.DueSoon) {
			p.Lines = append(p.Lines, fmt.Sprintf("Due %s: to %s, %q.", c.day(pr.Due), pr.To, pr.What))
		}
		p.Lines = append(p.Lines, more(len(c.DueSoon), "due this week")...)
		p.Links = []mailButton{{"Your promises", base + "/promises"}}
		out = append(out, p)
	}
	if len(c.Checkins) > 0 || len(c.Pulses) > 0 {
		n := section{Title: "Since your last weekly email"}
		for _, ck := range capped(c.Checkins) {
			line := fmt.Sprintf("%s answered your check-in on %s: ability %d, benevolence %d, integrity %d (of 5).",
				ck.Person, c.day(ck.AnsweredAt), ck.Ratings[0], ck.Ratings[1], ck.Ratings[2])
			if ck.Comment != "" {
				line += fmt.Sprintf(" %s added a comment: read it on their page.", ck.Person)
			}
			n.Lines = append(n.Lines, line)
		}
		n.Lines = append(n.Lines, more(len(c.Checkins), "check-in answers")...)
		for _, r := range capped(c.Pulses) {
			n.Lines = append(n.Lines, pulseLine(r))
		}
		n.Lines = append(n.Lines, more(len(c.Pulses), "pulse results")...)
		out = append(out, n)
	}
	return out
}

// pulseLine says a released pulse's results as the pulse page shows them:
// the scales' means (psychological safety only where the team agrees), the
// outcome's shares.
func pulseLine(r tl.PulseReport) string {
	var parts []string
	for _, s := range r.Scales {
		name := s.Scale
		if s.Scale == tl.ScaleSafety {
			name = "psychological safety"
			if s.Agreement != "strong" {
				parts = append(parts, name+": views differ")
				continue
			}
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", name, s.Mean))
	}
	line := fmt.Sprintf("Pulse results for %s (wave %d, %d %s):", tl.TeamPhrase(r.Pulse.Team), r.Pulse.Wave, r.N, plural(r.N, "answer", "answers"))
	if len(parts) > 0 {
		line += " " + strings.Join(parts, ", ") + " (of 5)."
	} else {
		line += " too few answers to every question to show a number."
	}
	if o := r.Outcome; o != nil {
		line += fmt.Sprintf(" When you ask something of them: %d%% commit, %d%% comply, %d%% resist.", o.Commit, o.Comply, o.Resist)
	}
	return line
}

func capped[T any](s []T) []T { return s[:min(len(s), maxDigestItems)] }

// more is the line that says how many a list left out.
func more(n int, what string) []string {
	if n <= maxDigestItems {
		return nil
	}
	return []string{fmt.Sprintf("… and %d more %s in trustledger.", n-maxDigestItems, what)}
}

// subject is the digest's subject line.
func (c *digest) subject() string {
	if c.Step == nil {
		return "Your week in trustledger"
	}
	return fmt.Sprintf("This week's step: %s, %s", c.Step.Person, c.Step.Move)
}

// mail writes the digest as an email: text and HTML, with the step links,
// the account page and the unsubscribe link.
func (c *digest) mail(base, to string, links map[tl.StepAction]string, unsub string) mail.Message {
	intro := fmt.Sprintf("Here is your week of %s.", c.day(c.Week))
	return letter(c.subject(), c.Leader, intro, c.sections(base, links), base, to, unsub)
}

// letter lays out a weekly-loop mail: text and HTML alike, with the footer
// that says why it came and how to stop it (the same link as the
// List-Unsubscribe header).
func letter(subject, name, intro string, secs []section, base, to, unsub string) mail.Message {
	var t, h strings.Builder
	for _, p := range []string{"Hello " + name + ",", intro} {
		t.WriteString(p + "\n\n")
		h.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	for _, s := range secs {
		t.WriteString(s.Title + "\n")
		h.WriteString("<h2 style=\"font-size:1.1em\">" + html.EscapeString(s.Title) + "</h2>\n")
		for _, l := range s.Lines {
			t.WriteString("- " + l + "\n")
		}
		if len(s.Lines) > 0 {
			h.WriteString("<ul>\n")
			for _, l := range s.Lines {
				h.WriteString("<li>" + html.EscapeString(l) + "</li>\n")
			}
			h.WriteString("</ul>\n")
		}
		for _, b := range s.Links {
			t.WriteString(b.Words + ": " + b.URL + "\n")
		}
		if len(s.Links) > 0 {
			h.WriteString("<p>")
			for i, b := range s.Links {
				if i > 0 {
					h.WriteString(" · ")
				}
				h.WriteString(`<a href="` + html.EscapeString(b.URL) + `">` + html.EscapeString(b.Words) + "</a>")
			}
			h.WriteString("</p>\n")
		}
		if s.After != "" {
			t.WriteString(s.After + "\n")
			h.WriteString("<p style=\"color:#555\">" + html.EscapeString(s.After) + "</p>\n")
		}
		t.WriteString("\n")
	}
	why := fmt.Sprintf("You get this email because %s is the address of your trustledger account. Choose its day and hour, or turn it off, on your account page: %s/account", to, base)
	stop := "Stop these emails: " + unsub
	t.WriteString("-- \n" + why + "\n" + stop + "\n")
	h.WriteString("<hr>\n<p style=\"color:#555;font-size:0.9em\">" + html.EscapeString(fmt.Sprintf("You get this email because %s is the address of your trustledger account. ", to)) +
		`<a href="` + html.EscapeString(base+"/account") + `">Choose its day and hour, or turn it off</a> · <a href="` + html.EscapeString(unsub) + `">Stop these emails</a></p>` + "\n")
	return mail.Message{Subject: subject, Text: t.String(), Unsubscribe: unsub,
		HTML: "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">\n" + h.String() + "</body></html>\n"}
}

// promiseDueMail reminds a leader, on the morning it falls due, of one
// open promise.
func promiseDueMail(leader string, p tl.Promise, loc *time.Location, base, to, unsub string) mail.Message {
	c := &digest{Loc: loc}
	s := section{Title: "Due today", Lines: []string{fmt.Sprintf("Your promise to %s: %q, due %s.", p.To, p.What, c.day(p.Due))},
		Links: []mailButton{{"Mark it kept, or move it in time", base + "/promises"}},
		After: "Keeping a promise, or renegotiating it before it is due, builds trust; a promise left to lapse withdraws it."}
	return letter(fmt.Sprintf("Due today: your promise to %s", p.To), leader, "A promise of yours falls due today.", []section{s}, base, to, unsub)
}

// webhook writes the digest for a webhook: a Slack-friendly text in
// mrkdwn, and the same as data. It names who answered a check-in and
// which pulse results are in, not the answers (see the top of this file).
func (c *digest) webhook() (slackMsg, map[string]any) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s's week of %s*\n", slackText(c.Leader), c.day(c.Week))
	data := map[string]any{"week_start": c.Week.Format(time.DateOnly)}
	if s := c.Step; s != nil {
		fmt.Fprintf(&b, "*This week's step:* %s, %s (%s)\n> %s\n", slackText(s.Person), slackText(s.Move), s.Status, slackText(s.Text))
		if c.Why != "" {
			fmt.Fprintf(&b, "_Why:_ %s\n", slackText(c.Why))
		}
		data["step"] = map[string]any{"step_id": s.ID, "person": s.Person, "move": s.Move, "text": s.Text, "status": s.Status, "why": c.Why}
	} else {
		fmt.Fprintf(&b, "*No step this week:* %s\n", slackText(c.None))
		data["step"] = nil
		data["none"] = c.None
	}
	promises := func(key, title string, ps []tl.Promise) {
		list := []map[string]any{}
		if len(ps) > 0 {
			fmt.Fprintf(&b, "*%s:*\n", title)
		}
		for _, p := range capped(ps) {
			fmt.Fprintf(&b, "• to %s: “%s” (%s)\n", slackText(p.To), slackText(p.What), c.day(p.Due))
			list = append(list, map[string]any{"promise_id": p.ID, "to": p.To, "what": p.What, "due": p.Due})
		}
		if len(ps) > maxDigestItems {
			fmt.Fprintf(&b, "• … and %d more\n", len(ps)-maxDigestItems)
		}
		data[key] = list
	}
	promises("overdue", "Overdue", c.Overdue)
	promises("due", "Due this week", c.DueSoon)
	checkins, pulses := []map[string]any{}, []map[string]any{}
	var arrived []string
	for _, ck := range capped(c.Checkins) {
		arrived = append(arrived, fmt.Sprintf("%s answered your check-in (%s)", slackText(ck.Person), c.day(ck.AnsweredAt)))
		checkins = append(checkins, map[string]any{"checkin_id": ck.ID, "person": ck.Person, "answered_at": ck.AnsweredAt})
	}
	for _, r := range capped(c.Pulses) {
		arrived = append(arrived, fmt.Sprintf("pulse results for %s (wave %d) are in", slackText(tl.TeamPhrase(r.Pulse.Team)), r.Pulse.Wave))
		pulses = append(pulses, map[string]any{"pulse_id": r.Pulse.ID, "team": r.Pulse.Team, "wave": r.Pulse.Wave})
	}
	if len(arrived) > 0 {
		fmt.Fprintf(&b, "*Since the last digest:* %s.\n", strings.Join(arrived, "; "))
	}
	data["checkins"], data["pulses"] = checkins, pulses
	b.WriteString("Open trustledger to take the step, and to read what arrived.")
	return slackMsg(b.String()), data // each typed part went through slackText above
}
