package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// APIClient is a provider system's OAuth2 client as listed to an
// administrator: a user row marked api_client. Its secret is never shown.
type APIClient struct {
	ClientID   string    `json:"client_id"`
	Name       string    `json:"name"`
	ProviderID string    `json:"provider_id"`
	CreatedAt  time.Time `json:"created_at"`
	Revoked    bool      `json:"revoked"`
}

// APIClients returns the provider's API clients, revoked ones too, oldest
// first; the client id is the username.
func (db *DB) APIClients(ctx context.Context, tenant trygg.TenantID, providerID string) ([]APIClient, error) {
	out, err := scanRows(func(s interface{ Scan(...any) error }) (APIClient, error) {
		var c APIClient
		var created int64
		var dis int
		err := s.Scan(&c.ClientID, &c.Name, &c.ProviderID, &created, &dis)
		c.CreatedAt, c.Revoked = fromMicros(created), dis == 1
		return c, err
	})(db.query(ctx, `SELECT username, display_name, provider_id, created_at, disabled FROM users
		WHERE tenant_id = ? AND provider_id = ? AND api_client = 1 ORDER BY created_at, id`, string(tenant), providerID))
	if err != nil {
		return nil, fmt.Errorf("store: api clients: %w", err)
	}
	return out, nil
}

// DisableUser disables the user inside tx and ends their sessions, so a
// token they hold stops working at once.
func (tx *Tx) DisableUser(ctx context.Context, tenant trygg.TenantID, userID string) error {
	if _, err := tx.exec(ctx, `UPDATE users SET disabled = 1 WHERE tenant_id = ? AND id = ?`, string(tenant), userID); err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?`, string(tenant), userID); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}
