package service

import (
	"context"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// UserInput creates a user account.
type UserInput struct {
	// ID is never taken from a client: the server makes account ids.
	// Only the system actor (the demo loader) may give one, so its
	// dataset can refer to its own accounts.
	ID                string `json:"-"`
	Username          string `json:"username"`
	DisplayName       string `json:"display_name"`
	Password          string `json:"password,omitempty"`
	PasswordHash      string `json:"-"` // a precomputed hash (demo loader)
	OIDCIssuer        string `json:"oidc_issuer,omitempty"`
	OIDCSubject       string `json:"oidc_subject,omitempty"`
	PersonID          string `json:"person_id,omitempty"`
	ProtectedIdentity bool   `json:"protected_identity,omitempty"`
	// ProviderID makes the user one of a provider's staff; they may then
	// hold only the provider role (utforare), which needs it.
	ProviderID string        `json:"provider_id,omitempty"`
	Grants     []trygg.Grant `json:"grants"`
}

// CreateUser creates a user with role grants. A system administrator (or
// the system actor) may. A provider's staff (ProviderID) hold only the
// provider role, and that role needs a provider; the provider must exist.
func (s *Service) CreateUser(ctx context.Context, a trygg.Actor, in UserInput) (store.User, error) {
	if !a.IsSystem() {
		if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
			return store.User{}, err
		}
	}
	fields := map[string]string{}
	in.Username, in.DisplayName = strings.TrimSpace(in.Username), strings.TrimSpace(in.DisplayName)
	if in.Username == "" || len(in.Username) > 100 || strings.ContainsAny(in.Username, " \t\n") {
		fields["username"] = "Required, at most 100 characters, no spaces."
	}
	if in.DisplayName == "" || len(in.DisplayName) > 200 {
		fields["display_name"] = "Required, at most 200 characters."
	}
	oneLine(fields, "username", in.Username)
	oneLine(fields, "display_name", in.DisplayName)
	if in.Password != "" {
		if problem := auth.PasswordProblem(in.Password, in.Username, in.DisplayName); problem != "" {
			fields["password"] = problem
		}
	}
	if (in.OIDCIssuer == "") != (in.OIDCSubject == "") {
		fields["oidc_subject"] = "Give both the OpenID issuer and subject, or neither."
	}
	// Citizens' accounts are made by their own sign-in with
	// e-identification, which links the account to the person the
	// identity provider vouches for; an administrator can't bind an
	// account to a person (and so read them as "self"). The demo's
	// accounts are loaded by the system actor.
	if !a.IsSystem() && in.PersonID != "" {
		fields["person_id"] = "Citizens' accounts are made when they sign in with e-identification; they can't be created here."
	}
	if in.ProviderID != "" {
		if _, err := s.db.ProviderByID(ctx, a.Tenant, in.ProviderID); trygg.ErrorCode(err) == trygg.ENotFound {
			fields["provider_id"] = "No such provider."
		} else if err != nil {
			return store.User{}, err
		}
	}
	for i, g := range in.Grants {
		if !g.Role.Valid() {
			fields["grants"] = "Unknown role " + string(g.Role) + "."
		} else if in.ProviderID != "" && g.Role != trygg.RoleProvider {
			fields["grants"] = "A provider's staff may hold only the provider role (utforare)."
		} else if _, err := s.db.Unit(ctx, a.Tenant, g.UnitID); err != nil {
			fields["grants"] = "Grant " + string(rune('1'+i)) + ": no such unit."
		}
		if g.Role == trygg.RoleProvider && in.ProviderID == "" {
			fields["provider_id"] = "The provider role (utforare) needs the provider the user works for."
		}
		if g.Role == trygg.RoleCitizen && !a.IsSystem() {
			fields["grants"] = "The citizen role (invanare) comes with signing in with e-identification; it can't be granted here."
		}
	}
	if len(fields) > 0 {
		return store.User{}, trygg.Invalid("The user is not valid.", fields)
	}
	if !a.IsSystem() {
		in.ID = ""
	}
	u := store.User{ID: in.ID, Username: in.Username, DisplayName: in.DisplayName, PasswordHash: in.PasswordHash,
		OIDCIssuer: in.OIDCIssuer, OIDCSubject: in.OIDCSubject, PersonID: in.PersonID, ProtectedIdentity: in.ProtectedIdentity,
		ProviderID: in.ProviderID}
	if u.ID == "" {
		u.ID = newID()
	}
	if in.Password != "" {
		h, err := auth.HashPassword(in.Password)
		if err != nil {
			return u, err
		}
		u.PasswordHash = h
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(ctx, a.Tenant, u); err != nil {
			return err
		}
		// The event says what the account may do: every grant of a role
		// and of the protected-identity permission is an event of its own,
		// and the log review lists the latter.
		created := events.New(a, events.UserCreated, "user", u.ID, map[string]any{"username": u.Username, "display_name": u.DisplayName,
			"method": signInMethod(u), "provider_id": u.ProviderID, "protected_identity": u.ProtectedIdentity, "person_id": u.PersonID})
		created.PersonID = u.PersonID
		if _, err := tx.AppendEvent(ctx, created); err != nil {
			return err
		}
		for _, g := range in.Grants {
			if err := tx.GrantRole(ctx, a.Tenant, u.ID, g.Role, g.UnitID); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(ctx, events.New(a, events.RoleGranted, "user", u.ID, g)); err != nil {
				return err
			}
		}
		if u.ProtectedIdentity {
			if _, err := tx.AppendEvent(ctx, events.New(a, events.PermissionGranted, "user", u.ID,
				map[string]string{"permission": PermissionProtectedIdentity, "username": u.Username})); err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}

// PermissionProtectedIdentity names the protected-identity permission in
// the event log (events.PermissionGranted).
const PermissionProtectedIdentity = "protected_identity"

// signInMethod names how the account signs in, for the event log.
func signInMethod(u store.User) string {
	switch {
	case u.OIDCSubject != "":
		return "oidc"
	case u.PasswordHash != "":
		return "password"
	}
	return "none"
}

// actorFor builds the actor for a user: their grants with unit paths.
func (s *Service) actorFor(ctx context.Context, tenant trygg.TenantID, userID string) (trygg.Actor, error) {
	u, err := s.db.UserByID(ctx, tenant, userID)
	if err != nil {
		return trygg.Actor{}, err
	}
	return s.actorOf(ctx, tenant, u)
}

func (s *Service) actorOf(ctx context.Context, tenant trygg.TenantID, u store.User) (trygg.Actor, error) {
	if u.Disabled {
		return trygg.Actor{}, trygg.Errorf(trygg.EUnauthorized, "The account is disabled.")
	}
	grants, err := s.db.Grants(ctx, tenant, u.ID)
	if err != nil {
		return trygg.Actor{}, err
	}
	return actorWith(tenant, u, grants), nil
}

func actorWith(tenant trygg.TenantID, u store.User, grants []trygg.Grant) trygg.Actor {
	a := trygg.Actor{Tenant: tenant, UserID: u.ID, DisplayName: u.DisplayName, PersonID: u.PersonID, ProviderID: u.ProviderID,
		Grants: grants, ProtectedIdentity: u.ProtectedIdentity}
	// An API client acts for its provider; one with none is an alarm
	// receiving centre's.
	if u.APIClient {
		a.Scope = trygg.ScopeOrders
		if u.ProviderID == "" {
			a.Scope = trygg.ScopeAlarms
		}
	}
	return a
}

// Session is a signed-in session as handed to the client.
type Session struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Actor     trygg.Actor `json:"-"`
}

var errBadCredentials = trygg.Errorf(trygg.EUnauthorized, "Wrong username or password.")

// SignIn checks a local account's password and starts a session. Unknown
// users, wrong passwords and API clients (which get tokens only through
// ClientToken) get the same answer.
func (s *Service) SignIn(ctx context.Context, tenant trygg.TenantID, username, password string) (Session, error) {
	if username == "" || password == "" {
		fields := map[string]string{}
		if username == "" {
			fields["username"] = "Required."
		}
		if password == "" {
			fields["password"] = "Required."
		}
		return Session{}, trygg.Invalid("Enter username and password.", fields)
	}
	u, err := s.db.UserByUsername(ctx, tenant, username)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && (u.PasswordHash == "" || u.APIClient)) {
		// Spend the same time as a real check so response times don't
		// reveal which usernames exist.
		_, _ = auth.CheckPassword(dummyHash, password)
		return Session{}, errBadCredentials
	}
	if err != nil {
		return Session{}, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil || !ok {
		return Session{}, errBadCredentials
	}
	return s.startSession(ctx, tenant, u, "password", s.SessionMax)
}

var dummyHash, _ = auth.HashPassword("timing-equaliser")

// SignInOIDC starts a session for the user linked to the OpenID Connect
// issuer and subject that the caller has verified.
func (s *Service) SignInOIDC(ctx context.Context, tenant trygg.TenantID, issuer, subject string) (Session, error) {
	u, err := s.db.UserByOIDC(ctx, tenant, issuer, subject)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return Session{}, trygg.Errorf(trygg.EUnauthorized, "Your sign-in worked, but no trygg account is linked to it. Ask your system administrator.")
	}
	if err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, tenant, u, "oidc", s.SessionMax)
}

