package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/trustledger/trustledger/internal/store"
)

// populationCheck decides whether a result over the people cand may be
// shown beside the leader's released results, other than except's: "" if
// it may, otherwise why not, in words for the leader. It looks only at
// who was asked, which the leader knows, never at who answered, so the
// verdict tells nothing about anyone's answering (docs/ANONYMITY.md,
// rules 4 and 5); a launch runs it before anyone is asked.
func populationCheck(ctx context.Context, tx *store.Tx, leaderID, except string, cand []string, k int) (string, error) {
	ps, err := tx.Pulses(ctx, leaderID)
	if err != nil {
		return "", err
	}
	var released []labelledSet
	for i := range ps {
		p := &ps[i]
		if p.ID == except || !p.Released {
			continue
		}
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return "", err
		}
		released = append(released, labelledSet{Label: fmt.Sprintf("wave %d of team %s", p.Wave, p.Team), IDs: pop, N: len(pop)})
	}
	why := leak(released, labelledSet{IDs: cand, N: len(cand)}, k)
	return strings.TrimSuffix(why, "; this result stays hidden"), nil
}
