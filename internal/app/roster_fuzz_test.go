package app_test

import (
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/app"
)

// FuzzParseRoster: any bytes either parse into rows with increasing line
// numbers and trimmed fields, or give an error; never a panic.
func FuzzParseRoster(f *testing.F) {
	f.Add([]byte("email,name,role,team,leader_email\nana@example.org,Ana,member,Platform,sam@example.org\n"))
	f.Add([]byte("\ufeffName,Email,Role\n\"Smith, Jo\",jo@example.org,leader\n\n"))
	f.Add([]byte("email,name,role\n\"multi\nline\",x,member\n"))
	f.Add([]byte("email,name\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := app.ParseRoster(data)
		if err != nil {
			if len(rows) != 0 {
				t.Fatalf("rows with an error: %v", rows)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("line %d after line %d", r.Line, last)
			}
			last = r.Line
			for _, v := range []string{r.Email, r.Name, string(r.Role), r.Team, r.LeaderEmail} {
				if v != strings.TrimSpace(v) {
					t.Fatalf("untrimmed field %q", v)
				}
			}
		}
	})
}
