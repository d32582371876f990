package app

import (
	"context"
	"slices"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// The weekly loop by mail (docs/OPERATIONS.md, "The weekly mail"): when
// it goes out, and the tick's two jobs that queue it. What it says is in
// weeklymail_content.go, its links in weeklymail_links.go.

var _ tl.WeeklyMailService = (*App)(nil)

// stepLinkGrace is how long a step link is kept after it expired, so that
// opening it says "expired" rather than "not valid".
const stepLinkGrace = 30 * day

// schedule is the leader's weekly mail schedule, the default when they
// never chose one.
func schedule(scheds map[string]store.DigestSchedule, leaderID string) store.DigestSchedule {
	if s, ok := scheds[leaderID]; ok {
		return s
	}
	d, _ := tl.WeeklyMailDay(tl.DefaultWeeklyMail.Day)
	return store.DigestSchedule{LeaderID: leaderID, Weekday: d, Hour: tl.DefaultWeeklyMail.Hour, MailOff: !tl.DefaultWeeklyMail.Mail}
}

// scheduleFor reads one leader's schedule.
func scheduleFor(ctx context.Context, tx *store.Tx, leaderID string) (store.DigestSchedule, error) {
	s, err := tx.DigestSchedule(ctx, leaderID)
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return schedule(nil, leaderID), nil
	}
	if err != nil {
		return store.DigestSchedule{}, err
	}
	return *s, nil
}

// digestTimes says when the digest of the week that holds now goes out
// for a leader in loc who chose weekday (0 Monday … 6 Sunday) and hour:
// the week's name, the moment it is due, and the end of that day. A
// digest not sent by the end of its day (the server was down, or the
// leader joined later that week) is not sent late: the week is skipped.
// Day and hour are read in loc, so a leader's 08:00 stays 08:00 across
// daylight saving time.
func digestTimes(now time.Time, loc *time.Location, weekday, hour int) (week, due, until time.Time) {
	week = tl.WeekStartIn(now, loc)
	b := tl.WeekBegins(week, loc)
	due = time.Date(b.Year(), b.Month(), b.Day()+weekday, hour, 0, 0, 0, loc)
	until = time.Date(b.Year(), b.Month(), b.Day()+weekday+1, 0, 0, 0, 0, loc)
	return week, due, until
}

// nextDigest is when the next digest goes out after now for a leader in
// loc: this week's, unless it went already (sent) or its day is over.
func nextDigest(now time.Time, loc *time.Location, weekday, hour int, sent bool) time.Time {
	week, due, until := digestTimes(now, loc, weekday, hour)
	if !sent && now.Before(until) {
		if now.Before(due) {
			return due
		}
		return now
	}
	_, due, _ = digestTimes(tl.WeekBegins(week.AddDate(0, 0, 7), loc), loc, weekday, hour)
	return due
}

// weekEnds is the first instant after the week named week, in loc: when
// the week's step links expire.
func weekEnds(week time.Time, loc *time.Location) time.Time {
	return tl.WeekBegins(week.AddDate(0, 0, 7), loc)
}

// reminderTimes says when a promise due at due is reminded of, for a
// leader in loc who chose hour: at that hour on the date it falls due
// there, until that date ends.
func reminderTimes(due time.Time, loc *time.Location, hour int) (at, until time.Time) {
	d := due.In(loc)
	at = time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	until = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	return at, until
}

// WeeklyMail is when the leader's weekly email goes out, and where.
func (a *App) WeeklyMail(ctx context.Context, leaderID string) (*tl.WeeklyMail, error) {
	now := a.clock()
	var out *tl.WeeklyMail
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		s, err := scheduleFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		out, err = a.weeklyMail(ctx, tx, s, now)
		return err
	})
	return out, err
}

// SetWeeklyMail changes the day, the hour, or whether mail goes out at
// all. A digest already sent this week stays the only one of the week.
func (a *App) SetWeeklyMail(ctx context.Context, leaderID string, w tl.WeeklyMail) (*tl.WeeklyMail, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	day, _ := tl.WeeklyMailDay(w.Day)
	now := a.clock()
	var out *tl.WeeklyMail
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		s := store.DigestSchedule{LeaderID: leaderID, Weekday: day, Hour: w.Hour, MailOff: !w.Mail, UpdatedAt: now}
		if err := tx.PutDigestSchedule(ctx, &s); err != nil {
			return err
		}
		var err error
		out, err = a.weeklyMail(ctx, tx, s, now)
		return err
	})
	return out, err
}

// weeklyMail describes a schedule for the leader: where the mail goes, in
// which zone, and when next.
func (a *App) weeklyMail(ctx context.Context, tx *store.Tx, s store.DigestSchedule, now time.Time) (*tl.WeeklyMail, error) {
	loc, err := a.leaderZone(ctx, tx, s.LeaderID)
	if err != nil {
		return nil, err
	}
	out := &tl.WeeklyMail{Day: tl.WeeklyMailDays[s.Weekday], Hour: s.Hour, Mail: !s.MailOff, Zone: loc.String()}
	u, err := tx.UserByLeader(ctx, s.LeaderID)
	switch {
	case err == nil:
		out.Email = u.Email
	case tl.ErrorCode(err) != tl.ENOTFOUND:
		return nil, err
	}
	if out.Mail && out.Email != "" {
		last, err := tx.LastDigest(ctx, s.LeaderID)
		if err != nil && tl.ErrorCode(err) != tl.ENOTFOUND {
			return nil, err
		}
		sent := last != nil && !last.Week.Before(tl.WeekStartIn(now, loc))
		out.Next = nextDigest(now, loc, s.Weekday, s.Hour, sent)
	}
	return out, nil
}

