package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/trygg"
)

// Payee categories: who a payment goes to.
const (
	PayeePerson        = "person"
	PayeeLandlord      = "landlord"
	PayeeEnergyCompany = "energy_company"
	PayeeProvider      = "provider"
	PayeeOther         = "other"
)

// PayeeCategories lists the categories in the order pages offer them.
var PayeeCategories = []string{PayeePerson, PayeeLandlord, PayeeEnergyCompany, PayeeProvider, PayeeOther}

// Payee is who a payment goes to: a person in the register (PersonID) or
// an organisation (OrgNumber), with the one account payments are sent to.
// The account is personal data: never in logs, URLs or errors.
type Payee struct {
	ID        string `json:"id"`
	Category  string `json:"category"`
	Name      string `json:"name"`
	PersonID  string `json:"person_id,omitempty"`
	OrgNumber string `json:"org_number,omitempty"`
	// AccountKind is a payments.Kind; Account the account in its stored
	// form (StoredAccount): a bank account's clearing number, a space and
	// its number, the other kinds their number, all in payments' normal
	// form. PaymentAccount parses it back.
	AccountKind      string    `json:"account_kind"`
	Account          string    `json:"account"`
	AccountChangedAt time.Time `json:"account_changed_at"`
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
}

// StoredAccount is the form an account is stored in: a bank account's
// clearing number and account number with one space between, the other
// kinds their number (payments' normal form).
func StoredAccount(a payments.Account) string {
	if a.Kind == payments.KindBankAccount {
		return a.Clearing + " " + a.Number
	}
	return a.Number
}

// ParseStoredAccount parses an account stored by StoredAccount.
func ParseStoredAccount(kind, stored string) (payments.Account, error) {
	if payments.Kind(kind) == payments.KindBankAccount {
		cl, num, _ := strings.Cut(stored, " ")
		return payments.ParseAccount(payments.KindBankAccount, cl, num)
	}
	return payments.ParseAccount(payments.Kind(kind), "", stored)
}

// PaymentAccount returns the payee's account for the bank file.
func (p Payee) PaymentAccount() (payments.Account, error) {
	return ParseStoredAccount(p.AccountKind, p.Account)
}

// PayeeAccountChange is one account a payee was given (the first
// included), who gave it and when, and who reviewed it and when (empty
// until someone other than the changer has).
type PayeeAccountChange struct {
	ID         string    `json:"id"`
	PayeeID    string    `json:"payee_id"`
	OldKind    string    `json:"old_kind,omitempty"`
	OldAccount string    `json:"old_account,omitempty"`
	NewKind    string    `json:"new_kind"`
	NewAccount string    `json:"new_account"`
	ChangedBy  string    `json:"changed_by"`
	ChangedAt  time.Time `json:"changed_at"`
	ReviewedBy string    `json:"reviewed_by,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	// The payee's name, category and person, filled by the listings that
	// join them (UnreviewedAccountChanges).
	PayeeName     string `json:"payee_name,omitempty"`
	PayeeCategory string `json:"payee_category,omitempty"`
	PersonID      string `json:"person_id,omitempty"`
}

const payeeCols = `y.id, y.category, y.name, y.person_id, y.org_number, y.account_kind, y.account, y.account_changed_at, y.created_by, y.created_at`

func scanPayee(s interface{ Scan(...any) error }) (Payee, error) {
	var p Payee
	var changed, created int64
	err := s.Scan(&p.ID, &p.Category, &p.Name, &p.PersonID, &p.OrgNumber, &p.AccountKind, &p.Account, &changed, &p.CreatedBy, &created)
	p.AccountChangedAt, p.CreatedAt = fromMicros(changed), fromMicros(created)
	return p, err
}

const changeCols = `ch.id, ch.payee_id, ch.old_kind, ch.old_account, ch.new_kind, ch.new_account, ch.changed_by, ch.changed_at, ch.reviewed_by, ch.reviewed_at`

func scanChange(s interface{ Scan(...any) error }, extra ...any) (PayeeAccountChange, error) {
	var c PayeeAccountChange
	var changed, reviewed int64
	err := s.Scan(append([]any{&c.ID, &c.PayeeID, &c.OldKind, &c.OldAccount, &c.NewKind, &c.NewAccount, &c.ChangedBy, &changed, &c.ReviewedBy, &reviewed}, extra...)...)
	c.ChangedAt, c.ReviewedAt = fromMicros(changed), fromMicros(reviewed)
	return c, err
}

func scanChangeWithPayee(s interface{ Scan(...any) error }) (PayeeAccountChange, error) {
	var name, category, person string
	c, err := scanChange(s, &name, &category, &person)
	c.PayeeName, c.PayeeCategory, c.PersonID = name, category, person
	return c, err
}

// InsertPayee adds a payee inside tx, its account given now; a second
// payee for the same person is a conflict.
func (tx *Tx) InsertPayee(ctx context.Context, tenant trygg.TenantID, p Payee) error {
	_, err := tx.exec(ctx, `INSERT INTO payees (tenant_id, id, category, name, name_search, person_id, org_number, account_kind, account,
		account_changed_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), p.ID, p.Category, p.Name, strings.ToLower(p.Name), p.PersonID, p.OrgNumber, p.AccountKind, p.Account,
		micros(tx.Now), p.CreatedBy, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The person already has a payee: change its account instead.")
	}
	if err != nil {
		return fmt.Errorf("store: insert payee: %w", err)
	}
	return nil
}

