package demo

// The demo team's voice: they confirmed their addresses weeks ago, and
// answer today's pulse through the links mailed to them.

import (
	"fmt"
	"math"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// pulse runs one team pulse the way the team would answer it today: each
// person's answers follow what the ledger says of their trust in Lena,
// with the spread real answers have, and Lena rates herself a little
// higher than the team does (the usual leniency), so the dashboard shows
// the three views and their biggest gap. It goes through the services
// and the team's mailboxes like everything else: the team confirmed their
// addresses weeks ago (docs/ANONYMITY.md, rule 1), then each answers
// through the personal link mailed to them.
func (s *seeder) pulse() error {
	if s.opts.Mailbox == nil || s.opts.Travel == nil {
		return nil
	}
	ctx, l := s.ctx, s.leader
	letters, err := s.opts.Mailbox(ctx)
	if err != nil {
		return fmt.Errorf("demo mail: %w", err)
	}
	// Everyone confirmed the day after they joined, but no later than
	// long enough ago to count toward k today; a newcomer of the last week
	// confirmed too recently to count yet.
	early := s.now.Add(-tl.MemberWait - 2*24*time.Hour)
	joined := map[string]time.Time{}
	for name, at := range s.joins {
		joined[demoEmail(name)] = at
	}
	for _, lt := range letters {
		tok := linkToken(lt.Text, "/v/")
		if tok == "" {
			continue
		}
		s.opts.Travel(later(early, joined[lt.To].Add(24*time.Hour)))
		err := s.svc.ConfirmAddress(ctx, tok)
		s.opts.Travel(time.Time{})
		if err != nil {
			return fmt.Errorf("demo: %s confirms their address: %w", lt.To, err)
		}
	}
	st, err := s.svc.Status(ctx, l)
	if err != nil {
		return err
	}
	set, err := s.svc.Settings(ctx, l)
	if err != nil {
		return err
	}
	roster, err := s.svc.VoiceRoster(ctx, l)
	if err != nil {
		return err
	}
	counting := 0
	for _, sd := range roster {
		if sd.Counts {
			counting++
		}
	}
	if counting < set.K {
		return nil // too few people count for an anonymous pulse
	}
	launch, err := s.svc.LaunchPulse(ctx, l, tl.PulseInput{Team: TeamName, Question: "What should Lena keep doing, or start doing?"})
	if err != nil {
		return fmt.Errorf("demo pulse: %w", err)
	}
	if letters, err = s.opts.Mailbox(ctx); err != nil {
		return fmt.Errorf("demo mail: %w", err)
	}
	links := map[string]string{} // address → pulse link token
	for _, lt := range letters {
		if tok := linkToken(lt.Text, "/p/"); tok != "" {
			links[lt.To] = tok
		}
	}
	comments := []string{"Keep explaining the why behind decisions.", "More one-on-ones, please.", "", "Let us pick the experiments more often.", ""}
	for i, rs := range st.Relationships {
		tok, ok := links[demoEmail(rs.Relationship.Person)]
		if !ok {
			continue // not asked: does not count toward k
		}
		a := rs.Assessment
		ans := map[string]int{}
		for _, it := range tl.PulseItems {
			switch it.Scale {
			case tl.ScaleOutcome:
				ans[it.ID] = tl.OutcomeCommit
				if a.Trust.E < 0.6 {
					ans[it.ID] = tl.OutcomeComply
				}
			case tl.ScaleSafety:
				x := 4 - (i+len(it.ID))%2
				if it.Reverse {
					x = 6 - x
				}
				ans[it.ID] = x
			default:
				d, _ := engine.ParseDim(it.Scale)
				ans[it.ID] = min(5, max(1, int(math.Round(1+4*a.Dims[d].E))+(i%3)-1))
			}
		}
		pass, err := s.svc.OpenPulseLink(ctx, tok)
		if err != nil {
			return fmt.Errorf("demo pulse: %w", err)
		}
		if err := s.svc.SubmitPulse(ctx, pass, tl.PulseAnswers{Answers: ans, Comment: comments[i%len(comments)]}); err != nil {
			return fmt.Errorf("demo pulse answer: %w", err)
		}
	}
	if err := s.svc.AnswerSelf(ctx, l, launch.Pulse.ID, map[string]int{"a1": 5, "a2": 4, "b1": 5, "b2": 5, "i1": 4, "i2": 4}); err != nil {
		return fmt.Errorf("demo pulse: %w", err)
	}
	if _, err := s.svc.ClosePulse(ctx, l, launch.Pulse.ID); err != nil {
		return fmt.Errorf("demo pulse: %w", err)
	}
	return nil
}

// linkToken finds, in a message's text, the token of a link whose path
// starts with prefix ("/p/", "/v/"), or "".
func linkToken(text, prefix string) string {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, prefix); i >= 0 && !strings.ContainsAny(line[i:], " \t") {
			return line[i+len(prefix):]
		}
	}
	return ""
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
