package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/trustledger/trustledger/internal/csvout"
)

// csvDownload sends one of the signed-in leader's CSV exports
// (/export/ledger.csv, promises.csv, decisions.csv or people.csv) as a file
// to save. It acts for the session's leader only: nothing in the address
// names a leader. The file is written whole before it is sent, so an error
// half way is an error page and not half a file.
func (s *Server) csvDownload(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	kind, err := csvout.ParseKind(name)
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := csvout.Write(r.Context(), s.svc, s.leader(r), kind, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", csvout.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+csvout.Filename(kind, s.now())+`"`)
	// The file is the leader's own data: no shared cache may keep it.
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
