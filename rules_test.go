package trustledger

import (
	"testing"
	"time"
)

// The rules every front end and service share: each is asked here, in
// one place, so a test of it is a test of all of them.

func TestRoleCanAdminister(t *testing.T) {
	for role, want := range map[Role]bool{
		RoleOwner: true, RoleAdmin: true,
		RoleCoach: false, RoleLeader: false, RoleMember: false, Role(""): false, Role("root"): false,
	} {
		if got := role.CanAdminister(); got != want {
			t.Errorf("%q.CanAdminister() = %v, want %v", role, got, want)
		}
	}
}

// TestWeekStart checks Monday 00:00 UTC for every day of a week.
func TestWeekStart(t *testing.T) {
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for d := range 7 {
		at := monday.Add(time.Duration(d)*24*time.Hour + 23*time.Hour + 59*time.Minute)
		if got := WeekStart(at); !got.Equal(monday) {
			t.Errorf("WeekStart(%v) = %v, want %v", at, got, monday)
		}
	}
	if got := WeekStart(monday.Add(-time.Millisecond)); !got.Equal(monday.AddDate(0, 0, -7)) {
		t.Errorf("Sunday night belongs to the week before, got %v", got)
	}
	// A time in another zone counts by its UTC date: Monday 01:00 in Berlin
	// is still Sunday in UTC.
	berlin := time.FixedZone("CET", 3600)
	if got := WeekStart(time.Date(2026, 3, 2, 0, 30, 0, 0, berlin)); !got.Equal(monday.AddDate(0, 0, -7)) {
		t.Errorf("Monday 00:30 CET is Sunday in UTC, got %v", got)
	}
	if got := WeekStart(monday); got.Location() != time.UTC || !got.Equal(monday) {
		t.Errorf("WeekStart(Monday) = %v, want itself in UTC", got)
	}
}

func TestInvitationOpen(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		inv  Invitation
		want bool
	}{
		{"unused, expires later", Invitation{ExpiresAt: now.Add(time.Hour)}, true},
		{"expires this instant", Invitation{ExpiresAt: now}, false},
		{"expired", Invitation{ExpiresAt: now.Add(-time.Hour)}, false},
		{"used", Invitation{ExpiresAt: now.Add(time.Hour), UsedAt: now.Add(-time.Minute)}, false},
	}
	for _, tc := range tests {
		if got := tc.inv.Open(now); got != tc.want {
			t.Errorf("%s: Open = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRollupVisibleTo(t *testing.T) {
	d := &ProgramDetail{Coaches: []ProgramCoach{{UserID: "cora"}}}
	tests := []struct {
		name string
		user User
		want bool
	}{
		{"the owner", User{ID: "olga", Role: RoleOwner}, true},
		{"an admin", User{ID: "adam", Role: RoleAdmin}, true},
		{"the program's coach", User{ID: "cora", Role: RoleCoach}, true},
		{"another coach", User{ID: "carl", Role: RoleCoach}, false},
		{"a leader in it", User{ID: "lena", Role: RoleLeader, LeaderID: "l1"}, false},
	}
	for _, tc := range tests {
		if got := d.RollupVisibleTo(&tc.user); got != tc.want {
			t.Errorf("%s: RollupVisibleTo = %v, want %v", tc.name, got, tc.want)
		}
		coach := tc.user.ID == "cora"
		if got := SeesRollup(tc.user.Role, coach); got != tc.want {
			t.Errorf("%s: SeesRollup = %v, want %v", tc.name, got, tc.want)
		}
	}
}
