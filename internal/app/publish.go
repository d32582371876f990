package app

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// What a leader can see of answers still coming in, an open pulse's rough
// count and the reactions to decisions, is published at fixed times of
// the UTC day (every tl.PublishEvery), never as answers arrive: a page
// that moved the moment someone answered would tell a leader who watched
// it when that was (docs/ANONYMITY.md, rule 3). Tick publishes; several
// instances publish once, through the voice_publications row.

const publicationVoice = "voice"

// publicationTime is the last publication time at or before now.
func publicationTime(now time.Time) time.Time {
	return now.UTC().Truncate(tl.PublishEvery)
}

// publishVoice publishes once per publication time: every open pulse's
// band, and every decision's reactions that reached the next step of k.
func publishVoice(ctx context.Context, tx *store.Tx, sets settingsCache, now time.Time) error {
	at := publicationTime(now)
	last, err := tx.Publication(ctx, publicationVoice)
	// A publication "after" now (a clock set forward once) is no reason to
	// stop publishing.
	if err != nil || !last.Before(at) && !last.After(now) {
		return err
	}
	if ok, err := tx.ClaimPublication(ctx, publicationVoice, last, at); err != nil || !ok {
		return err
	}
	open, err := tx.OpenPulses(ctx)
	if err != nil {
		return err
	}
	for i := range open {
		p := &open[i]
		n, err := tx.CountPulseResponses(ctx, p.ID)
		if err != nil {
			return err
		}
		if band := publishedBand(n, p); band != p.Band {
			p.Band = band
			if err := tx.UpdatePulse(ctx, p); err != nil {
				return err
			}
		}
	}
	pending, err := tx.PendingReactions(ctx)
	if err != nil {
		return err
	}
	for _, d := range pending {
		set, err := sets.get(ctx, tx, d[1])
		if err != nil {
			return err
		}
		if err := releaseReactions(ctx, tx, set, d[1], d[0], now); err != nil {
			return err
		}
	}
	return nil
}

// releaseReactions releases a decision's reactions when at least k more
// people reacted than were shown before, so the counts move only in steps
// of k. A first release where most say "not clear" is a transparency
// withdrawal for the people the decision affects, once.
func releaseReactions(ctx context.Context, tx *store.Tx, set engine.Settings, leaderID, decisionID string, now time.Time) error {
	d, err := tx.DecisionByID(ctx, leaderID, decisionID)
	if err != nil {
		return err
	}
	all, err := tx.TallyReactions(ctx, d.ID)
	if err != nil {
		return err
	}
	shown, err := tx.ReleasedReactions(ctx, d.ID)
	if err != nil {
		return err
	}
	if all.N-shown.N < set.K {
		return nil
	}
	next := store.ReactionCounts{ReactionCounts: all, EventID: shown.EventID}
	if next.EventID == "" && 2*all.NotClear > all.N {
		ev := &tl.Event{ID: store.NewID(now), LeaderID: leaderID, Kind: kindDecisionUnexplained, OccurredAt: now, RecordedAt: now,
			Source: engine.System, Severity: engine.Normal, Note: "most of the people it affects said the reasons were not clear: " + d.What,
			RecordedBy: bySystem, DecisionID: d.ID}
		var targets []tl.Relationship
		if d.RelationshipID != "" {
			ev.Subject, ev.RelationshipID = tl.SubjectPerson, d.RelationshipID
			p, err := tx.RelationshipByID(ctx, leaderID, d.RelationshipID)
			if err != nil {
				return err
			}
			targets = []tl.Relationship{*p}
		} else {
			ev.Subject, ev.TeamID = tl.SubjectTeam, d.TeamID
			if targets, err = tx.TeamMembers(ctx, leaderID, d.TeamID); err != nil {
				return err
			}
		}
		if len(targets) > 0 {
			if err := record(ctx, tx, set, ev, targets, nil); err != nil {
				return err
			}
			next.EventID = ev.ID
		}
	}
	return tx.PutReleasedReactions(ctx, d.ID, next)
}
