package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// DefinitionVersion is a published, immutable set of definitions.
type DefinitionVersion struct {
	Version     int64     `json:"version"`
	Checksum    string    `json:"checksum"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Note        string    `json:"note"`
}

// DefinitionFile is one file of a version.
type DefinitionFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// LatestDefinitionVersion returns the newest published version of tenant,
// or 0 when none is published.
func (db *DB) LatestDefinitionVersion(ctx context.Context, tenant trygg.TenantID) (int64, error) {
	var v int64
	err := db.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM definition_versions WHERE tenant_id = ?`, string(tenant)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: latest definition version: %w", err)
	}
	return v, nil
}

// InsertDefinitionVersion stores a new version with its files inside tx. It
// takes the number after the newest; two publishers racing get a conflict.
func (tx *Tx) InsertDefinitionVersion(ctx context.Context, tenant trygg.TenantID, dv DefinitionVersion, files []DefinitionFile) (DefinitionVersion, error) {
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM definition_versions WHERE tenant_id = ?`, string(tenant)).Scan(&dv.Version); err != nil {
		return dv, fmt.Errorf("store: definition version: %w", err)
	}
	dv.PublishedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO definition_versions (tenant_id, version, checksum, published_at, published_by, note) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), dv.Version, dv.Checksum, micros(dv.PublishedAt), dv.PublishedBy, dv.Note)
	if tx.db.dialect.isUniqueViolation(err) {
		return dv, trygg.Errorf(trygg.EConflict, "Someone else published at the same moment; try again.")
	}
	if err != nil {
		return dv, fmt.Errorf("store: insert definition version: %w", err)
	}
	for _, f := range files {
		if _, err := tx.exec(ctx, `INSERT INTO definition_files (tenant_id, version, name, content) VALUES (?, ?, ?, ?)`,
			string(tenant), dv.Version, f.Name, f.Content); err != nil {
			return dv, fmt.Errorf("store: insert definition file: %w", err)
		}
	}
	return dv, nil
}

// DefinitionVersions lists tenant's published versions, newest first.
func (db *DB) DefinitionVersions(ctx context.Context, tenant trygg.TenantID) ([]DefinitionVersion, error) {
	rows, err := db.query(ctx, `SELECT version, checksum, published_at, published_by, note FROM definition_versions
		WHERE tenant_id = ? ORDER BY version DESC`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: definition versions: %w", err)
	}
	defer rows.Close()
	out := []DefinitionVersion{}
	for rows.Next() {
		var dv DefinitionVersion
		var at int64
		if err := rows.Scan(&dv.Version, &dv.Checksum, &at, &dv.PublishedBy, &dv.Note); err != nil {
			return nil, err
		}
		dv.PublishedAt = fromMicros(at)
		out = append(out, dv)
	}
	return out, rows.Err()
}

// DefinitionFiles returns the files of a version, by name; not found if the
// version does not exist.
func (db *DB) DefinitionFiles(ctx context.Context, tenant trygg.TenantID, version int64) ([]DefinitionFile, error) {
	rows, err := db.query(ctx, `SELECT name, content FROM definition_files WHERE tenant_id = ? AND version = ? ORDER BY name`, string(tenant), version)
	if err != nil {
		return nil, fmt.Errorf("store: definition files: %w", err)
	}
	defer rows.Close()
	var out []DefinitionFile
	for rows.Next() {
		var f DefinitionFile
		if err := rows.Scan(&f.Name, &f.Content); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, trygg.Errorf(trygg.ENotFound, "No such definition version.")
	}
	return out, nil
}

// FormEntry is a form filled on a case: a draft, or a signed entry that
// never changes. A correction is a new entry that supersedes the old.
type FormEntry struct {
	ID                string    `json:"id"`
	CaseID            string    `json:"case_id"`
	FormID            string    `json:"form_id"`
	DefinitionVersion int64     `json:"definition_version"`
	Status            string    `json:"status"` // draft or signed
	Values            string    `json:"-"`      // JSON
	UpdatedBy         string    `json:"updated_by"`
	UpdatedAt         time.Time `json:"updated_at"`
	SignedBy          string    `json:"signed_by,omitempty"`
	SignedAt          time.Time `json:"signed_at,omitzero"`
	Supersedes        string    `json:"supersedes,omitempty"`
}

const formEntryCols = `id, case_id, form_id, definition_version, status, form_values, updated_by, updated_at, signed_by, signed_at, supersedes`

// FormEntries returns the case's form entries, oldest first.
func (db *DB) FormEntries(ctx context.Context, tenant trygg.TenantID, caseID string) ([]FormEntry, error) {
	rows, err := db.query(ctx, `SELECT `+formEntryCols+` FROM form_entries WHERE tenant_id = ? AND case_id = ? ORDER BY updated_at, id`,
		string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: form entries: %w", err)
	}
	defer rows.Close()
	var out []FormEntry
	for rows.Next() {
		var e FormEntry
		var up, signed int64
		if err := rows.Scan(&e.ID, &e.CaseID, &e.FormID, &e.DefinitionVersion, &e.Status, &e.Values, &e.UpdatedBy, &up, &e.SignedBy, &signed, &e.Supersedes); err != nil {
			return nil, err
		}
		e.UpdatedAt, e.SignedAt = fromMicros(up), fromMicros(signed)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SaveFormDraft inserts or updates the case's draft of a form inside tx.
// Only drafts change; a signed entry is never updated.
func (tx *Tx) SaveFormDraft(ctx context.Context, tenant trygg.TenantID, e FormEntry) error {
	res, err := tx.exec(ctx, `UPDATE form_entries SET form_values = ?, updated_by = ?, updated_at = ?, definition_version = ?
		WHERE tenant_id = ? AND id = ? AND status = 'draft'`, e.Values, e.UpdatedBy, micros(tx.Now), e.DefinitionVersion, string(tenant), e.ID)
	if err != nil {
		return fmt.Errorf("store: save form draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO form_entries (tenant_id, id, case_id, form_id, definition_version, status, form_values, updated_by, updated_at, supersedes)
		VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`, string(tenant), e.ID, e.CaseID, e.FormID, e.DefinitionVersion, e.Values, e.UpdatedBy, micros(tx.Now), e.Supersedes)
	if err != nil {
		return fmt.Errorf("store: save form draft: %w", err)
	}
	return nil
}

