package app

// Who counts toward k (docs/ANONYMITY.md, rule 1). A person is asked in a
// pulse, and may react to a decision, only when the leader alone could
// not have made them up: their address was confirmed from its mailbox,
// it is not the leader's own mailbox nor another person's, it has waited
// tl.MemberWait since, and where the installation has an owner or
// administrator who is not the leader, one of them approved the person.
// The rule is written once, here (standingCtx.of); the launch, the
// reactions, the roster and the team's window all read it.

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// canonicalMailbox is the mailbox an address reaches, as far as an
// address alone can tell: lower case, without a "+tag" (which most mail
// systems deliver to the untagged mailbox), and for Gmail without dots
// and with googlemail.com as gmail.com. Two addresses with the same
// canonical mailbox are treated as one person's.
func canonicalMailbox(email string) string {
	email = normalizeEmail(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	local, domain := email[:at], email[at+1:]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// standingCtx is what deciding who counts needs to know about one leader.
type standingCtx struct {
	own       map[string]bool // canonical mailboxes of the leader's own accounts
	mailboxes map[string]int  // canonical mailbox → how many active people of the leader have it
	approvers bool            // the installation has an owner or admin who is not this leader
	now       time.Time
	zone      *time.Location // the leader's, for the dates the reasons name
}

// loadStanding reads what standingCtx.of needs for leaderID at now.
func loadStanding(ctx context.Context, tx *store.Tx, leaderID string, now time.Time) (*standingCtx, []tl.Relationship, error) {
	acc, err := loadAccounts(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	l, err := tx.LeaderByID(ctx, leaderID)
	if err != nil {
		return nil, nil, err
	}
	sc := &standingCtx{own: map[string]bool{}, mailboxes: map[string]int{}, now: now, zone: zoneOf(ctx, l)}
	for _, u := range acc.users {
		if u.LeaderID == leaderID {
			sc.own[canonicalMailbox(u.Email)] = true
		}
	}
	for i := range acc.users {
		if acc.mayApprove(&acc.users[i], leaderID) {
			sc.approvers = true
		}
	}
	rels, err := tx.Relationships(ctx, leaderID)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rels {
		if r.Active && r.Email != "" {
			sc.mailboxes[canonicalMailbox(r.Email)]++
		}
	}
	return sc, rels, nil
}

// of is where r stands: the rule of docs/ANONYMITY.md rule 1, in order.
func (sc *standingCtx) of(r tl.Relationship) tl.Standing {
	s := tl.Standing{RelationshipID: r.ID, Person: r.Person, TeamID: r.TeamID}
	box := canonicalMailbox(r.Email)
	switch {
	case !r.Active:
		s.Step, s.Reason = tl.StepInactive, "is no longer among the people you lead"
	case r.Email == "":
		s.Step, s.Reason = tl.StepAddress, "has no email address yet"
	case sc.own[box]:
		s.Step, s.Reason = tl.StepAlias, "has an address that reaches the leader's own mailbox"
	case sc.mailboxes[box] > 1:
		s.Step, s.Reason = tl.StepAlias, "shares a mailbox with another person of the same leader"
	case r.EmailConfirmedAt.IsZero():
		s.Step, s.Reason = tl.StepConfirm, "has not confirmed their address yet"
	case sc.approvers && r.ApprovedAt.IsZero():
		s.Step, s.Reason = tl.StepApproval, "waits for an administrator to approve them"
	default:
		s.From = r.EmailConfirmedAt.Add(tl.MemberWait)
		if sc.now.Before(s.From) {
			s.Step, s.Reason = tl.StepWait, "counts from "+s.From.In(sc.zone).Format("Monday 2 January")
		} else {
			s.Counts = true
		}
	}
	return s
}

// VoiceRoster is where each of the leader's active people stands.
func (a *App) VoiceRoster(ctx context.Context, leaderID string) ([]tl.Standing, error) {
	now := a.clock()
	var out []tl.Standing
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		sc, rels, err := loadStanding(ctx, tx, leaderID, now)
		if err != nil {
			return err
		}
		for _, r := range rels {
			if r.Active {
				out = append(out, sc.of(r))
			}
		}
		return nil
	})
	return nonNil(out), err
}

// setAddress gives r a new address (or none) inside tx: the proofs of the
// old one end, and a new address is sent a confirmation. An unchanged
// address changes nothing.
func setAddress(ctx context.Context, tx *store.Tx, r *tl.Relationship, email string, now time.Time) error {
	if email == r.Email {
		return nil
	}
	r.Email, r.EmailConfirmedAt, r.ApprovedAt, r.ApprovedBy = email, time.Time{}, time.Time{}, ""
	// Whoever holds the new address is not shown what the holder of the
	// old one did: which decisions they reacted to, or their window link.
	if err := tx.ForgetReacted(ctx, r.ID); err != nil {
		return err
	}
	if err := tx.DeleteWindowLink(ctx, r.ID); err != nil {
		return err
	}
	if err := tx.DeletePassesFor(ctx, store.PassWindow, r.ID); err != nil {
		return err
	}
	if email == "" {
		return tx.DeleteAddressConfirmation(ctx, r.ID)
	}
	return queueConfirmation(ctx, tx, r, now)
}

// queueConfirmation starts r's confirmation and queues the message that
// carries its link (made when it is sent, so no token waits in the
// outbox).
func queueConfirmation(ctx context.Context, tx *store.Tx, r *tl.Relationship, now time.Time) error {
	if err := tx.PutAddressConfirmation(ctx, r.ID, r.Email, now); err != nil {
		return err
	}
	_, err := tx.EnqueueMail(ctx, &store.Mail{
		ID: store.NewID(now), Kind: store.MailAddressConfirm,
		DedupeKey: "address-confirm:" + r.ID + ":" + store.NewID(now),
		To:        r.Email, ToName: r.Person, Ref: r.ID, CreatedAt: now,
	})
	return err
}

// SendConfirmation mails a person the link that confirms their address,
// again: the link sent before stops working.
func (a *App) SendConfirmation(ctx context.Context, leaderID, person string) error {
	now := a.clock()
	return a.mailPerson(ctx, leaderID, person, func(tx *store.Tx, r *tl.Relationship) error {
		if !r.EmailConfirmedAt.IsZero() {
			return tl.Errorf(tl.ECONFLICT, "%s already confirmed %s", r.Person, r.Email)
		}
		return queueConfirmation(ctx, tx, r, now)
	})
}

// mailPerson finds one of the leader's people who can be mailed (active,
// with an address) and lets send queue a message to them, in one write.
func (a *App) mailPerson(ctx context.Context, leaderID, person string, send func(*store.Tx, *tl.Relationship) error) error {
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		r, err := findPerson(ctx, tx, leaderID, person)
		if err != nil {
			return err
		}
		switch {
		case !r.Active:
			return tl.Errorf(tl.EINVALID, "%s is not active: activate them first", r.Person)
		case r.Email == "":
			return tl.Errorf(tl.EINVALID, "%s has no email address: add one first (trustledger person email %s ADDRESS)", r.Person, r.Person)
		}
		return send(tx, r)
	})
}

