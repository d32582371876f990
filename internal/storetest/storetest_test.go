package storetest

import (
	"maps"
	"slices"
	"testing"

	"github.com/trustledger/trustledger/internal/store"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *store.DB { return OpenSQLite(t) })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	PostgresURL(t) // skip (or fail when strict) once, not per subtest
	Run(t, func(t *testing.T) *store.DB { return OpenPostgres(t) })
}

// TestChecksRegistered keeps the suite whole: every check the suite has
// had is registered from its file, and none is added without a name here.
func TestChecksRegistered(t *testing.T) {
	want := []string{
		"AppendEventsBatch", "Checkins", "DecisionReactions", "Decisions", "ErrorsNameTheirOperation", "EventRoundTrip",
		"EventSnapshots", "EventsForFlags", "EventsPagination", "Isolation", "Journal", "Leaders", "MixDecision",
		"MixMarks", "MixPulse", "MixWhileAnswering", "OutboxClaims", "OutboxLifecycle", "PartialReversal",
		"Passes", "ProgramConsent", "ProgramRollback", "ProgramRollupQueries", "Programs", "PromiseConfirmations", "Promises",
		"PulseLifecycle", "PulsePassesPruned", "PulseResponsesHoldNoLink", "PulseTokensAndResponses", "ReadOnly",
		"Relationships", "Rollback", "Settings", "SettingsAndPerson", "State", "Steps", "Teams", "WindowLinks", "Zones",
	}
	if got := slices.Sorted(maps.Keys(checks)); !slices.Equal(got, want) {
		t.Fatalf("registered checks\n%v\nwant\n%v", got, want)
	}
}
