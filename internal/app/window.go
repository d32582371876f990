package app

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// The team's window: what a member sees of their leader (open and kept
// promises to them and to their team, decisions with their reasons), and
// what they can say back: confirm or dispute a kept promise (named), and
// react to a decision (anonymous, released in batches of k).

const windowListLen = 50

// SendWindowLink mails a person the link to their window, at their
// confirmed address. The link is made when the message is sent and never
// shown to anyone else: a link the leader could open would show the
// leader the member's window, whether they reacted included
// (docs/ANONYMITY.md, rule 6). A new link replaces the one sent before.
func (a *App) SendWindowLink(ctx context.Context, leaderID, person string) error {
	now := a.clock()
	return a.mailPerson(ctx, leaderID, person, func(tx *store.Tx, r *tl.Relationship) error {
		if r.EmailConfirmedAt.IsZero() {
			return tl.Errorf(tl.EINVALID, "%s has not confirmed %s yet: the window link goes only to a confirmed address (send the confirmation again from their page, or: trustledger person confirm %s)", r.Person, r.Email, r.Person)
		}
		_, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.MailWindow,
			DedupeKey: "window:" + r.ID + ":" + store.NewID(now),
			To:        r.Email, ToName: r.Person, Ref: r.ID, CreatedAt: now})
		return err
	})
}

// windowMailLink issues a window link at the moment its message is sent;
// Done when the person left or their address changed meanwhile.
func (a *App) windowMailLink(ctx context.Context, relID, to string) (mailLink, error) {
	now := a.clock()
	var out mailLink
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		out = mailLink{}
		r, err := tx.RelationshipAny(ctx, relID)
		if err != nil {
			return err
		}
		if !r.Active || r.Email != to || r.EmailConfirmedAt.IsZero() {
			out.Done = true
			return nil
		}
		l, err := tx.LeaderByID(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		token := rand.Text()
		if err := tx.DeletePassesFor(ctx, store.PassWindow, r.ID); err != nil {
			return err
		}
		if err := tx.PutWindowLink(ctx, r.ID, hashToken(token), now); err != nil {
			return err
		}
		out = mailLink{Token: token, Path: windowLinkPrefix + token, Leader: l.Name, Person: r.Person, Team: teamName(ctx, tx, r)}
		return nil
	})
	return out, err
}

// OpenWindowLink exchanges a window link's token for a pass.
func (a *App) OpenWindowLink(ctx context.Context, token string) (string, error) {
	now := a.clock()
	pass := rand.Text()
	err := a.db.WriteQuiet(ctx, func(tx *store.Tx) error {
		relID, err := tx.WindowLinkByHash(ctx, hashToken(strings.TrimSpace(token)))
		if err != nil {
			return err
		}
		return tx.CreatePass(ctx, &store.Pass{Hash: hashToken(pass), Purpose: store.PassWindow, Ref: relID, ExpiresAt: now.Add(tl.WindowPassTTL)})
	})
	if err != nil {
		return "", err
	}
	return pass, nil
}

// WindowForPass resolves a window pass to the relationship it stands for.
func (a *App) WindowForPass(ctx context.Context, pass string) (string, error) {
	now := a.clock()
	var out string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		ps, err := tx.PassByHash(ctx, hashToken(strings.TrimSpace(pass)), store.PassWindow, now)
		if err != nil {
			return tl.Errorf(tl.ENOTFOUND, "this page has expired: open your link again")
		}
		if _, err := windowRel(ctx, tx, ps.Ref); err != nil {
			return err
		}
		out = ps.Ref
		return nil
	})
	return out, err
}

