package web

import (
	"net/http"
	"strconv"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// authPage is the data of the login, signup and invitation-accept forms.
type authPage struct {
	Page
	Email string
	Name  string
	Next  string // where to go after signing in (a local path)
	Token string // invitation token (accept page)
	Role  tl.Role
	Demo  bool
	OIDC  string // the OpenID Connect provider's name, "" when off
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.user(r) != nil {
		redirect(w, r, "/")
		return
	}
	has, err := s.svc.HasUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !has {
		redirect(w, r, "/signup")
		return
	}
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = ""
	}
	s.render(w, r, http.StatusOK, "login.html", &authPage{Page: Page{Title: "Sign in"}, Next: next, Demo: s.demo, OIDC: s.oidcName()})
}

// loginSubmit signs in. Wrong email and wrong password get the same answer
// (the service also takes similar time for both), so accounts cannot be
// enumerated; a throttled client gets 429 with Retry-After. The client is
// the connection's remote address, or behind a trusted proxy the address
// the proxy names (proxy.go).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	d := &authPage{Page: Page{Title: "Sign in"}, Email: strings.TrimSpace(r.PostFormValue("email")), Demo: s.demo, OIDC: s.oidcName()}
	if next := r.PostFormValue("next"); localPath(next) {
		d.Next = next
	}
	u, err := s.svc.Login(tl.WithClientAddr(r.Context(), r.RemoteAddr), d.Email, r.PostFormValue("password"))
	if err != nil {
		d.Errors = FormErrors{}
		switch tl.ErrorCode(err) {
		case tl.EUNAUTHORIZED:
			d.Errors[""] = "That email and password do not match an account. Check both and try again."
			s.render(w, r, http.StatusUnauthorized, "login.html", d)
		case tl.ERATELIMIT:
			secs := retryAfterSeconds(err)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			d.Errors[""] = "Too many failed sign-ins from this address. Wait " + waitText(secs) + " and try again."
			s.render(w, r, http.StatusTooManyRequests, "login.html", d)
		case tl.EINVALID:
			d.Errors[""] = tl.ErrorMessage(err)
			s.render(w, r, http.StatusUnprocessableEntity, "login.html", d)
		default:
			s.fail(w, r, err)
		}
		return
	}
	if !s.startSession(w, r, u) {
		return
	}
	to := "/"
	if d.Next != "" {
		to = d.Next
	}
	redirect(w, r, to)
}

// startSession ends the browser's previous session, if any, and starts a
// new one with a new id (no session fixation).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *tl.User) bool {
	if old := s.sessionToken(r); old != "" {
		if err := s.svc.Logout(r.Context(), old); err != nil && tl.ErrorCode(err) != tl.EUNAUTHORIZED && tl.ErrorCode(err) != tl.ENOTFOUND {
			s.logger(r).Warn("ending previous session", "err", err)
		}
	}
	token, err := s.svc.CreateSession(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	s.setSession(w, r, token)
	return true
}

func waitText(secs int) string {
	if secs <= 90 {
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	has, err := s.svc.HasUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if has {
		redirect(w, r, "/login")
		return
	}
	s.render(w, r, http.StatusOK, "signup.html", &authPage{Page: Page{Title: "Create the first account"}})
}

// checkAccountForm checks what only the form knows: that the password
// was typed the same twice. The service checks the email, the name and
// the password itself.
func checkAccountForm(r *http.Request) FormErrors {
	fe := FormErrors{}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		fe["password2"] = "The two passwords differ: type the same password twice."
	}
	return fe
}

// accountFields are the account forms' fields, by the services' names.
var accountFields = []string{"email", "name", "password"}

func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	d := &authPage{Page: Page{Title: "Create the first account"},
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if fe := checkAccountForm(r); len(fe) > 0 {
		d.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, "signup.html", d)
		return
	}
	u, err := s.svc.Signup(r.Context(), tl.SignupInput{Email: d.Email, Name: d.Name, Password: r.PostFormValue("password"),
		TimeZone: browserZone(r)})
	if err != nil {
		if tl.ErrorCode(err) == tl.EFORBIDDEN {
			s.flash(w, r, "This installation already has an account: sign in, or ask its owner for an invitation.")
			redirect(w, r, "/login")
			return
		}
		s.formFail(w, r, err, "signup.html", d, formField(err, "", accountFields...))
		return
	}
	if !s.startSession(w, r, u) {
		return
	}
	s.flash(w, r, "Welcome, "+u.Name+". Start by adding the first person you lead.")
	redirect(w, r, "/")
}

