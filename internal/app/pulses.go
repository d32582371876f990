package app

// Anonymous team pulses (issue 4, MODEL.md §12).
//
// Anonymity is enforced here and in the schema, not in the pages:
//   - a response is stored with a random key and nothing else: no time, no
//     token, no person; the used-link record says only that a member
//     answered, and no column links it to the answer;
//   - while a pulse is open only a coarse count band is shown; results are
//     decided once, when it closes, and only with at least k responses (k
//     fixed at launch, floor 3); free text only at comments_k or more, in a
//     new random order at every read;
//   - a result is withheld when it could be differenced against another
//     released result of the same leader (see release.go and anonymity.go).

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.VoiceService = (*App)(nil)

// Limits of a pulse.
const (
	maxQuestion     = 500
	maxComment      = 2000
	maxPulseOpen    = 60 * day
	defaultPulseLen = 7 * day
	byTeam          = "team"
)

// LaunchPulse starts a pulse for one team.
func (a *App) LaunchPulse(ctx context.Context, leaderID string, in tl.PulseInput) (*tl.PulseLaunch, error) {
	question, err := cleanText("question", in.Question, maxQuestion)
	if err != nil {
		return nil, err
	}
	delivery := in.Delivery
	if delivery == "" {
		delivery = tl.DeliveryEmail
	}
	if delivery != tl.DeliveryEmail && delivery != tl.DeliveryLink {
		return nil, tl.Errorf(tl.EINVALID, "delivery must be %q or %q, got %q", tl.DeliveryEmail, tl.DeliveryLink, in.Delivery)
	}
	now := a.clock()
	closes := in.Closes.UTC().Truncate(time.Millisecond)
	if in.Closes.IsZero() {
		closes = now.Add(defaultPulseLen)
	}
	if !closes.After(now) {
		return nil, tl.Errorf(tl.EINVALID, "the pulse would close %s, which has passed: give a later date", closes.Format("2006-01-02"))
	}
	if closes.Sub(now) > maxPulseOpen {
		return nil, tl.Errorf(tl.EINVALID, "a pulse stays open at most %d days: give an earlier closing date", int(maxPulseOpen/day))
	}
	var out *tl.PulseLaunch
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		teamName := strings.TrimSpace(in.Team)
		if teamName == "" {
			teamName = tl.DefaultTeamName
		}
		team, err := tx.TeamByName(ctx, leaderID, teamName)
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return unknownTeam(ctx, tx, leaderID, teamName)
			}
			return err
		}
		k := in.K
		if k == 0 {
			k = set.K
		}
		floor := max(set.KFloor, 3)
		if k < floor {
			return tl.Errorf(tl.EINVALID, "k must be at least %d: with fewer answers behind a result, one person's answer could be guessed", floor)
		}
		members, err := tx.TeamMembers(ctx, leaderID, team.ID)
		if err != nil {
			return err
		}
		pop := members
		if len(in.Members) > 0 {
			pop = nil
			byName := map[string]tl.Relationship{}
			for _, m := range members {
				byName[strings.ToLower(m.Person)] = m
			}
			seen := map[string]bool{}
			for _, name := range in.Members {
				key := strings.ToLower(strings.TrimSpace(name))
				r, ok := byName[key]
				if !ok {
					return tl.Errorf(tl.EINVALID, "%q is not an active member of team %s", name, team.Name)
				}
				if !seen[key] {
					seen[key] = true
					pop = append(pop, r)
				}
			}
		}
		if len(pop) < k {
			return tl.Errorf(tl.EINVALID, "team %s has %d %s to ask; a pulse needs at least k=%d answers before anything is shown, so that no answer can be traced to a person: add people to the team, or ask one person by name with a check-in",
				team.Name, len(pop), plural(len(pop), "person", "people"), k)
		}
		if open, err := tx.OpenPulseForTeam(ctx, team.ID); err != nil {
			return err
		} else if open != "" {
			return tl.Errorf(tl.ECONFLICT, "team %s already has an open pulse (%s): close it before launching the next", team.Name, open)
		}
		if delivery == tl.DeliveryEmail {
			var missing []string
			for _, r := range pop {
				if r.Email == "" {
					missing = append(missing, r.Person)
				}
			}
			if len(missing) > 0 {
				return tl.Errorf(tl.EINVALID, "no email address for %s: add one on their page (or: trustledger person email NAME ADDRESS), or launch with one shared link instead",
					strings.Join(missing, ", "))
			}
		}
		wave, err := tx.NextWave(ctx, team.ID)
		if err != nil {
			return err
		}
		p := &store.PulseRow{Pulse: tl.Pulse{
			ID: store.NewID(now), LeaderID: leaderID, TeamID: team.ID, Team: team.Name, Wave: wave,
			Question: question, K: k, CommentsK: max(set.CommentsK, k), Delivery: delivery, Status: tl.PulseOpen,
			Population: len(pop), CreatedAt: now, ClosesAt: closes,
		}}
		launch := &tl.PulseLaunch{}
		if delivery == tl.DeliveryLink {
			launch.SharedLink = rand.Text()
			p.SharedHash = hashToken(launch.SharedLink)
		}
		ids := make([]string, len(pop))
		for i, r := range pop {
			ids[i] = r.ID
		}
		if err := tx.CreatePulse(ctx, p, ids); err != nil {
			return err
		}
		if delivery == tl.DeliveryEmail {
			if err := tx.CreatePulseTokens(ctx, p.ID, ids); err != nil {
				return err
			}
			for _, r := range pop {
				queued, err := tx.EnqueueMail(ctx, &store.Mail{
					ID: store.NewID(now), Kind: store.MailPulseInvite, DedupeKey: "pulse-invite:" + p.ID + ":" + r.ID,
					To: r.Email, ToName: r.Person, Ref: p.ID, Ref2: r.ID, CreatedAt: now,
				})
				if err != nil {
					return err
				}
				if queued {
					launch.Queued++
				}
			}
		}
		launch.Pulse = p.Pulse
		out = launch
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pulseMailLink issues a member's link at the moment their mail is sent
// (see links.go): the token exists only in the message.
func (a *App) pulseMailLink(ctx context.Context, pulseID, relID string) (mailLink, error) {
	var out mailLink
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		out = mailLink{}
		p, err := tx.PulseByIDAny(ctx, pulseID)
		if err != nil {
			return err
		}
		tok, err := tx.PulseToken(ctx, pulseID, relID)
		if err != nil {
			return err
		}
		if p.Status != tl.PulseOpen || tok.Used {
			out.Done = true
			return nil
		}
		l, err := tx.LeaderByID(ctx, p.LeaderID)
		if err != nil {
			return err
		}
		r, err := tx.RelationshipByID(ctx, p.LeaderID, relID)
		if err != nil {
			return err
		}
		token := rand.Text()
		if err := tx.IssuePulseToken(ctx, pulseID, relID, hashToken(token)); err != nil {
			return err
		}
		out = mailLink{Token: token, Path: pulseLinkPrefix + token, Leader: l.Name, Person: r.Person, Team: p.Team, Closes: p.ClosesAt}
		return nil
	})
	return out, err
}

