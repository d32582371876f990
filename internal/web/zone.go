package web

import (
	"net/http"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// Time zones on the web (docs/MODEL.md, choice 39). Every account has one:
// its pages show times in it and its forms' dates are read in it (render.go,
// pages_common.go). It comes from the browser when the account is made: the
// sign-up and invitation forms carry a hidden field, tz, that
// static/app.js fills with Intl.DateTimeFormat().resolvedOptions().timeZone.
// Without scripts the field stays empty and the account starts in UTC,
// which the account page says, and where the zone is changed.

// commonZones are offered as suggestions in the account page's zone field;
// any name the zone database knows is accepted.
var commonZones = []string{
	"UTC",
	"America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago",
	"America/New_York", "America/Toronto", "America/Mexico_City", "America/Bogota", "America/Lima",
	"America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Halifax",
	"Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris",
	"Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome", "Europe/Vienna",
	"Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
	"Europe/Athens", "Europe/Helsinki", "Europe/Kyiv", "Europe/Istanbul", "Europe/Moscow",
	"Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
	"Asia/Jerusalem", "Asia/Dubai", "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka",
	"Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila",
	"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo",
	"Australia/Perth", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne",
	"Pacific/Auckland", "Pacific/Honolulu",
}

// browserZone is the zone the sign-up forms' hidden field carries, if the
// zone database knows it; "" otherwise (scripts off, or a name too new or
// too odd), which leaves the account in UTC. A browser's guess is never
// a reason to refuse an account.
func browserZone(r *http.Request) string {
	v := strings.TrimSpace(r.PostFormValue("tz"))
	if v == "" {
		return ""
	}
	loc, err := tl.LoadZone(v)
	if err != nil {
		return ""
	}
	return tl.ZoneName(loc)
}

// adoptBrowserZone gives an account just made through an invitation the
// zone its browser sent, if any. A failure leaves the account in UTC, to
// be changed on the account page; it is logged, not shown.
func (s *Server) adoptBrowserZone(r *http.Request, u *tl.User) {
	zone := browserZone(r)
	if zone == "" || zone == u.TimeZone {
		return
	}
	nu, err := s.svc.SetTimeZone(r.Context(), u.ID, zone)
	if err != nil {
		s.logger(r).Warn("keeping the new account's browser zone", "err", err)
		return
	}
	*u = *nu
}

// zoneSubmit changes the signed-in account's zone. A name the zone
// database does not know is shown again beside the field with what to
// write instead, and nothing changes.
func (s *Server) zoneSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	typed := strings.TrimSpace(r.PostFormValue("time_zone"))
	u, err := s.svc.SetTimeZone(r.Context(), s.user(r).ID, typed)
	if err != nil {
		if tl.ErrorCode(err) != tl.EINVALID {
			s.fail(w, r, err)
			return
		}
		d, derr := s.accountData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Zone = typed
		d.Errors = FormErrors{"time_zone": tl.ErrorMessage(err)}
		s.render(w, r, http.StatusUnprocessableEntity, "account.html", d)
		return
	}
	msg := "Time zone set to " + u.TimeZone + ": times are shown there"
	if u.LeaderID != "" {
		msg += ", and your weeks begin on Monday at midnight there"
	}
	s.flash(w, r, msg+".")
	redirect(w, r, "/account#time-zone")
}
