package staff

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The staff sign-in: the password form (/login), signing out, and
// OpenID Connect with the organisation's identity provider (/auth/oidc/…).

// loginPage is the sign-in page's data: the username typed, shown again
// after a refusal.
type loginPage struct {
	Username string
}

func (s *handlers) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	v := s.NewView(w, r, "login.title")
	v.Data = loginPage{}
	return pages.Render(w, http.StatusOK, "login", v)
}

func (s *handlers) handleLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	tenant := s.TenantOrDefault(r.PostForm.Get("tenant"))
	// Rate limits: per client address, and per account for failures.
	done, err := s.SignInAttempt(w, r, server.AccountKey(tenant, username))
	var sess service.Session
	if err == nil {
		sess, err = s.Svc.SignIn(r.Context(), tenant, username, r.PostForm.Get("password"))
		done(err == nil)
	}
	if err != nil {
		code := trygg.ErrorCode(err)
		if code != trygg.EUnauthorized && code != trygg.EInvalid && code != trygg.ERateLimited {
			return err
		}
		v := s.NewView(w, r, "login.title")
		v.Error, v.Data = server.MessageIn(v.Lang, trygg.ErrorMessage(err)), loginPage{Username: username}
		return pages.Render(w, server.StatusOf(code), "login", v)
	}
	server.SetSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *handlers) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if a, err := server.ActorFrom(r); err == nil {
		if err := s.Svc.SignOut(r.Context(), a, server.TokenFrom(r)); err != nil {
			return err
		}
	}
	server.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

const oidcCookie = "trygg_oidc"

func (s *handlers) handleOIDCLogin(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	flow, url := s.Cfg.OIDC.Start()
	server.StartFlow(w, r, oidcCookie, "/auth/oidc/", flow, url)
	return nil
}

func (s *handlers) handleOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	failed := trygg.Errorf(trygg.EUnauthorized, "The sign-in could not be completed. Start again from the sign-in page.")
	flow, ok := s.TakeFlow(w, r, oidcCookie, "/auth/oidc/", "oidc provider")
	if !ok {
		return failed
	}
	subject, err := s.Cfg.OIDC.Finish(r.Context(), flow, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		s.Log.Warn("oidc sign-in failed", "err", err)
		return failed
	}
	sess, err := s.Svc.SignInOIDC(r.Context(), s.Cfg.DefaultTenant, s.Cfg.OIDC.Issuer(), subject)
	if err != nil {
		return err
	}
	server.SetSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