// addressMailLink issues the confirmation link at the moment its message
// is sent; Done when the address changed or was confirmed meanwhile.
func (a *App) addressMailLink(ctx context.Context, relID, to string) (mailLink, error) {
	var out mailLink
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		out = mailLink{}
		c, err := tx.AddressConfirmationFor(ctx, relID)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			out.Done = true
			return nil
		}
		if err != nil {
			return err
		}
		r, err := tx.RelationshipAny(ctx, relID)
		if err != nil {
			return err
		}
		if c.Email != to || r.Email != to || !r.Active || !r.EmailConfirmedAt.IsZero() {
			out.Done = true
			return nil
		}
		l, err := tx.LeaderByID(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		team := teamName(ctx, tx, r)
		token := rand.Text()
		if err := tx.IssueAddressToken(ctx, relID, hashToken(token)); err != nil {
			return err
		}
		out = mailLink{Token: token, Path: addressLinkPrefix + token, Leader: l.Name, Person: r.Person, Team: team}
		return nil
	})
	return out, err
}

// teamName is the name of r's team, "" if it has none.
func teamName(ctx context.Context, tx *store.Tx, r *tl.Relationship) string {
	teams, err := tx.Teams(ctx, r.LeaderID)
	if err != nil {
		return ""
	}
	for _, t := range teams {
		if t.ID == r.TeamID {
			return t.Name
		}
	}
	return ""
}

