package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// User is a sign-in account, staff or citizen.
type User struct {
	ID                string `json:"id"`
	Username          string `json:"username"`
	DisplayName       string `json:"display_name"`
	PasswordHash      string `json:"-"`
	OIDCIssuer        string `json:"-"`
	OIDCSubject       string `json:"-"`
	PersonID          string `json:"person_id,omitempty"`
	ProtectedIdentity bool   `json:"protected_identity"`
	Disabled          bool   `json:"disabled"`
	// ProviderID is set for a provider's staff and API clients.
	ProviderID string `json:"provider_id,omitempty"`
	// APIClient marks a provider system's OAuth2 client: it gets tokens
	// with its secret (SecretHash, SHA-256) and never signs in otherwise.
	APIClient  bool   `json:"api_client,omitempty"`
	SecretHash string `json:"-"`
}

const userCols = `id, username, display_name, password_hash, oidc_issuer, oidc_subject, person_id, protected_identity, disabled,
	provider_id, api_client, secret_hash`

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var u User
	var prot, dis, client int
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.OIDCIssuer, &u.OIDCSubject, &u.PersonID, &prot, &dis,
		&u.ProviderID, &client, &u.SecretHash)
	u.ProtectedIdentity, u.Disabled, u.APIClient = prot == 1, dis == 1, client == 1
	return u, err
}

// InsertUser inserts u inside tx; a taken username is an invalid error on
// the username field, as the API documents it.
func (tx *Tx) InsertUser(ctx context.Context, tenant trygg.TenantID, u User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (tenant_id, id, username, display_name, password_hash, oidc_issuer, oidc_subject, person_id,
		protected_identity, disabled, provider_id, api_client, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), u.ID, u.Username, u.DisplayName, u.PasswordHash, u.OIDCIssuer, u.OIDCSubject, u.PersonID,
		boolInt(u.ProtectedIdentity), boolInt(u.Disabled), u.ProviderID, boolInt(u.APIClient), u.SecretHash, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Invalid("The username is taken.", map[string]string{"username": "Already in use."})
	}
	if err != nil {
		return fmt.Errorf("store: insert user: %w", err)
	}
	return nil
}

// GrantRole gives the user role in unit inside tx (idempotent).
func (tx *Tx) GrantRole(ctx context.Context, tenant trygg.TenantID, userID string, role trygg.Role, unitID string) error {
	_, err := tx.exec(ctx, `INSERT INTO role_grants (tenant_id, user_id, role, unit_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		string(tenant), userID, string(role), unitID)
	if err != nil {
		return fmt.Errorf("store: grant role: %w", err)
	}
	return nil
}

// UserByUsername returns the user or not found.
func (db *DB) UserByUsername(ctx context.Context, tenant trygg.TenantID, username string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND username = ?`, string(tenant), username))
	return u, notFound(err, "User")
}

// UserByID returns the user or not found.
func (db *DB) UserByID(ctx context.Context, tenant trygg.TenantID, id string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return u, notFound(err, "User")
}