func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	d := &authPage{Page: Page{Title: "Accept your invitation"}, Token: r.PathValue("token"), OIDC: s.oidcName()}
	inv, err := s.svc.InvitationByToken(r.Context(), d.Token)
	if err != nil {
		switch tl.ErrorCode(err) {
		case tl.ENOTFOUND, tl.ECONFLICT, tl.EINVALID:
			d.Errors = FormErrors{"": tl.ErrorMessage(err)}
			d.Token = ""
			s.render(w, r, http.StatusNotFound, "invite.html", d)
		default:
			s.fail(w, r, err)
		}
		return
	}
	d.Email, d.Role = inv.Email, inv.Role
	s.render(w, r, http.StatusOK, "invite.html", d)
}

func (s *Server) inviteSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	d := &authPage{Page: Page{Title: "Accept your invitation"}, Token: r.PathValue("token"),
		Name: strings.TrimSpace(r.PostFormValue("name"))}
	if fe := checkAccountForm(r); len(fe) > 0 {
		d.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, "invite.html", d)
		return
	}
	u, err := s.svc.AcceptInvite(r.Context(), d.Token, d.Name, r.PostFormValue("password"))
	if err != nil {
		switch tl.ErrorCode(err) {
		case tl.ENOTFOUND, tl.EUNAUTHORIZED, tl.EFORBIDDEN, tl.ECONFLICT:
			d.Errors = FormErrors{"": "This invitation link is not valid any more: it was used, it expired, or it was mistyped. Ask for a new one."}
			s.render(w, r, http.StatusNotFound, "invite.html", d)
		default:
			s.formFail(w, r, err, "invite.html", d, formField(err, "", accountFields...))
		}
		return
	}
	s.adoptBrowserZone(r, u)
	if !s.startSession(w, r, u) {
		return
	}
	s.flash(w, r, "Welcome, "+u.Name+". Your account is ready.")
	redirect(w, r, "/")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if token := s.sessionToken(r); token != "" {
		if err := s.svc.Logout(r.Context(), token); err != nil && tl.ErrorCode(err) != tl.EUNAUTHORIZED && tl.ErrorCode(err) != tl.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
	}
	s.clearSession(w, r)
	s.flash(w, r, "You are signed out.")
	redirect(w, r, "/login")
}

// accountPage shows who is signed in and the password form.
type accountPage struct {
	Page
	CanInvite bool
	Tokens    []tl.APIToken
	NewToken  string // the token just made, shown once
	// HasPassword is false for an account made through OpenID Connect,
	// which signs in only through its provider; Providers names the
	// providers linked to the account.
	HasPassword bool
	Providers   []string
	// Zone is the time zone typed in the zone form, kept when it was not
	// one we know (zone.go); Zones are the names the field suggests.
	Zone  string
	Zones []string
	// WeeklyMail is the weekly email's schedule, for an account that
	// leads (nil otherwise).
	WeeklyMail *weeklyMailForm
}

// administers reports whether the signed-in user (nil: nobody)
// administers the installation.
func administers(u *tl.User) bool { return u != nil && u.Role.CanAdminister() }

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account.html", d)
}

// accountData is the account page with the user's API tokens.
func (s *Server) accountData(r *http.Request) (*accountPage, error) {
	d := &accountPage{Page: Page{Title: "Account", Nav: "account"}, CanInvite: administers(s.user(r)), HasPassword: true,
		Zone: s.user(r).TimeZone, Zones: commonZones}
	var issuers []string
	var err error
	if d.HasPassword, issuers, err = s.svc.SignInMethods(r.Context(), s.user(r).ID); err != nil {
		return nil, err
	}
	for _, iss := range issuers {
		d.Providers = append(d.Providers, s.providerName(iss))
	}
	if d.Tokens, err = s.svc.Tokens(r.Context(), s.user(r).ID); err != nil {
		return nil, err
	}
	if lid := s.leader(r); lid != "" {
		wm, err := s.svc.WeeklyMail(r.Context(), lid)
		if err != nil {
			return nil, err
		}
		d.WeeklyMail = newWeeklyMailForm(wm)
	}
	return d, nil
}

// tokenCreate makes an API token and shows it once.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	_, secret, err := s.svc.CreateToken(r.Context(), s.user(r).ID, r.PostFormValue("name"), r.PostFormValue("scope"))
	d, derr := s.accountData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	if err != nil {
		s.formError(w, r, err, "account.html", d, "token")
		return
	}
	d.NewToken = secret
	d.Flash = "Token made. Copy it now: it is shown only once."
	s.render(w, r, http.StatusOK, "account.html", d)
}

