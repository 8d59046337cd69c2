package portal

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Citizens' sign-in: e-identification through an OpenID Connect broker
// (/auth/eid/…), and in the demo only a test sign-in (/auth/test) where one
// types a demo person's identity number. Both go through
// service.SignInCitizen, which links the person's one citizen account.
// The identity number travels only in the broker's ID token and in the
// test form's POST body: never in a URL, a cookie or a log line.

const eidCookie = "trygg_eid"

var (
	errEIDOff = trygg.Errorf(trygg.ENotFound, "Sign-in with e-identification is not configured.")
	// The test sign-in does not exist outside the demo.
	errTestOff   = trygg.Errorf(trygg.ENotFound, "Not found.")
	errEIDFailed = trygg.Errorf(trygg.EUnauthorized,
		"The sign-in with e-identification could not be completed. Start again from the sign-in page.")
	errEIDNoNumber = trygg.Errorf(trygg.EUnauthorized,
		"Your e-identification did not include a personal identity number, so you were not signed in and no account was created. Try another e-identification, or contact the municipality.")
	errEIDAssurance = trygg.Errorf(trygg.EUnauthorized,
		"Your e-identification does not have a high enough level of assurance for Mina sidor, so you were not signed in and no account was created. Sign in with an e-identification such as BankID or Freja+.")
	errEIDBadNumber = trygg.Errorf(trygg.EUnauthorized,
		"The identity number in your e-identification is not a valid Swedish personal identity number or coordination number, so you were not signed in and no account was created.")
)

// identityKey is the per-identity rate-limit key of a typed or claimed
// number: its normalised form when it parses, so "19850101-1234" and
// "198501011234" count together.
func identityKey(tenant trygg.TenantID, number string) string {
	if id, err := persons.ParseIdentityNumber(number, time.Now()); err == nil {
		number = id.Value
	}
	return "id\x00" + string(tenant) + "\x00" + strings.TrimSpace(number)
}

// handleEIDLogin sends the browser to the broker with a new flow (state,
// nonce, PKCE verifier) kept in a short-lived cookie.
func (s *handlers) handleEIDLogin(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.CitizenOIDC == nil {
		return errEIDOff
	}
	flow, url := s.Cfg.CitizenOIDC.Start()
	server.StartFlow(w, r, eidCookie, "/auth/eid/", flow, url)
	return nil
}

// handleEIDCallback completes the flow, reads the identity number from
// the configured claim and signs the citizen in. Every callback counts
// against the client address's limit; failed ones also against the
// identity's.
func (s *handlers) handleEIDCallback(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.CitizenOIDC == nil {
		return errEIDOff
	}
	if _, err := s.SignInAttempt(w, r, ""); err != nil {
		return err
	}
	flow, ok := s.TakeFlow(w, r, eidCookie, "/auth/eid/", "e-identification broker")
	if !ok {
		return errEIDFailed
	}
	number, err := s.Cfg.CitizenOIDC.FinishIdentity(r.Context(), flow, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	switch {
	case errors.Is(err, auth.ErrAssurance):
		// The error names the acr the broker sent, never the person.
		s.Log.Warn("e-identification below the required level of assurance", "err", err)
		return errEIDAssurance
	case errors.Is(err, auth.ErrNoIdentityClaim):
		s.Log.Warn("e-identification without an identity number claim", "claims", strings.Join(s.Cfg.CitizenOIDC.IdentityClaims(), ","))
		return errEIDNoNumber
	case err != nil:
		s.Log.Warn("e-identification sign-in failed", "err", err)
		return errEIDFailed
	}
	tenant := s.Cfg.DefaultTenant
	done, err := s.SignInAccountAttempt(w, identityKey(tenant, number))
	if err != nil {
		return err
	}
	sess, err := s.Svc.SignInCitizen(r.Context(), tenant, number, service.CitizenByEID)
	done(err == nil)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		return errEIDBadNumber
	}
	if err != nil {
		return err
	}
	server.SetSessionCookie(w, sess)
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
	return nil
}

// handleTestLoginPage shows the demo's test sign-in; without --demo it
// does not exist.
func (s *handlers) handleTestLoginPage(w http.ResponseWriter, r *http.Request) error {
	if !s.Cfg.Demo {
		return errTestOff
	}
	return pages.Render(w, http.StatusOK, "citizen_test_login", s.NewView(w, r, "testlogin.title"))
}

// handleTestLoginSubmit signs in as the demo person whose identity number
// is posted, through the same account linking as e-identification.
func (s *handlers) handleTestLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	if !s.Cfg.Demo {
		return errTestOff
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	number := strings.TrimSpace(r.PostForm.Get("identity_number"))
	tenant := s.Cfg.DefaultTenant
	account := ""
	if number != "" {
		account = identityKey(tenant, number)
	}
	done, err := s.SignInAttempt(w, r, account)
	if err == nil {
		var sess service.Session
		if number == "" {
			err = trygg.Invalid("Enter the identity number of a demo person.", map[string]string{"identity_number": "Required."})
		} else {
			sess, err = s.Svc.SignInCitizen(r.Context(), tenant, number, service.CitizenByTest)
		}
		done(err == nil)
		if err == nil {
			server.SetSessionCookie(w, sess)
			http.Redirect(w, r, "/portal", http.StatusSeeOther)
			return nil
		}
	}
	switch code := trygg.ErrorCode(err); code {
	case trygg.EInvalid, trygg.EUnauthorized, trygg.ERateLimited:
		v := s.NewView(w, r, "testlogin.title")
		v.Error = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
		// The number is not echoed back: the form is shown again empty.
		return pages.Render(w, server.StatusOf(code), "citizen_test_login", v)
	}
	return err
}
