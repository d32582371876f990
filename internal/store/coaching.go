package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

const programCols = "id, name, created_by, created_at"

func scanProgram(rows rowScanner, p *tl.Program) error {
	return rows.Scan(&p.ID, &p.Name, &p.CreatedBy, msTime{&p.CreatedAt})
}

// CreateProgram stores a program; a taken name is ECONFLICT.
func (tx *Tx) CreateProgram(ctx context.Context, p *tl.Program) error {
	_, err := tx.execContext(ctx, "INSERT INTO programs ("+programCols+") VALUES ($1, $2, $3, $4)", p.ID, p.Name, p.CreatedBy, ms(p.CreatedAt))
	return conflict("create program", err, "a program named %q already exists: pick another name", p.Name)
}

// Programs lists every program, by name.
func (tx *Tx) Programs(ctx context.Context) ([]tl.Program, error) {
	return list(ctx, tx, "programs", "SELECT "+programCols+" FROM programs ORDER BY name", nil, scanProgram)
}

// ProgramsOfCoach lists the programs a coach follows.
func (tx *Tx) ProgramsOfCoach(ctx context.Context, userID string) ([]tl.Program, error) {
	return list(ctx, tx, "programs", "SELECT "+prefixed("p.", programCols)+" FROM programs p JOIN program_coaches c ON c.program_id = p.id WHERE c.user_id = $1 ORDER BY p.name",
		[]any{userID}, scanProgram)
}

// ProgramsOfLeader lists the programs a leader is in.
func (tx *Tx) ProgramsOfLeader(ctx context.Context, leaderID string) ([]tl.Program, error) {
	return list(ctx, tx, "programs", "SELECT "+prefixed("p.", programCols)+" FROM programs p JOIN program_leaders l ON l.program_id = p.id WHERE l.leader_id = $1 ORDER BY p.name",
		[]any{leaderID}, scanProgram)
}

// ProgramByID finds one program.
func (tx *Tx) ProgramByID(ctx context.Context, id string) (*tl.Program, error) {
	return one(ctx, tx, "program", "SELECT "+programCols+" FROM programs WHERE id = $1", []any{id}, scanProgram,
		notFound("no program %q: list them with: trustledger program list", id))
}

// AddProgramCoach adds a coach (again is no change).
func (tx *Tx) AddProgramCoach(ctx context.Context, programID, userID string) error {
	_, err := tx.execContext(ctx, "INSERT INTO program_coaches (program_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", programID, userID)
	return translate("add coach", err)
}

// IsProgramCoach reports whether the user coaches the program.
func (tx *Tx) IsProgramCoach(ctx context.Context, programID, userID string) (bool, error) {
	var n int
	err := tx.queryRowContext(ctx, "SELECT COUNT(*) FROM program_coaches WHERE program_id = $1 AND user_id = $2", programID, userID).Scan(&n)
	return n > 0, translate("is coach", err)
}

// ProgramCoaches lists a program's coaches.
func (tx *Tx) ProgramCoaches(ctx context.Context, programID string) ([]tl.ProgramCoach, error) {
	return list(ctx, tx, "coaches", "SELECT u.id, u.name, u.email FROM program_coaches c JOIN users u ON u.id = c.user_id WHERE c.program_id = $1 ORDER BY u.name",
		[]any{programID}, func(rows rowScanner, c *tl.ProgramCoach) error { return rows.Scan(&c.UserID, &c.Name, &c.Email) })
}

// AddProgramLeader adds a leader without consent (again is no change).
func (tx *Tx) AddProgramLeader(ctx context.Context, programID, leaderID string, at time.Time) error {
	_, err := tx.execContext(ctx, "INSERT INTO program_leaders (program_id, leader_id, added_at, consented_at, withdrawn_at) VALUES ($1, $2, $3, 0, 0) ON CONFLICT DO NOTHING",
		programID, leaderID, ms(at))
	return translate("add leader", err)
}

// ProgramLeaders lists a program's leaders with their consent.
func (tx *Tx) ProgramLeaders(ctx context.Context, programID string) ([]tl.ProgramLeader, error) {
	return list(ctx, tx, "program leaders",
		"SELECT l.id, l.name, COALESCE(u.email, ''), pl.added_at, pl.consented_at, pl.withdrawn_at FROM program_leaders pl JOIN leaders l ON l.id = pl.leader_id LEFT JOIN users u ON u.leader_id = l.id WHERE pl.program_id = $1 ORDER BY l.name",
		[]any{programID}, func(rows rowScanner, p *tl.ProgramLeader) error {
			if err := rows.Scan(&p.LeaderID, &p.Name, &p.Email, msTime{&p.AddedAt}, msTime{&p.ConsentedAt}, msTime{&p.WithdrawnAt}); err != nil {
				return err
			}
			p.Consented = !p.ConsentedAt.IsZero() && p.WithdrawnAt.IsZero()
			return nil
		})
}