// UserByOIDC returns the user linked to the OpenID Connect issuer and subject.
func (db *DB) UserByOIDC(ctx context.Context, tenant trygg.TenantID, issuer, subject string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND oidc_issuer = ? AND oidc_subject = ?`,
		string(tenant), issuer, subject))
	return u, notFound(err, "User")
}

// Grants returns the user's role grants with their units' paths.
func (db *DB) Grants(ctx context.Context, tenant trygg.TenantID, userID string) ([]trygg.Grant, error) {
	rows, err := db.query(ctx, `SELECT g.role, g.unit_id, u.path FROM role_grants g JOIN units u ON u.tenant_id = g.tenant_id AND u.id = g.unit_id
		WHERE g.tenant_id = ? AND g.user_id = ? ORDER BY g.role, u.path`, string(tenant), userID)
	if err != nil {
		return nil, fmt.Errorf("store: grants: %w", err)
	}
	defer rows.Close()
	out := []trygg.Grant{}
	for rows.Next() {
		var g trygg.Grant
		var role string
		if err := rows.Scan(&role, &g.UnitID, &g.UnitPath); err != nil {
			return nil, err
		}
		g.Role = trygg.Role(role)
		out = append(out, g)
	}
	return out, rows.Err()
}

// Session is a signed-in session.
type Session struct {
	Tenant    trygg.TenantID
	TokenHash string
	UserID    string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// InsertSession stores a new session.
func (tx *Tx) InsertSession(ctx context.Context, s Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (tenant_id, token_hash, user_id, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(s.Tenant), s.TokenHash, s.UserID, micros(s.CreatedAt), micros(s.LastSeen), micros(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: insert session: %w", err)
	}
	return nil
}

// SessionUser returns the session of hash with its user and the user's
// grants, in one statement: every authenticated request asks for it.
// Unknown sessions are not found.
func (db *DB) SessionUser(ctx context.Context, tenant trygg.TenantID, hash string) (Session, User, []trygg.Grant, error) {
	rows, err := db.query(ctx, `SELECT s.created_at, s.last_seen, s.expires_at, `+prefixed("x.", userCols)+`, g.role, un.id, un.path
		FROM sessions s JOIN users x ON x.tenant_id = s.tenant_id AND x.id = s.user_id
		LEFT JOIN role_grants g ON g.tenant_id = x.tenant_id AND g.user_id = x.id
		LEFT JOIN units un ON un.tenant_id = g.tenant_id AND un.id = g.unit_id
		WHERE s.tenant_id = ? AND s.token_hash = ? ORDER BY g.role, un.path`, string(tenant), hash)
	if err != nil {
		return Session{}, User{}, nil, fmt.Errorf("store: session: %w", err)
	}
	defer rows.Close()
	s := Session{Tenant: tenant, TokenHash: hash}
	var u User
	grants := []trygg.Grant{}
	found := false
	for rows.Next() {
		var created, seen, expires int64
		var prot, dis, client int
		var role, unitID, path sql.NullString
		if err := rows.Scan(&created, &seen, &expires, &u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.OIDCIssuer, &u.OIDCSubject,
			&u.PersonID, &prot, &dis, &u.ProviderID, &client, &u.SecretHash, &role, &unitID, &path); err != nil {
			return Session{}, User{}, nil, fmt.Errorf("store: session: %w", err)
		}
		found = true
		s.UserID = u.ID
		s.CreatedAt, s.LastSeen, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
		u.ProtectedIdentity, u.Disabled, u.APIClient = prot == 1, dis == 1, client == 1
		if role.Valid && unitID.Valid {
			grants = append(grants, trygg.Grant{Role: trygg.Role(role.String), UnitID: unitID.String, UnitPath: path.String})
		}
	}
	if err := rows.Err(); err != nil {
		return Session{}, User{}, nil, fmt.Errorf("store: session: %w", err)
	}
	if !found {
		return Session{}, User{}, nil, trygg.Errorf(trygg.ENotFound, "Session not found.")
	}
	return s, u, grants, nil
}

// TouchSession records activity on the session.
func (db *DB) TouchSession(ctx context.Context, tenant trygg.TenantID, hash string, at time.Time) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE tenant_id = ? AND token_hash = ?`, micros(at), string(tenant), hash)
		return err
	})
}

// DeleteSession removes a session inside tx (sign-out).
func (tx *Tx) DeleteSession(ctx context.Context, tenant trygg.TenantID, hash string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND token_hash = ?`, string(tenant), hash)
	return err
}

// DeleteExpiredSessions removes tenant's sessions that expired or went
// idle. An API client's token does not go idle: it lasts until it expires.
func (db *DB) DeleteExpiredSessions(ctx context.Context, tenant trygg.TenantID, now time.Time, idle time.Duration) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND (expires_at < ? OR last_seen < ? AND user_id NOT IN
			(SELECT id FROM users WHERE tenant_id = ? AND api_client = 1))`,
			string(tenant), micros(now), micros(now.Add(-idle)), string(tenant))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// InsertEmergencyOpening records an emergency opening inside tx.
func (tx *Tx) InsertEmergencyOpening(ctx context.Context, tenant trygg.TenantID, id, userID, personID, reason string, expires time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO emergency_openings (tenant_id, id, user_id, person_id, reason, opened_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), id, userID, personID, reason, micros(tx.Now), micros(expires))
	if err != nil {
		return fmt.Errorf("store: emergency opening: %w", err)
	}
	return nil
}

// CaseWorkers returns the users with a case role (officer or team lead) in
// a unit whose subtree holds unitPath: those a case there may be assigned
// to. Display names order them.
func (db *DB) CaseWorkers(ctx context.Context, tenant trygg.TenantID, unitPath string) ([]User, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT u2.id, u2.username, u2.display_name, u2.password_hash, u2.oidc_issuer, u2.oidc_subject, u2.person_id,
		u2.protected_identity, u2.disabled, u2.provider_id, u2.api_client, u2.secret_hash FROM users u2
		JOIN role_grants g ON g.tenant_id = u2.tenant_id AND g.user_id = u2.id
		JOIN units gu ON gu.tenant_id = g.tenant_id AND gu.id = g.unit_id
		WHERE u2.tenant_id = ? AND u2.disabled = 0 AND g.role IN (?, ?) AND substr(?, 1, length(gu.path)) = gu.path
		ORDER BY u2.display_name, u2.id`, string(tenant), string(trygg.RoleOfficer), string(trygg.RoleTeamLead), unitPath)
	if err != nil {
		return nil, fmt.Errorf("store: case workers: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: case workers: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