// MemberRelationships are the relationships a member account stands for:
// those, under any leader, whose person has the account's email.
func (a *App) MemberRelationships(ctx context.Context, userID string) ([]tl.Relationship, error) {
	var out []tl.Relationship
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		// Only an address its owner proved opens a window: a member
		// account made without that proof, or a person whose address the
		// leader typed and nobody confirmed, opens nothing
		// (docs/ANONYMITY.md, rule 6).
		if u.Role != tl.RoleMember || u.Email == "" || u.EmailVerifiedAt.IsZero() {
			return nil
		}
		rels, err := tx.RelationshipsByEmail(ctx, u.Email)
		for _, r := range rels {
			if !r.EmailConfirmedAt.IsZero() {
				out = append(out, r)
			}
		}
		return err
	})
	return nonNil(out), err
}

// windowRel finds the relationship a window stands for. The window is
// for the people a leader leads now: once a person is made inactive (or
// erased) it closes, and they can no longer confirm or react.
func windowRel(ctx context.Context, tx *store.Tx, relID string) (*tl.Relationship, error) {
	r, err := tx.RelationshipAny(ctx, relID)
	if err != nil {
		return nil, err
	}
	if !r.Active {
		return nil, tl.Errorf(tl.ENOTFOUND, "this window has closed: you are no longer among the people this leader leads")
	}
	return r, nil
}

// concerns reports whether a promise or decision is about r: made to r or
// to r's team.
func concerns(relID, teamID string, r *tl.Relationship) bool {
	return (relID != "" && relID == r.ID) || (relID == "" && teamID != "" && teamID == r.TeamID)
}

// Window is what the person of relationshipID sees of their leader.
func (a *App) Window(ctx context.Context, relationshipID string) (*tl.Window, error) {
	now := a.clock()
	var out *tl.Window
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		r, err := windowRel(ctx, tx, relationshipID)
		if err != nil {
			return err
		}
		l, err := tx.LeaderByID(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		w := &tl.Window{Leader: l.Name, Person: r.Person, Open: []tl.WindowPromise{}, Kept: []tl.WindowPromise{}, Decisions: []tl.WindowDecision{},
			Voice: []tl.Standing{}, Pulses: []tl.WindowPulse{}}
		teams, err := tx.Teams(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		for _, t := range teams {
			if t.ID == r.TeamID {
				w.Team = t.Name
			}
		}
		mine, err := tx.Confirmations(ctx, r.ID)
		if err != nil {
			return err
		}
		cs, err := tx.Promises(ctx, r.LeaderID, "")
		if err != nil {
			return err
		}
		for _, c := range cs {
			if !concerns(c.RelationshipID, c.TeamID, r) {
				continue
			}
			// A promise made by accepting a weekly step keeps that to the
			// leader: the step was chosen from their scores.
			c.StepID = ""
			wp := tl.WindowPromise{Promise: c, ToMe: c.RelationshipID == r.ID, Mine: mine[c.ID]}
			switch c.Status {
			case tl.PromiseOpen:
				w.Open = append(w.Open, wp)
			case tl.PromiseKept, tl.PromiseKeptLate:
				w.Kept = append(w.Kept, wp)
			}
		}
		slices.SortStableFunc(w.Kept, func(x, y tl.WindowPromise) int { return y.Promise.ResolvedAt.Compare(x.Promise.ResolvedAt) })
		w.Kept = w.Kept[:min(len(w.Kept), windowListLen)]
		reacted, err := tx.Reacted(ctx, r.ID)
		if err != nil {
			return err
		}
		ds, err := tx.Decisions(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if concerns(d.RelationshipID, d.TeamID, r) {
				w.Decisions = append(w.Decisions, tl.WindowDecision{Decision: d, Reacted: reacted[d.ID]})
			}
		}
		slices.SortStableFunc(w.Decisions, func(x, y tl.WindowDecision) int { return y.Decision.DecidedAt.Compare(x.Decision.DecidedAt) })
		w.Decisions = w.Decisions[:min(len(w.Decisions), windowListLen)]
		for i := range w.Decisions {
			rc, err := tx.ReleasedReactions(ctx, w.Decisions[i].Decision.ID)
			if err != nil {
				return err
			}
			w.Decisions[i].Reactions = rc.ReactionCounts
		}
		set, err := settingsFor(ctx, tx, r.LeaderID)
		if err != nil {
			return err
		}
		w.K = set.K
		if err := windowVoice(ctx, tx, w, r, now); err != nil {
			return err
		}
		if set.ShareSayDo == 1 {
			loc, err := a.leaderZone(ctx, tx, r.LeaderID)
			if err != nil {
				return err
			}
			w.SayDo = sayDo(cs, now, loc)
		}
		out = w
		return nil
	})
	return out, err
}

