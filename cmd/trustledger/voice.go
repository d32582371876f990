package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

// Team voice from the command line: the leader's side of pulses and
// check-ins. Answering happens in the browser, through the links.

type personEmailCmd struct {
	Name    string `arg:"" help:"The person."`
	Address string `arg:"" optional:"" help:"Their email address; leave out to remove it."`
}

func (personEmailCmd) Help() string {
	return "Pulses and check-ins sent by email go to this address. A new address is sent a\n" +
		"link to confirm it: the person counts toward k, and is asked in your pulses, a\n" +
		"week after they confirm it (docs/ANONYMITY.md). A pulse already open keeps the\n" +
		"address its people were asked at.\n\n" +
		"Example:\n\n    trustledger person email Ana ana@example.org\n    trustledger person email Ana\n"
}

func (c *personEmailCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	r, err := svc.SetEmail(rt.ctx, lid, c.Name, c.Address)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewPerson(*r, n), func() error {
		switch {
		case r.Email == "":
			rt.printf("%s has no email address now, so is not asked in pulses.\n", r.Person)
		case r.EmailConfirmedAt.IsZero():
			rt.printf("%s's invitations go to %s. A link to confirm it is on its way: %s counts toward k a week after confirming.\n", r.Person, r.Email, r.Person)
		default:
			rt.printf("%s's invitations go to %s (confirmed).\n", r.Person, r.Email)
		}
		return nil
	})
}

type personWindowCmd struct {
	Name string `arg:"" help:"The person."`
}

func (personWindowCmd) Help() string {
	return "Emails the person, at their confirmed address, the link to their window: your\n" +
		"open and kept promises to them and their team, and your decisions with their\n" +
		"reasons; they can confirm or dispute a kept promise and react to a decision.\n" +
		"Nobody else ever sees the link, you included. A new link stops the old one.\n\n" +
		"Example:\n\n    trustledger person window Ana\n"
}

func (c *personWindowCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	if err := v.SendWindowLink(rt.ctx, lid, c.Name); err != nil {
		return err
	}
	return rt.output(map[string]string{"person": c.Name, "sent": "email"}, func() error {
		rt.printf("The link to %s's window is queued for mail, to their confirmed address only.\n", c.Name)
		return nil
	})
}

type personConfirmCmd struct {
	Name string `arg:"" help:"The person."`
}

func (personConfirmCmd) Help() string {
	return "Sends the person the link that confirms their address, again (the earlier link\n" +
		"stops working). Only people who confirmed their own address count toward k.\n\n" +
		"Example:\n\n    trustledger person confirm Ana\n"
}

func (c *personConfirmCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	if err := v.SendConfirmation(rt.ctx, lid, c.Name); err != nil {
		return err
	}
	return rt.output(map[string]string{"person": c.Name, "sent": "email"}, func() error {
		rt.printf("A new confirmation is queued for %s.\n", c.Name)
		return nil
	})
}

type personVoiceCmd struct{}

func (personVoiceCmd) Help() string {
	return "Who counts toward k: asked in your pulses, and counted when the team reacts to\n" +
		"your decisions. A person counts once they confirmed their own address, a week\n" +
		"has passed, and (where your installation has another administrator) that\n" +
		"administrator approved them (docs/ANONYMITY.md).\n\n" +
		"Example:\n\n    trustledger person voice\n"
}

func (c *personVoiceCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	sts, err := v.VoiceRoster(rt.ctx, lid)
	if err != nil {
		return err
	}
	return rt.output(sts, func() error {
		if len(sts) == 0 {
			rt.printf("Nobody yet. Add the people you lead with: trustledger person add NAME --kind direct-report --email ADDRESS\n")
			return nil
		}
		t := cli.NewTable("person", "counts", "why not")
		for _, st := range sts {
			counts, why := "yes", ""
			if !st.Counts {
				counts, why = "no", st.Reason
			}
			t.Row(st.Person, counts, why)
		}
		return t.Write(rt.stdout)
	})
}

type pulseCmd struct {
	Launch pulseLaunchCmd `cmd:"" help:"Ask a team the anonymous pulse."`
	List   pulseListCmd   `cmd:"" help:"List your pulses."`
	Show   pulseShowCmd   `cmd:"" help:"A pulse's results (only once released)."`
	Close  pulseCloseCmd  `cmd:"" help:"Close a pulse and release its results if enough people answered."`
	Remind pulseRemindCmd `cmd:"" help:"Remind everyone asked, answered or not (nobody can tell who answered)."`
	Self   pulseSelfCmd   `cmd:"" help:"Answer the trust items about yourself, for the self–team gap."`
}

