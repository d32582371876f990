package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// The weekly mail's links. A step link (accept, skip, done) and an
// unsubscribe link are random tokens made when the message is sent and
// stored only as their SHA-256, like every other mailed link (links.go).
// Opening one changes nothing: its page has one button that does it, since
// mail scanners open links. A step link acts on the step its digest named
// and nothing else; the first one used ends all three of its email, and
// all of them end with the week.

// Link paths, each followed by the token.
const (
	stepLinkPrefix        = "/d/"
	unsubscribeLinkPrefix = "/u/"
)

var (
	errBadStepLink = tl.Errorf(tl.ENOTFOUND, "This link is not valid: it may come from an older email (a newer one replaces its links), or it was changed on the way. Sign in to see this week's step.")
	errBadUnsub    = tl.Errorf(tl.ENOTFOUND, "This unsubscribe link is not valid: it may have been changed on the way. Sign in and turn the weekly email off on your account page.")
)

// actionDone is what a used step link did, in words.
var actionDone = map[tl.StepAction]string{
	tl.StepActionAccept: "accepted this week's step",
	tl.StepActionDone:   "marked this week's step done",
	tl.StepActionSkip:   "skipped this week's step",
}

// digestMail renders the digest at send time: its step links and its
// unsubscribe link are made now (a message sent again gets new ones, which
// replace the first), and what it says is read now. Done when the digest
// is gone, its week is over, or the leader turned the mail off since.
func (a *App) digestMail(ctx context.Context, digestID, to, base string) (mail.Message, error) {
	now := a.clock()
	var msg mail.Message
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		msg = mail.Message{Done: true}
		d, err := tx.DigestByID(ctx, digestID)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !now.Before(d.ExpiresAt) {
			return nil
		}
		if s, err := scheduleFor(ctx, tx, d.LeaderID); err != nil || s.MailOff {
			return err
		}
		l, err := tx.LeaderByID(ctx, d.LeaderID)
		if err != nil {
			return err
		}
		loc, err := a.leaderZone(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		c, err := a.digestContent(ctx, tx, l, d, loc, nil, now)
		if err != nil {
			return err
		}
		if err := tx.DeleteDigestLinks(ctx, d.ID); err != nil {
			return err
		}
		links := map[tl.StepAction]string{}
		if d.UsedAt.IsZero() {
			for _, act := range c.actions() {
				token := rand.Text()
				if err := tx.CreateMailLink(ctx, &store.MailLink{Hash: hashToken(token), LeaderID: l.ID, DigestID: d.ID,
					Action: string(act), CreatedAt: now, ExpiresAt: d.ExpiresAt}); err != nil {
					return err
				}
				links[act] = base + stepLinkPrefix + token
			}
		}
		unsub, err := issueUnsubscribe(ctx, tx, l.ID, now)
		if err != nil {
			return err
		}
		msg = c.mail(base, to, links, base+unsubscribeLinkPrefix+unsub)
		return nil
	})
	return msg, err
}

// promiseReminderMail renders a due-day reminder at send time; Done when
// the promise is no longer open or the leader turned the mail off.
func (a *App) promiseReminderMail(ctx context.Context, promiseID, leaderID, to, base string) (mail.Message, error) {
	now := a.clock()
	var msg mail.Message
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		msg = mail.Message{Done: true}
		p, err := tx.PromiseByID(ctx, leaderID, promiseID)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil
		}
		if err != nil || p.Status != tl.PromiseOpen {
			return err
		}
		if s, err := scheduleFor(ctx, tx, leaderID); err != nil || s.MailOff {
			return err
		}
		l, err := tx.LeaderByID(ctx, leaderID)
		if err != nil {
			return err
		}
		loc, err := a.leaderZone(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		unsub, err := issueUnsubscribe(ctx, tx, leaderID, now)
		if err != nil {
			return err
		}
		msg = promiseDueMail(l.Name, *p, loc, base, to, base+unsubscribeLinkPrefix+unsub)
		return nil
	})
	return msg, err
}

