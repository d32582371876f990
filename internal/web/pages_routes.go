package web

import "net/http"

// registerPages adds the pages of the weekly loop beyond the dashboard:
// promises, decisions, the journal, settings and the simulator. Every
// route needs a session; every POST ends in a 303 with a confirmation,
// except the simulator's upload, which changes nothing and shows its run.
func (s *Server) registerPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /promises", s.promisesPage)
	mux.HandleFunc("POST /promises", s.promiseAdd)
	mux.HandleFunc("POST /promises/{id}/resolve", s.promiseResolve)

	// The CSV exports for spreadsheets, linked from the pages that list
	// the same records.
	mux.HandleFunc("GET /export/{file}", s.csvDownload)

	mux.HandleFunc("GET /decisions", s.decisionsPage)
	mux.HandleFunc("POST /decisions", s.decisionAdd)

	mux.HandleFunc("GET /journal", s.journalPage)
	mux.HandleFunc("POST /journal", s.journalAdd)

	mux.HandleFunc("GET /settings", s.settingsPage)
	mux.HandleFunc("POST /settings/model/{name}", s.settingSet)
	mux.HandleFunc("POST /settings/model/{name}/reset", s.settingReset)
	mux.HandleFunc("POST /settings/teams", s.teamAdd)
	mux.HandleFunc("POST /settings/people/{id}/active", s.personActive)

	s.registerIntegrations(mux)

	mux.HandleFunc("GET /simulator", s.simulatorPage)
	mux.HandleFunc("POST /simulator", s.simulatorUpload)
}