type pulseLaunchCmd struct {
	Team     string `placeholder:"TEAM" help:"The team (default: your team)."`
	Members  string `placeholder:"NAME,…" help:"Only these members of the team (default: every active member)."`
	K        int    `placeholder:"K" help:"Answers needed before anything is shown (default: your anonymity_k setting; at least 3)."`
	Question string `placeholder:"TEXT" help:"One optional free-text question."`
	Closes   string `placeholder:"DATE" help:"When it closes (default: in a week)."`
}

func (pulseLaunchCmd) Help() string {
	return "Every member who counts toward k gets a single-use link by email (see: trustledger\n" +
		"person voice). You see only a rough count while it is open, taken four times a\n" +
		"day; results appear when it closes, and only if at least k people answered.\n" +
		"Nothing links an answer to a person. There are no shared links: whoever holds\n" +
		"one could answer in the team's name.\n\n" +
		"Example:\n\n    trustledger pulse launch\n" +
		"    trustledger pulse launch --team design --question \"What should I start doing?\"\n"
}

func (c *pulseLaunchCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	in := tl.PulseInput{Team: c.Team, K: c.K, Question: c.Question, Delivery: tl.DeliveryEmail}
	for _, m := range strings.Split(c.Members, ",") {
		if m = strings.TrimSpace(m); m != "" {
			in.Members = append(in.Members, m)
		}
	}
	if c.Closes != "" {
		if in.Closes, err = cli.ParseDue(c.Closes, rt.clock(), rt.loc()); err != nil {
			return err
		}
	}
	out, err := v.LaunchPulse(rt.ctx, lid, in)
	if err != nil {
		return err
	}
	return rt.output(out, func() error {
		p := out.Pulse
		rt.printf("Pulse %s launched for team %s (wave %d, %d people, k=%d), closes %s.\n",
			p.ID, p.Team, p.Wave, p.Population, p.K, rt.day(p.ClosesAt))
		rt.printf("%d invitations are queued for mail.\n", out.Queued)
		for _, st := range out.NotAsked {
			rt.printf("Not asked: %s %s.\n", st.Person, st.Reason)
		}
		rt.printf("Answer the same items about yourself with: trustledger pulse self %s a1=4,a2=4,…\n", p.ID)
		return nil
	})
}

type pulseListCmd struct{}

func (pulseListCmd) Help() string { return "Example:\n\n    trustledger pulse list\n" }

func (c *pulseListCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	ps, err := v.Pulses(rt.ctx, lid)
	if err != nil {
		return err
	}
	return rt.output(ps, func() error {
		if len(ps) == 0 {
			rt.printf("No pulses yet. Ask your team with: trustledger pulse launch\n")
			return nil
		}
		t := cli.NewTable("id", "team", "wave", "status", "people", "k", "closes")
		for _, p := range ps {
			t.Row(p.ID, p.Team, strconv.Itoa(p.Wave), string(p.Status), strconv.Itoa(p.Population), strconv.Itoa(p.K), rt.day(p.ClosesAt))
		}
		return t.Write(rt.stdout)
	})
}

type pulseShowCmd struct {
	ID string `arg:"" help:"The pulse's id (see: trustledger pulse list)."`
}

func (pulseShowCmd) Help() string { return "Example:\n\n    trustledger pulse show ID\n" }

func (c *pulseShowCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	r, err := v.PulseReport(rt.ctx, lid, c.ID)
	if err != nil {
		return err
	}
	return rt.output(r, func() error { return printPulseReport(rt, r) })
}

// countWords says a coarse count band in words.
func countWords(band string, p tl.Pulse) string {
	switch band {
	case tl.CountBelowK:
		return fmt.Sprintf("fewer than %d answers so far", p.K)
	case tl.CountK:
		return fmt.Sprintf("at least %d answers so far", p.K)
	case tl.CountCommentsK:
		return fmt.Sprintf("at least %d answers so far", p.CommentsK)
	case tl.CountHidden:
		return fmt.Sprintf("no count while it is open (%d people asked: a count reaching %d would say that (nearly) everyone answered)", p.Population, p.K)
	}
	return band
}

