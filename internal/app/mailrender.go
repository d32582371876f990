package app

import (
	"context"
	"fmt"
	"html"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// MailRenderer renders queued messages for the mail worker. Links start
// with BaseURL (the address people reach the web app at).
func (a *App) MailRenderer(baseURL string) mail.Renderer {
	return renderer{a: a, base: strings.TrimRight(baseURL, "/")}
}

type renderer struct {
	a    *App
	base string
}

// Render issues the message's link (its token exists only in the
// message) and writes the text.
func (r renderer) Render(ctx context.Context, m store.Mail) (mail.Message, error) {
	switch m.Kind {
	case store.MailPulseInvite, store.MailPulseReminder:
		l, err := r.a.pulseMailLink(ctx, m.Ref, m.Ref2)
		if err != nil || l.Done {
			return mail.Message{Done: l.Done}, err
		}
		var p *store.PulseRow
		if err := r.a.db.Read(ctx, func(tx *store.Tx) error {
			p, err = tx.PulseByIDAny(ctx, m.Ref)
			return err
		}); err != nil {
			return mail.Message{}, err
		}
		return pulseMail(l, p.Pulse, r.base+l.Path, m.Kind == store.MailPulseReminder), nil
	case store.MailCheckin:
		l, err := r.a.checkinMailLink(ctx, m.Ref)
		if err != nil || l.Done {
			return mail.Message{Done: l.Done}, err
		}
		return checkinMail(l, r.base+l.Path), nil
	case store.MailAddressConfirm:
		l, err := r.a.addressMailLink(ctx, m.Ref, m.To)
		if err != nil || l.Done {
			return mail.Message{Done: l.Done}, err
		}
		return addressMail(l, m.To, r.base+l.Path), nil
	case store.MailWindow:
		l, err := r.a.windowMailLink(ctx, m.Ref, m.To)
		if err != nil || l.Done {
			return mail.Message{Done: l.Done}, err
		}
		return windowMail(l, r.base+l.Path), nil
	case store.MailDigest:
		return r.a.digestMail(ctx, m.Ref, m.To, r.base)
	case store.MailPromiseDue:
		return r.a.promiseReminderMail(ctx, m.Ref, m.Ref2, m.To, r.base)
	case store.MailInvitation:
		inv, token, done, err := r.a.invitationMailLink(ctx, m.Ref)
		if err != nil || done {
			return mail.Message{Done: done}, err
		}
		return inviteMail(m.ToName, inv, r.base+"/invite/"+token), nil
	}
	return mail.Message{}, mail.Permanent(fmt.Errorf("unknown kind of mail %q", m.Kind))
}

// pulseMail is an invitation or reminder to answer a pulse. It says what
// the leader will see (the team's results, only after the close and only
// with at least k answers; comments only with at least comments_k) and
// what nobody will see. A reminder says it briefly and names no one.
func pulseMail(l mailLink, p tl.Pulse, link string, reminder bool) mail.Message {
	closes := l.Closes.Format("Monday 2 January")
	sees := fmt.Sprintf("%s will see only the team's results, and only after the pulse closes with at least %d answers", l.Leader, p.K)
	if p.Question != "" {
		sees += fmt.Sprintf("; written comments only with at least %d, in a random order", p.CommentsK)
	}
	sees += ". "
	never := "Nobody, " + l.Leader + " included, can see who answered, when, or what any one person said."
	if reminder {
		subject := fmt.Sprintf("Reminder: %s's anonymous pulse closes on %s", l.Leader, closes)
		paras := []string{
			"Hello " + l.Person + ",",
			fmt.Sprintf("%s's pulse for team %s is open until %s. This reminder goes to everyone who was asked, whether they have answered or not, so it says nothing about you. If you have answered, thank you: the link below will say so. If not, it is yours to use.", l.Leader, l.Team, closes),
			"It is anonymous: " + sees + never,
			"This link is yours and works once; it replaces the one in the earlier email:",
		}
		return render(subject, paras, link, "Answer the pulse")
	}
	subject := fmt.Sprintf("%s asks your team, anonymously: how is it going?", l.Leader)
	paras := []string{
		"Hello " + l.Person + ",",
		fmt.Sprintf("%s is asking team %s a few short questions about how they lead, and would value your honest answer.", l.Leader, l.Team),
		"Your answers are anonymous. " + sees + never + " The answer page explains exactly why.",
		fmt.Sprintf("It takes about three minutes and closes on %s.", closes),
		"This link is yours and works once; a newer email replaces it:",
	}
	return render(subject, paras, link, "Answer the pulse")
}

// checkinMail asks one person, by name.
func checkinMail(l mailLink, link string) mail.Message {
	subject := fmt.Sprintf("%s asks you: %s", l.Leader, tl.CheckinQuestion)
	paras := []string{
		"Hello " + l.Person + ",",
		fmt.Sprintf("%s would like to know, from you personally: %q", l.Leader, tl.CheckinQuestion),
		"This is NOT anonymous: " + l.Leader + " will see your name with your answers. Three questions and an optional comment.",
		"Your link:",
	}
	return render(subject, paras, link, "Answer "+l.Leader)
}

// render writes the plain text and the HTML alternative of a message.
func render(subject string, paras []string, link, button string) mail.Message {
	var text, h strings.Builder
	for _, p := range paras {
		text.WriteString(p + "\n\n")
		h.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	text.WriteString(link + "\n\n-- \ntrustledger\n")
	h.WriteString(`<p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(button) + "</a></p>\n")
	return mail.Message{Subject: subject, Text: text.String(),
		HTML: "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">\n" + h.String() + "</body></html>\n"}
}

// inviteMail invites someone on a roster to make their account.
func inviteMail(name string, inv *tl.Invitation, link string) mail.Message {
	what := map[tl.Role]string{
		tl.RoleAdmin:  "to administer trustledger for your organisation",
		tl.RoleCoach:  "as a coach: you will see the progress of the leaders in your programs who agree to it, never their private notes",
		tl.RoleLeader: "to keep the trust account of each person you lead, and choose one step a week where your authority outruns their trust",
		tl.RoleMember: "as a team member: you will see your leader's promises to you and the reasons for their decisions, and can answer their anonymous pulses",
	}[inv.Role]
	paras := []string{
		"Hello " + name + ",",
		"You are invited to trustledger " + what + ".",
		"Make your account with this link before " + inv.ExpiresAt.Format("Monday 2 January") + ":",
	}
	return render("You are invited to trustledger", paras, link, "Make my account")
}

// addressMail asks a person to confirm that the address their leader gave
// is theirs: until they do, they are not asked in pulses and their
// reactions do not count (docs/ANONYMITY.md, rule 1).
func addressMail(l mailLink, to, link string) mail.Message {
	team := ""
	if l.Team != "" {
		team = " in team " + l.Team
	}
	paras := []string{
		"Hello " + l.Person + ",",
		fmt.Sprintf("%s added you%s in trustledger, where %s keeps track of the trust between you and asks the team for anonymous views.", l.Leader, team, l.Leader),
		fmt.Sprintf("Is %s your address? Only people who confirm their own address are asked in %s's anonymous pulses, and counted when the team reacts to decisions: that way nobody can be outnumbered by made-up people. You will count from a week after you confirm.", to, l.Leader),
		"If you do not know " + l.Leader + ", or this is not you, ignore this email: nothing counts for this address until it is confirmed.",
	}
	return render("Please confirm your address for "+l.Leader+"'s team", paras, link, "Yes, this is my address")
}

// windowMail sends a person the link to their leader's window.
func windowMail(l mailLink, link string) mail.Message {
	paras := []string{
		"Hello " + l.Person + ",",
		fmt.Sprintf("This is your link to %s's window in trustledger: %s's open and kept promises to you and your team, and the reasons for their decisions. You can confirm or dispute a kept promise, and react to a decision anonymously.", l.Leader, l.Leader),
		"The link is yours alone: nobody else has it, " + l.Leader + " included. A newer email replaces it.",
	}
	return render(l.Leader+"'s window: promises and the reasons for decisions", paras, link, "Open the window")
}
