package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// whoOption is one choice of a "to whom" or "affects" select: a person or
// a team, by the name the services resolve.
type whoOption struct {
	Value string
	Label string
}

// whoOptions are the people and teams a promise or a decision can be
// about: active people first (a promise to someone who left makes no
// sense), then the teams with active members.
type whoOptions struct {
	People []whoOption
	Teams  []whoOption
}

// Empty reports whether there is nobody to choose, so the page can say
// what to do first instead of showing a form that cannot succeed.
func (o whoOptions) Empty() bool { return len(o.People) == 0 && len(o.Teams) == 0 }

func (s *Server) whoOptions(ctx context.Context, leader string) (whoOptions, error) {
	people, err := s.svc.People(ctx, leader)
	if err != nil {
		return whoOptions{}, err
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return whoOptions{}, err
	}
	members := map[string]int{}
	var o whoOptions
	for _, p := range people {
		if p.Active {
			o.People = append(o.People, whoOption{Value: p.Person, Label: p.Person})
			members[p.TeamID]++
		}
	}
	for _, t := range teams {
		if members[t.ID] == 0 {
			continue
		}
		label := "Team " + t.Name
		if t.Name == tl.DefaultTeamName {
			label = "The whole team"
		}
		o.Teams = append(o.Teams, whoOption{Value: t.Name, Label: label + " (" + plural(members[t.ID], "person", "people") + ")"})
	}
	return o, nil
}

// plural writes "1 person" or "3 people".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// dayIn is the calendar date of the moment t in loc, kept as midnight
// UTC of that date: forms speak in dates, as the reader counts them
// (docs/MODEL.md, choice 39), and isoDate writes them back.
func dayIn(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dueOn is when a promise given a day (as parseDay reads it) falls due:
// the end of that day in loc, the zone of the leader who gives it.
func dueOn(day time.Time, loc *time.Location) time.Time { return tl.DayEnd(day, loc) }

// middayOn is the moment a day given for something that happened stands
// for: noon of that day in loc. The day is what the leader knows.
func middayOn(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, loc).UTC()
}

// parseDay reads an <input type=date> value (YYYY-MM-DD) as midnight UTC
// of that date (dueOn and middayOn place it in a zone).
func parseDay(v string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, tl.Errorf(tl.EINVALID, "write the date as YYYY-MM-DD, e.g. 2026-03-31")
	}
	return t, nil
}

// formField is where a form shows a service's error: beside the field the
// service named (tl.Error.Field) when the form has it, else beside def
// ("" is the line above the form). fields lists the form's fields by the
// service's names, "at=when" where the form calls one otherwise. The
// services validate; a form only chooses where their message goes.
func formField(err error, def string, fields ...string) string {
	named := tl.ErrorField(err)
	if named == "" {
		return def
	}
	for _, f := range fields {
		svc, form, renamed := strings.Cut(f, "=")
		if !renamed {
			form = svc
		}
		if svc == named {
			return form
		}
	}
	return def
}

// formError re-renders a page's form after a failed action, with the
// input kept: a value the user can fix (EINVALID, or a name that matches
// nobody, which the services call ENOTFOUND) is shown next to field with
// 422, a conflict (already resolved, name taken) with 409; anything else
// goes to fail. Unlike formFail it keeps unknown names in the form: a 404
// is for ids in the URL.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, name string, data pager, field string) {
	status := http.StatusUnprocessableEntity
	switch {
	case isFormError(err):
	case tl.ErrorCode(err) == tl.ECONFLICT:
		status = http.StatusConflict
	default:
		s.fail(w, r, err)
		return
	}
	p := data.page()
	if p.Errors == nil {
		p.Errors = FormErrors{}
	}
	p.Errors[field] = tl.ErrorMessage(err)
	s.render(w, r, status, name, data)
}

// isFormError reports whether err is the user's to fix in the form: an
// invalid value, or a name that matches nobody (the services answer
// ENOTFOUND for an unknown person, with the known names).
func isFormError(err error) bool {
	switch tl.ErrorCode(err) {
	case tl.EINVALID, tl.ENOTFOUND:
		return true
	}
	return false
}

// whoSelect is whoOptions with the chosen value, for the "who-options"
// template of the promise and decision forms.
type whoSelect struct {
	whoOptions
	Selected string
}

// With pairs the options with the value to mark selected (kept input).
func (o whoOptions) With(selected string) whoSelect {
	return whoSelect{whoOptions: o, Selected: selected}
}

// short cuts free text for a confirmation, which travels in a cookie: the
// first 80 characters, with an ellipsis when cut.
func short(s string) string {
	const n = 80
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