// startSession starts a session of u that lasts at most lifetime and
// records the sign-in by method.
func (s *Service) startSession(ctx context.Context, tenant trygg.TenantID, u store.User, method string, lifetime time.Duration) (Session, error) {
	actor, err := s.actorOf(ctx, tenant, u)
	if err != nil {
		return Session{}, err
	}
	token, hash, err := auth.NewToken(string(tenant))
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		st := store.Session{Tenant: tenant, TokenHash: hash, UserID: u.ID, CreatedAt: tx.Now, LastSeen: tx.Now, ExpiresAt: tx.Now.Add(lifetime)}
		if err := tx.InsertSession(ctx, st); err != nil {
			return err
		}
		sess = Session{Token: token, ExpiresAt: st.ExpiresAt, Actor: actor}
		_, err := tx.AppendEvent(ctx, events.New(actor, events.UserSignedIn, "user", u.ID, map[string]string{"method": method}))
		return err
	})
	return sess, err
}

var errNoSession = trygg.Errorf(trygg.EUnauthorized, "Sign in to continue.")

// Authenticate returns the actor for a session token. An expired or idle
// session is an unauthorized error saying so; an API client's token does
// not go idle, it lasts until it expires.
func (s *Service) Authenticate(ctx context.Context, token string) (trygg.Actor, error) {
	tenant := auth.TokenTenant(token)
	if tenant == "" {
		return trygg.Actor{}, errNoSession
	}
	hash := auth.TokenHash(token)
	// The session, its user and their grants are read anew on every
	// request (one statement), so a disabled account or a revoked grant
	// takes effect at once.
	sess, u, grants, err := s.db.SessionUser(ctx, trygg.TenantID(tenant), hash)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return trygg.Actor{}, errNoSession
	}
	if err != nil {
		return trygg.Actor{}, err
	}
	now := s.db.Now()
	if now.After(sess.ExpiresAt) || !u.APIClient && now.Sub(sess.LastSeen) > s.SessionIdle {
		return trygg.Actor{}, trygg.Errorf(trygg.EUnauthorized, "Your session has expired. Sign in again.")
	}
	if u.Disabled {
		return trygg.Actor{}, errNoSession
	}
	actor := actorWith(trygg.TenantID(tenant), u, grants)
	// Record activity at most once a minute to spare the writer.
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.db.TouchSession(ctx, sess.Tenant, hash, now); err != nil {
			s.log.Warn("session touch failed", "err", err)
		}
	}
	return actor, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, a trygg.Actor, token string) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, a.Tenant, auth.TokenHash(token)); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.UserSignedOut, "user", a.UserID, nil))
		return err
	})
}

// Me returns the actor's own account and grants.
func (s *Service) Me(ctx context.Context, a trygg.Actor) (store.User, []trygg.Grant, error) {
	u, err := s.db.UserByID(ctx, a.Tenant, a.UserID)
	return u, a.Grants, err
}
