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
		return pulseMail(l, r.base+l.Path, m.Kind == store.MailPulseReminder), nil
	case store.MailCheckin:
		l, err := r.a.checkinMailLink(ctx, m.Ref)
		if err != nil || l.Done {
			return mail.Message{Done: l.Done}, err
		}
		return checkinMail(l, r.base+l.Path), nil
	}
	return mail.Message{}, mail.Permanent(fmt.Errorf("unknown kind of mail %q", m.Kind))
}

// pulseMail is an invitation or reminder to answer a pulse.
func pulseMail(l mailLink, link string, reminder bool) mail.Message {
	subject := fmt.Sprintf("%s asks your team, anonymously: how is it going?", l.Leader)
	opening := fmt.Sprintf("%s is asking team %s a few short questions about how they lead, and would value your honest answer.", l.Leader, l.Team)
	if reminder {
		subject = "Reminder: " + subject
		opening = fmt.Sprintf("A reminder: %s's pulse for team %s is still open. If you would like to answer, your link is below; this message went to everyone who has not answered yet.", l.Leader, l.Team)
	}
	paras := []string{
		"Hello " + l.Person + ",",
		opening,
		"Your answers are anonymous. " + l.Leader + " will see only the team's averages, and only once enough people have answered and the pulse has closed. " +
			"Nobody, " + l.Leader + " included, can see who answered, when, or what any one person said. The answer page explains exactly why.",
		fmt.Sprintf("It takes about three minutes and closes on %s.", l.Closes.Format("Monday 2 January")),
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
