package trustledger

import (
	"context"
	"strings"
	"time"
)

// The weekly loop by mail (docs/OPERATIONS.md, "The weekly mail"): on the
// leader's chosen morning one short email with this week's step and its
// one-click links, the promises coming due and what arrived since the last
// one; on the morning a promise falls due, a reminder. Both follow the
// leader's zone and go through the outbox.

// WeeklyMail is when a leader's weekly email goes out, in the leader's own
// zone. A leader who never chose gets DefaultWeeklyMail.
type WeeklyMail struct {
	Day  string `json:"day"`  // a WeeklyMailDays name
	Hour int    `json:"hour"` // 0–23
	// Mail off stops the weekly email and the reminders on the morning a
	// promise falls due. A webhook that asked for EventDigestWeekly still
	// gets the digest at Day and Hour.
	Mail bool `json:"mail"`
	// What the services fill in when they answer; a caller's value is
	// ignored. Email is where the mail goes, the account's address ("" when
	// the leader has no account); Zone the zone Day and Hour are read in;
	// Next when the next weekly email goes out (zero with mail off).
	Email string    `json:"email,omitempty"`
	Zone  string    `json:"zone"`
	Next  time.Time `json:"next,omitzero"`
}

// DefaultWeeklyMail is Monday at 08:00, mail on.
var DefaultWeeklyMail = WeeklyMail{Day: "monday", Hour: 8, Mail: true}

// WeeklyMailDays are the days a weekly email may go out on, Monday first,
// as the week runs (WeekStartIn).
var WeeklyMailDays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// WeeklyMailDay is the index of day in WeeklyMailDays (0 for Monday), or
// EINVALID naming the field.
func WeeklyMailDay(day string) (int, error) {
	d := strings.ToLower(strings.TrimSpace(day))
	for i, n := range WeeklyMailDays {
		if d == n || (len(d) >= 3 && strings.HasPrefix(n, d)) {
			return i, nil
		}
	}
	return 0, Invalidf("day", "Pick a day of the week (monday … sunday), not %q", day)
}

// Validate checks the day and the hour.
func (w WeeklyMail) Validate() error {
	if _, err := WeeklyMailDay(w.Day); err != nil {
		return err
	}
	if w.Hour < 0 || w.Hour > 23 {
		return Invalidf("hour", "Pick an hour from 0 to 23, not %d", w.Hour)
	}
	return nil
}

// StepAction is what one of the weekly email's links does to the week's
// step: accept it, skip it, or mark it done.
type StepAction string

// The step links' actions. Done on a step that was only suggested accepts
// it and keeps it at once: the leader did it already.
const (
	StepActionAccept StepAction = "accept"
	StepActionSkip   StepAction = "skip"
	StepActionDone   StepAction = "done"
)

// StepLink is one of the weekly email's one-click links, as its page shows
// it: what pressing its button does. The links need no password, work
// once, all three of an email become void once one is used, and expire
// when the week ends; opening one changes nothing, because mail scanners
// open links too.
type StepLink struct {
	Leader    string     `json:"leader"`
	Action    StepAction `json:"action"`
	Step      Step       `json:"step"`
	Why       string     `json:"why,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	// Used says the button was pressed: Promise is then the promise
	// accepting made (accept), or the promise done kept (done).
	Used    bool     `json:"used"`
	Promise *Promise `json:"promise,omitempty"`
}

// Unsubscription is what an unsubscribe link turns off: the weekly email
// and the due-day reminders of one leader's account.
type Unsubscription struct {
	Leader string `json:"leader"`
	Email  string `json:"email"`
	Off    bool   `json:"off"` // mail is off already
}

// WeeklyMailService is the weekly loop by mail. WeeklyMail and
// SetWeeklyMail act for one leader, as in Service. The link methods take a
// token from a mailed link and no leader: the link is the credential.
// StepLink and Unsubscription only say what a link would do; UseStepLink
// and Unsubscribe do it. An unknown or altered token is ENOTFOUND; a step
// link of an email whose links were used, or whose step is no longer where
// its action applies, ECONFLICT; an expired one EINVALID: each with a
// sentence for the page to show, and each changing nothing.
type WeeklyMailService interface {
	WeeklyMail(ctx context.Context, leaderID string) (*WeeklyMail, error)
	SetWeeklyMail(ctx context.Context, leaderID string, w WeeklyMail) (*WeeklyMail, error)
	StepLink(ctx context.Context, token string) (*StepLink, error)
	UseStepLink(ctx context.Context, token string) (*StepLink, error)
	Unsubscription(ctx context.Context, token string) (*Unsubscription, error)
	Unsubscribe(ctx context.Context, token string) (*Unsubscription, error)
}