// SetProgramConsent records a leader's consent (or its withdrawal) at at.
func (tx *Tx) SetProgramConsent(ctx context.Context, programID, leaderID string, consent bool, at time.Time) error {
	q := "UPDATE program_leaders SET consented_at = $1, withdrawn_at = 0 WHERE program_id = $2 AND leader_id = $3"
	if !consent {
		q = "UPDATE program_leaders SET withdrawn_at = $1 WHERE program_id = $2 AND leader_id = $3"
	}
	return tx.execOne(ctx, "consent", q, []any{ms(at), programID, leaderID},
		notFound("you are not in this program: ask its admin to add you"))
}

// consenting is the subquery of a program's consenting leaders.
const consenting = "SELECT leader_id FROM program_leaders WHERE program_id = $1 AND consented_at > 0 AND withdrawn_at = 0"

// PutLeaderWeek records the quadrants of a leader's relationships in one
// week (replacing an earlier record of that week).
func (tx *Tx) PutLeaderWeek(ctx context.Context, leaderID string, week time.Time, counts map[string]int) error {
	if _, err := tx.execContext(ctx, "DELETE FROM leader_weeks WHERE leader_id = $1 AND week_start = $2", leaderID, ms(week)); err != nil {
		return translate("leader week", err)
	}
	for q, n := range counts {
		if _, err := tx.execContext(ctx, "INSERT INTO leader_weeks (leader_id, week_start, quadrant, relationships) VALUES ($1, $2, $3, $4)",
			leaderID, ms(week), q, n); err != nil {
			return translate("leader week", err)
		}
	}
	return nil
}

// ProgramWeeks sums the consenting leaders' weekly quadrants since since.
func (tx *Tx) ProgramWeeks(ctx context.Context, programID string, since time.Time) ([]tl.RollupWeek, error) {
	type row struct {
		week    time.Time
		quad    string
		n       int
		leaders int
	}
	rows, err := list(ctx, tx, "program weeks",
		"SELECT week_start, quadrant, SUM(relationships), COUNT(DISTINCT leader_id) FROM leader_weeks WHERE leader_id IN ("+consenting+") AND week_start >= $2 GROUP BY week_start, quadrant ORDER BY week_start",
		[]any{programID, ms(since)}, func(rows rowScanner, r *row) error { return rows.Scan(msTime{&r.week}, &r.quad, &r.n, &r.leaders) })
	if err != nil {
		return nil, err
	}
	out := []tl.RollupWeek{}
	for _, r := range rows {
		if len(out) == 0 || !out[len(out)-1].WeekStart.Equal(r.week) {
			out = append(out, tl.RollupWeek{WeekStart: r.week, Quadrants: map[string]int{}})
		}
		w := &out[len(out)-1]
		w.Quadrants[r.quad] += r.n
		w.Leaders = max(w.Leaders, r.leaders)
	}
	return out, nil
}

// ProgramSteps counts the consenting leaders' steps by status.
func (tx *Tx) ProgramSteps(ctx context.Context, programID string) (tl.StepCounts, error) {
	type row struct {
		status string
		n      int
	}
	rows, err := list(ctx, tx, "program steps", "SELECT status, COUNT(*) FROM steps WHERE leader_id IN ("+consenting+") GROUP BY status",
		[]any{programID}, func(rows rowScanner, r *row) error { return rows.Scan(&r.status, &r.n) })
	var c tl.StepCounts
	for _, r := range rows {
		switch tl.StepStatus(r.status) {
		case tl.StepSuggested:
			c.Suggested = r.n
		case tl.StepAccepted:
			c.Accepted = r.n
		case tl.StepDone:
			c.Done = r.n
		case tl.StepSkipped:
			c.Skipped = r.n
		}
	}
	return c, err
}

// PutPulseResults keeps a released pulse's scale means.
func (tx *Tx) PutPulseResults(ctx context.Context, pulseID, leaderID string, closed time.Time, n int, scales []tl.ScaleResult) error {
	b, err := json.Marshal(scales)
	if err != nil {
		return internal("pulse results", err)
	}
	_, err = tx.execContext(ctx, "INSERT INTO pulse_results (pulse_id, leader_id, closed_at, n, scales) VALUES ($1, $2, $3, $4, $5)",
		pulseID, leaderID, ms(closed), n, string(b))
	return translate("pulse results", err)
}