var errBadAddressLink = tl.Errorf(tl.ENOTFOUND, "this confirmation link is not valid: it may have been replaced by a newer email, or the address was changed")

// addressConfirmation loads what a confirmation link stands for.
func addressConfirmation(ctx context.Context, tx *store.Tx, token string) (*store.AddressConfirmation, *tl.Relationship, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, nil, errBadAddressLink
	}
	c, err := tx.AddressConfirmationByHash(ctx, hashToken(token))
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return nil, nil, errBadAddressLink
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := tx.RelationshipAny(ctx, c.RelationshipID)
	if err != nil {
		return nil, nil, err
	}
	if r.Email != c.Email || !r.Active {
		return nil, nil, errBadAddressLink
	}
	return c, r, nil
}

// AddressConfirmation shows what a confirmation link confirms, without
// confirming it: mail scanners open links too.
func (a *App) AddressConfirmation(ctx context.Context, token string) (*tl.AddressConfirmation, error) {
	var out *tl.AddressConfirmation
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		c, r, err := addressConfirmation(ctx, tx, token)
		if err != nil {
			return err
		}
		l, err := tx.LeaderByID(ctx, r.LeaderID)
		if err != nil {
			return err
		}
		out = &tl.AddressConfirmation{Leader: l.Name, Person: r.Person, Team: teamName(ctx, tx, r), Email: c.Email,
			Confirmed: !r.EmailConfirmedAt.IsZero()}
		return nil
	})
	return out, err
}

// ConfirmAddress records that the owner of the address confirmed it: the
// person counts toward k once the wait is over (and an administrator
// approved them, where one must). Pressing the button again changes
// nothing; the link keeps saying the address is confirmed until the
// address changes.
func (a *App) ConfirmAddress(ctx context.Context, token string) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		_, r, err := addressConfirmation(ctx, tx, token)
		if err != nil || !r.EmailConfirmedAt.IsZero() {
			return err
		}
		r.EmailConfirmedAt = now
		return tx.UpdateRelationship(ctx, r)
	})
}

// Approvals lists the people an owner or administrator may approve: those
// of every leader but their own whose address no administrator approved.
func (a *App) Approvals(ctx context.Context, actorID string) ([]tl.Approval, error) {
	var out []tl.Approval
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		u, err := requireAdmin(ctx, tx, actorID, "approve people for the team's voice")
		if err != nil {
			return err
		}
		rels, err := tx.AwaitingApproval(ctx)
		if err != nil {
			return err
		}
		acc, err := loadAccounts(ctx, tx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, r := range rels {
			if !acc.mayApprove(u, r.LeaderID) {
				continue
			}
			if _, ok := names[r.LeaderID]; !ok {
				l, err := tx.LeaderByID(ctx, r.LeaderID)
				if err != nil {
					return err
				}
				names[r.LeaderID] = l.Name
			}
			out = append(out, tl.Approval{Leader: names[r.LeaderID], RelationshipID: r.ID, Person: r.Person,
				Team: teamName(ctx, tx, &r), Email: r.Email, Confirmed: !r.EmailConfirmedAt.IsZero(), CreatedAt: r.CreatedAt})
		}
		return nil
	})
	return nonNil(out), err
}

