package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

type signInRequest struct {
	Tenant   string `json:"tenant,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) tenantOrDefault(t string) trygg.TenantID {
	if t == "" {
		return s.cfg.DefaultTenant
	}
	return trygg.TenantID(t)
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[signInRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	tenant := s.tenantOrDefault(in.Tenant)
	done, err := s.signInAttempt(w, r, accountKey(tenant, in.Username))
	if err != nil {
		return err
	}
	sess, err := s.svc.SignIn(r.Context(), tenant, in.Username, in.Password)
	done(err == nil)
	if err != nil {
		return err
	}
	setSessionCookie(w, sess)
	return encode(w, http.StatusCreated, sess)
}

func setSessionCookie(w http.ResponseWriter, sess service.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if err := s.svc.SignOut(r.Context(), a, tokenFrom(r)); err != nil {
		return err
	}
	clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User   store.User    `json:"user"`
	Tenant string        `json:"tenant"`
	Grants []trygg.Grant `json:"grants"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	u, grants, err := s.svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, meResponse{User: u, Tenant: string(a.Tenant), Grants: grants})
}

func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	units, err := s.svc.Units(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"units": units})
}

func (s *Server) handleCreateUnit(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.UnitInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	u, err := s.svc.CreateUnit(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, u)
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.UserInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	u, err := s.svc.CreateUser(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, u)
}

func (s *Server) handleRegisterPerson(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.RegisterPersonInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.svc.RegisterPerson(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, service.PersonView{Person: p, IdentityNumber: p.Identity.String(), IdentityType: p.Identity.Type})
}

func (s *Server) handleSearchPersons(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.SearchInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	res, err := s.svc.SearchPersons(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"persons": res})
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := s.svc.Person(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (s *Server) handleAddRelation(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.RelationInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	rel, err := s.svc.AddRelation(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, rel)
}

func (s *Server) handleEmergencyOpen(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.EmergencyInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	v, err := s.svc.EmergencyOpen(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, v)
}

func (s *Server) handleOpenCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.OpenCaseInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.svc.OpenCase(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, c)
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	c, err := s.svc.Case(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, c)
}

func (s *Server) handleAssignCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.AssignInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.svc.AssignCase(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, c)
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, fields map[string]string) int64 {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		fields[name] = "Must be a whole number, 0 or more."
	}
	return n
}

func queryTime(r *http.Request, name string, fields map[string]string) time.Time {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, derr := time.Parse("2006-01-02", v); derr == nil {
			return d
		}
		fields[name] = "Must be a date (YYYY-MM-DD) or an RFC 3339 time."
	}
	return t
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fields := map[string]string{}
	after := queryInt(r, "after", fields)
	limit := queryInt(r, "limit", fields)
	if len(fields) > 0 {
		return trygg.Invalid("The query is not valid.", fields)
	}
	evs, err := s.svc.Events(r.Context(), a, after, int(limit))
	if err != nil {
		return err
	}
	next := after
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq
	}
	return encode(w, http.StatusOK, map[string]any{"events": evs, "next_after": next})
}

func (s *Server) handleAccessLog(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fields := map[string]string{}
	q := r.URL.Query()
	f := store.AccessLogFilter{PersonID: q.Get("person_id"), ActorID: q.Get("actor_id"),
		From: queryTime(r, "from", fields), To: queryTime(r, "to", fields), Limit: int(queryInt(r, "limit", fields))}
	switch q.Get("emergency") {
	case "", "false":
	case "true":
		f.EmergencyOnly = true
	default:
		fields["emergency"] = "Must be true or false."
	}
	if len(fields) > 0 {
		return trygg.Invalid("The query is not valid.", fields)
	}
	entries, err := s.svc.AccessLog(r.Context(), a, f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) handleVerifyAccessLog(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rep, err := s.svc.VerifyAccessLog(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"ok": rep.OK(), "entries": rep.Entries, "problems": rep.Problems})
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) error {
	return trygg.Errorf(trygg.ENotFound, "There is no such API endpoint.")
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	_ = encode(w, http.StatusOK, map[string]any{"status": "ok", "uptime_seconds": int(time.Since(startTime).Seconds())})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			s.log.Warn("not ready", "err", err)
			_ = encode(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	_ = encode(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleProviders(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ps, err := s.svc.Providers(r.Context(), a)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, map[string]any{"providers": ps})
}

func (s *Server) handleCreateProvider(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := decode[service.ProviderInput](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.svc.CreateProvider(r.Context(), a, in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, p)
}
