package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/trustledger/trustledger/internal/engine"
)

// stateCols are rel_state's value columns in the order stateArgs and
// stateDest use: the accumulators r|s_<dim>_<source>, t_last, then each
// snapshot (has, at, p per dim, rwg per dim, n).
var stateCols = func() []string {
	var cols []string
	for _, side := range []string{"r", "s"} {
		for d := range engine.NumDims {
			for s := range engine.NumSources {
				cols = append(cols, side+"_"+engine.Dim(d).String()+"_"+engine.Source(s).String())
			}
		}
	}
	cols = append(cols, "t_last")
	for _, sn := range []string{"checkin", "pulse"} {
		cols = append(cols, "has_"+sn, sn+"_at")
		for d := range engine.NumDims {
			cols = append(cols, sn+"_p_"+engine.Dim(d).String())
		}
		for d := range engine.NumDims {
			cols = append(cols, sn+"_rwg_"+engine.Dim(d).String())
		}
		cols = append(cols, sn+"_n")
	}
	return cols
}()

func stateArgs(args []any, st *engine.State) []any {
	for _, acc := range []*[engine.NumDims][engine.NumSources]float64{&st.R, &st.S} {
		for d := range engine.NumDims {
			for s := range engine.NumSources {
				args = append(args, acc[d][s])
			}
		}
	}
	args = append(args, ms(st.TLast))
	for _, sn := range []*engine.Snapshot{st.Checkin, st.Pulse} {
		var v engine.Snapshot
		if sn != nil {
			v = *sn
		}
		args = append(args, b2i(sn != nil), ms(v.At))
		for d := range engine.NumDims {
			args = append(args, v.P[d])
		}
		for d := range engine.NumDims {
			args = append(args, v.Rwg[d])
		}
		args = append(args, int64(v.N))
	}
	return args
}

// stateDest returns scan destinations for stateCols; finish drops the
// snapshots that are absent.
func stateDest(dest []any, st *engine.State) ([]any, func()) {
	for _, acc := range []*[engine.NumDims][engine.NumSources]float64{&st.R, &st.S} {
		for d := range engine.NumDims {
			for s := range engine.NumSources {
				dest = append(dest, &acc[d][s])
			}
		}
	}
	dest = append(dest, msTime{&st.TLast})
	var has [2]bool
	snaps := [2]*engine.Snapshot{{}, {}}
	for i, sn := range snaps {
		dest = append(dest, intBool{&has[i]}, msTime{&sn.At})
		for d := range engine.NumDims {
			dest = append(dest, &sn.P[d])
		}
		for d := range engine.NumDims {
			dest = append(dest, &sn.Rwg[d])
		}
		dest = append(dest, &sn.N)
	}
	return dest, func() {
		if has[0] {
			st.Checkin = snaps[0]
		}
		if has[1] {
			st.Pulse = snaps[1]
		}
	}
}

// keepState remembers a relationship's state as this transaction last
// read or stored it, for State. Any other statement that changes data
// forgets every state kept (forgetStates): only PutState is known to
// leave them true.
func (tx *Tx) keepState(relID string, st engine.State) {
	if tx.states == nil {
		tx.states = map[string]engine.State{}
	}
	// The snapshots are copied: the caller may change its own.
	if st.Checkin != nil {
		c := *st.Checkin
		st.Checkin = &c
	}
	if st.Pulse != nil {
		p := *st.Pulse
		st.Pulse = &p
	}
	tx.states[relID] = st
}

// forgetStates drops the states and people kept (see keepState and
// keepPerson).
func (tx *Tx) forgetStates() {
	clear(tx.states)
	clear(tx.people)
}

var (
	stateSelect  = "SELECT " + strings.Join(stateCols, ", ") + " FROM rel_state WHERE relationship_id = $1"
	statesSelect = "SELECT relationship_id, " + strings.Join(stateCols, ", ") +
		" FROM rel_state WHERE leader_id = $1"
	stateUpsert = func() string {
		var vals, sets []string
		for i, c := range stateCols {
			vals = append(vals, "$"+strconv.Itoa(i+2))
			sets = append(sets, c+" = excluded."+c)
		}
		return "INSERT INTO rel_state (relationship_id, leader_id, " + strings.Join(stateCols, ", ") + ") " +
			"VALUES ($1, (SELECT leader_id FROM relationships WHERE id = $1), " + strings.Join(vals, ", ") + ") " +
			"ON CONFLICT (relationship_id) DO UPDATE SET " + strings.Join(sets, ", ")
	}()
)

// State returns the running state of one relationship; the zero State
// when nothing has been applied yet.
func (tx *Tx) State(ctx context.Context, relID string) (engine.State, error) {
	if st, ok := tx.states[relID]; ok {
		return st, nil
	}
	var st engine.State
	dest, finish := stateDest(nil, &st)
	err := tx.queryRowContext(ctx, stateSelect, relID).Scan(dest...)
	if err == sql.ErrNoRows {
		return engine.State{}, nil
	}
	if err != nil {
		return engine.State{}, translate("state", err)
	}
	finish()
	return st, nil
}

// PutState stores the running state of one relationship (insert or
// replace). The snapshots are copied, not referenced.
func (tx *Tx) PutState(ctx context.Context, relID string, st engine.State) error {
	args := stateArgs(append(make([]any, 0, len(stateCols)+1), relID), &st)
	if err := tx.later(ctx, "put state", nil, stateUpsert, args...); err != nil {
		return err
	}
	tx.keepState(relID, st)
	return nil
}

// States returns the running state of every relationship of the leader
// that has one, by relationship id.
func (tx *Tx) States(ctx context.Context, leaderID string) (map[string]engine.State, error) {
	rows, err := tx.queryContext(ctx, statesSelect, leaderID)
	if err != nil {
		return nil, translate("states", err)
	}
	defer rows.Close()
	out := map[string]engine.State{}
	for rows.Next() {
		var id string
		var st engine.State
		dest, finish := stateDest([]any{&id}, &st)
		if err := rows.Scan(dest...); err != nil {
			return nil, internal("states", err)
		}
		finish()
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, translate("states", err)
	}
	return out, nil
}