// Payee returns a payee inside tx, unchecked by access, or a not-found
// error.
func (tx *Tx) Payee(ctx context.Context, tenant trygg.TenantID, id string) (Payee, error) {
	p, err := scanPayee(tx.queryRow(ctx, `SELECT `+payeeCols+` FROM payees y WHERE y.tenant_id = ? AND y.id = ?`, string(tenant), id))
	return p, notFound(err, "Payee")
}

// LockPayee is Payee, locked until commit (PostgreSQL; SQLite's writer
// holds the database), so two account changes take turns.
func (tx *Tx) LockPayee(ctx context.Context, tenant trygg.TenantID, id string) (Payee, error) {
	p, err := scanPayee(tx.queryRow(ctx, `SELECT `+payeeCols+` FROM payees y WHERE y.tenant_id = ? AND y.id = ?`+tx.db.dialect.forUpdate(),
		string(tenant), id))
	return p, notFound(err, "Payee")
}

// PersonPayee returns the person's payee inside tx, unchecked by access;
// a not-found error (trygg.ErrNotFound) when the person has none.
func (tx *Tx) PersonPayee(ctx context.Context, tenant trygg.TenantID, personID string) (Payee, error) {
	return personPayee(ctx, tx, tenant, personID)
}

// PersonPayee is PersonPayee outside a transaction.
func (db *DB) PersonPayee(ctx context.Context, tenant trygg.TenantID, personID string) (Payee, error) {
	return personPayee(ctx, db, tenant, personID)
}

func personPayee(ctx context.Context, q querier, tenant trygg.TenantID, personID string) (Payee, error) {
	if personID == "" {
		return Payee{}, trygg.ErrNotFound
	}
	p, err := scanPayee(q.queryRow(ctx, `SELECT `+payeeCols+` FROM payees y WHERE y.tenant_id = ? AND y.person_id = ?`, string(tenant), personID))
	return p, notFound(err, "Payee")
}

// PayeeByID returns a payee, unchecked by access, or a not-found error.
func (db *DB) PayeeByID(ctx context.Context, tenant trygg.TenantID, id string) (Payee, error) {
	p, err := scanPayee(db.queryRow(ctx, `SELECT `+payeeCols+` FROM payees y WHERE y.tenant_id = ? AND y.id = ?`, string(tenant), id))
	return p, notFound(err, "Payee")
}

// SetPayeeAccount gives the payee a new account inside tx, changed now.
func (tx *Tx) SetPayeeAccount(ctx context.Context, tenant trygg.TenantID, id, kind, account string) error {
	_, err := tx.exec(ctx, `UPDATE payees SET account_kind = ?, account = ?, account_changed_at = ? WHERE tenant_id = ? AND id = ?`,
		kind, account, micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: set payee account: %w", err)
	}
	return nil
}

// InsertPayeeAccountChange records an account given to a payee, inside tx,
// changed now and not yet reviewed.
func (tx *Tx) InsertPayeeAccountChange(ctx context.Context, tenant trygg.TenantID, c PayeeAccountChange) error {
	_, err := tx.exec(ctx, `INSERT INTO payee_account_changes (tenant_id, id, payee_id, old_kind, old_account, new_kind, new_account,
		changed_by, changed_at, reviewed_by, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0)`,
		string(tenant), c.ID, c.PayeeID, c.OldKind, c.OldAccount, c.NewKind, c.NewAccount, c.ChangedBy, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert payee account change: %w", err)
	}
	return nil
}

// LockPayeeAccountChange returns an account change inside tx, locked until
// commit, or a not-found error.
func (tx *Tx) LockPayeeAccountChange(ctx context.Context, tenant trygg.TenantID, id string) (PayeeAccountChange, error) {
	c, err := scanChange(tx.queryRow(ctx, `SELECT `+changeCols+` FROM payee_account_changes ch WHERE ch.tenant_id = ? AND ch.id = ?`+
		tx.db.dialect.forUpdate(), string(tenant), id))
	return c, notFound(err, "Account change")
}

