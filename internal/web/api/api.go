package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// api wraps a JSON handler: its error is answered as problem+json.
func (s *handlers) api(fn server.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.WriteProblem(w, r, err)
		}
	}
}

// withActor wraps an API handler that needs a signed-in actor.
func (s *handlers) withActor(fn func(w http.ResponseWriter, r *http.Request, a trygg.Actor) error) http.HandlerFunc {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		a, err := server.ActorFrom(r)
		if err != nil {
			return err
		}
		return fn(w, r, a)
	})
}

// startTime is when the process started, for the health answer's uptime.
var startTime = time.Now()

type signInRequest struct {
	Tenant   string `json:"tenant,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *handlers) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	in, err := server.Decode[signInRequest](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	tenant := s.TenantOrDefault(in.Tenant)
	done, err := s.SignInAttempt(w, r, server.AccountKey(tenant, in.Username))
	if err != nil {
		return err
	}
	sess, err := s.Svc.SignIn(r.Context(), tenant, in.Username, in.Password)
	done(err == nil)
	if err != nil {
		return err
	}
	server.SetSessionCookie(w, sess)
	return server.Encode(w, http.StatusCreated, sess)
}

func (s *handlers) handleSignOut(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if err := s.Svc.SignOut(r.Context(), a, server.TokenFrom(r)); err != nil {
		return err
	}
	server.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User   store.User    `json:"user"`
	Tenant string        `json:"tenant"`
	Grants []trygg.Grant `json:"grants"`
}

func (s *handlers) handleMe(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	u, grants, err := s.Svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, meResponse{User: u, Tenant: string(a.Tenant), Grants: grants})
}

func (s *handlers) handleUnits(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	units, err := s.Svc.Units(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"units": units})
}

func (s *handlers) handleCreateUnit(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.UnitInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	u, err := s.Svc.CreateUnit(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, u)
}

func (s *handlers) handleCreateUser(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.UserInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	u, err := s.Svc.CreateUser(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, u)
}

func (s *handlers) handleRegisterPerson(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.RegisterPersonInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.Svc.RegisterPerson(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, service.PersonView{Person: p, IdentityNumber: p.Identity.String(), IdentityType: p.Identity.Type})
}

func (s *handlers) handleSearchPersons(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.SearchInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	res, err := s.Svc.SearchPersons(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"persons": res})
}

func (s *handlers) handlePerson(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	v, err := s.Svc.Person(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, v)
}

func (s *handlers) handleAddRelation(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.RelationInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	rel, err := s.Svc.AddRelation(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, rel)
}

func (s *handlers) handleEmergencyOpen(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.EmergencyInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	v, err := s.Svc.EmergencyOpen(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, v)
}

func (s *handlers) handleOpenCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.OpenCaseInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.Svc.OpenCase(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, c)
}

func (s *handlers) handleCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	c, err := s.Svc.Case(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, c)
}

func (s *handlers) handleAssignCase(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.AssignInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.Svc.AssignCase(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, c)
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

func (s *handlers) handleEvents(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fields := map[string]string{}
	after := queryInt(r, "after", fields)
	limit := queryInt(r, "limit", fields)
	if len(fields) > 0 {
		return trygg.Invalid("The query is not valid.", fields)
	}
	evs, err := s.Svc.Events(r.Context(), a, after, int(limit))
	if err != nil {
		return err
	}
	next := after
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq
	}
	return server.Encode(w, http.StatusOK, map[string]any{"events": evs, "next_after": next})
}

func (s *handlers) handleAccessLog(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
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
	entries, err := s.Svc.AccessLog(r.Context(), a, f)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *handlers) handleVerifyAccessLog(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rep, err := s.Svc.VerifyAccessLog(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"ok": rep.OK(), "entries": rep.Entries, "problems": rep.Problems})
}

func (s *handlers) handleAPINotFound(w http.ResponseWriter, r *http.Request) error {
	return trygg.Errorf(trygg.ENotFound, "There is no such API endpoint.")
}

func (s *handlers) handleHealth(w http.ResponseWriter, r *http.Request) {
	_ = server.Encode(w, http.StatusOK, map[string]any{"status": "ok", "uptime_seconds": int(time.Since(startTime).Seconds())})
}

func (s *handlers) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.Cfg.Ready != nil {
		if err := s.Cfg.Ready(r.Context()); err != nil {
			s.Log.Warn("not ready", "err", err)
			_ = server.Encode(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	_ = server.Encode(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *handlers) handleProviders(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ps, err := s.Svc.Providers(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"providers": ps})
}

func (s *handlers) handleCreateProvider(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.ProviderInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p, err := s.Svc.CreateProvider(r.Context(), a, in)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, p)
}
