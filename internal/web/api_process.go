package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// maxDefinitionBytes bounds a request carrying definition files.
const maxDefinitionBytes = 8 << 20

// apiLang is the language of user-facing texts in API answers (form
// messages, step names): English if the client prefers it, else Swedish.
func apiLang(r *http.Request) string {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return "sv"
}

func (s *Server) handleCaseProcess(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	p, err := s.svc.CaseProcess(r.Context(), a, r.PathValue("id"), apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, p)
}

func (s *Server) handleTransition(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.TransitionInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.svc.Transition(r.Context(), a, r.PathValue("id"), in, apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, c)
}

func (s *Server) handleSaveForm(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.FormInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	fv, err := s.svc.SaveForm(r.Context(), a, r.PathValue("id"), r.PathValue("form"), in, apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, fv)
}

func (s *Server) handleSignForm(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fv, err := s.svc.SignForm(r.Context(), a, r.PathValue("id"), r.PathValue("form"), apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, fv)
}

func (s *Server) handleDefinitionVersions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	vs, err := s.svc.DefinitionVersions(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"versions": vs})
}

func (s *Server) handlePublishDefinitions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.DefinitionsInput](w, r, maxDefinitionBytes)
	if err != nil {
		return err
	}
	dv, err := s.svc.PublishDefinitions(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, dv)
}

func (s *Server) handleValidateDefinitions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.DefinitionsInput](w, r, maxDefinitionBytes)
	if err != nil {
		return err
	}
	res, err := s.svc.ValidateDefinitions(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, res)
}

func versionParam(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || v < 1 {
		return 0, trygg.Errorf(trygg.ENotFound, "No such definition version.")
	}
	return v, nil
}

func (s *Server) handleMigrateCases(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	in, err := decode[service.MigrationInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	plan, err := s.svc.MigrateCases(r.Context(), a, v, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, plan)
}

func (s *Server) handleDefinitionFiles(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	files, err := s.svc.DefinitionFiles(r.Context(), a, v)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"version": v, "files": files})
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	q := r.URL.Query()
	in := service.InboxInput{CaseType: q.Get("case_type")}
	switch q.Get("team") {
	case "", "false":
	case "true":
		in.Team = true
	default:
		return trygg.Invalid("The query is not valid.", map[string]string{"team": "Must be true or false."})
	}
	view, err := s.svc.Inbox(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, view)
}

func (s *Server) handleNotes(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	notes, err := s.svc.Notes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"notes": notes})
}

func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.NoteInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	n, err := s.svc.AddNote(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, n)
}

func (s *Server) handleSaveNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.NoteInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	n, err := s.svc.SaveNote(r.Context(), a, r.PathValue("id"), r.PathValue("note"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, n)
}

func (s *Server) handleSignNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	n, err := s.svc.SignNote(r.Context(), a, r.PathValue("id"), r.PathValue("note"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, n)
}

func (s *Server) handleDecisions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ds, err := s.svc.Decisions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"decisions": ds})
}

func (s *Server) handleAddDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.DecisionInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	d, err := s.svc.SaveDecision(r.Context(), a, r.PathValue("id"), "", in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, d)
}

func (s *Server) handleSaveDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.DecisionInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	d, err := s.svc.SaveDecision(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, d)
}

func (s *Server) handleFinaliseDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	d, err := s.svc.FinaliseDecision(r.Context(), a, r.PathValue("id"), r.PathValue("decision"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, d)
}

func (s *Server) handleDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	d, err := s.svc.DefinitionDraft(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, d)
}

func (s *Server) handleSaveDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.DefinitionsInput](w, r, maxDefinitionBytes)
	if err != nil {
		return err
	}
	d, err := s.svc.SaveDefinitionDraft(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, d)
}

type publishDraftRequest struct {
	Note string `json:"note,omitempty"`
}

func (s *Server) handlePublishDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[publishDraftRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	dv, err := s.svc.PublishDraft(r.Context(), a, in.Note)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, dv)
}

func (s *Server) handleExecutions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.svc.Executions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"executions": out})
}

func (s *Server) handleRecordExecution(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.ExecutionInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	out, err := s.svc.RecordExecution(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, map[string]any{"executions": out})
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.svc.Reports(r.Context(), a, apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"reports": out})
}

func (s *Server) handleRunReport(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	res, err := s.svc.RunReport(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"), apiLang(r))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, res)
}

// handleReportCSV answers the report as CSV (RFC 4180, UTF-8 with a byte
// order mark so spreadsheet programs read å, ä and ö right), the columns
// as the header row and the summary after an empty line.
func (s *Server) handleReportCSV(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	res, err := s.svc.RunReport(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"), apiLang(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, res.ID, res.Period.Name))
	return writeReportCSV(w, res)
}

func writeReportCSV(w io.Writer, res process.ReportResult) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	var head []string
	for _, c := range res.Columns {
		head = append(head, c.Label)
	}
	_ = cw.Write(head)
	for _, row := range res.Rows {
		_ = cw.Write(safeCells(row.Cells))
	}
	if len(res.Summary) > 0 {
		_ = cw.Write(nil)
		for _, sum := range res.Summary {
			_ = cw.Write(append(safeCells(sum.Values), fmt.Sprint(sum.Count)))
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCells keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a cell starting with = + - @ gets a leading apostrophe,
// unless it is a plain number.
func safeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				c = "'" + c
			}
		}
		out[i] = c
	}
	return out
}
