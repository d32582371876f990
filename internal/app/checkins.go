package app

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Named check-ins (the article's exercise, MODEL.md §5): a leader asks one
// person how their decisions or communication affected the person's
// confidence. Not anonymous, and the person is told so; the answer is a
// check-in snapshot for that one relationship.

const byPerson = "person"

// AskCheckin asks one person, by mail or by a link the leader passes on.
// Asking again while one is unanswered replaces it.
func (a *App) AskCheckin(ctx context.Context, leaderID, person, delivery string) (*tl.Checkin, string, error) {
	now := a.clock()
	var out *tl.Checkin
	token := ""
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		if !r.Active {
			return tl.Errorf(tl.EINVALID, "%s is not active: activate them before asking", r.Person)
		}
		d := delivery
		if d == "" {
			d = tl.DeliveryEmail
			if r.Email == "" {
				d = tl.DeliveryLink
			}
		}
		switch d {
		case tl.DeliveryEmail:
			if r.Email == "" {
				return tl.Errorf(tl.EINVALID, "%s has no email address: add one on their page, or ask by link", r.Person)
			}
		case tl.DeliveryLink:
		default:
			return tl.Errorf(tl.EINVALID, "delivery must be %q or %q, got %q", tl.DeliveryEmail, tl.DeliveryLink, delivery)
		}
		if old, err := tx.OpenCheckinFor(ctx, r.ID); err == nil {
			if err := tx.DeletePassesFor(ctx, store.PassCheckin, old.ID); err != nil {
				return err
			}
			if err := tx.DeleteCheckin(ctx, old.ID); err != nil {
				return err
			}
		} else if tl.ErrorCode(err) != tl.ENOTFOUND {
			return err
		}
		c := &store.CheckinRow{Checkin: tl.Checkin{ID: store.NewID(now), LeaderID: leaderID, RelationshipID: r.ID,
			Person: r.Person, Delivery: d, CreatedAt: now}}
		if d == tl.DeliveryLink {
			token = rand.Text()
			c.TokenHash = hashToken(token)
		}
		if err := tx.CreateCheckin(ctx, c); err != nil {
			return err
		}
		if d == tl.DeliveryEmail {
			if _, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.MailCheckin, DedupeKey: "checkin:" + c.ID,
				To: r.Email, ToName: r.Person, Ref: c.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		out = &c.Checkin
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// checkinMailLink issues the check-in's link when its mail is sent.
func (a *App) checkinMailLink(ctx context.Context, checkinID string) (mailLink, error) {
	var out mailLink
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		out = mailLink{}
		c, err := tx.CheckinByID(ctx, checkinID)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			out.Done = true // replaced by a newer check-in
			return nil
		}
		if err != nil {
			return err
		}
		if !c.AnsweredAt.IsZero() {
			out.Done = true
			return nil
		}
		l, err := tx.LeaderByID(ctx, c.LeaderID)
		if err != nil {
			return err
		}
		token := rand.Text()
		c.TokenHash = hashToken(token)
		if err := tx.UpdateCheckin(ctx, c); err != nil {
			return err
		}
		out = mailLink{Token: token, Path: checkinLinkPrefix + token, Leader: l.Name, Person: c.Person}
		return nil
	})
	return out, err
}

// Checkins lists the leader's check-ins, newest first, with the answers.
func (a *App) Checkins(ctx context.Context, leaderID string) ([]tl.Checkin, error) {
	var out []tl.Checkin
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		rows, err := tx.Checkins(ctx, leaderID)
		for _, c := range rows {
			out = append(out, withRatings(c))
		}
		return err
	})
	return nonNil(out), err
}

func withRatings(c store.CheckinRow) tl.Checkin {
	out := c.Checkin
	if c.Ratings != "" {
		m := decodeAnswers(c.Ratings)
		for _, it := range tl.CheckinItems {
			out.Ratings = append(out.Ratings, m[it.ID])
		}
	}
	return out
}

// OpenCheckinLink exchanges a check-in link's token for a pass.
func (a *App) OpenCheckinLink(ctx context.Context, token string) (string, error) {
	now := a.clock()
	pass := rand.Text()
	err := a.db.WriteQuiet(ctx, func(tx *store.Tx) error {
		c, err := tx.CheckinByHash(ctx, hashToken(strings.TrimSpace(token)))
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return tl.Errorf(tl.ENOTFOUND, "this link is not valid: it may have been replaced by a newer question")
			}
			return err
		}
		if !c.AnsweredAt.IsZero() {
			return tl.Errorf(tl.ECONFLICT, "you have already answered this check-in: thank you")
		}
		return tx.CreatePass(ctx, &store.Pass{Hash: hashToken(pass), Purpose: store.PassCheckin, Ref: c.ID, ExpiresAt: now.Add(tl.AnswerPassTTL)})
	})
	if err != nil {
		return "", err
	}
	return pass, nil
}

