package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// The weekly email's schedule (docs/OPERATIONS.md, "The weekly mail"). Its
// links are pages in the web app, not operations here: they act without a
// token, by one button in a browser.
func (a *API) registerWeeklyMail() {
	api, s := a.huma, a.svc

	huma.Register(api, op("getWeeklyMail", http.MethodGet, "/weekly-mail", "When your weekly email goes out, where, and when next", "week"),
		act(a, func(ctx context.Context, lid string, _ *struct{}) (*body[tl.WeeklyMail], error) {
			w, err := s.WeeklyMail(ctx, lid)
			if err != nil {
				return nil, err
			}
			return out(*w), nil
		}))
	huma.Register(api, op("setWeeklyMail", http.MethodPut, "/weekly-mail", "Choose the day and hour of your weekly email, or turn it off", "week"),
		act(a, func(ctx context.Context, lid string, in *struct {
			Body struct {
				Day  string `json:"day" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday" doc:"The day it goes out, in your time zone."`
				Hour int    `json:"hour" minimum:"0" maximum:"23" doc:"The hour it goes out, 0–23, in your time zone. The reminders on the morning a promise falls due go out at this hour too."`
				Mail bool   `json:"mail" doc:"false turns off the weekly email and the due-day reminders; a webhook that asked for digest.weekly still gets the digest."`
			}
		}) (*body[tl.WeeklyMail], error) {
			w, err := s.SetWeeklyMail(ctx, lid, tl.WeeklyMail{Day: in.Body.Day, Hour: in.Body.Hour, Mail: in.Body.Mail})
			if err != nil {
				return nil, err
			}
			return out(*w), nil
		}))
}
