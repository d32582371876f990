package web

import "net/http"

// registerPages is a placeholder until the pages helper commits this file.
func (s *Server) registerPages(mux *http.ServeMux) {}
