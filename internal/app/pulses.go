package app

// Anonymous team pulses (docs/ANONYMITY.md, MODEL.md §12).
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
//     released result of the same leader (see anonymity_release.go and anonymity.go).

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

// Limits of a pulse (its question and comments: tl.MaxQuestionLength,
// tl.MaxCommentLength).
const (
	maxPulseOpen    = 60 * day
	defaultPulseLen = 7 * day
	byTeam          = "team"
)

// LaunchPulse starts a pulse for one team, or the named part of it. Only
// people who count toward k are asked (standing.go), each by a personal
// link mailed to the address they have now, and only when the result
// could be released beside the leader's earlier ones (anonymity_release.go): both
// are known before anyone answers.
func (a *App) LaunchPulse(ctx context.Context, leaderID string, in tl.PulseInput) (*tl.PulseLaunch, error) {
	question, err := cleanText("question", in.Question, tl.MaxQuestionLength)
	if err != nil {
		return nil, tl.WithField(err, "question")
	}
	switch in.Delivery {
	case "", tl.DeliveryEmail:
	case tl.DeliveryLink:
		return nil, errSharedLink
	default:
		return nil, tl.Invalidf("delivery", "delivery must be %q (a personal link for each person, by email), got %q", tl.DeliveryEmail, in.Delivery)
	}
	now := a.clock()
	closes := in.Closes.UTC().Truncate(time.Millisecond)
	if in.Closes.IsZero() {
		closes = now.Add(defaultPulseLen)
	}
	if !closes.After(now) {
		return nil, tl.Invalidf("closes", "the pulse would close %s, which has passed: give a later date", closes.Format("2006-01-02"))
	}
	if closes.Sub(now) > maxPulseOpen {
		return nil, tl.Invalidf("closes", "a pulse stays open at most %d days: give an earlier closing date", int(maxPulseOpen/day))
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
				return tl.WithField(unknownTeam(ctx, tx, leaderID, teamName), "team")
			}
			return err
		}
		k := in.K
		if k == 0 {
			k = set.K
		}
		if floor := max(set.KFloor, tl.KFloor); k < floor {
			return tl.Invalidf("k", "a pulse's results need at least %d answers behind them, not %d: with fewer, one person's answer could be guessed", floor, k)
		}
		members, err := tx.TeamMembers(ctx, leaderID, team.ID)
		if err != nil {
			return err
		}
		sc, _, err := loadStanding(ctx, tx, leaderID, now)
		if err != nil {
			return err
		}
		launch := &tl.PulseLaunch{}
		pop, err := pulsePopulation(sc, team, members, in.Members, launch)
		if err != nil {
			return err
		}
		if len(pop) < k {
			return tooFewCounted(team, pop, launch.NotAsked, k)
		}
		if open, err := tx.OpenPulseForTeam(ctx, team.ID); err != nil {
			return err
		} else if open != "" {
			return tl.Errorf(tl.ECONFLICT, "%s already has an open pulse (%s): close it before launching the next", tl.TeamPhrase(team.Name), open)
		}
		ids := make([]string, len(pop))
		asked := make([]store.Asked, len(pop))
		for i, r := range pop {
			ids[i] = r.ID
			asked[i] = store.Asked{RelationshipID: r.ID, Email: r.Email}
		}
		if why, err := populationCheck(ctx, tx, leaderID, "", ids, k); err != nil {
			return err
		} else if why != "" {
			return tl.Errorf(tl.EINVALID, "this pulse's results could never be shown: %s", why)
		}
		wave, err := tx.NextWave(ctx, team.ID)
		if err != nil {
			return err
		}
		p := &store.PulseRow{Pulse: tl.Pulse{
			ID: store.NewID(now), LeaderID: leaderID, TeamID: team.ID, Team: team.Name, Wave: wave,
			Question: question, K: k, CommentsK: max(set.CommentsK, tl.CommentsFloor, k), Delivery: tl.DeliveryEmail,
			Status: tl.PulseOpen, Population: len(pop), CreatedAt: now, ClosesAt: closes,
		}}
		p.Band = publishedBand(0, p)
		if err := tx.CreatePulse(ctx, p, asked); err != nil {
			return err
		}
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
		launch.Pulse = p.Pulse
		out = launch
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errSharedLink refuses a shared link (docs/ANONYMITY.md, rule 2).
var errSharedLink = tl.Errorf(tl.EINVALID, "pulses no longer go by one shared link: whoever holds it can answer in the team's name, so its owner could fill it with known answers and work out the one real answer. Each person gets a personal link by email instead")

