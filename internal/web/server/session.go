package server

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// Sessions: the session cookie a sign-in sets (the API's, the staff's and
// the citizens'), and the short-lived cookie of an OpenID Connect flow.
// The middleware reads the session back (authenticate).

// TenantOrDefault is the tenant t a sign-in names, or the configured
// default when it names none.
func (s *Server) TenantOrDefault(t string) trygg.TenantID {
	if t == "" {
		return s.Cfg.DefaultTenant
	}
	return trygg.TenantID(t)
}

// SetSessionCookie gives the browser the session of a sign-in.
func SetSessionCookie(w http.ResponseWriter, sess service.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie takes the session cookie away (signing out).
func ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// StartFlow keeps a sign-in flow's secrets (state, nonce, PKCE verifier)
// in a short-lived cookie for the callback under path, and sends the
// browser to the provider.
func StartFlow(w http.ResponseWriter, r *http.Request, cookie, path string, flow auth.Flow, url string) {
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: flow.State + "." + flow.Nonce + "." + flow.Verifier,
		Path: path, MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, url, http.StatusFound)
}

// TakeFlow reads and clears (its secrets are single use, whatever the
// outcome) the flow cookie of a callback. It fails when the cookie is
// missing or malformed, or the provider answered with an error (logged
// under what, without the user's data).
func (s *Server) TakeFlow(w http.ResponseWriter, r *http.Request, cookie, path, what string) (auth.Flow, bool) {
	c, err := r.Cookie(cookie)
	if err != nil {
		return auth.Flow{}, false
	}
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: true})
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return auth.Flow{}, false
	}
	if e := r.URL.Query().Get("error"); e != "" {
		s.Log.Warn(what+" returned an error", "error", e)
		return auth.Flow{}, false
	}
	return auth.Flow{State: parts[0], Nonce: parts[1], Verifier: parts[2]}, true
}