// Pulses lists the leader's pulses, newest first.
func (a *App) Pulses(ctx context.Context, leaderID string) ([]tl.Pulse, error) {
	var out []tl.Pulse
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		rows, err := tx.Pulses(ctx, leaderID)
		for _, r := range rows {
			out = append(out, r.Pulse)
		}
		return err
	})
	return nonNil(out), err
}

// RemindPulse queues a reminder, with a new link, for every member who
// has not answered. It tells the leader nothing about how many.
func (a *App) RemindPulse(ctx context.Context, leaderID, pulseID string) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		p, err := tx.PulseByID(ctx, leaderID, pulseID)
		if err != nil {
			return err
		}
		if p.Status != tl.PulseOpen {
			return tl.Errorf(tl.EINVALID, "pulse %s has closed: there is nobody left to remind", p.ID)
		}
		if p.Delivery != tl.DeliveryEmail {
			return tl.Errorf(tl.EINVALID, "pulse %s uses one shared link, so the service cannot tell who has not answered: remind the team yourself", p.ID)
		}
		toks, err := tx.PulseTokens(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if t.Used {
				continue
			}
			r, err := tx.RelationshipByID(ctx, leaderID, t.RelationshipID)
			if err != nil {
				return err
			}
			if r.Email == "" {
				continue
			}
			if _, err := tx.EnqueueMail(ctx, &store.Mail{
				ID: store.NewID(now), Kind: store.MailPulseReminder,
				DedupeKey: "pulse-reminder:" + p.ID + ":" + r.ID + ":" + strconv.FormatInt(now.UnixMilli()/60000, 10),
				To:        r.Email, ToName: r.Person, Ref: p.ID, Ref2: r.ID, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AnswerSelf stores the leader's answers about themself.
func (a *App) AnswerSelf(ctx context.Context, leaderID, pulseID string, answers map[string]int) error {
	if err := checkAnswers(answers, true); err != nil {
		return err
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		p, err := tx.PulseByID(ctx, leaderID, pulseID)
		if err != nil {
			return err
		}
		p.SelfAnswers = encodeAnswers(answers)
		return tx.UpdatePulse(ctx, p)
	})
}

// ClosePulse closes a pulse and decides, once, whether its results are
// released; released results enter the model.
func (a *App) ClosePulse(ctx context.Context, leaderID, pulseID string) (*tl.PulseReport, error) {
	var out *tl.PulseReport
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		p, err := tx.PulseByID(ctx, leaderID, pulseID)
		if err != nil {
			return err
		}
		if p.Status != tl.PulseOpen {
			return tl.Errorf(tl.ECONFLICT, "pulse %s is already closed", p.ID)
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		if err := closePulse(ctx, tx, set, p, a.clock()); err != nil {
			return err
		}
		out, err = report(ctx, tx, set, p)
		return err
	})
	return out, err
}

// closePulse closes p at now inside tx: release or withhold, and fuse a
// released result into every relationship of its population.
func closePulse(ctx context.Context, tx *store.Tx, set engine.Settings, p *store.PulseRow, now time.Time) error {
	p.Status, p.ClosedAt = tl.PulseClosed, now
	n, err := tx.CountPulseResponses(ctx, p.ID)
	if err != nil {
		return err
	}
	if n < p.K {
		p.Withheld = fmt.Sprintf("fewer than %d people answered, so nothing is shown and nothing enters the model: no answer can be traced to anyone", p.K)
	} else {
		resp, err := resultSet(ctx, tx, p)
		if err != nil {
			return err
		}
		released, err := releasedSets(ctx, tx, p.LeaderID, p.ID)
		if err != nil {
			return err
		}
		if why := leak(released, resp, p.K); why != "" {
			p.Withheld = why
		} else {
			p.Released = true
		}
	}
	if p.Released {
		resps, err := tx.PulseResponses(ctx, p.ID)
		if err != nil {
			return err
		}
		rep := &tl.PulseReport{}
		fillResults(rep, resps, set, nil, p.K, math.MaxInt)
		// The means as released, for coaches' rollups (issue 5 §1).
		if err := tx.PutPulseResults(ctx, p.ID, p.LeaderID, now, len(resps), rep.Scales); err != nil {
			return err
		}
		// A dimension too few people answered gets no weight (rwg 0):
		// its p could otherwise be read back from the members' scores.
		snap := &engine.Snapshot{At: now, N: len(resps)}
		measured := false
		for d := range engine.NumDims {
			snap.P[d] = 0.5
			if s, ok := scaleOf(rep.Scales, engine.Dim(d).String()); ok {
				snap.P[d], snap.Rwg[d], measured = s.P, s.Rwg, true
			}
		}
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return err
		}
		var targets []tl.Relationship
		for _, id := range pop {
			r, err := tx.RelationshipByID(ctx, p.LeaderID, id)
			if err != nil {
				return err
			}
			if r.Active {
				targets = append(targets, *r)
			}
		}
		if len(targets) > 0 && measured {
			ev := &tl.Event{ID: store.NewID(now), LeaderID: p.LeaderID, Subject: tl.SubjectTeam, TeamID: p.TeamID,
				Kind: engine.KindPulse, OccurredAt: now, RecordedAt: now, Source: engine.System, Severity: engine.Normal,
				Note: fmt.Sprintf("team pulse, wave %d: %d answers", p.Wave, len(resps)), RecordedBy: byTeam, Snapshot: snap}
			if err := record(ctx, tx, set, ev, targets, nil); err != nil {
				return err
			}
			p.EventID = ev.ID
		}
	}
	if err := tx.UpdatePulse(ctx, p); err != nil {
		return err
	}
	if p.Released {
		if err := notify(ctx, tx, p.LeaderID, tl.EventPulseReleased, p.ID,
			fmt.Sprintf("Pulse results for team %s (wave %d) are in: open trustledger to see the team's view beside yours.", p.Team, p.Wave),
			map[string]any{"pulse_id": p.ID, "team": p.Team, "wave": p.Wave}, now); err != nil {
			return err
		}
	}
	return tx.DeletePassesFor(ctx, store.PassPulse, p.ID)
}

// closePulsesDue closes every open pulse whose closing time has come. Tick
// calls it.
func (a *App) closePulsesDue(ctx context.Context, tx *store.Tx, sets settingsCache, now time.Time) error {
	due, err := tx.DuePulses(ctx, now)
	if err != nil {
		return err
	}
	for i := range due {
		p := &due[i]
		set, err := sets.get(ctx, tx, p.LeaderID)
		if err != nil {
			return err
		}
		if err := closePulse(ctx, tx, set, p, now); err != nil {
			return err
		}
		a.log.Info("pulse closed", "leader_id", p.LeaderID, "pulse_id", p.ID, "released", p.Released)
	}
	_, err = tx.DeleteExpiredPasses(ctx, now)
	return err
}
