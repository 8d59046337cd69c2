package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// ApplicationDraft is an application a citizen is writing on Mina sidor:
// one per person and case type.
type ApplicationDraft struct {
	ID        string    `json:"id"`
	PersonID  string    `json:"person_id"`
	CaseType  string    `json:"case_type"`
	Values    string    `json:"-"` // JSON, as given
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const draftCols = `id, person_id, case_type, form_values, created_by, updated_by, created_at, updated_at`

func scanDraft(s interface{ Scan(...any) error }) (ApplicationDraft, error) {
	var d ApplicationDraft
	var created, updated int64
	err := s.Scan(&d.ID, &d.PersonID, &d.CaseType, &d.Values, &d.CreatedBy, &d.UpdatedBy, &created, &updated)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return d, err
}

// ApplicationDraft returns the person's draft of an application of the
// case type, or a not-found error.
func (db *DB) ApplicationDraft(ctx context.Context, tenant trygg.TenantID, personID, caseType string) (ApplicationDraft, error) {
	d, err := scanDraft(db.queryRow(ctx, `SELECT `+draftCols+` FROM application_drafts WHERE tenant_id = ? AND person_id = ? AND case_type = ?`,
		string(tenant), personID, caseType))
	return d, notFound(err, "Draft")
}

// ApplicationDraft is the draft as the transaction sees it.
func (tx *Tx) ApplicationDraft(ctx context.Context, tenant trygg.TenantID, personID, caseType string) (ApplicationDraft, error) {
	d, err := scanDraft(tx.queryRow(ctx, `SELECT `+draftCols+` FROM application_drafts WHERE tenant_id = ? AND person_id = ? AND case_type = ?`+tx.db.dialect.forUpdate(),
		string(tenant), personID, caseType))
	return d, notFound(err, "Draft")
}

// ApplicationDrafts returns the person's drafts, newest first.
func (db *DB) ApplicationDrafts(ctx context.Context, tenant trygg.TenantID, personID string) ([]ApplicationDraft, error) {
	rows, err := db.query(ctx, `SELECT `+draftCols+` FROM application_drafts WHERE tenant_id = ? AND person_id = ? ORDER BY updated_at DESC, id`,
		string(tenant), personID)
	if err != nil {
		return nil, fmt.Errorf("store: drafts: %w", err)
	}
	defer rows.Close()
	out := []ApplicationDraft{}
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("store: drafts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SaveApplicationDraft stores d's values as the person's draft of the
// case type inside tx: the existing draft is updated, or d is inserted
// (with its id). It returns the draft as stored. Two first saves at once
// end in a conflict for one of them.
func (tx *Tx) SaveApplicationDraft(ctx context.Context, tenant trygg.TenantID, d ApplicationDraft) (ApplicationDraft, error) {
	cur, err := tx.ApplicationDraft(ctx, tenant, d.PersonID, d.CaseType)
	switch {
	case err == nil:
		if _, err := tx.exec(ctx, `UPDATE application_drafts SET form_values = ?, updated_by = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			d.Values, d.UpdatedBy, micros(tx.Now), string(tenant), cur.ID); err != nil {
			return d, fmt.Errorf("store: save draft: %w", err)
		}
		cur.Values, cur.UpdatedBy, cur.UpdatedAt = d.Values, d.UpdatedBy, tx.Now
		return cur, nil
	case trygg.ErrorCode(err) != trygg.ENotFound:
		return d, err
	}
	d.CreatedBy, d.CreatedAt, d.UpdatedAt = d.UpdatedBy, tx.Now, tx.Now
	_, err = tx.exec(ctx, `INSERT INTO application_drafts (tenant_id, `+draftCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), d.ID, d.PersonID, d.CaseType, d.Values, d.CreatedBy, d.UpdatedBy, micros(d.CreatedAt), micros(d.UpdatedAt))
	if tx.db.dialect.isUniqueViolation(err) {
		return d, trygg.Errorf(trygg.EConflict, "The application was saved from somewhere else at the same moment; save it again.")
	}
	if err != nil {
		return d, fmt.Errorf("store: save draft: %w", err)
	}
	return d, nil
}

// DeleteApplicationDraft deletes a draft and the attachments still on it
// inside tx.
func (tx *Tx) DeleteApplicationDraft(ctx context.Context, tenant trygg.TenantID, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM attachments WHERE tenant_id = ? AND draft_id = ? AND case_id = ''`, string(tenant), id); err != nil {
		return fmt.Errorf("store: delete draft attachments: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM application_drafts WHERE tenant_id = ? AND id = ?`, string(tenant), id); err != nil {
		return fmt.Errorf("store: delete draft: %w", err)
	}
	return nil
}

// Attachment is a document attached to an application: on a draft until
// the application is sent, then on its case. Content is read only when
// the document itself is asked for.
type Attachment struct {
	ID          string    `json:"id"`
	PersonID    string    `json:"person_id"`
	DraftID     string    `json:"-"`
	CaseID      string    `json:"case_id,omitempty"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Content     []byte    `json:"-"`
}

const attachmentCols = `id, person_id, draft_id, case_id, name, content_type, size, sha256, uploaded_by, uploaded_at`

func scanAttachment(s interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	var at int64
	err := s.Scan(&a.ID, &a.PersonID, &a.DraftID, &a.CaseID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &at)
	a.UploadedAt = fromMicros(at)
	return a, err
}

// InsertAttachment stores an attachment with its content inside tx.
func (tx *Tx) InsertAttachment(ctx context.Context, tenant trygg.TenantID, a Attachment) error {
	_, err := tx.exec(ctx, `INSERT INTO attachments (tenant_id, `+attachmentCols+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), a.ID, a.PersonID, a.DraftID, a.CaseID, a.Name, a.ContentType, a.Size, a.SHA256, a.UploadedBy, micros(tx.Now), a.Content)
	if err != nil {
		return fmt.Errorf("store: insert attachment: %w", err)
	}
	return nil
}

// CountDraftAttachments returns how many attachments the draft has, as
// the transaction sees it.
func (tx *Tx) CountDraftAttachments(ctx context.Context, tenant trygg.TenantID, draftID string) (int, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM attachments WHERE tenant_id = ? AND draft_id = ? AND case_id = ''`,
		string(tenant), draftID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count attachments: %w", err)
	}
	return n, nil
}

func (db *DB) attachments(ctx context.Context, where string, args ...any) ([]Attachment, error) {
	rows, err := db.query(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE `+where+` ORDER BY uploaded_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DraftAttachments returns the attachments of a draft, oldest first,
// without their content.
func (db *DB) DraftAttachments(ctx context.Context, tenant trygg.TenantID, draftID string) ([]Attachment, error) {
	return db.attachments(ctx, `tenant_id = ? AND draft_id = ? AND case_id = ''`, string(tenant), draftID)
}

// CaseAttachments returns the attachments sent with a case's
// application, oldest first, without their content.
func (db *DB) CaseAttachments(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Attachment, error) {
	return db.attachments(ctx, `tenant_id = ? AND case_id = ?`, string(tenant), caseID)
}

// AttachmentByID returns an attachment without its content, unchecked by
// access (the caller decides), or a not-found error.
func (db *DB) AttachmentByID(ctx context.Context, tenant trygg.TenantID, id string) (Attachment, error) {
	a, err := scanAttachment(db.queryRow(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return a, notFound(err, "Attachment")
}

// AttachmentContent returns an attachment's content.
func (db *DB) AttachmentContent(ctx context.Context, tenant trygg.TenantID, id string) ([]byte, error) {
	var b []byte
	err := db.queryRow(ctx, `SELECT content FROM attachments WHERE tenant_id = ? AND id = ?`, string(tenant), id).Scan(&b)
	return b, notFound(err, "Attachment")
}

// DeleteDraftAttachment deletes an attachment that is still on a draft
// inside tx; one already sent with an application is not found.
func (tx *Tx) DeleteDraftAttachment(ctx context.Context, tenant trygg.TenantID, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM attachments WHERE tenant_id = ? AND id = ? AND case_id = ''`, string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: delete attachment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.ENotFound, "Attachment not found.")
	}
	return nil
}

// MoveDraftAttachments moves a draft's attachments to the case its
// application opened, inside tx, and returns how many there were.
func (tx *Tx) MoveDraftAttachments(ctx context.Context, tenant trygg.TenantID, draftID, caseID string) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE attachments SET case_id = ?, draft_id = '' WHERE tenant_id = ? AND draft_id = ? AND case_id = ''`,
		caseID, string(tenant), draftID)
	if err != nil {
		return 0, fmt.Errorf("store: move attachments: %w", err)
	}
	return res.RowsAffected()
}

// SizeText is the attachment's size for people: "230 kB", "1,4 MB".
func (a Attachment) SizeText() string {
	switch {
	case a.Size < 1000:
		return fmt.Sprintf("%d B", a.Size)
	case a.Size < 1000*1000:
		return fmt.Sprintf("%d kB", (a.Size+500)/1000)
	}
	mb := fmt.Sprintf("%.1f MB", float64(a.Size)/1e6)
	return strings.Replace(mb, ".", ",", 1)
}
