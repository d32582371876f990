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
//     released result of the same leader (see leak in anonymity.go).

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// pulseItems indexes the template by item id.
var pulseItems = func() map[string]tl.PulseItem {
	m := make(map[string]tl.PulseItem, len(tl.PulseItems))
	for _, it := range tl.PulseItems {
		m[it.ID] = it
	}
	return m
}()

// encodeAnswers writes answers as "id=value;…" in template order.
func encodeAnswers(answers map[string]int) string {
	var b strings.Builder
	for _, it := range tl.PulseItems {
		if v, ok := answers[it.ID]; ok {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(it.ID + "=" + strconv.Itoa(v))
		}
	}
	return b.String()
}

// decodeAnswers reads what encodeAnswers wrote.
func decodeAnswers(s string) map[string]int {
	out := map[string]int{}
	for part := range strings.SplitSeq(s, ";") {
		id, v, ok := strings.Cut(part, "=")
		if n, err := strconv.Atoi(v); ok && err == nil {
			out[id] = n
		}
	}
	return out
}

// checkAnswers validates one response (self: only the six trust items).
func checkAnswers(answers map[string]int, self bool) error {
	if len(answers) == 0 {
		return tl.Errorf(tl.EINVALID, "no question was answered: answer at least one (you may skip any)")
	}
	for id, v := range answers {
		it, ok := pulseItems[id]
		if !ok || (self && it.Self == "") {
			return tl.Errorf(tl.EINVALID, "%q is not one of the questions", id)
		}
		hi := tl.PulseScalePoints
		if it.Scale == tl.ScaleOutcome {
			hi = tl.OutcomeCommit
		}
		if v < 1 || v > hi {
			return tl.Errorf(tl.EINVALID, "the answer to %q must be 1–%d, got %d", it.Text, hi, v)
		}
	}
	return nil
}

// cleanText trims free text and refuses control characters and excess.
func cleanText(what, s string, limit int) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > limit {
		return "", tl.Errorf(tl.EINVALID, "the %s may have at most %d characters, this one has %d: shorten it", what, limit, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "", tl.Errorf(tl.EINVALID, "the %s holds a control character: remove it", what)
		}
	}
	return s, nil
}

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

// OpenPulseLink exchanges a link's token for a pass. It does not use the
// token up: mail scanners open links too.
func (a *App) OpenPulseLink(ctx context.Context, token string) (string, error) {
	token = strings.TrimSpace(token)
	now := a.clock()
	pass := rand.Text()
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if token == "" {
			return errBadPulseLink
		}
		h := hashToken(token)
		var p *store.PulseRow
		tokenHash := ""
		if t, err := tx.PulseTokenByHash(ctx, h); err == nil {
			if t.Used {
				return tl.Errorf(tl.ECONFLICT, "you have already answered this pulse: thank you")
			}
			if p, err = tx.PulseByIDAny(ctx, t.PulseID); err != nil {
				return err
			}
			tokenHash = h
		} else if tl.ErrorCode(err) != tl.ENOTFOUND {
			return err
		} else if p, err = tx.PulseBySharedHash(ctx, h); err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return errBadPulseLink
			}
			return err
		}
		if p.Status != tl.PulseOpen {
			return tl.Errorf(tl.ENOTFOUND, "this pulse has closed: answers are no longer taken")
		}
		return tx.CreatePass(ctx, &store.Pass{Hash: hashToken(pass), Purpose: store.PassPulse, Ref: p.ID,
			TokenHash: tokenHash, ExpiresAt: now.Add(tl.AnswerPassTTL)})
	})
	if err != nil {
		return "", err
	}
	return pass, nil
}

var errBadPulseLink = tl.Errorf(tl.ENOTFOUND, "this link is not valid: it may have been replaced by a newer email, or mistyped")

// pulsePass loads a pass and its pulse.
func pulsePass(ctx context.Context, tx *store.Tx, pass string, now time.Time) (*store.Pass, *store.PulseRow, error) {
	ps, err := tx.PassByHash(ctx, hashToken(strings.TrimSpace(pass)), store.PassPulse, now)
	if err != nil {
		return nil, nil, err
	}
	p, err := tx.PulseByIDAny(ctx, ps.Ref)
	if err != nil {
		return nil, nil, err
	}
	return ps, p, nil
}