// queueDigests queues each leader's weekly digest once its day and hour
// have come in the leader's zone: the email (unless the leader turned it
// off or has no account) and the digest.weekly webhook deliveries. The
// digest row's primary key (leader, week) makes it go once per leader and
// week, however many instances tick and however often they restart.
func (a *App) queueDigests(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	now := turn.now
	leaders, err := tx.Leaders(ctx)
	if err != nil {
		return err
	}
	scheds, err := tx.DigestSchedules(ctx)
	if err != nil {
		return err
	}
	weeks, err := tx.DigestWeeks(ctx)
	if err != nil {
		return err
	}
	// No zone is ahead of UTC by more than 14 hours: a leader whose last
	// digest is of the week UTC+14 is in has had this week's, wherever
	// they live, and their zone need not be read every minute.
	latest := tl.WeekStartIn(now.Add(14*time.Hour), time.UTC)
	for i := range leaders {
		l := &leaders[i]
		last, sent := weeks[l.ID]
		if sent && !last.Before(latest) {
			continue
		}
		s := schedule(scheds, l.ID)
		loc, err := turn.zone(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		week, due, until := digestTimes(now, loc, s.Weekday, s.Hour)
		if sent && !last.Before(week) {
			continue
		}
		if now.Before(due) || !now.Before(until) {
			continue
		}
		if err := a.queueDigest(ctx, tx, l, s, loc, week, now); err != nil {
			return err
		}
	}
	return tx.DeleteExpiredMailLinks(ctx, now.Add(-stepLinkGrace))
}

// queueDigest queues one leader's digest of week, if anyone is to get it
// and the leader leads anyone.
func (a *App) queueDigest(ctx context.Context, tx *store.Tx, l *tl.Leader, s store.DigestSchedule, loc *time.Location, week, now time.Time) error {
	var to *tl.User
	if !s.MailOff {
		u, err := tx.UserByLeader(ctx, l.ID)
		switch {
		case err == nil && u.Email != "":
			to = u
		case err != nil && tl.ErrorCode(err) != tl.ENOTFOUND:
			return err
		}
	}
	hooks, err := tx.Webhooks(ctx, l.ID)
	if err != nil {
		return err
	}
	hooks = slices.DeleteFunc(hooks, func(h store.Webhook) bool { return !slices.Contains(h.Events, tl.EventDigestWeekly) })
	if to == nil && len(hooks) == 0 {
		return nil
	}
	rels, err := tx.Relationships(ctx, l.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rels, func(r tl.Relationship) bool { return r.Active }) {
		return nil // a leader of nobody has no week to tell of
	}
	since := now.Add(-7 * day)
	last, err := tx.LastDigest(ctx, l.ID)
	switch {
	case err == nil:
		since = last.CreatedAt
	case tl.ErrorCode(err) != tl.ENOTFOUND:
		return err
	}
	// The week's step is chosen now if it was not yet, so that the mail
	// and the webhook name the same one.
	rep, err := a.weekReport(ctx, tx, l.ID, now)
	if err != nil {
		return err
	}
	d := &store.Digest{ID: store.NewID(now), LeaderID: l.ID, Week: week, Since: since, CreatedAt: now, ExpiresAt: weekEnds(week, loc)}
	if rep.Step != nil {
		d.StepID = rep.Step.ID
	}
	if ok, err := tx.CreateDigest(ctx, d); err != nil || !ok {
		return err
	}
	if to != nil {
		if _, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.MailDigest,
			DedupeKey: "digest:" + l.ID + ":" + week.Format(time.DateOnly), To: to.Email, ToName: to.Name, Ref: d.ID, CreatedAt: now}); err != nil {
			return err
		}
	}
	if len(hooks) == 0 {
		return nil
	}
	c, err := a.digestContent(ctx, tx, l, d, loc, rep, now)
	if err != nil {
		return err
	}
	text, data := c.webhook()
	return notify(ctx, tx, l.ID, tl.EventDigestWeekly, week.Format(time.DateOnly), text, data, now)
}

// remindPromisesDue queues a reminder on the morning an open promise
// falls due, at the leader's weekly mail hour in the leader's zone, once
// per promise and due date (the outbox key holds it). A promise made
// after that hour, or a leader whose mail is off, gets none.
func (a *App) remindPromisesDue(ctx context.Context, tx *store.Tx, turn *tickTurn) error {
	now := turn.now
	// Whatever the zone, a promise falling due today is due within two
	// days of now.
	soon, err := tx.OverduePromises(ctx, now.Add(2*day))
	if err != nil {
		return err
	}
	var scheds map[string]store.DigestSchedule
	for _, c := range soon {
		if c.Status != tl.PromiseOpen {
			continue
		}
		if scheds == nil {
			if scheds, err = tx.DigestSchedules(ctx); err != nil {
				return err
			}
		}
		s := schedule(scheds, c.LeaderID)
		if s.MailOff {
			continue
		}
		loc, err := turn.zone(ctx, tx, c.LeaderID)
		if err != nil {
			return err
		}
		at, until := reminderTimes(c.Due, loc, s.Hour)
		if now.Before(at) || !now.Before(until) || !c.CreatedAt.Before(at) {
			continue
		}
		u, err := tx.UserByLeader(ctx, c.LeaderID)
		if tl.ErrorCode(err) == tl.ENOTFOUND || (err == nil && u.Email == "") {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.MailPromiseDue,
			DedupeKey: "promise-due:" + c.ID + ":" + c.Due.UTC().Format(time.RFC3339), To: u.Email, ToName: u.Name,
			Ref: c.ID, Ref2: c.LeaderID, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}