func checkinPass(ctx context.Context, tx *store.Tx, pass string, now time.Time) (*store.Pass, *store.CheckinRow, error) {
	ps, err := tx.PassByHash(ctx, hashToken(strings.TrimSpace(pass)), store.PassCheckin, now)
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.CheckinByID(ctx, ps.Ref)
	if err != nil {
		return nil, nil, err
	}
	return ps, c, nil
}

// CheckinForm is what the person asked sees.
func (a *App) CheckinForm(ctx context.Context, pass string) (*tl.CheckinForm, error) {
	now := a.clock()
	var out *tl.CheckinForm
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		_, c, err := checkinPass(ctx, tx, pass, now)
		if err != nil {
			return err
		}
		l, err := tx.LeaderByID(ctx, c.LeaderID)
		if err != nil {
			return err
		}
		out = &tl.CheckinForm{CheckinID: c.ID, Leader: l.Name, Person: c.Person, Question: tl.CheckinQuestion,
			Items: tl.CheckinItems, Answered: !c.AnsweredAt.IsZero()}
		return nil
	})
	return out, err
}

// AnswerCheckin stores the person's named answer and logs it as a
// check-in snapshot for their relationship.
func (a *App) AnswerCheckin(ctx context.Context, pass string, ratings map[string]int, comment string) error {
	var vals [engine.NumDims]float64
	for i, it := range tl.CheckinItems {
		v, ok := ratings[it.ID]
		if !ok {
			return tl.Invalidf("ratings", "answer every question: %q has no answer", it.Text)
		}
		if v < 1 || v > 5 {
			return tl.Invalidf("ratings", "the answer to %q must be 1–5, got %d", it.Text, v)
		}
		vals[i] = float64(v)
	}
	for id := range ratings {
		if !slicesContainsItem(tl.CheckinItems, id) {
			return tl.Invalidf("ratings", "%q is not one of the questions", id)
		}
	}
	comment, err := cleanText("comment", comment, tl.MaxCommentLength)
	if err != nil {
		return tl.WithField(err, "comment")
	}
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		ps, c, err := checkinPass(ctx, tx, pass, now)
		if err != nil {
			return err
		}
		if !c.AnsweredAt.IsZero() {
			return tl.Errorf(tl.ECONFLICT, "you have already answered this check-in: thank you")
		}
		if ok, err := tx.DeletePass(ctx, ps.Hash); err != nil {
			return err
		} else if !ok {
			return tl.Errorf(tl.ECONFLICT, "this answer was already sent: thank you")
		}
		set, err := settingsFor(ctx, tx, c.LeaderID)
		if err != nil {
			return err
		}
		r, err := tx.RelationshipByID(ctx, c.LeaderID, c.RelationshipID)
		if err != nil {
			return err
		}
		snap := engine.CheckinSnapshot(now, vals)
		ev := &tl.Event{ID: store.NewID(now), LeaderID: c.LeaderID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
			Kind: engine.KindCheckin, OccurredAt: now, RecordedAt: now, Source: engine.Confirmed, Severity: engine.Normal,
			Note: "check-in answered by " + r.Person, RecordedBy: byPerson, Snapshot: &snap}
		if err := record(ctx, tx, set, ev, []tl.Relationship{*r}, nil); err != nil {
			return err
		}
		m := map[string]int{}
		for _, it := range tl.CheckinItems {
			m[it.ID] = ratings[it.ID]
		}
		c.Ratings = encodeCheckin(m)
		c.Comment, c.AnsweredAt, c.EventID = comment, now, ev.ID
		return tx.UpdateCheckin(ctx, c)
	})
}

func slicesContainsItem(items []tl.PulseItem, id string) bool {
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// encodeCheckin writes ratings as "ca=4;cb=3;ci=5".
func encodeCheckin(m map[string]int) string {
	var parts []string
	for _, it := range tl.CheckinItems {
		parts = append(parts, it.ID+"="+strconv.Itoa(m[it.ID]))
	}
	return strings.Join(parts, ";")
}

// personOf names the person an entry is about, for messages ("the
// person" when it is not one person's or cannot be found).
func personOf(ctx context.Context, tx *store.Tx, leaderID string, ev *tl.Event) string {
	if ev.RelationshipID != "" {
		if r, err := tx.RelationshipByID(ctx, leaderID, ev.RelationshipID); err == nil {
			return r.Person
		}
	}
	return "the person"
}