// PulseForm is what a respondent sees.
func (a *App) PulseForm(ctx context.Context, pass string) (*tl.PulseForm, error) {
	now := a.clock()
	var out *tl.PulseForm
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		ps, p, err := pulsePass(ctx, tx, pass, now)
		if err != nil {
			return err
		}
		l, err := tx.LeaderByID(ctx, p.LeaderID)
		if err != nil {
			return err
		}
		answered := false
		if ps.TokenHash != "" {
			t, err := tx.PulseTokenByHash(ctx, ps.TokenHash)
			if err != nil {
				return err
			}
			answered = t.Used
		}
		out = &tl.PulseForm{PulseID: p.ID, Leader: l.Name, Team: p.Team, Items: tl.PulseItems, Question: p.Question,
			K: p.K, CommentsK: p.CommentsK, Status: p.Status, ClosesAt: p.ClosesAt, Answered: answered}
		return nil
	})
	return out, err
}

// SubmitPulse stores one response, exactly once per link or pass.
func (a *App) SubmitPulse(ctx context.Context, pass string, in tl.PulseAnswers) error {
	if err := checkAnswers(in.Answers, false); err != nil {
		return err
	}
	comment, err := cleanText("comment", in.Comment, maxComment)
	if err != nil {
		return err
	}
	resp := store.PulseResponse{Answers: encodeAnswers(in.Answers), Comment: comment}
	key := rand.Text()
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		ps, p, err := pulsePass(ctx, tx, pass, now)
		if err != nil {
			return err
		}
		if p.Status != tl.PulseOpen {
			return tl.Errorf(tl.ECONFLICT, "this pulse closed before your answer arrived: it was not stored")
		}
		if resp.Comment != "" && p.Question == "" {
			return tl.Errorf(tl.EINVALID, "this pulse asks no free-text question: leave the comment empty")
		}
		if ok, err := tx.DeletePass(ctx, ps.Hash); err != nil {
			return err
		} else if !ok {
			return tl.Errorf(tl.ECONFLICT, "this answer was already sent: thank you")
		}
		if ps.TokenHash != "" {
			if ok, err := tx.UsePulseToken(ctx, ps.TokenHash); err != nil {
				return err
			} else if !ok {
				return tl.Errorf(tl.ECONFLICT, "you have already answered this pulse: thank you")
			}
		} else {
			n, err := tx.CountPulseResponses(ctx, p.ID)
			if err != nil {
				return err
			}
			if n >= p.Population {
				return tl.Errorf(tl.ECONFLICT, "everyone this pulse was meant for has answered already: your answer was not stored")
			}
		}
		return tx.AddPulseResponse(ctx, p.ID, key, resp)
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

// countBand is the coarse count shown while a pulse is open.
func countBand(n int, p *store.PulseRow) string {
	switch {
	case n >= p.CommentsK:
		return tl.CountCommentsK
	case n >= p.K:
		return tl.CountK
	}
	return tl.CountBelowK
}

// PulseReport is what the leader may see of a pulse.
func (a *App) PulseReport(ctx context.Context, leaderID, pulseID string) (*tl.PulseReport, error) {
	var out *tl.PulseReport
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		p, err := tx.PulseByID(ctx, leaderID, pulseID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		out, err = report(ctx, tx, set, p)
		return err
	})
	return out, err
}

