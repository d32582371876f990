package web

import "net/http"

func (s *Server) notYet(w http.ResponseWriter, r *http.Request)            { http.Error(w, "not yet", 501) }
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request)         { s.notYet(w, r) }
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request)       { s.notYet(w, r) }
func (s *Server) signupForm(w http.ResponseWriter, r *http.Request)        { s.notYet(w, r) }
func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request)      { s.notYet(w, r) }
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request)        { s.notYet(w, r) }
func (s *Server) inviteSubmit(w http.ResponseWriter, r *http.Request)      { s.notYet(w, r) }
func (s *Server) logout(w http.ResponseWriter, r *http.Request)            { s.notYet(w, r) }
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request)       { s.notYet(w, r) }
func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request)    { s.notYet(w, r) }
func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request)   { s.notYet(w, r) }
func (s *Server) invitationsSubmit(w http.ResponseWriter, r *http.Request) { s.notYet(w, r) }
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request)         { s.notYet(w, r) }
func (s *Server) weekAccept(w http.ResponseWriter, r *http.Request)        { s.notYet(w, r) }
func (s *Server) weekClose(w http.ResponseWriter, r *http.Request)         { s.notYet(w, r) }
func (s *Server) peopleAdd(w http.ResponseWriter, r *http.Request)         { s.notYet(w, r) }
func (s *Server) personPage(w http.ResponseWriter, r *http.Request)        { s.notYet(w, r) }
func (s *Server) personPower(w http.ResponseWriter, r *http.Request)       { s.notYet(w, r) }
func (s *Server) logForm(w http.ResponseWriter, r *http.Request)           { s.notYet(w, r) }
func (s *Server) logSubmit(w http.ResponseWriter, r *http.Request)         { s.notYet(w, r) }
func (s *Server) reverse(w http.ResponseWriter, r *http.Request)           { s.notYet(w, r) }