// issueUnsubscribe makes the token of a message's unsubscribe link. It
// does not expire: an old email's link still turns the mail off.
func issueUnsubscribe(ctx context.Context, tx *store.Tx, leaderID string, now time.Time) (string, error) {
	token := rand.Text()
	err := tx.CreateMailLink(ctx, &store.MailLink{Hash: hashToken(token), LeaderID: leaderID, Action: store.LinkUnsubscribe, CreatedAt: now})
	return token, err
}

// Where a step link stands.
const (
	linkOpen    = iota // its button may be pressed
	linkUsed           // a link of the same email was used
	linkExpired        // its week has ended
	linkMoot           // its step is no longer where its action applies
)

// stepLinkCtx is what a step link stands for.
type stepLinkCtx struct {
	d     *store.Digest
	step  *tl.Step
	loc   *time.Location
	state int
	moot  string
	out   *tl.StepLink
}

// stepLink loads a step link and says where it stands at now.
func (a *App) stepLink(ctx context.Context, tx *store.Tx, token string, now time.Time) (*stepLinkCtx, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errBadStepLink
	}
	link, err := tx.MailLinkByHash(ctx, hashToken(token))
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return nil, errBadStepLink
	}
	if err != nil {
		return nil, err
	}
	action := tl.StepAction(link.Action)
	if link.DigestID == "" || actionDone[action] == "" {
		return nil, errBadStepLink // an unsubscribe link is no step link
	}
	d, err := tx.DigestByID(ctx, link.DigestID)
	if err != nil {
		return nil, err
	}
	steps, err := tx.Steps(ctx, d.LeaderID)
	if err != nil {
		return nil, err
	}
	var step *tl.Step
	for i := range steps {
		if steps[i].ID == d.StepID {
			step = &steps[i]
		}
	}
	if step == nil {
		return nil, errBadStepLink
	}
	l, err := tx.LeaderByID(ctx, d.LeaderID)
	if err != nil {
		return nil, err
	}
	loc, err := a.leaderZone(ctx, tx, d.LeaderID)
	if err != nil {
		return nil, err
	}
	c := &stepLinkCtx{d: d, step: step, loc: loc,
		out: &tl.StepLink{Leader: l.Name, Action: action, Step: *step, ExpiresAt: link.ExpiresAt}}
	switch {
	case !d.UsedAt.IsZero():
		c.state = linkUsed
	case !now.Before(link.ExpiresAt):
		c.state = linkExpired
	default:
		if c.moot = stepMoot(action, step); c.moot != "" {
			c.state = linkMoot
		}
	}
	return c, nil
}

// stepMoot says why action no longer applies to s, or "".
func stepMoot(action tl.StepAction, s *tl.Step) string {
	switch {
	case s.Status == tl.StepDone || s.Status == tl.StepSkipped:
		return fmt.Sprintf("This week's step is %s already: nothing changed.", s.Status)
	case action == tl.StepActionAccept && s.Status != tl.StepSuggested:
		return fmt.Sprintf("This week's step is %s already: nothing changed.", s.Status)
	}
	return ""
}

// refusal is the error a step link that may not act answers with, nil
// for an open one.
func (c *stepLinkCtx) refusal() error {
	switch c.state {
	case linkUsed:
		at := c.d.UsedAt.In(c.loc)
		return tl.Errorf(tl.ECONFLICT, "This link was used already: on %s at %s you %s with a link of the same email. Each email's links work once; sign in to change the step.",
			at.Format("Monday 2 January"), at.Format("15:04"), actionDone[tl.StepAction(c.d.UsedAction)])
	case linkExpired:
		return tl.Errorf(tl.EINVALID, "This link has expired: a weekly email's links work until its week ends. Sign in to see this week's step.")
	case linkMoot:
		return tl.Errorf(tl.ECONFLICT, "%s", c.moot)
	}
	return nil
}

// StepLink says what a step link's button would do, changing nothing.
func (a *App) StepLink(ctx context.Context, token string) (*tl.StepLink, error) {
	now := a.clock()
	var out *tl.StepLink
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		c, err := a.stepLink(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if err := c.refusal(); err != nil {
			return err
		}
		if c.out.Why, err = a.stepWhySentence(ctx, tx, c.step, now); err != nil {
			return err
		}
		out = c.out
		return nil
	})
	return out, err
}