// report builds a pulse's report: a count band while open, the results
// once released.
func report(ctx context.Context, tx *store.Tx, set engine.Settings, p *store.PulseRow) (*tl.PulseReport, error) {
	n, err := tx.CountPulseResponses(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	rep := &tl.PulseReport{Pulse: p.Pulse, Count: countBand(n, p), Withheld: p.Withheld}
	if p.Status != tl.PulseClosed || !p.Released {
		return rep, nil
	}
	resps, err := tx.PulseResponses(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	rep.Released = true
	rep.N = len(resps)
	fillResults(rep, resps, set, decodeAnswers(p.SelfAnswers), p.K, p.CommentsK)
	return rep, nil
}

// scaleOrder is the order scales are reported in.
var scaleOrder = []string{tl.ScaleAbility, tl.ScaleBenevolence, tl.ScaleIntegrity, tl.ScaleSafety}

// scoreScale aggregates one scale over the responses, and says how many
// respondents answered at least one of its items.
func scoreScale(decoded []map[string]int, scale string, set engine.Settings) (tl.ScaleResult, int) {
	var items []tl.PulseItem
	for _, it := range tl.PulseItems {
		if it.Scale == scale {
			items = append(items, it)
		}
	}
	reverse := make([]bool, len(items))
	for j, it := range items {
		reverse[j] = it.Reverse
	}
	answers := make([][]int, 0, len(decoded))
	for _, d := range decoded {
		row := make([]int, len(items))
		for j, it := range items {
			row[j] = d[it.ID]
		}
		answers = append(answers, row)
	}
	res := engine.ScorePulse(answers, tl.PulseScalePoints, reverse)
	return tl.ScaleResult{Scale: scale, Mean: res.Mean, P: res.P, Rwg: res.Rwg, Agreement: agreement(res.Rwg, set)}, res.N
}

func agreement(rwg float64, set engine.Settings) string {
	switch {
	case rwg < set.RwgWeak:
		return "weak"
	case rwg < set.RwgStrong:
		return "moderate"
	}
	return "strong"
}

// fillResults scores the released responses into rep. Items may be
// skipped, so a scale, or the outcome item, that fewer than k of the
// respondents answered is left out: every number shown stands on at least
// k people, not only the pulse as a whole.
func fillResults(rep *tl.PulseReport, resps []store.PulseResponse, set engine.Settings, self map[string]int, k, commentsK int) {
	decoded := make([]map[string]int, len(resps))
	for i, r := range resps {
		decoded[i] = decodeAnswers(r.Answers)
	}
	for _, sc := range scaleOrder {
		if res, n := scoreScale(decoded, sc, set); n >= k {
			rep.Scales = append(rep.Scales, res)
		}
	}
	var counts [4]int
	total := 0
	for _, d := range decoded {
		if v, ok := d["o1"]; ok {
			counts[v]++
			total++
		}
	}
	if total >= k {
		pct := func(n int) int { return int(math.Round(100 * float64(n) / float64(total))) }
		rep.Outcome = &tl.OutcomeResult{Commit: pct(counts[tl.OutcomeCommit]), Comply: pct(counts[tl.OutcomeComply]), Resist: pct(counts[tl.OutcomeResist])}
	}
	if len(resps) >= commentsK {
		for _, r := range resps {
			if r.Comment != "" {
				rep.Comments = append(rep.Comments, r.Comment)
			}
		}
		mrand.Shuffle(len(rep.Comments), func(i, j int) { rep.Comments[i], rep.Comments[j] = rep.Comments[j], rep.Comments[i] })
	}
	rep.Gaps = gaps(rep.Scales, self, set)
}

// scaleOf finds one scale's result among those shown.
func scaleOf(scales []tl.ScaleResult, scale string) (tl.ScaleResult, bool) {
	for _, s := range scales {
		if s.Scale == scale {
			return s, true
		}
	}
	return tl.ScaleResult{}, false
}

// selfMean is the leader's mean answer on one trust scale.
func selfMean(self map[string]int, scale string) (float64, bool) {
	var sum, n float64
	for _, it := range tl.PulseItems {
		if v, ok := self[it.ID]; ok && it.Scale == scale && it.Self != "" {
			sum += float64(v)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / n, true
}

// gaps compares the leader's self-view with the team's, per dimension.
func gaps(scales []tl.ScaleResult, self map[string]int, set engine.Settings) []tl.Gap {
	var out []tl.Gap
	for _, s := range scales {
		if s.Scale == tl.ScaleSafety {
			continue
		}
		m, ok := selfMean(self, s.Scale)
		if !ok {
			continue
		}
		g := m - s.Mean
		out = append(out, tl.Gap{Scale: s.Scale, Self: m, Team: s.Mean, Gap: g, Flagged: math.Abs(g) >= set.SelfOtherGap})
	}
	return out
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

// respondentSet is who stands behind a pulse's result as far as the
// system knows: the members whose links were used, or for a shared link
// everyone it was meant for. It is never shown to anyone.
func respondentSet(ctx context.Context, tx *store.Tx, p *store.PulseRow) ([]string, error) {
	if p.Delivery == tl.DeliveryLink {
		return tx.PulsePopulation(ctx, p.ID)
	}
	toks, err := tx.PulseTokens(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range toks {
		if t.Used {
			out = append(out, t.RelationshipID)
		}
	}
	return out, nil
}

// releasedSets are the respondent sets of the leader's released pulses
// other than except, with a label for messages.
func releasedSets(ctx context.Context, tx *store.Tx, leaderID, except string) ([]labelledSet, error) {
	ps, err := tx.Pulses(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	var out []labelledSet
	for i := range ps {
		p := &ps[i]
		if p.ID == except || !p.Released {
			continue
		}
		s, err := resultSet(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// resultSet is a pulse's respondent set with its count and whether it is
// uncertain (a shared link not everyone answered).
func resultSet(ctx context.Context, tx *store.Tx, p *store.PulseRow) (labelledSet, error) {
	ids, err := respondentSet(ctx, tx, p)
	if err != nil {
		return labelledSet{}, err
	}
	n, err := tx.CountPulseResponses(ctx, p.ID)
	if err != nil {
		return labelledSet{}, err
	}
	return labelledSet{Label: fmt.Sprintf("wave %d of team %s", p.Wave, p.Team), IDs: ids, N: n,
		Uncertain: p.Delivery == tl.DeliveryLink && n < len(ids)}, nil
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

// TeamViews shows, per team, the ledger's view, the team's (the latest
// released pulse) and the leader's own, dimension by dimension.
func (a *App) TeamViews(ctx context.Context, leaderID string) ([]tl.TeamView, error) {
	now := a.clock()
	writes := a.db.WriteStats().Writes
	if v, ok := a.views.get(leaderID, now, writes); ok {
		return v, nil
	}
	var out []tl.TeamView
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		teams, err := tx.Teams(ctx, leaderID)
		if err != nil {
			return err
		}
		pulses, err := tx.Pulses(ctx, leaderID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		rels, err := tx.Relationships(ctx, leaderID)
		if err != nil {
			return err
		}
		states, err := tx.States(ctx, leaderID)
		if err != nil {
			return err
		}
		for _, t := range teams {
			// The ledger's view: expected trust per dimension (MODEL.md
			// §3), read from the stored state; the quantiles Status adds
			// are not needed here.
			var sum [engine.NumDims]float64
			n := 0
			for _, r := range rels {
				if r.TeamID != t.ID || !r.Active {
					continue
				}
				rd := set.Read(states[r.ID], now)
				for d := range engine.NumDims {
					sum[d] += set.Expected(rd.R[d], rd.S[d])
				}
				n++
			}
			if n == 0 {
				continue
			}
			v := tl.TeamView{Team: t}
			var latest, latestSelf *store.PulseRow
			for i := range pulses {
				p := &pulses[i]
				if p.TeamID != t.ID {
					continue
				}
				if latest == nil && p.Released {
					latest = p
				}
				if latestSelf == nil && p.SelfAnswers != "" {
					latestSelf = p
				}
			}
			var shown []tl.ScaleResult // the scales the latest released wave shows
			if latest != nil {
				v.PulseID = latest.ID
				rep, err := report(ctx, tx, set, latest)
				if err != nil {
					return err
				}
				shown = rep.Scales
				if s, ok := scaleOf(shown, tl.ScaleSafety); ok {
					v.Safety = &s
				}
			}
			var self map[string]int
			if latestSelf != nil {
				self = decodeAnswers(latestSelf.SelfAnswers)
			}
			for d := range engine.NumDims {
				vd := tl.ViewDim{Scale: engine.Dim(d).String(), Ledger: sum[d] / float64(n)}
				known := []float64{vd.Ledger}
				if s, ok := scaleOf(shown, vd.Scale); ok {
					vd.Team, vd.HasTeam = s.P, true
					known = append(known, vd.Team)
				}
				if m, ok := selfMean(self, vd.Scale); ok {
					vd.Self, vd.HasSelf = (m-1)/4, true
					known = append(known, vd.Self)
				}
				vd.Gap = slices.Max(known) - slices.Min(known)
				v.Dims = append(v.Dims, vd)
			}
			best := -1
			for i, vd := range v.Dims {
				if (vd.HasTeam || vd.HasSelf) && (best < 0 || vd.Gap > v.Dims[best].Gap) {
					best = i
				}
			}
			if best >= 0 {
				b := v.Dims[best]
				v.Biggest = &b
			}
			out = append(out, v)
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Team.Name < out[j].Team.Name })
		return nil
	})
	if err != nil {
		return nil, err
	}
	out = nonNil(out)
	a.views.put(leaderID, out, now, writes)
	return out, nil
}