// sayDo is the leader's say/do ratio over all their promises, the one
// count behind App.SayDo and the team's window: kept on time or late over
// those resolved or past their due day (in loc, the leader's zone);
// renegotiated ones are left out.
func sayDo(cs []tl.Promise, now time.Time, loc *time.Location) *tl.SayDoRatio {
	var out tl.SayDoRatio
	for _, c := range cs {
		switch c.Status {
		case tl.PromiseKept, tl.PromiseKeptLate:
			out.Kept++
			out.Due++
		case tl.PromiseBroken:
			out.Due++
		case tl.PromiseOpen:
			if now.After(tl.EndOfDay(c.Due, loc)) {
				out.Due++
			}
		}
	}
	return &out
}

// ConfirmPromise records the person's confirmation or dispute of a kept
// promise (MODEL.md §5): the leader's self-logged "kept" leaves this
// relationship's evidence; a confirmation puts it back as confirmed
// evidence, a dispute does not (no automatic penalty).
func (a *App) ConfirmPromise(ctx context.Context, relationshipID, promiseID string, confirm bool) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		r, err := windowRel(ctx, tx, relationshipID)
		if err != nil {
			return err
		}
		c, err := tx.PromiseByID(ctx, r.LeaderID, strings.TrimSpace(promiseID))
		if err != nil || !concerns(c.RelationshipID, c.TeamID, r) {
			return tl.Errorf(tl.ENOTFOUND, "no promise %q to you or your team", promiseID)
		}
		if c.Status != tl.PromiseKept && c.Status != tl.PromiseKeptLate {
			return tl.Errorf(tl.EINVALID, "this promise is %s, not kept: only a kept promise can be confirmed or disputed", c.Status)
		}
		set, err := settingsFor(ctx, tx, r.LeaderID)
		if err != nil {
			return err
		}
		state := "disputed"
		if confirm {
			state = "confirmed"
		}
		conf := &store.Confirmation{PromiseID: c.ID, RelationshipID: r.ID, State: state, CreatedAt: now}
		// The leader's own "kept" entry that reached this person.
		evs, err := tx.EventsForPromise(ctx, r.LeaderID, c.ID)
		if err != nil {
			return err
		}
		var kept *tl.Event
		for i := range evs {
			e := &evs[i]
			if e.Reverses == "" && e.Source == engine.Self && (e.Kind == kindPromiseKept || e.Kind == kindPromiseKeptLate) && slices.Contains(e.Targets, r.ID) {
				gone, err := tx.ReversedTargets(ctx, e.ID)
				if err != nil {
					return err
				}
				if !slices.Contains(gone, r.ID) {
					kept = e
				}
			}
		}
		if kept != nil {
			note := r.Person + " disputed that this promise was kept"
			if confirm {
				note = r.Person + " confirmed this promise was kept"
			}
			rev := &tl.Event{ID: store.NewID(now), LeaderID: r.LeaderID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
				Kind: kept.Kind, OccurredAt: now, RecordedAt: now, Source: kept.Source, Severity: kept.Severity, Note: note,
				RecordedBy: byPerson, Reverses: kept.ID, PromiseID: c.ID, Targets: []string{r.ID}}
			if err := tx.AppendEvent(ctx, rev); err != nil {
				return err
			}
			st, err := tx.State(ctx, r.ID)
			if err != nil {
				return err
			}
			set.Reverse(&st, toEngine(kept, nil))
			if err := tx.PutState(ctx, r.ID, st); err != nil {
				return err
			}
			conf.EventID = rev.ID
			if confirm {
				ev := &tl.Event{ID: store.NewID(now), LeaderID: r.LeaderID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
					Kind: kept.Kind, OccurredAt: kept.OccurredAt, RecordedAt: now, Source: engine.Confirmed, Severity: kept.Severity,
					Note: note, RecordedBy: byPerson, PromiseID: c.ID}
				if err := record(ctx, tx, set, ev, []tl.Relationship{*r}, nil); err != nil {
					return err
				}
				conf.EventID = ev.ID
			}
		}
		return tx.AddConfirmation(ctx, conf)
	})
}