// stepWhySentence is the step's reason as the week's report gives it.
func (a *App) stepWhySentence(ctx context.Context, tx *store.Tx, s *tl.Step, now time.Time) (string, error) {
	set, err := settingsFor(ctx, tx, s.LeaderID)
	if err != nil {
		return "", err
	}
	r, err := tx.RelationshipByID(ctx, s.LeaderID, s.RelationshipID)
	if err != nil {
		return "", err
	}
	as, recent, err := a.assessOne(ctx, tx, set, r, now)
	if err != nil {
		return "", err
	}
	return stepWhy(set, s, r.Person, as, recent, now).Sentence, nil
}

// UseStepLink does what the link says, once: it accepts, skips or marks
// done the step its email named, in the same transaction that ends the
// email's links. A used, expired or moot link changes nothing.
func (a *App) UseStepLink(ctx context.Context, token string) (*tl.StepLink, error) {
	now := a.clock()
	var out *tl.StepLink
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		c, err := a.stepLink(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if err := c.refusal(); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, c.d.LeaderID)
		if err != nil {
			return err
		}
		s := c.step
		var p *tl.Promise
		switch c.out.Action {
		case tl.StepActionAccept:
			p, err = a.acceptStep(ctx, tx, set, s, s.WeekStart, now)
		case tl.StepActionSkip:
			p, err = a.closeStep(ctx, tx, set, s, tl.StepSkipped, now)
		case tl.StepActionDone:
			if s.Status == tl.StepSuggested {
				if _, err = a.acceptStep(ctx, tx, set, s, s.WeekStart, now); err != nil {
					return err
				}
			}
			p, err = a.closeStep(ctx, tx, set, s, tl.StepDone, now)
		}
		if err != nil {
			return err
		}
		if err := tx.UseDigest(ctx, c.d.ID, string(c.out.Action), now); err != nil {
			return err
		}
		out = c.out
		out.Step, out.Promise, out.Used = *s, p, true
		return nil
	})
	return out, err
}

// unsubscription loads what an unsubscribe link stands for.
func unsubscription(ctx context.Context, tx *store.Tx, token string) (*tl.Unsubscription, string, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, "", errBadUnsub
	}
	link, err := tx.MailLinkByHash(ctx, hashToken(token))
	if tl.ErrorCode(err) == tl.ENOTFOUND || (err == nil && link.Action != store.LinkUnsubscribe) {
		return nil, "", errBadUnsub
	}
	if err != nil {
		return nil, "", err
	}
	l, err := tx.LeaderByID(ctx, link.LeaderID)
	if err != nil {
		return nil, "", err
	}
	out := &tl.Unsubscription{Leader: l.Name}
	if u, err := tx.UserByLeader(ctx, l.ID); err == nil {
		out.Email = u.Email
	} else if tl.ErrorCode(err) != tl.ENOTFOUND {
		return nil, "", err
	}
	s, err := scheduleFor(ctx, tx, l.ID)
	if err != nil {
		return nil, "", err
	}
	out.Off = s.MailOff
	return out, l.ID, nil
}

// Unsubscription says whose mail an unsubscribe link turns off.
func (a *App) Unsubscription(ctx context.Context, token string) (*tl.Unsubscription, error) {
	var out *tl.Unsubscription
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = unsubscription(ctx, tx, token)
		return err
	})
	return out, err
}

// Unsubscribe turns the weekly email and the due-day reminders off for the
// link's leader, keeping their day and hour for when they turn it on
// again on the account page. Using the link again changes nothing.
func (a *App) Unsubscribe(ctx context.Context, token string) (*tl.Unsubscription, error) {
	now := a.clock()
	var out *tl.Unsubscription
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		u, leaderID, err := unsubscription(ctx, tx, token)
		if err != nil {
			return err
		}
		if !u.Off {
			s, err := scheduleFor(ctx, tx, leaderID)
			if err != nil {
				return err
			}
			s.MailOff, s.UpdatedAt = true, now
			if err := tx.PutDigestSchedule(ctx, &s); err != nil {
				return err
			}
		}
		u.Off = true
		out = u
		return nil
	})
	return out, err
}
