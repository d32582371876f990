package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// toEngine is what the engine needs to know about a ledger entry; repairs
// is the breach an apology repairs, as it was applied.
func toEngine(ev *tl.Event, repairs *tl.Event) engine.Event {
	e := engine.Event{
		ID: ev.ID, Kind: ev.Kind, At: ev.OccurredAt, Source: ev.Source, Severity: ev.Severity,
		Acknowledges: ev.Acknowledges, OffersRepair: ev.OffersRepair, Snapshot: ev.Snapshot,
	}
	if repairs != nil {
		r := toEngine(repairs, nil)
		e.Repairs = &r
	}
	return e
}

// record folds ev into the running state of every target relationship,
// shifts their power for power kinds, and appends ev with its targets. It
// is the one path by which evidence enters the ledger, inside the
// caller's write transaction.
func record(ctx context.Context, tx *store.Tx, set engine.Settings, ev *tl.Event, targets []tl.Relationship, repairs *tl.Event) error {
	ev.Targets = make([]string, 0, len(targets))
	for _, r := range targets {
		ev.Targets = append(ev.Targets, r.ID)
	}
	// The states are read first: appending and storing read no answer,
	// so on PostgreSQL they go to the database together, with the end of
	// the write (store/pipeline.go).
	states := make([]engine.State, len(targets))
	for i := range targets {
		st, err := tx.State(ctx, targets[i].ID)
		if err != nil {
			return err
		}
		states[i] = st
	}
	if err := tx.AppendEvent(ctx, ev); err != nil {
		return err
	}
	eev := toEngine(ev, repairs)
	base, isPower := powerBase(ev)
	for i := range targets {
		r := &targets[i]
		st := states[i]
		set.Apply(&st, eev)
		if err := tx.PutState(ctx, r.ID, st); err != nil {
			return err
		}
		if isPower {
			r.Bases = r.Bases.Shift(base, ev.Shift)
			if err := tx.UpdateRelationship(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// powerBase returns the base a power event moves.
func powerBase(ev *tl.Event) (engine.Base, bool) {
	if ev.Base == "" || ev.Shift == 0 {
		return 0, false
	}
	b, err := engine.ParseBase(ev.Base)
	if err != nil {
		return 0, false
	}
	return b, true
}

// Log validates one entry, fans it out and records it.
func (a *App) Log(ctx context.Context, leaderID string, in tl.EventInput) (*tl.Event, error) {
	var out *tl.Event
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		set, err := entrySettings(ctx, tx, leaderID, in.Who)
		if err != nil {
			return err
		}
		ev, targets, breach, err := a.buildEvent(ctx, tx, leaderID, in)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, set, ev, targets, breach); err != nil {
			return err
		}
		out = ev
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// buildEvent validates an EventInput and returns the entry, the
// relationships it applies to and, for an apology, the breach.
func (a *App) buildEvent(ctx context.Context, tx *store.Tx, leaderID string, in tl.EventInput) (*tl.Event, []tl.Relationship, *tl.Event, error) {
	info, err := lookupKind(in.Kind)
	if err != nil {
		return nil, nil, nil, err
	}
	if info.IsSnapshot {
		return nil, nil, nil, tl.Invalidf("kind", "%s is a measurement, not an entry: it comes from the person's check-in or the team pulse, not from log", info.Kind)
	}
	if in.Source < 0 || in.Source >= engine.NumSources {
		return nil, nil, nil, tl.Invalidf("source", "unknown source %d: use self, system or confirmed", int(in.Source))
	}
	sev := in.Severity
	if sev == 0 {
		sev = engine.Normal
	}
	switch sev {
	case engine.Minor, engine.Normal, engine.Major, engine.Severe:
	default:
		return nil, nil, nil, tl.Invalidf("severity", "unknown severity %g: use minor, normal, major or severe", float64(sev))
	}
	now := a.clock()
	at := in.At.UTC().Truncate(time.Millisecond)
	if in.At.IsZero() {
		at = now
	}
	if at.After(now) {
		return nil, nil, nil, tl.Invalidf("at", "the entry is dated %s, in the future: log what happened, when it happened", at.Format(time.RFC3339))
	}
	if err := checkFirstDate("at", "the entry", at); err != nil {
		return nil, nil, nil, err
	}
	note := strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(note); n > tl.MaxNoteLength {
		return nil, nil, nil, tl.Invalidf("note", "a note may have at most %d characters, this one has %d: shorten it", tl.MaxNoteLength, n)
	}
	if err := checkVisible("the note", note); err != nil {
		return nil, nil, nil, tl.WithField(err, "note")
	}
	ev := &tl.Event{
		ID: store.NewID(now), LeaderID: leaderID, Kind: info.Kind, OccurredAt: at, RecordedAt: now,
		Source: in.Source, Severity: sev, Note: note, RecordedBy: byLeader,
	}

	// Power kinds move one base.
	if info.IsPower {
		if strings.TrimSpace(in.Base) == "" {
			return nil, nil, nil, tl.Invalidf("base", "%s needs the base of power that moves (--base one of %s)", info.Kind, baseNames())
		}
		b, err := engine.ParseBase(strings.ToLower(strings.TrimSpace(in.Base)))
		if err != nil {
			return nil, nil, nil, tl.Invalidf("base", "unknown power base %q: the bases are %s", in.Base, baseNames())
		}
		shift := in.Shift
		if shift == 0 {
			shift = 1
		}
		if shift < 0 || shift > 4 {
			return nil, nil, nil, tl.Invalidf("shift", "the shift must be 1–4 points (the kind gives the direction), got %d", in.Shift)
		}
		if info.Kind == kindAuthorityRemoved {
			shift = -shift
		}
		ev.Base, ev.Shift = b.String(), shift
	} else if in.Base != "" || in.Shift != 0 {
		return nil, nil, nil, tl.Invalidf("base", "a base of power and a shift only go with %s or %s, not %s", kindAuthorityGranted, kindAuthorityRemoved, info.Kind)
	}

	// An apology names the breach it repairs.
	var breach *tl.Event
	if info.IsApology {
		breach, err = apologyBreach(ctx, tx, leaderID, in.Repairs, at)
		if err != nil {
			return nil, nil, nil, tl.WithField(err, "repairs")
		}
		ev.Repairs, ev.Acknowledges, ev.OffersRepair = breach.ID, in.Acknowledges, in.OffersRepair
	} else if in.Repairs != "" || in.Acknowledges || in.OffersRepair {
		return nil, nil, nil, tl.Invalidf("repairs", "only an apology repairs a breach: log kind apology to link %q", in.Repairs)
	}

	var targets []tl.Relationship
	if info.IsApology && strings.TrimSpace(in.Who) == "" {
		// The apology goes to whoever the breach touched.
		ev.Subject, ev.RelationshipID, ev.TeamID = breach.Subject, breach.RelationshipID, breach.TeamID
		for _, id := range breach.Targets {
			r, err := tx.RelationshipByID(ctx, leaderID, id)
			if err != nil {
				return nil, nil, nil, err
			}
			targets = append(targets, *r)
		}
	} else {
		t, err := resolveWho(ctx, tx, leaderID, in.Who)
		if err != nil {
			return nil, nil, nil, tl.WithField(err, "who")
		}
		if len(t.members) == 0 {
			return nil, nil, nil, tl.Invalidf("who", "team %q has no active members yet: add one with: trustledger person add NAME --kind KIND --team %s", t.team.Name, t.team.Name)
		}
		ev.Subject = t.subject
		if t.rel != nil {
			ev.RelationshipID = t.rel.ID
		} else {
			ev.TeamID = t.team.ID
		}
		targets = t.members
		if breach != nil {
			in := make(map[string]bool, len(breach.Targets))
			for _, id := range breach.Targets {
				in[id] = true
			}
			for _, r := range targets {
				if !in[r.ID] {
					return nil, nil, nil, tl.Invalidf("who", "the breach %s was not about %s: an apology goes to the people the breach touched (leave out who, or name one of them)", breach.ID, r.Person)
				}
			}
		}
	}
	return ev, targets, breach, nil
}

// apologyBreach loads and checks the breach an apology repairs.
func apologyBreach(ctx context.Context, tx *store.Tx, leaderID, id string, at time.Time) (*tl.Event, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, tl.Errorf(tl.EINVALID, "an apology repairs one breach: give its id (--repairs ID; find it with: trustledger ledger)")
	}
	b, err := tx.EventByID(ctx, leaderID, id)
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil, tl.Errorf(tl.EINVALID, "the apology repairs %q, which is not an entry of your ledger: find the breach's id with: trustledger ledger", id)
		}
		return nil, err
	}
	info, err := engine.LookupKind(string(b.Kind))
	if err != nil || !info.Breach || b.Reverses != "" {
		return nil, tl.Errorf(tl.EINVALID, "entry %s is %s, not a breach: an apology repairs a breach such as promise-broken or information-withheld", b.ID, b.Kind)
	}
	if at.Before(b.OccurredAt) {
		return nil, tl.Invalidf("at", "the apology is dated before the breach it repairs (%s): date it on or after", b.OccurredAt.Format("2006-01-02"))
	}
	rev, err := tx.IsReversed(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	if rev {
		return nil, tl.Errorf(tl.EINVALID, "entry %s was reversed: there is nothing to apologise for", b.ID)
	}
	if ap, err := liveApology(ctx, tx, leaderID, b); err != nil {
		return nil, err
	} else if ap != "" {
		return nil, tl.Errorf(tl.ECONFLICT, "the breach %s already has an apology (%s): one apology repairs a breach once", b.ID, ap)
	}
	return b, nil
}

// liveApology returns the id of an apology for breach b that has not been
// reversed, or "".
func liveApology(ctx context.Context, tx *store.Tx, leaderID string, b *tl.Event) (string, error) {
	if len(b.Targets) == 0 {
		return "", nil
	}
	evs, err := tx.EventsFor(ctx, leaderID, b.Targets[0], b.OccurredAt)
	if err != nil {
		return "", err
	}
	for _, e := range evs {
		if e.Repairs == b.ID && e.Reverses == "" && !e.Reversed {
			return e.ID, nil
		}
	}
	return "", nil
}

// Reverse appends a reversing entry and takes the original's evidence
// (and power shift) back out of every relationship it was applied to.
func (a *App) Reverse(ctx context.Context, leaderID, eventID, note string) (*tl.Event, error) {
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n > tl.MaxNoteLength {
		return nil, tl.Invalidf("note", "a note may have at most %d characters, this one has %d: shorten it", tl.MaxNoteLength, n)
	}
	if err := checkVisible("the note", note); err != nil {
		return nil, tl.WithField(err, "note")
	}
	var out *tl.Event
	err := a.db.WriteLeader(ctx, leaderID, func(tx *store.Tx) error {
		set, err := leaderSettings(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		orig, err := tx.EventByID(ctx, leaderID, strings.TrimSpace(eventID))
		if err != nil {
			if tl.ErrorCode(err) == tl.ENOTFOUND {
				return tl.Errorf(tl.ENOTFOUND, "no entry %q in your ledger (list them with: trustledger ledger)", eventID)
			}
			return err
		}
		if orig.Reverses != "" {
			return tl.Errorf(tl.EINVALID, "entry %s is itself a reversal of %s and cannot be reversed: log the original again instead", orig.ID, orig.Reverses)
		}
		// What a person or the team said is theirs, not the leader's
		// record: reversing it would let a leader drop unwelcome feedback.
		if orig.RecordedBy == byPerson {
			return tl.Errorf(tl.EINVALID, "entry %s was recorded by %s (their check-in, or their word on a promise): it is theirs and cannot be reversed; a new check-in replaces an earlier one", orig.ID, personOf(ctx, tx, leaderID, orig))
		}
		if orig.RecordedBy == byTeam || (orig.RecordedBy == bySystem && orig.DecisionID != "") {
			return tl.Errorf(tl.EINVALID, "entry %s comes from your team (a pulse, or their reactions to a decision): it cannot be reversed; the next pulse replaces a wave, and explaining the decision answers its reactions", orig.ID)
		}
		// A person's dispute may already have taken the entry back for
		// them: reverse what remains.
		gone, err := tx.ReversedTargets(ctx, orig.ID)
		if err != nil {
			return err
		}
		remaining := slices.DeleteFunc(slices.Clone(orig.Targets), func(id string) bool { return slices.Contains(gone, id) })
		if len(remaining) == 0 {
			return tl.Errorf(tl.ECONFLICT, "entry %s was already reversed", orig.ID)
		}
		var breach *tl.Event
		if orig.Repairs != "" {
			if breach, err = tx.EventByID(ctx, leaderID, orig.Repairs); err != nil {
				return err
			}
		}
		if ap, err := liveApology(ctx, tx, leaderID, orig); err != nil {
			return err
		} else if ap != "" {
			return tl.Errorf(tl.ECONFLICT, "entry %s has an apology (%s): reverse the apology first, then the breach", orig.ID, ap)
		}
		now := a.clock()
		rev := &tl.Event{
			ID: store.NewID(now), LeaderID: leaderID, Subject: orig.Subject,
			RelationshipID: orig.RelationshipID, TeamID: orig.TeamID, Kind: orig.Kind,
			OccurredAt: now, RecordedAt: now, Source: orig.Source, Severity: orig.Severity,
			Note: note, RecordedBy: byLeader, Reverses: orig.ID, Base: orig.Base, Shift: orig.Shift,
			Targets: remaining,
		}
		if err := tx.AppendEvent(ctx, rev); err != nil {
			return err
		}
		eev := toEngine(orig, breach)
		base, isPower := powerBase(orig)
		for _, id := range remaining {
			r, err := tx.RelationshipByID(ctx, leaderID, id)
			if err != nil {
				return err
			}
			st, err := tx.State(ctx, id)
			if err != nil {
				return err
			}
			set.Reverse(&st, eev)
			if err := tx.PutState(ctx, id, st); err != nil {
				return err
			}
			if isPower {
				r.Bases = r.Bases.Shift(base, -orig.Shift)
				if err := tx.UpdateRelationship(ctx, r); err != nil {
					return err
				}
			}
		}
		out = rev
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Events lists the leader's ledger newest first, for one person, one team
// (entries about the team as a whole) or everything.
func (a *App) Events(ctx context.Context, leaderID string, f tl.EventFilter) ([]tl.Event, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > maxListLen:
		return nil, tl.Errorf(tl.EINVALID, "limit must be 1–%d, got %d", maxListLen, f.Limit)
	}
	var out []tl.Event
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		if f.Before != "" {
			if _, err := tx.EventByID(ctx, leaderID, f.Before); err != nil {
				if tl.ErrorCode(err) == tl.ENOTFOUND {
					return tl.Errorf(tl.ENOTFOUND, "no entry %q in your ledger to list from", f.Before)
				}
				return err
			}
		}
		if strings.TrimSpace(f.Who) == "" {
			var err error
			out, err = tx.Events(ctx, leaderID, "", f.Before, limit)
			return err
		}
		t, err := resolveWho(ctx, tx, leaderID, f.Who)
		if err != nil {
			return err
		}
		if t.rel != nil {
			out, err = tx.Events(ctx, leaderID, t.rel.ID, f.Before, limit)
			return err
		}
		// Entries about the team as a whole: page through the ledger.
		cursor := f.Before
		for len(out) < limit {
			page, err := tx.Events(ctx, leaderID, "", cursor, limit)
			if err != nil {
				return err
			}
			for _, e := range page {
				if e.Subject == tl.SubjectTeam && e.TeamID == t.team.ID && len(out) < limit {
					out = append(out, e)
				}
			}
			if len(page) < limit {
				break
			}
			cursor = page[len(page)-1].ID
		}
		return nil
	})
	return nonNil(out), err
}
