package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

func (s *handlers) handleRegisters(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.Svc.Registers(r.Context(), a, apiLang(r))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"registers": out})
}

func (s *handlers) handleRegisterCheck(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	out, err := s.Svc.RegisterCheck(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, out)
}

// registerRefusal is the problem a refused register file answers with:
// what is missing, per case.
type registerRefusal struct {
	Title   string                  `json:"title"`
	Status  int                     `json:"status"`
	Missing []process.RegisterIssue `json:"missing"`
}

// handleRegisterFile answers the register file as the authority takes it,
// or 409 with the list of what is missing.
func (s *handlers) handleRegisterFile(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	f, err := s.Svc.RegisterFile(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("period"))
	var incomplete *service.RegisterIncomplete
	if errors.As(err, &incomplete) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		return json.NewEncoder(w).Encode(registerRefusal{Title: incomplete.Error(), Status: http.StatusConflict, Missing: incomplete.Missing})
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Name))
	_, err = w.Write(f.Data)
	return err
}
