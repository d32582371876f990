package app

import (
	"context"
	"fmt"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

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
