package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// MaxRosterRows bounds a roster, as tl.MaxRosterBytes does its size: a
// company's whole staff fits, a mistake does not run away.
const MaxRosterRows = 20000

// rosterColumns are the columns a roster may have; the first three are
// required, in any order, named in the header line.
var rosterColumns = []string{"email", "name", "role", "team", "leader_email"}

// ParseRoster reads a roster file: a header line naming the columns
// (email, name, role, and optionally team and leader_email), then one
// person per line. A file that cannot be read as such is EINVALID; a line
// with a wrong value gets its Error instead, so every mistake shows at
// once.
func ParseRoster(data []byte) ([]tl.RosterRow, error) {
	if len(data) > tl.MaxRosterBytes {
		return nil, tl.Errorf(tl.EINVALID, "the roster is %d KB; send at most %d MB at a time (split it by team)", len(data)>>10, tl.MaxRosterBytes>>20)
	}
	if !utf8.Valid(data) {
		return nil, tl.Errorf(tl.EINVALID, "the roster is not UTF-8 text: save it as \"CSV UTF-8\" and try again")
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a spreadsheet's byte-order mark
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, tl.Errorf(tl.EINVALID, "the roster is empty: its first line names the columns, e.g. email,name,role,team,leader_email")
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range rosterColumns {
			known = known || c == h
		}
		if !known {
			return nil, tl.Errorf(tl.EINVALID, "line 1: unknown column %q: the columns are %s", h, strings.Join(rosterColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, tl.Errorf(tl.EINVALID, "line 1: the column %q is named twice", h)
		}
		col[h] = i
	}
	for _, c := range rosterColumns[:3] {
		if _, ok := col[c]; !ok {
			return nil, tl.Errorf(tl.EINVALID, "line 1: the column %q is missing: the first line must name at least email, name and role", c)
		}
	}
	var rows []tl.RosterRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rows) == MaxRosterRows {
			return nil, tl.Errorf(tl.EINVALID, "the roster has more than %d people: split it into several files", MaxRosterRows)
		}
		get := func(c string) string {
			i, ok := col[c]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, tl.RosterRow{Line: line, Email: get("email"), Name: get("name"), Role: tl.Role(strings.ToLower(get("role"))),
			Team: get("team"), LeaderEmail: get("leader_email")})
	}
	if len(rows) == 0 {
		return nil, tl.Errorf(tl.EINVALID, "the roster names no one: add one line per person under the header")
	}
	return rows, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return tl.Errorf(tl.EINVALID, "line %d: %w: check the quotes on that line", pe.Line, pe.Err)
	}
	return tl.Errorf(tl.EINVALID, "the roster cannot be read as CSV: %w", err)
}

// Roster checks every row against the file and the database and, unless
// dryRun or any row is wrong, imports them all in one transaction:
// an invitation by mail for each person, and for a member with a leader,
// the member among that leader's people (in the named team, made if
// needed). Nothing is written when anything is wrong.
func (a *App) Roster(ctx context.Context, actorID string, data []byte, dryRun bool, progress func(done, total int)) (*tl.RosterResult, error) {
	rows, err := ParseRoster(data)
	if err != nil {
		return nil, tl.WithField(err, "csv")
	}
	now := a.clock()
	res := &tl.RosterResult{Rows: rows}
	check := func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "import a roster"); err != nil {
			return err
		}
		res.Errors = 0
		seen := map[string]int{}
		leaders := map[string]int{} // the file's leaders: email → line
		for _, row := range rows {
			if e, err := checkEmail(row.Email); err == nil && row.Role == tl.RoleLeader {
				if _, dup := leaders[e]; !dup {
					leaders[e] = row.Line
				}
			}
		}
		for i := range rows {
			row := &rows[i]
			row.Error = rosterRowError(ctx, tx, row, seen, leaders, now)
			if row.Error != "" {
				res.Errors++
			}
			seen[strings.ToLower(row.Email)] = row.Line
		}
		return nil
	}
	if dryRun {
		err := a.db.Read(ctx, check)
		return res, err
	}
	errRows := errors.New("rows with errors")
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		if res.Errors > 0 {
			return errRows
		}
		res.Invitations, res.People = 0, 0
		for i, row := range rows {
			email, _ := checkEmail(row.Email)
			inv := &tl.Invitation{ID: store.NewID(now), Email: email, Role: row.Role, InvitedBy: actorID,
				CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime), ByMail: true}
			if err := tx.CreateInvitation(ctx, inv, hashToken(rand.Text())); err != nil {
				return err
			}
			if err := queueInvitation(ctx, tx, inv, row.Name, now); err != nil {
				return err
			}
			res.Invitations++
			if row.LeaderEmail != "" {
				if err := addRosterPerson(ctx, tx, actorID, row, email, now); err != nil {
					return fmt.Errorf("line %d: %w", row.Line, err)
				}
				res.People++
			}
			if progress != nil && (i%100 == 99 || i == len(rows)-1) {
				progress(i+1, len(rows))
			}
		}
		return nil
	})
	if errors.Is(err, errRows) {
		res.Invitations, res.People = 0, 0
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	res.Imported = true
	return res, nil
}