// ReviewPayeeAccountChange marks an unreviewed change reviewed by the user
// now, inside tx; it reports whether it was still unreviewed.
func (tx *Tx) ReviewPayeeAccountChange(ctx context.Context, tenant trygg.TenantID, id, by string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE payee_account_changes SET reviewed_by = ?, reviewed_at = ? WHERE tenant_id = ? AND id = ? AND reviewed_by = ''`,
		by, micros(tx.Now), string(tenant), id)
	if err != nil {
		return false, fmt.Errorf("store: review payee account change: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PayeeAccountChanges returns a payee's account changes, newest first.
func (db *DB) PayeeAccountChanges(ctx context.Context, tenant trygg.TenantID, payeeID string) ([]PayeeAccountChange, error) {
	out, err := scanRows(func(s interface{ Scan(...any) error }) (PayeeAccountChange, error) { return scanChange(s) })(db.query(ctx,
		`SELECT `+changeCols+` FROM payee_account_changes ch WHERE ch.tenant_id = ? AND ch.payee_id = ? ORDER BY ch.changed_at DESC, ch.id DESC`,
		string(tenant), payeeID))
	if err != nil {
		return nil, fmt.Errorf("store: payee account changes: %w", err)
	}
	return out, nil
}

// payeeVisibleSQL is true for a payee (aliased y, its person left-joined
// as p) the actor may see: every organisation, and a person only within
// the actor's access scope.
func payeeVisibleSQL(a trygg.Actor, now time.Time) (string, []any) {
	vis, args := visibleSQL(access.ReadScope(a), micros(now), now.Format("2006-01-02"))
	return `(y.person_id = '' OR (p.id IS NOT NULL AND ` + vis + `))`, args
}

// PayeeQuery is a payee search: name terms (each found anywhere in the
// name) and a category, both optional.
type PayeeQuery struct {
	Name     string
	Category string
	Limit    int
}

// SearchPayees returns the payees matching q that the actor may see (a
// person's payee only when the actor may read the person), by name.
func (db *DB) SearchPayees(ctx context.Context, a trygg.Actor, q PayeeQuery) ([]Payee, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	vis, visArgs := payeeVisibleSQL(a, db.Now())
	sqlText := `SELECT ` + payeeCols + ` FROM payees y LEFT JOIN persons p ON p.tenant_id = y.tenant_id AND p.id = y.person_id AND y.person_id <> ''
		WHERE y.tenant_id = ?`
	args := []any{string(a.Tenant)}
	for _, t := range strings.Fields(strings.ToLower(q.Name)) {
		sqlText += ` AND y.name_search LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(t)+"%")
	}
	if q.Category != "" {
		sqlText += ` AND y.category = ?`
		args = append(args, q.Category)
	}
	sqlText += ` AND ` + vis + ` ORDER BY y.name_search, y.id` + limitSQL(q.Limit)
	args = append(args, visArgs...)
	out, err := scanRows(scanPayee)(db.query(ctx, sqlText, args...))
	if err != nil {
		return nil, fmt.Errorf("store: search payees: %w", err)
	}
	return out, nil
}

// UnreviewedAccountChanges returns the account changes nobody has reviewed
// yet whose payee the actor may see, oldest first, with the payee's name.
func (db *DB) UnreviewedAccountChanges(ctx context.Context, a trygg.Actor, limit int) ([]PayeeAccountChange, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	vis, visArgs := payeeVisibleSQL(a, db.Now())
	out, err := scanRows(scanChangeWithPayee)(db.query(ctx, `SELECT `+changeCols+`, y.name, y.category, y.person_id
		FROM payee_account_changes ch JOIN payees y ON y.tenant_id = ch.tenant_id AND y.id = ch.payee_id
		LEFT JOIN persons p ON p.tenant_id = y.tenant_id AND p.id = y.person_id AND y.person_id <> ''
		WHERE ch.tenant_id = ? AND ch.reviewed_by = '' AND `+vis+` ORDER BY ch.changed_at, ch.id`+limitSQL(limit),
		append([]any{string(a.Tenant)}, visArgs...)...))
	if err != nil {
		return nil, fmt.Errorf("store: unreviewed account changes: %w", err)
	}
	return out, nil
}

// PayeeAccountChange returns an account change, unchecked by access, or a
// not-found error.
func (db *DB) PayeeAccountChange(ctx context.Context, tenant trygg.TenantID, id string) (PayeeAccountChange, error) {
	c, err := scanChange(db.queryRow(ctx, `SELECT `+changeCols+` FROM payee_account_changes ch WHERE ch.tenant_id = ? AND ch.id = ?`, string(tenant), id))
	return c, notFound(err, "Account change")
}