// ProgramPulses lists the consenting leaders' released pulses, newest first.
func (tx *Tx) ProgramPulses(ctx context.Context, programID string, limit int) ([]tl.RollupPulse, error) {
	return list(ctx, tx, "program pulses",
		"SELECT l.name, r.closed_at, r.n, r.scales FROM pulse_results r JOIN leaders l ON l.id = r.leader_id WHERE r.leader_id IN ("+consenting+") ORDER BY r.closed_at DESC, r.pulse_id LIMIT $2",
		[]any{programID, limit}, func(rows rowScanner, p *tl.RollupPulse) error {
			var scales string
			if err := rows.Scan(&p.Leader, msTime{&p.ClosedAt}, &p.N, &scales); err != nil {
				return err
			}
			return json.Unmarshal([]byte(scales), &p.Scales)
		})
}

// ProgramShared lists the journal entries consenting leaders shared.
func (tx *Tx) ProgramShared(ctx context.Context, programID string, limit int) ([]tl.RollupEntry, error) {
	return list(ctx, tx, "program journal",
		"SELECT l.name, j.week_start, j.question, j.body FROM journal j JOIN leaders l ON l.id = j.leader_id WHERE j.shared = 1 AND j.leader_id IN ("+consenting+") ORDER BY j.created_at DESC, j.id LIMIT $2",
		[]any{programID, limit}, func(rows rowScanner, e *tl.RollupEntry) error {
			return rows.Scan(&e.Leader, msTime{&e.WeekStart}, &e.Question, &e.Text)
		})
}

// SetJournalShared shares or unshares one journal entry of a leader.
func (tx *Tx) SetJournalShared(ctx context.Context, leaderID, id string, shared bool) error {
	return tx.execOne(ctx, "share journal", "UPDATE journal SET shared = $1 WHERE id = $2 AND leader_id = $3",
		[]any{b2i(shared), id, leaderID}, notFound("no journal entry %q: list yours with: trustledger journal", id))
}

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = alias + parts[i]
	}
	return strings.Join(parts, ", ")
}

// JournalEntry reads one journal entry of a leader.
func (tx *Tx) JournalEntry(ctx context.Context, leaderID, id string) (*tl.JournalEntry, error) {
	return one(ctx, tx, "journal entry", "SELECT "+journalCols+" FROM journal WHERE id = $1 AND leader_id = $2", []any{id, leaderID},
		scanJournal, notFound("no journal entry %q: list yours with: trustledger journal", id))
}

// LeaderOfEmail finds the account with this email that leads.
func (tx *Tx) LeaderOfEmail(ctx context.Context, email string) (*tl.User, error) {
	return one(ctx, tx, "user", "SELECT "+userCols+" FROM users WHERE email = $1 AND leader_id IS NOT NULL AND leader_id <> ''", []any{email}, scanUser,
		notFound("no leader has the account %s: invite them as a leader first", email))
}

// MailInvitation is an invitation by mail (a roster's): its link is made
// when the message is sent.
const MailInvitation = "invitation"

// InvitationByID finds an invitation.
func (tx *Tx) InvitationByID(ctx context.Context, id string) (*tl.Invitation, error) {
	return one(ctx, tx, "invitation", "SELECT "+invitationCols+" FROM invitations WHERE id = $1",
		[]any{id}, scanInvitation, notFound("no invitation %q", id))
}

// SetInvitationHash gives an unused invitation a new token (the one in
// the message being sent).
func (tx *Tx) SetInvitationHash(ctx context.Context, id, tokenHash string) error {
	return tx.execOne(ctx, "invitation token", "UPDATE invitations SET token_hash = $1 WHERE id = $2 AND used_at = 0",
		[]any{tokenHash, id}, notFound("invitation %q is used", id))
}

// OpenInvitationFor reports whether email has an unused, unexpired invitation.
func (tx *Tx) OpenInvitationFor(ctx context.Context, email string, now time.Time) (bool, error) {
	var n int
	err := tx.queryRowContext(ctx, "SELECT COUNT(*) FROM invitations WHERE email = $1 AND used_at = 0 AND expires_at > $2", email, ms(now)).Scan(&n)
	return n > 0, translate("open invitation", err)
}
