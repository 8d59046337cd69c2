package service

import (
	"context"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// An API client lets a provider's own system (a planning or reporting
// system) call the API with OAuth2 client credentials. It is a user row
// marked api_client, with the provider role, so events, sessions and
// Authenticate treat it like any user. Its client id is "tenant.id" (the
// tenant first, as in session tokens), also its username.

// NewAPIClient is a client just created, with its secret: the only time
// the secret is shown.
type NewAPIClient struct {
	store.APIClient
	ClientSecret string `json:"client_secret"`
}

// CreateAPIClient creates an API client for the provider and returns its
// id and secret. A system administrator may. An unknown provider is not
// found; a missing or over-long name is invalid.
func (s *Service) CreateAPIClient(ctx context.Context, a trygg.Actor, providerID, name string) (NewAPIClient, error) {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return NewAPIClient{}, err
	}
	p, err := s.db.ProviderByID(ctx, a.Tenant, providerID)
	if err != nil {
		return NewAPIClient{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		return NewAPIClient{}, trygg.Invalid("The API client is not valid.", map[string]string{"name": "Required, at most 200 characters."})
	}
	if err := storedtext.Check(name, storedtext.Line); err != nil {
		return NewAPIClient{}, trygg.Invalid("The API client is not valid.", map[string]string{"name": err.Error()})
	}
	// The provider role is granted in a unit: an internal provider's own,
	// else the municipality's root (it gives no reach by itself; orders do).
	unit := p.UnitID
	if unit == "" {
		root, err := s.db.RootUnit(ctx, a.Tenant)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return NewAPIClient{}, trygg.Errorf(trygg.EConflict, "The municipality has no units yet; create its root unit first.")
		}
		if err != nil {
			return NewAPIClient{}, err
		}
		unit = root.ID
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		return NewAPIClient{}, err
	}
	id := newID()
	c := NewAPIClient{APIClient: store.APIClient{ClientID: string(a.Tenant) + "." + id, Name: name, ProviderID: p.ID}, ClientSecret: secret}
	u := store.User{ID: id, Username: c.ClientID, DisplayName: name, ProviderID: p.ID, APIClient: true, SecretHash: hash}
	grant := trygg.Grant{Role: trygg.RoleProvider, UnitID: unit}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		c.CreatedAt = tx.Now
		if err := tx.InsertUser(ctx, a.Tenant, u); err != nil {
			return err
		}
		if _, err := tx.AppendEvent(ctx, events.New(a, events.APIClientCreated, "user", id,
			map[string]string{"client_id": c.ClientID, "name": name, "provider_id": p.ID})); err != nil {
			return err
		}
		if err := tx.GrantRole(ctx, a.Tenant, id, grant.Role, grant.UnitID); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.RoleGranted, "user", id, grant))
		return err
	})
	if err != nil {
		return NewAPIClient{}, err
	}
	return c, nil
}

// APIClients lists the provider's API clients, revoked ones too, without
// secrets. A system administrator may; an unknown provider is not found.
func (s *Service) APIClients(ctx context.Context, a trygg.Actor, providerID string) ([]store.APIClient, error) {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return nil, err
	}
	if _, err := s.db.ProviderByID(ctx, a.Tenant, providerID); err != nil {
		return nil, err
	}
	return s.db.APIClients(ctx, a.Tenant, providerID)
}

var errNoAPIClient = trygg.Errorf(trygg.ENotFound, "API client not found.")

// RevokeAPIClient disables the provider's API client and ends its tokens
// at once. A system administrator may. A client of another provider or
// tenant is not found; revoking a revoked client changes nothing.
func (s *Service) RevokeAPIClient(ctx context.Context, a trygg.Actor, providerID, clientID string) error {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return err
	}
	tenant, id, ok := strings.Cut(clientID, ".")
	if !ok || trygg.TenantID(tenant) != a.Tenant {
		return errNoAPIClient
	}
	u, err := s.db.UserByID(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || err == nil && (!u.APIClient || u.ProviderID != providerID || u.Username != clientID) {
		return errNoAPIClient
	}
	if err != nil || u.Disabled {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DisableUser(ctx, a.Tenant, id); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.APIClientRevoked, "user", id,
			map[string]string{"client_id": clientID, "provider_id": providerID}))
		return err
	})
}

var errBadClient = trygg.Errorf(trygg.EUnauthorized, "Client authentication failed.")

// ClientToken checks an API client's id and secret and starts a session of
// APITokenLifetime: the access token of the OAuth2 client credentials
// grant. The client id names the tenant. Unknown clients, wrong secrets,
// revoked clients and users who are not API clients get the same
// unauthorized error.
//
// Every refusal does the work of a wrong secret, one lookup and one
// comparison (with a stand-in hash when there is no such client), so the
// answer's timing does not tell whether a client id exists.
func (s *Service) ClientToken(ctx context.Context, clientID, secret string) (Session, error) {
	tenant, _, ok := strings.Cut(clientID, ".")
	u, err := s.db.UserByUsername(ctx, trygg.TenantID(tenant), clientID)
	found := err == nil
	if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
		return Session{}, err
	}
	hash := noClientHash
	if found {
		hash = u.SecretHash
	}
	matches := auth.SecretMatches(hash, secret)
	if !matches || !found || !ok || tenant == "" || secret == "" || !u.APIClient || u.Disabled {
		return Session{}, errBadClient
	}
	return s.startSession(ctx, trygg.TenantID(tenant), u, "client_credentials", s.APITokenLifetime)
}

// noClientHash is compared with the secret when no client has the id
// given: it has the form of a secret's hash, and matching it gets nothing.
var noClientHash = auth.TokenHash("no client")