func printPulseReport(rt *runtime, r *tl.PulseReport) error {
	p := r.Pulse
	rt.printf("Pulse %s, team %s, wave %d: %s.\n", p.ID, p.Team, p.Wave, p.Status)
	if !r.Released {
		if p.Status == tl.PulseOpen {
			rt.printf("Open until %s: %s. Results appear when it closes.\n", rt.day(p.ClosesAt), countWords(r.Count, p))
		} else {
			rt.printf("No results are shown: %s\n", r.Withheld)
		}
		return nil
	}
	rt.printf("%d answers.\n", r.N)
	t := cli.NewTable("scale", "mean", "agreement")
	for _, s := range r.Scales {
		t.Row(s.Scale, fmt.Sprintf("%.2f", s.Mean), fmt.Sprintf("%s (rwg %.2f)", s.Agreement, s.Rwg))
	}
	if err := t.Write(rt.stdout); err != nil {
		return err
	}
	if o := r.Outcome; o != nil {
		rt.printf("When asked: %d%% commit, %d%% comply, %d%% resist.\n", o.Commit, o.Comply, o.Resist)
	}
	if len(r.Gaps) > 0 {
		g := cli.NewTable("dimension", "you", "team", "gap")
		for _, x := range r.Gaps {
			flag := ""
			if x.Flagged {
				flag = "  ← you see yourself higher than the team does"
				if x.Gap < 0 {
					flag = "  ← the team sees you higher than you do"
				}
			}
			g.Row(x.Scale, fmt.Sprintf("%.2f", x.Self), fmt.Sprintf("%.2f", x.Team), fmt.Sprintf("%+.2f%s", x.Gap, flag))
		}
		if err := g.Write(rt.stdout); err != nil {
			return err
		}
	}
	if len(r.Comments) > 0 {
		rt.printf("Comments (in random order):\n")
		for _, c := range r.Comments {
			rt.printf("  - %s\n", c)
		}
	} else if r.CommentsWithheld != "" {
		rt.printf("Comments are not shown: %s.\n", r.CommentsWithheld)
	}
	return nil
}

type pulseCloseCmd struct {
	ID string `arg:"" help:"The pulse's id."`
}

func (pulseCloseCmd) Help() string {
	return "Closing releases the results if at least k people answered and no other result\n" +
		"you can see differs from this one by fewer than k people. Released results update\n" +
		"every relationship in the team.\n\nExample:\n\n    trustledger pulse close ID\n"
}

func (c *pulseCloseCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	r, err := v.ClosePulse(rt.ctx, lid, c.ID)
	if err != nil {
		return err
	}
	return rt.output(r, func() error { return printPulseReport(rt, r) })
}

type pulseRemindCmd struct {
	ID string `arg:"" help:"The pulse's id."`
}

func (pulseRemindCmd) Help() string {
	return "Everyone the pulse asked gets a reminder with a new link by email, answered or\n" +
		"not, at the address they were asked at (the old link stops working). So the\n" +
		"reminders tell nobody, you included, who has answered.\n\nExample:\n\n    trustledger pulse remind ID\n"
}

func (c *pulseRemindCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	if err := v.RemindPulse(rt.ctx, lid, c.ID); err != nil {
		return err
	}
	return rt.output(map[string]string{"pulse_id": c.ID, "status": "reminders queued"}, func() error {
		rt.printf("Reminders are on their way to everyone asked.\n")
		return nil
	})
}

type pulseSelfCmd struct {
	ID      string   `arg:"" help:"The pulse's id."`
	Answers []string `arg:"" placeholder:"ITEM=N" help:"item=1..5 for each of a1 a2 b1 b2 i1 i2."`
}

func (pulseSelfCmd) Help() string {
	var b strings.Builder
	b.WriteString("Answer about yourself the items your team answers about you (1 disagree … 5 agree):\n\n")
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			fmt.Fprintf(&b, "    %s  %s\n", it.ID, it.Self)
		}
	}
	b.WriteString("\nExample:\n\n    trustledger pulse self ID a1=4,a2=4,b1=3,b2=4,i1=5,i2=3\n")
	return b.String()
}

func (c *pulseSelfCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	answers, err := parseItemAnswers(c.Answers...)
	if err != nil {
		return err
	}
	if err := v.AnswerSelf(rt.ctx, lid, c.ID, answers); err != nil {
		return err
	}
	return rt.output(answers, func() error {
		rt.printf("Your own view is saved; the gap to the team's view shows with the results.\n")
		return nil
	})
}

// parseItemAnswers reads "a1=4,b2=5" (also as separate arguments).
func parseItemAnswers(args ...string) (map[string]int, error) {
	out := map[string]int{}
	for _, arg := range args {
		for _, part := range strings.Split(arg, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			id, val, ok := strings.Cut(part, "=")
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if !ok || err != nil {
				return nil, tl.Errorf(tl.EINVALID, "invalid answer %q: write item=N pairs such as a1=4,b2=5", part)
			}
			out[strings.ToLower(strings.TrimSpace(id))] = n
		}
	}
	return out, nil
}

type checkinCmd struct {
	Ask  checkinAskCmd  `cmd:"" help:"Ask one person, by name, how you affect their confidence."`
	List checkinListCmd `cmd:"" help:"Your check-ins and their answers."`
}