// SignFormEntry turns a draft into a signed entry inside tx; it fails with
// a conflict if the entry is no longer a draft.
func (tx *Tx) SignFormEntry(ctx context.Context, tenant trygg.TenantID, id, values, userID string) error {
	res, err := tx.exec(ctx, `UPDATE form_entries SET status = 'signed', form_values = ?, signed_by = ?, signed_at = ?
		WHERE tenant_id = ? AND id = ? AND status = 'draft'`, values, userID, micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: sign form: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The form was signed by someone else meanwhile.")
	}
	return nil
}

// MoveCase sets the case's step (and, when closing, its status) inside tx,
// only if the case is still at the revision the move was decided on;
// otherwise a conflict.
func (tx *Tx) MoveCase(ctx context.Context, tenant trygg.TenantID, caseID string, revision int64, to string, closed bool) error {
	q := `UPDATE cases SET step = ?, revision = revision + 1 WHERE tenant_id = ? AND id = ? AND revision = ?`
	args := []any{to, string(tenant), caseID, revision}
	if closed {
		q = `UPDATE cases SET step = ?, status = 'closed', closed_at = ?, revision = revision + 1 WHERE tenant_id = ? AND id = ? AND revision = ?`
		args = []any{to, micros(tx.Now), string(tenant), caseID, revision}
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: move case: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The case changed while you were working on it; reload it and try again.")
	}
	return nil
}

// CaseVersion is where a running case stands: its version and step.
type CaseVersion struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Step    string `json:"step"`
}

// OpenCasesOfType returns the open cases of a case type that run on a
// version other than version.
func (db *DB) OpenCasesOfType(ctx context.Context, tenant trygg.TenantID, caseType string, version int64) ([]CaseVersion, error) {
	rows, err := db.query(ctx, `SELECT id, definition_version, step FROM cases WHERE tenant_id = ? AND case_type = ? AND status = 'open'
		AND definition_version > 0 AND definition_version <> ? ORDER BY id`, string(tenant), caseType, version)
	if err != nil {
		return nil, fmt.Errorf("store: cases of type: %w", err)
	}
	defer rows.Close()
	out := []CaseVersion{}
	for rows.Next() {
		var c CaseVersion
		if err := rows.Scan(&c.ID, &c.Version, &c.Step); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MoveCaseVersion moves a case to another version and step inside tx, only
// if it is still where from says; otherwise a conflict.
func (tx *Tx) MoveCaseVersion(ctx context.Context, tenant trygg.TenantID, from CaseVersion, version int64, step string) error {
	res, err := tx.exec(ctx, `UPDATE cases SET definition_version = ?, step = ? WHERE tenant_id = ? AND id = ? AND definition_version = ? AND step = ? AND status = 'open'`,
		version, step, string(tenant), from.ID, from.Version, from.Step)
	if err != nil {
		return fmt.Errorf("store: move case version: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "A case changed while it was being moved; nothing was moved. Preview again.")
	}
	return nil
}

// DraftFiles returns the tenant's working draft, by name.
func (db *DB) DraftFiles(ctx context.Context, tenant trygg.TenantID) ([]DefinitionFile, error) {
	rows, err := db.query(ctx, `SELECT name, content FROM definition_drafts WHERE tenant_id = ? ORDER BY name`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: draft files: %w", err)
	}
	defer rows.Close()
	out := []DefinitionFile{}
	for rows.Next() {
		var f DefinitionFile
		if err := rows.Scan(&f.Name, &f.Content); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ReplaceDraft makes files the tenant's whole working draft inside tx.
func (tx *Tx) ReplaceDraft(ctx context.Context, tenant trygg.TenantID, files []DefinitionFile, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM definition_drafts WHERE tenant_id = ?`, string(tenant)); err != nil {
		return fmt.Errorf("store: replace draft: %w", err)
	}
	for _, f := range files {
		if _, err := tx.exec(ctx, `INSERT INTO definition_drafts (tenant_id, name, content, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)`,
			string(tenant), f.Name, f.Content, userID, micros(tx.Now)); err != nil {
			return fmt.Errorf("store: replace draft: %w", err)
		}
	}
	return nil
}