// pulsePopulation is who a pulse asks: the named members, each of whom
// must count toward k, or every member of the team who counts; the
// others are listed in launch.NotAsked.
func pulsePopulation(sc *standingCtx, team *tl.Team, members []tl.Relationship, names []string, launch *tl.PulseLaunch) ([]tl.Relationship, error) {
	var pop []tl.Relationship
	if len(names) == 0 {
		for _, m := range members {
			if st := sc.of(m); st.Counts {
				pop = append(pop, m)
			} else {
				launch.NotAsked = append(launch.NotAsked, st)
			}
		}
		return pop, nil
	}
	byName := map[string]tl.Relationship{}
	for _, m := range members {
		byName[strings.ToLower(m.Person)] = m
	}
	seen := map[string]bool{}
	var cannot []string
	for _, name := range names {
		key := strings.ToLower(strings.TrimSpace(name))
		r, ok := byName[key]
		if !ok {
			return nil, tl.Invalidf("members", "%q is not an active member of %s", name, tl.TeamPhrase(team.Name))
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if st := sc.of(r); !st.Counts {
			cannot = append(cannot, r.Person+" "+st.Reason)
			continue
		}
		pop = append(pop, r)
	}
	if len(cannot) > 0 {
		// Said in the words of the pulses page, which shows this message
		// too: no symbol, and no path into the project's docs.
		return nil, tl.Invalidf("members", "%s cannot be asked yet: %s. %s", plural(len(cannot), "this person", "these people"),
			strings.Join(cannot, "; "), whoIsAsked)
	}
	return pop, nil
}

// whoIsAsked is the rule of standing.go in a leader's words.
const whoIsAsked = "A pulse asks only people who confirmed their own address a week ago or more, so that nobody can be outnumbered by people whose answers you know"

// tooFewCounted says why a team cannot be asked yet, and what is missing.
// The web form, the API and the CLI all show it, so it speaks as the
// pulses page does: people who can be asked, answers needed.
func tooFewCounted(team *tl.Team, pop []tl.Relationship, notAsked []tl.Standing, k int) error {
	who := fmt.Sprintf("has %d %s who can be asked", len(pop), plural(len(pop), "person", "people"))
	if len(pop) == 0 {
		who = "has nobody who can be asked yet"
	}
	msg := fmt.Sprintf("%s %s; a pulse needs at least %d answers before anything is shown, so that no answer can be traced to a person",
		tl.TeamPhrase(team.Name), who, k)
	if len(notAsked) > 0 {
		var why []string
		for _, st := range notAsked {
			why = append(why, st.Person+" "+st.Reason)
		}
		msg += ". Cannot be asked yet: " + strings.Join(why, "; ")
	} else {
		msg += ": add people to the team, or ask one person by name with a check-in"
	}
	return tl.Errorf(tl.EINVALID, "%s", msg)
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
		if p.Status != tl.PulseOpen {
			out.Done = true
			return nil
		}
		// A used link is issued again too: a reminder goes to everyone
		// asked, answered or not, and its link tells the member alone
		// that they answered (docs/ANONYMITY.md, rule 3).
		_ = tok
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
		// The mail says the closing day as the leader counts days.
		out = mailLink{Token: token, Path: pulseLinkPrefix + token, Leader: l.Name, Person: r.Person, Team: p.Team, Closes: p.ClosesAt.In(zoneOf(ctx, l))}
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

// RemindPulse queues a reminder, with a fresh link, for everyone the
// pulse asked, answered or not, at the address they were asked at: the
// number of reminders, their words and their addresses say nothing about
// who has answered, and changing an address after launch sends nobody a
// link in a member's name (docs/ANONYMITY.md, rule 3).
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
			return tl.Errorf(tl.EINVALID, "pulse %s uses one shared link, so there is nobody to remind by email: remind the team yourself", p.ID)
		}
		asked, err := tx.PulseAsked(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, as := range asked {
			if as.Email == "" {
				continue // asked before addresses were kept with the pulse
			}
			r, err := tx.RelationshipByID(ctx, leaderID, as.RelationshipID)
			if err != nil {
				return err
			}
			if _, err := tx.EnqueueMail(ctx, &store.Mail{
				ID: store.NewID(now), Kind: store.MailPulseReminder,
				DedupeKey: "pulse-reminder:" + p.ID + ":" + r.ID + ":" + strconv.FormatInt(now.UnixMilli()/60000, 10),
				To:        as.Email, ToName: r.Person, Ref: p.ID, Ref2: r.ID, CreatedAt: now,
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
	switch {
	case p.Delivery == tl.DeliveryLink:
		p.Withheld = "it went by one shared link, which its holder could have filled with known answers, so it is never shown (docs/ANONYMITY.md, rule 2)"
	case n < p.K:
		p.Withheld = fmt.Sprintf("fewer than %d people answered, so nothing is shown and nothing enters the model: no answer can be traced to anyone", p.K)
	default:
		// Who was asked, never who answered, decides (docs/ANONYMITY.md,
		// rules 4 and 5).
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return err
		}
		why, err := populationCheck(ctx, tx, p.LeaderID, p.ID, pop, p.K)
		if err != nil {
			return err
		}
		p.Withheld, p.Released = why, why == ""
	}
	if p.Released && p.Question != "" {
		if n < p.CommentsK {
			p.CommentsWithheld = fmt.Sprintf("fewer than %d people answered, and comments need at least %d", p.CommentsK, p.CommentsK)
		} else {
			pop, err := tx.PulsePopulation(ctx, p.ID)
			if err != nil {
				return err
			}
			why, err := commentsCheck(ctx, tx, p.LeaderID, p.ID, pop, p.CommentsK)
			if err != nil {
				return err
			}
			p.CommentsWithheld, p.CommentsShown = why, why == ""
		}
	}
	if p.Released {
		resps, err := tx.PulseResponses(ctx, p.ID)
		if err != nil {
			return err
		}
		rep := &tl.PulseReport{}
		fillResults(rep, resps, set, nil, p.K, math.MaxInt)
		// The means as released, for coaches' rollups (docs/MODEL.md, choice 33).
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
			slackf("Pulse results for team %s (wave %d) are in: open trustledger to see the team's view beside yours.", p.Team, p.Wave),
			map[string]any{"pulse_id": p.ID, "team": p.Team, "wave": p.Wave}, now); err != nil {
			return err
		}
	}
	return tx.DeletePassesFor(ctx, store.PassPulse, p.ID)
}
