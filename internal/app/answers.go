package app

// The respondent's side of a pulse: a link exchanged for a pass, the
// form, and one answer stored exactly once (docs/ANONYMITY.md).

import (
	"context"
	"crypto/rand"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
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
		return tl.Invalidf("answers", "no question was answered: answer at least one (you may skip any)")
	}
	for id, v := range answers {
		it, ok := pulseItems[id]
		if !ok || (self && it.Self == "") {
			return tl.Invalidf("answers", "%q is not one of the questions", id)
		}
		hi := tl.PulseScalePoints
		if it.Scale == tl.ScaleOutcome {
			hi = tl.OutcomeCommit
		}
		if v < 1 || v > hi {
			return tl.Invalidf("answers", "the answer to %q must be 1–%d, got %d", it.Text, hi, v)
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
	if err := checkVisible("the "+what, s); err != nil {
		return "", err
	}
	return s, nil
}

// OpenPulseLink exchanges a link's token for a pass. It does not use the
// token up: mail scanners open links too.
func (a *App) OpenPulseLink(ctx context.Context, token string) (string, error) {
	token = strings.TrimSpace(token)
	now := a.clock()
	pass := rand.Text()
	err := a.db.WriteQuiet(ctx, func(tx *store.Tx) error {
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
		} else if _, err := tx.PulseBySharedHash(ctx, h); err == nil {
			return tl.Errorf(tl.ENOTFOUND, "this shared link no longer takes answers: whoever holds a shared link could answer in the team's name, so pulses now go by personal links only")
		} else if tl.ErrorCode(err) == tl.ENOTFOUND {
			return errBadPulseLink
		} else {
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
		// Everyone asked, by name: the people the result stands for, so
		// a made-up person is there for the team to see.
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, id := range pop {
			r, err := tx.RelationshipAny(ctx, id)
			if err != nil {
				return err
			}
			out.Asked = append(out.Asked, r.Person)
		}
		slices.Sort(out.Asked)
		return nil
	})
	return out, err
}

// SubmitPulse stores one response, exactly once per link or pass.
func (a *App) SubmitPulse(ctx context.Context, pass string, in tl.PulseAnswers) error {
	if err := checkAnswers(in.Answers, false); err != nil {
		return err
	}
	comment, err := cleanText("comment", in.Comment, tl.MaxCommentLength)
	if err != nil {
		return tl.WithField(err, "comment")
	}
	resp := store.PulseResponse{Answers: encodeAnswers(in.Answers), Comment: comment}
	key := rand.Text()
	now := a.clock()
	err = a.db.WriteQuiet(ctx, func(tx *store.Tx) error {
		ps, p, err := pulsePass(ctx, tx, pass, now)
		if err != nil {
			return err
		}
		if p.Status != tl.PulseOpen {
			return tl.Errorf(tl.ECONFLICT, "this pulse closed before your answer arrived: it was not stored")
		}
		if resp.Comment != "" && p.Question == "" {
			return tl.Invalidf("comment", "this pulse asks no free-text question: leave the comment empty")
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
			if err := tx.DeletePassesOfLink(ctx, ps.TokenHash); err != nil {
				return err
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
		if err := tx.MarkMix(ctx, store.MixPulse, p.ID); err != nil {
			return err
		}
		return tx.AddPulseResponse(ctx, p.ID, key, resp)
	})
	if err == nil {
		a.kickMix()
	}
	return err
}
