package api

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
	"github.com/trygg/trygg/internal/web/server"
)

// apiLang is the language of user-facing texts in API answers (form
// messages, step names): English if the client prefers it, else Swedish.
func apiLang(r *http.Request) string {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return "sv"
}

func (s *handlers) handleCaseProcess(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	p, err := s.Svc.CaseProcess(r.Context(), a, r.PathValue("id"), apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, p)
}

func (s *handlers) handleTransition(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.TransitionInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.Svc.Transition(r.Context(), a, r.PathValue("id"), in, apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, c)
}

func (s *handlers) handleSaveForm(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.FormInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	fv, err := s.Svc.SaveForm(r.Context(), a, r.PathValue("id"), r.PathValue("form"), in, apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, fv)
}

func (s *handlers) handleSignForm(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fv, err := s.Svc.SignForm(r.Context(), a, r.PathValue("id"), r.PathValue("form"), apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, fv)
}

func (s *handlers) handleDefinitionVersions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	vs, err := s.Svc.DefinitionVersions(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"versions": vs})
}

func (s *handlers) handlePublishDefinitions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DefinitionsInput](w, r, server.MaxDefinitionBytes)
	if err != nil {
		return err
	}
	dv, err := s.Svc.PublishDefinitions(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, dv)
}

func (s *handlers) handleValidateDefinitions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DefinitionsInput](w, r, server.MaxDefinitionBytes)
	if err != nil {
		return err
	}
	res, err := s.Svc.ValidateDefinitions(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, res)
}

func (s *handlers) handleMigrateCases(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := server.VersionParam(r)
	if err != nil {
		return err
	}
	in, err := server.Decode[service.MigrationInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	plan, err := s.Svc.MigrateCases(r.Context(), a, v, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, plan)
}

func (s *handlers) handleDefinitionFiles(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := server.VersionParam(r)
	if err != nil {
		return err
	}
	files, err := s.Svc.DefinitionFiles(r.Context(), a, v)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"version": v, "files": files})
}

func (s *handlers) handleInbox(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	q := r.URL.Query()
	in := service.InboxInput{CaseType: q.Get("case_type"), Step: q.Get("step"), Search: q.Get("search"), Sort: q.Get("sort")}
	for name, to := range map[string]*bool{"team": &in.Team, "overdue": &in.Overdue, "desc": &in.Desc} {
		switch q.Get(name) {
		case "", "false":
		case "true":
			*to = true
		default:
			return trygg.Invalid("The query is not valid.", map[string]string{name: "Must be true or false."})
		}
	}
	view, err := s.Svc.Inbox(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, view)
}

func (s *handlers) handleNotes(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	notes, err := s.Svc.Notes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"notes": notes})
}

func (s *handlers) handleAddNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.NoteInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	n, err := s.Svc.AddNote(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, n)
}

func (s *handlers) handleSaveNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.NoteInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	n, err := s.Svc.SaveNote(r.Context(), a, r.PathValue("id"), r.PathValue("note"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, n)
}

func (s *handlers) handleSignNote(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	n, err := s.Svc.SignNote(r.Context(), a, r.PathValue("id"), r.PathValue("note"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, n)
}

func (s *handlers) handleDecisions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ds, err := s.Svc.Decisions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"decisions": ds})
}

func (s *handlers) handleAddDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DecisionInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	d, err := s.Svc.SaveDecision(r.Context(), a, r.PathValue("id"), "", in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, d)
}

func (s *handlers) handleSaveDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DecisionInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	d, err := s.Svc.SaveDecision(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, d)
}

func (s *handlers) handleFinaliseDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	d, err := s.Svc.FinaliseDecision(r.Context(), a, r.PathValue("id"), r.PathValue("decision"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, d)
}

func (s *handlers) handleDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	d, err := s.Svc.DefinitionDraft(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, d)
}

func (s *handlers) handleSaveDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DefinitionsInput](w, r, server.MaxDefinitionBytes)
	if err != nil {
		return err
	}
	d, err := s.Svc.SaveDefinitionDraft(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, d)
}

type publishDraftRequest struct {
	Note string `json:"note,omitempty"`
}

func (s *handlers) handlePublishDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[publishDraftRequest](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	dv, err := s.Svc.PublishDraft(r.Context(), a, in.Note)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, dv)
}

func (s *handlers) handleExecutions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.Svc.Executions(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"executions": out})
}

func (s *handlers) handleRecordExecution(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.ExecutionInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	out, err := s.Svc.RecordExecution(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, map[string]any{"executions": out})
}

func (s *handlers) handleReports(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.Svc.Reports(r.Context(), a, apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"reports": out})
}

func (s *handlers) handleRunReport(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	res, err := s.Svc.RunReport(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"), apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, res)
}

// handleReportCSV answers the report as CSV (RFC 4180, UTF-8 with a byte
// order mark so spreadsheet programs read å, ä and ö right), the columns
// as the header row and the summary after an empty line.
func (s *handlers) handleReportCSV(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	res, err := s.Svc.RunReport(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"), apiLang(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, res.ID, res.Period.Name))
	return writeReportCSV(w, res)
}

// handleReportFile answers the report's file for another authority's
// service (IVO's e-service), as the pack lays it out; the same records
// give the same bytes.
func (s *handlers) handleReportFile(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	f, err := s.Svc.ReportFile(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Name))
	_, err = w.Write(f.Data)
	return err
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