// rosterRowError says what is wrong with one row, or "".
// leaders are the file's leaders (email → line), to explain why a member
// cannot yet be given a leader invited in the same file.
func rosterRowError(ctx context.Context, tx *store.Tx, row *tl.RosterRow, seen, leaders map[string]int, now time.Time) string {
	email, err := checkEmail(row.Email)
	if err != nil {
		return tl.ErrorMessage(err)
	}
	if first, dup := seen[email]; dup {
		return fmt.Sprintf("%s is also on line %d: keep one line per person", email, first)
	}
	if _, err := checkUserName(row.Name); err != nil {
		return tl.ErrorMessage(err)
	}
	switch row.Role {
	case tl.RoleAdmin, tl.RoleCoach, tl.RoleLeader, tl.RoleMember:
	case tl.RoleOwner:
		return "an installation has one owner: write admin instead"
	default:
		return fmt.Sprintf("unknown role %q: write admin, coach, leader or member", row.Role)
	}
	if _, err := tx.UserByEmail(ctx, email); err == nil {
		return email + " already has an account"
	} else if tl.ErrorCode(err) != tl.ENOTFOUND {
		return "could not check this line: try again"
	}
	if open, err := tx.OpenInvitationFor(ctx, email, now); err != nil {
		return "could not check this line: try again"
	} else if open {
		return email + " already has an open invitation"
	}
	if row.LeaderEmail == "" {
		if row.Team != "" {
			return "a team needs a leader_email: say whose team it is"
		}
		return ""
	}
	if row.Role != tl.RoleMember {
		return "only members have a leader_email: leave it empty for " + string(row.Role) + "s"
	}
	le, err := checkEmail(row.LeaderEmail)
	if err != nil {
		return "leader_email: " + tl.ErrorMessage(err)
	}
	u, err := tx.LeaderOfEmail(ctx, le)
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		// A member joins the people of a leader who has an account; an
		// invitation makes the account only once it is accepted.
		if line, ok := leaders[le]; ok {
			return fmt.Sprintf("%s is invited as a leader on line %d but has no account until they accept: "+
				"import the leaders now without their teams, then the teams once the leaders have signed in", le, line)
		}
		if open, err := tx.OpenInvitationFor(ctx, le, now); err == nil && open {
			return le + " is invited but has not accepted yet: import this line again once they have signed in"
		}
		return le + " is not a leader here yet: invite them with the role leader first, then import their team once they have signed in"
	} else if err != nil {
		return "could not check this line: try again"
	}
	name, err := cleanName("person", row.Name)
	if err != nil {
		return tl.ErrorMessage(err)
	}
	if taken, err := exists(tx.RelationshipByName(ctx, u.LeaderID, name)); err != nil || taken {
		return fmt.Sprintf("%s already leads someone named %q: give this person another name (e.g. with an initial)", le, name)
	}
	key := "person:" + u.LeaderID + ":" + strings.ToLower(name)
	if first, dup := seen[key]; dup {
		return fmt.Sprintf("line %d also gives %s a person named %q: give one of them another name", first, le, name)
	}
	seen[key] = row.Line
	if row.Team != "" {
		if _, err := cleanName("team", row.Team); err != nil {
			return "team: " + tl.ErrorMessage(err)
		}
	}
	return ""
}

// addRosterPerson adds a member to their leader's people, in their team.
// The administrator importing the roster approves them for the team's
// voice, unless the administrator is their leader (docs/ANONYMITY.md,
// rule 1); accepting the invitation the roster sends confirms the address.
func addRosterPerson(ctx context.Context, tx *store.Tx, actorID string, row tl.RosterRow, email string, now time.Time) error {
	le, _ := checkEmail(row.LeaderEmail)
	u, err := tx.LeaderOfEmail(ctx, le)
	if err != nil {
		return err
	}
	team := row.Team
	if team == "" {
		team = tl.DefaultTeamName
	}
	tm, err := tx.TeamByName(ctx, u.LeaderID, team)
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		tm = &tl.Team{ID: store.NewID(now), LeaderID: u.LeaderID, Name: team, CreatedAt: now}
		err = tx.CreateTeam(ctx, tm)
	}
	if err != nil {
		return err
	}
	name, _ := cleanName("person", row.Name)
	r := &tl.Relationship{ID: store.NewID(now), LeaderID: u.LeaderID, Person: name, Email: email, TeamID: tm.ID,
		Kind: engine.DirectReport, Bases: engine.DefaultBases(engine.DirectReport), Active: true, StartedAt: now, CreatedAt: now}
	actor, err := tx.UserByID(ctx, actorID)
	if err != nil {
		return err
	}
	acc, err := loadAccounts(ctx, tx)
	if err != nil {
		return err
	}
	if acc.mayApprove(actor, u.LeaderID) {
		r.ApprovedAt, r.ApprovedBy = now, actor.ID
	}
	return tx.CreateRelationship(ctx, r)
}

// InviteByMail invites email with role and queues the invitation by mail,
// in one transaction. Its link is made when the message is sent, so no one
// but the invitee ever sees it.
func (a *App) InviteByMail(ctx context.Context, actorID, email string, role tl.Role) (*tl.Invitation, error) {
	inv, _, err := a.invite(ctx, actorID, email, role, true)
	return inv, err
}

// queueInvitation queues the message that carries an invitation.
func queueInvitation(ctx context.Context, tx *store.Tx, inv *tl.Invitation, name string, now time.Time) error {
	_, err := tx.EnqueueMail(ctx, &store.Mail{ID: store.NewID(now), Kind: store.MailInvitation, DedupeKey: "invitation:" + inv.ID,
		To: inv.Email, ToName: name, Ref: inv.ID, CreatedAt: now})
	return err
}
