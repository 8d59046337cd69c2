package staff

import (
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Secrecy towards the person: the case page's list of signed records that
// may be marked as secret towards the person, and the form that marks,
// lifts or releases them. Mina sidor honours the marks (the register
// extract, the receipt, a followed case).

// secrecyPanel is the case page's list of signed records that may be
// marked as secret towards the person.
type secrecyPanel struct {
	CaseID   string
	Items    []service.SecrecyItem
	Workable bool
}

// secrecyFor reads the case page's secrecy panel.
func (s *handlers) secrecyFor(r *http.Request, a trygg.Actor, caseID, lang string, workable bool) (*secrecyPanel, error) {
	items, err := s.Svc.SecrecyItems(r.Context(), a, caseID, lang)
	if err != nil {
		return nil, err
	}
	return &secrecyPanel{CaseID: caseID, Items: items, Workable: workable}, nil
}

// handleSecrecyForm marks a signed note or form entry of the case as
// secret towards the person (with the legal ground), lifts the mark
// (action=lift), or releases a later version or correction from the marks
// earlier in its chain (action=release, with the reason), and shows the
// case page with the outcome.
func (s *handlers) handleSecrecyForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	in := service.SecrecyInput{Kind: r.PostFormValue("kind"), RecordID: r.PostFormValue("record_id"),
		LegalGround: r.PostFormValue("legal_ground"), Reason: r.PostFormValue("reason")}
	var err error
	msg := "secrecy.marked"
	switch r.PostFormValue("action") {
	case "lift":
		_, err = s.Svc.LiftSecret(r.Context(), a, r.PathValue("id"), in)
		msg = "secrecy.lifted"
	case "release":
		_, err = s.Svc.ReleaseSecret(r.Context(), a, r.PathValue("id"), in)
		msg = "secrecy.released"
	default:
		_, err = s.Svc.MarkSecret(r.Context(), a, r.PathValue("id"), in)
	}
	switch trygg.ErrorCode(err) {
	case "":
		return s.renderCase(w, r, a, v, http.StatusOK, v.T(msg), "")
	case trygg.EInvalid, trygg.EConflict:
		return s.renderCase(w, r, a, v, server.StatusOf(trygg.ErrorCode(err)), "", server.ProblemText(v.Lang, err))
	}
	return err
}
