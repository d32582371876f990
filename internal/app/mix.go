package app

import (
	"context"
	"time"
)

// The mixer's side in the services (docs/ANONYMITY.md, "What an operator
// holding the database sees"): the transaction that stores an anonymous
// answer or reaction marks its pulse or decision (store.MarkMix), and the
// mixer soon rewrites what was marked (store.DB.Mix), so that a copy of
// the database files no longer ties an answer to the link that gave it.

// How soon the mixer runs: mixCoalesce after a kick, so that the answers
// of a busy minute are mixed together rather than one by one, and at
// least every mixEvery, for marks no kick announced (left by a crash, or
// made by another process on the same database).
const (
	mixCoalesce = 100 * time.Millisecond
	mixEvery    = time.Minute
)

// MixVoice mixes what answers and reactions marked since the last mix and
// empties SQLite's WAL (vacuums on PostgreSQL). Its error leaves the data
// safe: what was not mixed stays marked for the next call. A mix that
// worked is not logged: it follows an answer by about mixCoalesce, so a
// line per mix, with its count, would date the answers that the request
// log and the metrics deliberately leave out.
func (a *App) MixVoice(ctx context.Context) error {
	_, err := a.db.Mix(ctx)
	return err
}

// kickMix asks the mixer to run soon; it never blocks, and kicks that
// come before the mixer wakes are one.
func (a *App) kickMix() {
	select {
	case a.mixKick <- struct{}{}:
	default:
	}
}

// RunMixer mixes once at start (what a crash left), then mixCoalesce after
// each kick and at least every mixEvery, until ctx ends. A failed mix is
// logged and tried again at the next turn.
func (a *App) RunMixer(ctx context.Context) {
	mix := func() {
		if err := a.MixVoice(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("mix voice", "err", err)
		}
	}
	mix()
	every := time.NewTicker(mixEvery)
	defer every.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-every.C:
		case <-a.mixKick:
			wait := time.NewTimer(mixCoalesce)
			select {
			case <-ctx.Done():
				wait.Stop()
				return
			case <-wait.C:
			}
			select { // a kick that came while waiting is this mix's
			case <-a.mixKick:
			default:
			}
		}
		mix()
		every.Reset(mixEvery)
	}
}