// tokenRevoke ends one of the user's tokens.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.RevokeToken(r.Context(), s.user(r).ID, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Token revoked: it no longer works.")
	redirect(w, r, "/account#tokens")
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	u := s.user(r)
	d, derr := s.accountData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	d.Errors = FormErrors{}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		d.Errors["password2"] = "The two new passwords differ: type the same one twice."
	}
	if len(d.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "account.html", d)
		return
	}
	err := s.svc.ChangePassword(tl.WithClientAddr(r.Context(), r.RemoteAddr), u.ID, s.sessionToken(r), r.PostFormValue("old"), pw)
	switch tl.ErrorCode(err) {
	case "":
		s.flash(w, r, "Password changed. Other browsers signed in to this account were signed out.")
		redirect(w, r, "/account")
	case tl.EUNAUTHORIZED:
		// Here it means the current password was wrong, not that the
		// session ended: the gate checked the session a moment ago.
		d.Errors["old"] = "That is not your current password."
		s.render(w, r, http.StatusUnprocessableEntity, "account.html", d)
	case tl.EINVALID:
		// The service says which: a wrong current password, or a new one
		// it does not accept.
		d.Errors[formField(err, "password", "current_password=old", "password")] = tl.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, "account.html", d)
	default:
		s.fail(w, r, err)
	}
}

// invitationsPage lists accounts and invites new ones (owner/admin).
type invitationsPage struct {
	Page
	Users []tl.User
	Roles []tl.Role
	Email string
	Role  tl.Role
	// Link is the new invitation's URL, shown once on the response to the
	// POST that made it and stored nowhere.
	Link    string
	Invited *tl.Invitation
	Open    []tl.Invitation // not used yet and not expired
}

var inviteRoles = []tl.Role{tl.RoleLeader, tl.RoleCoach, tl.RoleAdmin, tl.RoleMember}

func (s *Server) invitationsData(r *http.Request) (*invitationsPage, error) {
	users, err := s.svc.Users(r.Context(), s.user(r).ID)
	if err != nil {
		return nil, err
	}
	d := &invitationsPage{Page: Page{Title: "Invitations", Nav: "account"}, Users: users, Roles: inviteRoles, Role: tl.RoleLeader}
	invs, err := s.svc.Invitations(r.Context(), s.user(r).ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, inv := range invs {
		if inv.Open(now) {
			d.Open = append(d.Open, inv)
		}
	}
	return d, nil
}

func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.invitationsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invitations.html", d)
}

// invitationsSubmit creates an invitation and shows its link in the
// response itself rather than redirecting: the token is a secret shown
// once, so it is not put in a cookie or a URL to survive a redirect.
func (s *Server) invitationsSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.invitationsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The form reads the role it offers; the service checks the address
	// and which roles may be invited how.
	d.Email = strings.TrimSpace(r.PostFormValue("email"))
	role, err := tl.ParseRole(r.PostFormValue("role"))
	if err != nil {
		d.Errors = FormErrors{"role": "Pick one of the roles listed."}
		s.render(w, r, http.StatusUnprocessableEntity, "invitations.html", d)
		return
	}
	d.Role = role
	if r.PostFormValue("send") == "mail" {
		inv, err := s.svc.InviteByMail(r.Context(), s.user(r).ID, d.Email, role)
		if err != nil {
			s.formFail(w, r, err, "invitations.html", d, formField(err, "email", "email", "role"))
			return
		}
		s.flash(w, r, "Invitation for "+inv.Email+" is queued for mail; it goes out as soon as the server has a mail server (serve --smtp). Its link works once, for 7 days.")
		redirect(w, r, "/invitations")
		return
	}
	inv, token, err := s.svc.Invite(r.Context(), s.user(r).ID, d.Email, role)
	if err != nil {
		s.formFail(w, r, err, "invitations.html", d, formField(err, "email", "email", "role"))
		return
	}
	scheme := "http"
	if overTLS(r) || s.secure {
		scheme = "https"
	}
	d.Link = scheme + "://" + r.Host + "/invite/" + token
	d.Invited = inv
	d.Email = ""
	d.Flash = "Invitation created for " + inv.Email + ". Copy the link now: it is shown only this once."
	s.render(w, r, http.StatusOK, "invitations.html", d)
}
