package app

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

var _ tl.ProgramService = (*App)(nil)

// rollupWeeks is how many weeks of quadrants a rollup shows.
const rollupWeeks = 12

// rollupItems bounds the pulses and shared entries a rollup lists.
const rollupItems = 50

// CreateProgram makes a program (owner and admins).
func (a *App) CreateProgram(ctx context.Context, actorID, name string) (*tl.Program, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > tl.MaxNameLength {
		return nil, tl.Invalidf("name", "give the program a name of 1–%d characters, e.g. \"Spring leadership cohort\"", tl.MaxNameLength)
	}
	now := a.clock()
	p := &tl.Program{ID: store.NewID(now), Name: name, CreatedBy: actorID, CreatedAt: now}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "create programs"); err != nil {
			return err
		}
		return tx.CreateProgram(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Programs lists what the actor may see.
func (a *App) Programs(ctx context.Context, actorID string) ([]tl.Program, error) {
	var out []tl.Program
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, actorID)
		if err != nil {
			return err
		}
		switch {
		case u.Role.CanAdminister():
			out, err = tx.Programs(ctx)
		case u.Role == tl.RoleCoach:
			out, err = tx.ProgramsOfCoach(ctx, u.ID)
		case u.LeaderID != "":
			out, err = tx.ProgramsOfLeader(ctx, u.LeaderID)
		default:
			out = []tl.Program{}
		}
		return err
	})
	return out, err
}

// programAccess is what the actor may do with one program.
type programAccess struct {
	user    *tl.User
	program *tl.Program
	admin   bool
	coach   bool
	leader  bool // the actor leads and is in the program
}

// access checks that the actor may see the program at all; a program the
// actor may not see is ENOTFOUND, so ids cannot be probed.
func access(ctx context.Context, tx *store.Tx, actorID, programID string) (*programAccess, error) {
	u, err := tx.UserByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	p, err := tx.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	acc := &programAccess{user: u, program: p, admin: u.Role.CanAdminister()}
	if acc.coach, err = tx.IsProgramCoach(ctx, programID, u.ID); err != nil {
		return nil, err
	}
	if u.LeaderID != "" {
		ls, err := tx.ProgramsOfLeader(ctx, u.LeaderID)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			acc.leader = acc.leader || l.ID == programID
		}
	}
	if !acc.admin && !acc.coach && !acc.leader {
		return nil, tl.Errorf(tl.ENOTFOUND, "no program %q: list yours with: trustledger program list", programID)
	}
	return acc, nil
}

// Program is a program with its coaches and leaders. A leader who is
// neither admin nor coach sees the coaches and only their own consent.
func (a *App) Program(ctx context.Context, actorID, programID string) (*tl.ProgramDetail, error) {
	var out *tl.ProgramDetail
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := access(ctx, tx, actorID, programID)
		if err != nil {
			return err
		}
		d := &tl.ProgramDetail{Program: *acc.program}
		if d.Coaches, err = tx.ProgramCoaches(ctx, programID); err != nil {
			return err
		}
		ls, err := tx.ProgramLeaders(ctx, programID)
		if err != nil {
			return err
		}
		d.Leaders = []tl.ProgramLeader{}
		for _, l := range ls {
			if acc.admin || acc.coach || l.LeaderID == acc.user.LeaderID {
				d.Leaders = append(d.Leaders, l)
			}
		}
		out = d
		return nil
	})
	return out, err
}

// AddCoach adds an account with the coach role to a program (admins).
func (a *App) AddCoach(ctx context.Context, actorID, programID, email string) error {
	email, err := checkEmail(email)
	if err != nil {
		return tl.WithField(err, "email")
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "add coaches"); err != nil {
			return err
		}
		if _, err := tx.ProgramByID(ctx, programID); err != nil {
			return err
		}
		u, err := tx.UserByEmail(ctx, email)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return tl.Invalidf("email", "%s has no account yet: invite them as a coach first", email)
		} else if err != nil {
			return err
		}
		if u.Role != tl.RoleCoach && !u.Role.CanAdminister() {
			return tl.Invalidf("email", "%s is a %s, not a coach: coaches see programs' rollups, so the role must say so (invite a coach account)", email, u.Role)
		}
		return tx.AddProgramCoach(ctx, programID, u.ID)
	})
}

