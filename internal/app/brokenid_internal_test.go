package app

import (
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/store"
)

// TestBrokenID checks the system's promise-broken id: the same for the
// same promise (so a second writer collides), different across promises,
// shaped like a store id and sorting by when the promise broke.
func TestBrokenID(t *testing.T) {
	at := time.Date(2026, 3, 6, 9, 30, 0, 0, time.UTC)
	a, b := store.NewID(at), store.NewID(at)
	idA1, idA2, idB := brokenID(a, at), brokenID(a, at), brokenID(b, at)
	if idA1 != idA2 {
		t.Fatalf("brokenID is not deterministic: %s vs %s", idA1, idA2)
	}
	if idA1 == idB {
		t.Fatalf("two promises share the broken id %s", idA1)
	}
	if len(idA1) != 26 || idA1[:10] != store.NewID(at)[:10] {
		t.Fatalf("broken id %s does not look like a store id of %v", idA1, at)
	}
	if later := brokenID(a, at.Add(time.Second)); later <= idA1 {
		t.Fatalf("a later break sorts first: %s <= %s", later, idA1)
	}
}

// TestSuggest checks the typo suggestions.
func TestSuggest(t *testing.T) {
	known := []string{"promise-kept", "promise-broken", "recognition", "Ana", "Ben"}
	for in, want := range map[string]string{
		"promise-kep": "promise-kept", "promise-brokn": "promise-broken", "recogniton": "recognition",
		"anna": "Ana", "Bne": "Ben", "zzzzzzzz": "", "": "",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