type checkinAskCmd struct {
	Person string `arg:"" help:"Who you ask."`
	Link   bool   `help:"Give them a link yourself instead of sending an email."`
}

func (checkinAskCmd) Help() string {
	return "The article's exercise: \"" + tl.CheckinQuestion + "\"\n" +
		"A check-in is NOT anonymous, and the person is told so. Their answer counts as\n" +
		"evidence for your relationship with them. It goes by email when the person has\n" +
		"an address, otherwise (or with --link) you get a link to pass on.\n\n" +
		"Example:\n\n    trustledger checkin ask Ana\n    trustledger checkin ask Ben --link\n"
}

func (c *checkinAskCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	delivery := "" // by email when the person has an address, else a link
	if c.Link {
		delivery = tl.DeliveryLink
	}
	ck, token, err := v.AskCheckin(rt.ctx, lid, c.Person, delivery)
	if err != nil {
		return err
	}
	type out struct {
		Checkin tl.Checkin `json:"checkin"`
		Path    string     `json:"path,omitempty"`
	}
	o := out{Checkin: *ck}
	if token != "" {
		o.Path = "/c/" + token
	}
	return rt.output(o, func() error {
		if o.Path != "" {
			rt.printf("Give %s this link (shown once; append it to your server's address):\n\n    %s\n", ck.Person, o.Path)
		} else {
			rt.printf("The check-in is queued for mail to %s.\n", ck.Person)
		}
		return nil
	})
}

type checkinListCmd struct{}

func (checkinListCmd) Help() string { return "Example:\n\n    trustledger checkin list\n" }

func (c *checkinListCmd) Run(rt *runtime) error {
	v, lid, err := rt.service()
	if err != nil {
		return err
	}
	cs, err := v.Checkins(rt.ctx, lid)
	if err != nil {
		return err
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].CreatedAt.After(cs[j].CreatedAt) })
	return rt.output(cs, func() error {
		if len(cs) == 0 {
			rt.printf("No check-ins yet. Ask someone with: trustledger checkin ask NAME\n")
			return nil
		}
		t := cli.NewTable("id", "person", "asked", "answered", "ability", "benevolence", "integrity", "comment")
		for _, c := range cs {
			answered, r := "not yet", []string{"", "", ""}
			if !c.AnsweredAt.IsZero() {
				answered = rt.day(c.AnsweredAt)
				for i := range min(len(c.Ratings), 3) {
					r[i] = strconv.Itoa(c.Ratings[i])
				}
			}
			t.Row(c.ID, c.Person, rt.day(c.CreatedAt), answered, r[0], r[1], r[2], c.Comment)
		}
		return t.Write(rt.stdout)
	})
}

type personExportCmd struct {
	Name string `arg:"" help:"The person."`
}

func (personExportCmd) Help() string {
	return "Writes, as JSON, the relationship, every ledger entry about the person, the\n" +
		"promises and decisions that concern them, their check-ins and confirmations.\n" +
		"Anonymous pulse answers and reactions are not included: nothing links them to anyone.\n\n" +
		"Example:\n\n    trustledger person export Ana > ana.json\n"
}

func (c *personExportCmd) Run(rt *runtime) error {
	rt.cli.JSON = true
	p, lid, err := rt.service()
	if err != nil {
		return err
	}
	d, err := p.PersonData(rt.ctx, lid, c.Name)
	if err != nil {
		return err
	}
	return rt.output(d, nil)
}

type personEraseCmd struct {
	Name string `arg:"" help:"The person."`
	Yes  bool   `help:"Confirm: erasure cannot be undone."`
}

func (personEraseCmd) Help() string {
	return "Replaces the person's name with \"Erased person N\" everywhere in your data, removes\n" +
		"their email address, the notes of entries about them, their check-in comments and\n" +
		"their window link, and ends the relationship. Entries and scores stay as they are.\n" +
		"It cannot be undone: export first if they asked for their data.\n\n" +
		"Example:\n\n    trustledger person erase Ana --yes\n"
}

func (c *personEraseCmd) Run(rt *runtime) error {
	if !c.Yes {
		return tl.Errorf(tl.EINVALID, "erasing %s cannot be undone: add --yes to confirm (export first with: trustledger person export %s)", c.Name, argQuote(c.Name))
	}
	p, lid, err := rt.service()
	if err != nil {
		return err
	}
	r, err := p.ErasePerson(rt.ctx, lid, c.Name)
	if err != nil {
		return err
	}
	svc, _, err := rt.service()
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewPerson(*r, n), func() error {
		rt.printf("Erased: %s is now %q, with no address or words kept; the ledger's entries and scores stay.\n", c.Name, r.Person)
		return nil
	})
}
