package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// A provider's API clients and the OAuth2 token endpoint (RFC 6749 §4.4,
// client credentials) that gives them access tokens: sessions that the
// API takes as "Authorization: Bearer", like any other.

type apiClientRequest struct {
	Name string `json:"name"`
}

func (s *handlers) handleAPIClients(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	cs, err := s.Svc.APIClients(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"clients": cs})
}

func (s *handlers) handleCreateAPIClient(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[apiClientRequest](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.Svc.CreateAPIClient(r.Context(), a, r.PathValue("id"), in.Name)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, c)
}

func (s *handlers) handleRevokeAPIClient(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if err := s.Svc.RevokeAPIClient(r.Context(), a, r.PathValue("id"), r.PathValue("client")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tokenResponse is a successful access token response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// clientScope is the one scope of the token endpoint (RFC 6749 §3.3): what
// a provider's API client may do, which is to act for its provider on the
// provider's orders (read them and the feed, accept or return them, plans,
// performed insatser, reporting back on goals, the basis for payment). A
// token acts with the provider role, as the provider's staff do; a
// narrower scope would need its own check on every route, so there is
// none until a client needs one.
const clientScope = trygg.ScopeOrders

// alarmScope is the one scope of an alarm receiving centre's client:
// posting alarm events (alarms.go), nothing else.
const alarmScope = trygg.ScopeAlarms

// grantedScope returns the scope to grant for the scope parameter: the
// client's one scope (orders for a provider's client, alarms for an alarm
// receiving centre's) when it is empty or each of its space-separated
// scope tokens is that scope; false if one is not.
func grantedScope(requested, scope string) (string, bool) {
	for _, tok := range strings.Split(requested, " ") {
		if tok != "" && tok != scope {
			return "", false
		}
	}
	return scope, true
}

// oauthError is an error response of the token endpoint (RFC 6749 §5.2).
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuth(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="trygg"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleToken is the token endpoint. The client authenticates with HTTP
// Basic (client_secret_basic) or with client_id and client_secret in the
// form (client_secret_post), never both. Unknown clients, wrong secrets
// and revoked clients all get the same invalid_client.
func (s *handlers) handleToken(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, description string) {
		writeOAuth(w, status, oauthError{Code: code, Description: description})
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		fail(http.StatusBadRequest, "invalid_request", "The body must be a form (Content-Type: application/x-www-form-urlencoded).")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	// Parameters come from the body only (never the URL), each at most
	// once; an empty one counts as left out (RFC 6749 §3.2).
	form := r.PostForm
	for k, v := range form {
		if len(v) > 1 {
			fail(http.StatusBadRequest, "invalid_request", "The parameter "+k+" is given more than once.")
			return
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		fail(http.StatusBadRequest, "invalid_request", "grant_type is required.")
		return
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
		return
	}
	if _, ok := grantedScope(form.Get("scope"), clientScope); !ok {
		if _, ok := grantedScope(form.Get("scope"), alarmScope); !ok {
			fail(http.StatusBadRequest, "invalid_scope", "The scope may only be "+clientScope+" or "+alarmScope+".")
			return
		}
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		if form.Get("client_id") != "" || form.Get("client_secret") != "" {
			fail(http.StatusBadRequest, "invalid_request", "Authenticate the client one way: HTTP Basic or client_id and client_secret in the form, not both.")
			return
		}
		// Basic credentials are form-encoded first (RFC 6749 §2.3.1).
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			id, secret = "", ""
		}
	} else if h := r.Header.Get("Authorization"); h != "" && !strings.HasPrefix(h, "Basic ") {
		fail(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	done, err := s.SignInAttempt(w, r, server.ClientKey(id))
	if err != nil {
		writeOAuth(w, http.StatusTooManyRequests, oauthError{Code: "temporarily_unavailable", Description: trygg.ErrorMessage(err)})
		return
	}
	sess, err := s.Svc.ClientToken(r.Context(), id, secret)
	done(err == nil)
	if trygg.ErrorCode(err) == trygg.EUnauthorized {
		fail(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	} else if err != nil {
		s.WriteProblem(w, r, err)
		return
	}
	// A provider's client acts for its provider; a client with none is an
	// alarm receiving centre's (service.actorWith).
	scope := sess.Actor.Scope
	if _, ok := grantedScope(form.Get("scope"), scope); !ok {
		// The other kind's scope: the session just started is ended
		// unused.
		if err := s.Svc.SignOut(r.Context(), sess.Actor, sess.Token); err != nil {
			s.WriteProblem(w, r, err)
			return
		}
		fail(http.StatusBadRequest, "invalid_scope", "The scope may only be "+scope+" for this client.")
		return
	}
	writeOAuth(w, http.StatusOK, tokenResponse{AccessToken: sess.Token, TokenType: "Bearer", ExpiresIn: int64(s.Svc.APITokenLifetime.Seconds()), Scope: scope})
}

// handleTokenMethod answers any method but POST on the token endpoint.
func (s *handlers) handleTokenMethod(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeOAuth(w, http.StatusMethodNotAllowed, oauthError{Code: "invalid_request", Description: "The token endpoint takes POST."})
}