// AddLeader adds a leader to a program, without their consent: until they
// give it, coaches see nothing of them.
func (a *App) AddLeader(ctx context.Context, actorID, programID, email string) error {
	email, err := checkEmail(email)
	if err != nil {
		return tl.WithField(err, "email")
	}
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "add leaders to programs"); err != nil {
			return err
		}
		if _, err := tx.ProgramByID(ctx, programID); err != nil {
			return err
		}
		u, err := tx.LeaderOfEmail(ctx, email)
		if err != nil {
			return err
		}
		return tx.AddProgramLeader(ctx, programID, u.LeaderID, now)
	})
}

// SetConsent gives or withdraws the actor's consent. Nothing about
// consent is cached: the next rollup reads it.
func (a *App) SetConsent(ctx context.Context, actorID, programID string, consent bool) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, actorID)
		if err != nil {
			return err
		}
		if u.LeaderID == "" {
			return tl.Errorf(tl.EFORBIDDEN, "only leaders give consent to their coaches")
		}
		if _, err := tx.ProgramByID(ctx, programID); err != nil {
			return err
		}
		return tx.SetProgramConsent(ctx, programID, u.LeaderID, consent, now)
	})
}

// Rollup is what a coach (or admin) sees of a program: only aggregates of
// the leaders who consent now.
func (a *App) Rollup(ctx context.Context, actorID, programID string) (*tl.Rollup, error) {
	now := a.clock()
	var out *tl.Rollup
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := access(ctx, tx, actorID, programID)
		if err != nil {
			return err
		}
		if !tl.SeesRollup(acc.user.Role, acc.coach) {
			return tl.Errorf(tl.EFORBIDDEN, "only the program's coaches and admins see its rollup; your own numbers are on your dashboard")
		}
		ls, err := tx.ProgramLeaders(ctx, programID)
		if err != nil {
			return err
		}
		r := &tl.Rollup{Program: *acc.program, Leaders: len(ls)}
		for _, l := range ls {
			if l.Consented {
				r.Consenting++
			}
		}
		// Each leader's weeks are named in their own zone; the rollup's
		// are counted back from this week where the viewer is.
		since := tl.WeekStartIn(now, zoneNamed(acc.user.TimeZone)).AddDate(0, 0, -7*(rollupWeeks-1))
		if r.Weeks, err = tx.ProgramWeeks(ctx, programID, since); err != nil {
			return err
		}
		if r.Steps, err = tx.ProgramSteps(ctx, programID); err != nil {
			return err
		}
		if r.Pulses, err = tx.ProgramPulses(ctx, programID, rollupItems); err != nil {
			return err
		}
		if r.Shared, err = tx.ProgramShared(ctx, programID, rollupItems); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// ShareJournal shares or unshares one of the leader's entries.
func (a *App) ShareJournal(ctx context.Context, leaderID, entryID string, shared bool) (*tl.JournalEntry, error) {
	var out *tl.JournalEntry
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		if err := tx.SetJournalShared(ctx, leaderID, entryID, shared); err != nil {
			return err
		}
		var err error
		out, err = tx.JournalEntry(ctx, leaderID, entryID)
		return err
	})
	return out, err
}

// recordWeek keeps how many of the leader's relationships stand in each
// quadrant in week (the leader's current week, as tl.WeekStartIn names
// it), for coaches' rollups (only ever read in aggregate, and only while
// the leader consents).
func recordWeek(ctx context.Context, tx *store.Tx, leaderID string, assess []engine.Assessment, week time.Time) error {
	counts := map[string]int{}
	for _, a := range assess {
		counts[string(a.Quadrant)]++
	}
	return tx.PutLeaderWeek(ctx, leaderID, week, counts)
}

// invitationMailLink issues a roster invitation's link as its message is
// sent: a new token replaces the one made at import, which nobody saw.
// Done when the invitation was used or has expired.
func (a *App) invitationMailLink(ctx context.Context, invID string) (inv *tl.Invitation, token string, done bool, err error) {
	now := a.clock()
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if inv, err = tx.InvitationByID(ctx, invID); err != nil {
			return err
		}
		// The mail names the day the link expires as the inviter counts
		// days.
		if by, err := tx.UserByID(ctx, inv.InvitedBy); err == nil {
			inv.ExpiresAt = inv.ExpiresAt.In(zoneNamed(by.TimeZone))
		}
		if !inv.Open(now) {
			done = true
			return nil
		}
		token = rand.Text()
		return tx.SetInvitationHash(ctx, invID, hashToken(token))
	})
	return inv, token, done, err
}
