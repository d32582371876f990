package app_test

import (
	"fmt"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// team adds n people with addresses to the leader's default team. They
// confirm their addresses through the links mailed to them and the clock
// moves past tl.MemberWait, so they count toward k (docs/ANONYMITY.md,
// rule 1).
func (e *env) team(leaderID string, n int) []*tl.Relationship {
	e.t.Helper()
	out := make([]*tl.Relationship, n)
	for i := range n {
		out[i] = must(e.app.AddPerson(e.ctx, leaderID, tl.PersonInput{
			Name: fmt.Sprintf("Member %03d", i+1), Email: fmt.Sprintf("m%03d@example.org", i+1), Kind: engine.DirectReport,
		}))(e.t)
	}
	e.counted(out...)
	return out
}

// counted makes people count toward k the way they would: each confirms
// their address through the link mailed to them, then the clock moves
// past the wait.
func (e *env) counted(people ...*tl.Relationship) {
	e.t.Helper()
	e.confirm(people...)
	e.clk.Advance(tl.MemberWait)
}

// confirm has each person confirm their address through their link.
func (e *env) confirm(people ...*tl.Relationship) {
	e.t.Helper()
	for _, r := range people {
		tok := must(e.app.AddressLinkForTest(e.ctx, r.ID, r.Email))(e.t)
		if tok == "" {
			e.t.Fatalf("no confirmation is waiting for %s <%s>", r.Person, r.Email)
		}
		noErr(e.t, e.app.ConfirmAddress(e.ctx, tok))
	}
}

// asked is a pulse's population, in relationship id order.
func (e *env) asked(pulseID string) []string {
	e.t.Helper()
	var out []string
	noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.PulsePopulation(e.ctx, pulseID)
		return err
	}))
	return out
}

// links issues the personal link of everyone a pulse asked, as the mail
// worker would at send time, keyed by relationship id.
func (e *env) links(pulseID string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, id := range e.asked(pulseID) {
		out[id] = must(e.app.PulseLinkForTest(e.ctx, pulseID, id))(e.t)
	}
	return out
}

// answerN answers a pulse through the links of the first n people it
// asked (in relationship id order), each with answer(i).
func (e *env) answerN(pulseID string, n int, answer func(i int) tl.PulseAnswers) {
	e.t.Helper()
	asked := e.asked(pulseID)
	if n > len(asked) {
		e.t.Fatalf("the pulse asked %d people, not %d", len(asked), n)
	}
	for i, id := range asked[:n] {
		tok := must(e.app.PulseLinkForTest(e.ctx, pulseID, id))(e.t)
		noErr(e.t, e.answer(tok, answer(i)))
	}
}

// publish moves the clock to the next publication time and ticks, so that
// what is published at fixed times (open pulses' counts, reactions) is.
func (e *env) publish() {
	e.t.Helper()
	next := e.clk.Now().UTC().Truncate(tl.PublishEvery).Add(tl.PublishEvery)
	e.clk.Set(next)
	must(e.app.Tick(e.ctx))(e.t)
}

// windowLink mails a person the link to their window and returns the
// token the message carries.
func (e *env) windowLink(leaderID, person string) (string, error) {
	e.t.Helper()
	if err := e.app.SendWindowLink(e.ctx, leaderID, person); err != nil {
		return "", err
	}
	var r *tl.Relationship
	rels := must(e.app.People(e.ctx, leaderID))(e.t)
	for i := range rels {
		if rels[i].Person == person {
			r = &rels[i]
		}
	}
	return e.app.WindowLinkForTest(e.ctx, r.ID, r.Email)
}