// accounts are every account and who invited each, for deciding who is
// independent of a leader.
type accounts struct {
	users     []tl.User
	invitedBy map[string]string // user id → the id of the account whose invitation made it
}

func loadAccounts(ctx context.Context, tx *store.Tx) (*accounts, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	invs, err := tx.Invitations(ctx) // newest first
	if err != nil {
		return nil, err
	}
	byEmail := map[string]string{}
	for _, inv := range invs {
		if _, seen := byEmail[inv.Email]; !seen && !inv.UsedAt.IsZero() {
			byEmail[inv.Email] = inv.InvitedBy
		}
	}
	acc := &accounts{users: users, invitedBy: map[string]string{}}
	for _, u := range users {
		if by, ok := byEmail[u.Email]; ok {
			acc.invitedBy[u.ID] = by
		}
	}
	return acc, nil
}

// mayApprove reports whether u may vouch for the people of a leader: an
// owner or admin who is not the leader, nor at a mailbox of theirs; and,
// for an admin, one whose address was proved and whom neither the leader
// nor anyone the leader invited brought in. A leader could otherwise
// approve their own made-up people through an administrator they made up
// (docs/ANONYMITY.md, rule 1).
func (acc *accounts) mayApprove(u *tl.User, leaderID string) bool {
	if !u.Role.CanAdminister() || u.LeaderID == leaderID {
		return false
	}
	leaderOf := map[string]bool{} // the leader's own accounts
	for _, o := range acc.users {
		if o.LeaderID == leaderID {
			leaderOf[o.ID] = true
			if canonicalMailbox(o.Email) == canonicalMailbox(u.Email) {
				return false
			}
		}
	}
	if u.Role == tl.RoleOwner {
		return true
	}
	if u.EmailVerifiedAt.IsZero() {
		return false
	}
	seen := map[string]bool{}
	for id := acc.invitedBy[u.ID]; id != "" && !seen[id]; id = acc.invitedBy[id] {
		if leaderOf[id] {
			return false
		}
		seen[id] = true
	}
	return true
}

// Approve records that an owner or administrator who is not the person's
// leader vouches for them at their current address.
func (a *App) Approve(ctx context.Context, actorID, relationshipID string) error {
	now := a.clock()
	return a.db.Write(ctx, func(tx *store.Tx) error {
		u, err := requireAdmin(ctx, tx, actorID, "approve people for the team's voice")
		if err != nil {
			return err
		}
		r, err := tx.RelationshipAny(ctx, strings.TrimSpace(relationshipID))
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return tl.Errorf(tl.ENOTFOUND, "no person with id %q", relationshipID)
		}
		if err != nil {
			return err
		}
		acc, err := loadAccounts(ctx, tx)
		if err != nil {
			return err
		}
		if !acc.mayApprove(u, r.LeaderID) {
			if u.LeaderID == r.LeaderID {
				return tl.Errorf(tl.EFORBIDDEN, "you lead %s: an administrator who does not lead them must approve them, so that nobody vouches for their own team", r.Person)
			}
			return tl.Errorf(tl.EFORBIDDEN, "you cannot approve %s: only the owner, or an administrator whose address is proved and whom %s's leader did not bring in, must approve them, so that nobody vouches for their own team", r.Person, r.Person)
		}
		if r.Email == "" || !r.Active {
			return tl.Errorf(tl.EINVALID, "%s has no address, or is no longer active: there is nothing to approve", r.Person)
		}
		if !r.ApprovedAt.IsZero() {
			return tl.Errorf(tl.ECONFLICT, "%s is already approved", r.Person)
		}
		r.ApprovedAt, r.ApprovedBy = now, u.ID
		return tx.UpdateRelationship(ctx, r)
	})
}