// React records one anonymous reaction to a decision. Who reacted and
// what they said are stored apart, with nothing to join them; only people
// who count toward k may react (docs/ANONYMITY.md, rule 1), and the
// counts are published at fixed times in steps of at least k (publish.go).
func (a *App) React(ctx context.Context, relationshipID, decisionID, reaction string) error {
	switch reaction {
	case tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree:
	default:
		return tl.Errorf(tl.EINVALID, "a reaction is %q, %q or %q, not %q", tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree, reaction)
	}
	key := rand.Text()
	now := a.clock()
	err := a.db.WriteQuiet(ctx, func(tx *store.Tx) error {
		r, err := windowRel(ctx, tx, relationshipID)
		if err != nil {
			return err
		}
		d, err := tx.DecisionByID(ctx, r.LeaderID, strings.TrimSpace(decisionID))
		if err != nil || !concerns(d.RelationshipID, d.TeamID, r) {
			return tl.Errorf(tl.ENOTFOUND, "no decision %q about you or your team", decisionID)
		}
		sc, _, err := loadStanding(ctx, tx, r.LeaderID, now)
		if err != nil {
			return err
		}
		if st := sc.of(*r); !st.Counts {
			return tl.Errorf(tl.EFORBIDDEN, "your reaction cannot be counted yet: %s. Reactions count only people the leader could not have made up (docs/ANONYMITY.md, rule 1)", st.ForYou())
		}
		if err := tx.AddReacted(ctx, d.ID, r.ID); err != nil {
			return err
		}
		if err := tx.MarkMix(ctx, store.MixDecision, d.ID); err != nil {
			return err
		}
		return tx.AddReaction(ctx, d.ID, key, reaction)
	})
	if err == nil {
		a.kickMix()
	}
	return err
}

// windowPulses is how many pulses the window lists.
const windowPulses = 6

// windowVoice fills the window's part on the team's voice: whether the
// viewer counts, everyone on their team and where they stand, and the
// recent pulses that asked the team, with the names of all they asked.
// The team sees who its results stand for, so a made-up person shows.
func windowVoice(ctx context.Context, tx *store.Tx, w *tl.Window, r *tl.Relationship, now time.Time) error {
	sc, rels, err := loadStanding(ctx, tx, r.LeaderID, now)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, o := range rels {
		names[o.ID] = o.Person
		if o.Active && o.TeamID == r.TeamID {
			st := sc.of(o)
			if st.Step != tl.StepAddress { // nobody can be asked at no address
				w.Voice = append(w.Voice, st)
			}
		}
	}
	w.Standing = sc.of(*r)
	w.Counts = w.Standing.Counts
	w.SoleAdmin = !sc.approvers
	pulses, err := tx.Pulses(ctx, r.LeaderID)
	if err != nil {
		return err
	}
	for i := range pulses {
		p := &pulses[i]
		if p.TeamID != r.TeamID || len(w.Pulses) == windowPulses {
			continue
		}
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return err
		}
		wp := tl.WindowPulse{Wave: p.Wave, Team: p.Team, Status: p.Status, Released: p.Released, ClosesAt: p.ClosesAt, Asked: []string{}}
		for _, id := range pop {
			wp.Asked = append(wp.Asked, names[id])
		}
		slices.Sort(wp.Asked)
		w.Pulses = append(w.Pulses, wp)
	}
	return nil
}
