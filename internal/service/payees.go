package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Payees are who payments go to: a person in the register, or an
// organisation (a landlord, an energy company, a provider, another) with
// its organisation number, each with one account. Officers and team leads
// register payees and change their accounts; every account given is an
// event and a row in the payee's change log, which a team lead other than
// the one who gave it reviews. A person's payee is read only by those who
// may read the person, and each read is access-logged like the person's.

// AccountInput is an account as entered: its kind, a bank account's
// clearing number, and the number.
type AccountInput struct {
	Kind     string `json:"kind"`
	Clearing string `json:"clearing_number,omitempty"`
	Number   string `json:"account_number"`
}

// PayeeInput registers a payee: a person (category person, PersonID) or
// an organisation (another category, Name and OrgNumber), and its account.
type PayeeInput struct {
	Category  string `json:"category"`
	PersonID  string `json:"person_id,omitempty"`
	Name      string `json:"name,omitempty"`
	OrgNumber string `json:"org_number,omitempty"`
	AccountInput
}

// PayeeView is a payee as its page shows it: the account as people write
// it, its bank, and the change log newest first with the names of those
// who changed and reviewed.
type PayeeView struct {
	Payee   store.Payee         `json:"payee"`
	Account string              `json:"account"`
	Bank    string              `json:"bank,omitempty"`
	Changes []AccountChangeView `json:"changes"`
	Names   map[string]string   `json:"names"`
}

// AccountChangeView is one account change as the pages show it: the
// accounts as people write them.
type AccountChangeView struct {
	store.PayeeAccountChange
	Old string `json:"old,omitempty"`
	New string `json:"new"`
	// NewBank is the bank of a new bank account.
	NewBank string `json:"new_bank,omitempty"`
}

// ReviewView is the list of account changes waiting for review, with
// the names of those who made them.
type ReviewView struct {
	Changes []AccountChangeView `json:"changes"`
	Names   map[string]string   `json:"names"`
}

func mayManagePayees(a trygg.Actor) error {
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		return nil
	}
	return trygg.Errorf(trygg.EForbidden, "Only case officers and team leads register payees and change their accounts.")
}

// payeePerson returns the person of a person's payee and the actor's
// ground to read them (a staff ground; a citizen's is none here), or
// trygg.ErrNotFound.
func (s *Service) payeePerson(ctx context.Context, a trygg.Actor, personID string) (persons.Person, access.Relation, error) {
	p, err := s.db.PersonByID(ctx, a.Tenant, personID)
	if err != nil {
		return p, "", err
	}
	rels, err := s.db.PersonRelations(ctx, a, personID)
	if err != nil {
		return p, "", err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil || citizenGround(ground) {
		return persons.Person{}, "", trygg.ErrNotFound
	}
	return p, ground, nil
}

// readablePayee returns the payee with id if the actor may see it (every
// organisation; a person's only when the actor may read the person), and
// the access-log entry its reading needs (none for an organisation).
func (s *Service) readablePayee(ctx context.Context, a trygg.Actor, id string) (store.Payee, []audit.Entry, error) {
	if err := mayManagePayees(a); err != nil {
		return store.Payee{}, nil, err
	}
	y, err := s.db.PayeeByID(ctx, a.Tenant, id)
	if err != nil {
		return y, nil, err
	}
	if y.PersonID == "" {
		return y, nil, nil
	}
	_, ground, err := s.payeePerson(ctx, a, y.PersonID)
	if err != nil {
		return store.Payee{}, nil, err
	}
	return y, []audit.Entry{entry(a, access.ReadPerson, y.PersonID, "", ground, "")}, nil
}

// parseAccountInput validates an account as entered; the errors are
// payments.ParseAccount's, with one field each, and never hold the number.
func parseAccountInput(in AccountInput) (payments.Account, error) {
	return payments.ParseAccount(payments.Kind(strings.TrimSpace(in.Kind)), in.Clearing, in.Number)
}

// RegisterPayee registers a payee with its account. A person's payee
// needs the actor to be able to read the person, and a person has one
// payee; an organisation needs a name and a valid organisation number.
// The account is validated (payments.ParseAccount) and its giving is the
// first row of the change log, waiting for review. Nothing is written
// when anything is wrong.
func (s *Service) RegisterPayee(ctx context.Context, a trygg.Actor, in PayeeInput) (store.Payee, error) {
	if err := mayManagePayees(a); err != nil {
		return store.Payee{}, err
	}
	y := store.Payee{ID: newID(), Category: strings.TrimSpace(in.Category), CreatedBy: a.UserID}
	fields := map[string]string{}
	var logged []audit.Entry
	switch y.Category {
	case store.PayeePerson:
		p, ground, err := s.payeePerson(ctx, a, strings.TrimSpace(in.PersonID))
		if trygg.ErrorCode(err) == trygg.ENotFound {
			fields["person_id"] = "Choose a person in the register you may read."
		} else if err != nil {
			return store.Payee{}, err
		} else {
			y.PersonID, y.Name = p.ID, strings.TrimSpace(p.GivenName+" "+p.FamilyName)
			logged = append(logged, entry(a, access.ReadPerson, p.ID, "", ground, ""))
		}
	case store.PayeeLandlord, store.PayeeEnergyCompany, store.PayeeProvider, store.PayeeOther:
		y.Name = strings.TrimSpace(in.Name)
		if y.Name == "" || len([]rune(y.Name)) > 70 {
			fields["name"] = "Give the name, at most 70 characters, as the bank should show it."
		}
		oneLine(fields, "name", y.Name)
		n, err := org.ParseOrgNumber(in.OrgNumber)
		if err != nil {
			fields["org_number"] = trygg.ErrorMessage(err)
		}
		y.OrgNumber = n
	default:
		fields["category"] = "Choose a person, a landlord, an energy company, a provider or another organisation."
	}
	acc, err := parseAccountInput(in.AccountInput)
	if err != nil {
		var te *trygg.Error
		if !errors.As(err, &te) {
			return store.Payee{}, err
		}
		for k, v := range te.Fields {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		return store.Payee{}, trygg.Invalid("The payee is not valid.", fields)
	}
	y.AccountKind, y.Account = string(acc.Kind), store.StoredAccount(acc)
	err = s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		if y.PersonID != "" {
			if _, err := tx.PersonPayee(ctx, a.Tenant, y.PersonID); err == nil {
				return trygg.Errorf(trygg.EConflict, "The person already has a payee: change its account instead.")
			} else if trygg.ErrorCode(err) != trygg.ENotFound {
				return err
			}
		}
		if err := tx.InsertPayee(ctx, a.Tenant, y); err != nil {
			return err
		}
		e := events.New(a, events.PayeeRegistered, "payee", y.ID, map[string]any{"category": y.Category, "org_number": y.OrgNumber})
		e.PersonID = y.PersonID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		_, err := giveAccount(ctx, tx, a, y, acc)
		return err
	})
	if err != nil {
		return store.Payee{}, err
	}
	y.CreatedAt, y.AccountChangedAt = s.db.Now(), s.db.Now()
	return y, nil
}

// giveAccount sets y's account to acc inside tx, with its change-log row
// and its event (which names the change, never the number).
func giveAccount(ctx context.Context, tx *store.Tx, a trygg.Actor, y store.Payee, acc payments.Account) (store.PayeeAccountChange, error) {
	c := store.PayeeAccountChange{ID: newID(), PayeeID: y.ID, NewKind: string(acc.Kind), NewAccount: store.StoredAccount(acc),
		ChangedBy: a.UserID, ChangedAt: tx.Now}
	if y.Account != c.NewAccount || y.AccountKind != c.NewKind {
		c.OldKind, c.OldAccount = y.AccountKind, y.Account
	}
	if err := tx.SetPayeeAccount(ctx, a.Tenant, y.ID, c.NewKind, c.NewAccount); err != nil {
		return c, err
	}
	if err := tx.InsertPayeeAccountChange(ctx, a.Tenant, c); err != nil {
		return c, err
	}
	e := events.New(a, events.PayeeAccountChanged, "payee", y.ID, map[string]any{"change_id": c.ID, "category": y.Category,
		"old_kind": c.OldKind, "new_kind": c.NewKind, "bank": acc.Bank})
	e.PersonID = y.PersonID
	_, err := tx.AppendEvent(ctx, e)
	return c, err
}

// ChangePayeeAccount gives a payee a new account. The account is
// validated first; an invalid one, or the account the payee has already,
// writes nothing. The change waits in the change log for review by a team
// lead other than the actor.
func (s *Service) ChangePayeeAccount(ctx context.Context, a trygg.Actor, payeeID string, in AccountInput) (store.PayeeAccountChange, error) {
	y, logged, err := s.readablePayee(ctx, a, payeeID)
	if err != nil {
		return store.PayeeAccountChange{}, err
	}
	acc, err := parseAccountInput(in)
	if err != nil {
		return store.PayeeAccountChange{}, err
	}
	var c store.PayeeAccountChange
	err = s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		cur, err := tx.LockPayee(ctx, a.Tenant, y.ID)
		if err != nil {
			return err
		}
		if cur.AccountKind == string(acc.Kind) && cur.Account == store.StoredAccount(acc) {
			return trygg.Invalid("The account is the one the payee has already.", map[string]string{
				payments.FieldNumber: "This is the payee's account already: nothing was changed.",
			})
		}
		c, err = giveAccount(ctx, tx, a, cur, acc)
		return err
	})
	if err != nil {
		return store.PayeeAccountChange{}, err
	}
	return c, nil
}

// ReviewPayeeAccountChange marks an account change reviewed: by a team
// lead (arbetsledare) who may see the payee, never by the one who made
// the change, and once.
func (s *Service) ReviewPayeeAccountChange(ctx context.Context, a trygg.Actor, changeID string) error {
	if !a.HasRole(trygg.RoleTeamLead) {
		return trygg.Errorf(trygg.EForbidden, "Only a team lead reviews changes of payees' accounts.")
	}
	ch, err := s.db.PayeeAccountChange(ctx, a.Tenant, changeID)
	if err != nil {
		return err
	}
	y, logged, err := s.readablePayee(ctx, a, ch.PayeeID)
	if err != nil {
		return err
	}
	return s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		c, err := tx.LockPayeeAccountChange(ctx, a.Tenant, changeID)
		if err != nil {
			return err
		}
		if c.ChangedBy == a.UserID {
			return trygg.Errorf(trygg.EForbidden, "You made this change, so someone else must review it.")
		}
		if ok, err := tx.ReviewPayeeAccountChange(ctx, a.Tenant, changeID, a.UserID); err != nil {
			return err
		} else if !ok {
			return trygg.Errorf(trygg.EConflict, "The change has been reviewed already.")
		}
		e := events.New(a, events.PayeeAccountReviewed, "payee", y.ID, map[string]any{"change_id": c.ID, "changed_by": c.ChangedBy})
		e.PersonID = y.PersonID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
}

// changeView formats an account change for the pages.
func changeView(c store.PayeeAccountChange) AccountChangeView {
	v := AccountChangeView{PayeeAccountChange: c}
	if acc, err := store.ParseStoredAccount(c.NewKind, c.NewAccount); err == nil {
		v.New, v.NewBank = acc.String(), acc.Bank
	}
	if c.OldAccount != "" {
		if acc, err := store.ParseStoredAccount(c.OldKind, c.OldAccount); err == nil {
			v.Old = acc.String()
		}
	}
	return v
}

// Payee returns a payee with its account and change log, if the actor
// may see it; reading a person's payee is access-logged as reading the
// person.
func (s *Service) Payee(ctx context.Context, a trygg.Actor, id string) (PayeeView, error) {
	y, logged, err := s.readablePayee(ctx, a, id)
	if err != nil {
		return PayeeView{}, err
	}
	changes, err := s.db.PayeeAccountChanges(ctx, a.Tenant, y.ID)
	if err != nil {
		return PayeeView{}, err
	}
	v := PayeeView{Payee: y, Changes: make([]AccountChangeView, 0, len(changes)), Names: map[string]string{}}
	if acc, err := y.PaymentAccount(); err == nil {
		v.Account, v.Bank = acc.String(), acc.Bank
	}
	var ids []string
	for _, c := range changes {
		v.Changes = append(v.Changes, changeView(c))
		ids = append(ids, c.ChangedBy, c.ReviewedBy)
	}
	if _, err := s.shownNames(ctx, a, ids, v.Names); err != nil {
		return PayeeView{}, err
	}
	if err := s.logAccess(ctx, logged...); err != nil {
		return PayeeView{}, err
	}
	return v, nil
}

// PersonPayee returns the id of the person's payee, or trygg.ErrNotFound
// when the person has none or the actor may not read the person. It
// reads no personal data beyond the person page it is linked from.
func (s *Service) PersonPayee(ctx context.Context, a trygg.Actor, personID string) (string, error) {
	if err := mayManagePayees(a); err != nil {
		return "", err
	}
	if _, _, err := s.payeePerson(ctx, a, personID); err != nil {
		return "", err
	}
	y, err := s.db.PersonPayee(ctx, a.Tenant, personID)
	if err != nil {
		return "", err
	}
	return y.ID, nil
}

// PayeeSearch is a search of the payee register: words of the name and
// a category, both optional.
type PayeeSearch struct {
	Query    string `json:"query,omitempty"`
	Category string `json:"category,omitempty"`
}

// SearchPayees lists the payees matching the search that the actor may
// see: every organisation, and persons the actor may read, each person's
// hit access-logged as a search hit.
func (s *Service) SearchPayees(ctx context.Context, a trygg.Actor, in PayeeSearch) ([]store.Payee, error) {
	if err := mayManagePayees(a); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(in.Query)
	if len([]rune(q)) > 100 {
		return nil, trygg.Invalid("The search text is too long.", map[string]string{"query": "At most 100 characters."})
	}
	if in.Category != "" && !slices.Contains(store.PayeeCategories, in.Category) {
		return nil, trygg.Invalid("The search is not valid.", map[string]string{"category": "Choose a category from the list."})
	}
	found, err := s.db.SearchPayees(ctx, a, store.PayeeQuery{Name: q, Category: in.Category})
	if err != nil {
		return nil, err
	}
	var entries []audit.Entry
	for _, y := range found {
		if y.PersonID != "" {
			entries = append(entries, entry(a, access.SearchPersons, y.PersonID, "", "search", ""))
		}
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return nil, err
	}
	return found, nil
}

// AccountChangesToReview lists the account changes waiting for review
// that the team lead may see, oldest first; the persons' payees among
// them are access-logged as read.
func (s *Service) AccountChangesToReview(ctx context.Context, a trygg.Actor) (ReviewView, error) {
	if !a.HasRole(trygg.RoleTeamLead) {
		return ReviewView{}, trygg.Errorf(trygg.EForbidden, "Only a team lead reviews changes of payees' accounts.")
	}
	changes, err := s.db.UnreviewedAccountChanges(ctx, a, 200)
	if err != nil {
		return ReviewView{}, err
	}
	v := ReviewView{Changes: make([]AccountChangeView, 0, len(changes)), Names: map[string]string{}}
	var entries []audit.Entry
	var ids []string
	for _, c := range changes {
		if c.PersonID != "" {
			_, ground, err := s.payeePerson(ctx, a, c.PersonID)
			if err != nil {
				continue
			}
			entries = append(entries, entry(a, access.ReadPerson, c.PersonID, "", ground, ""))
		}
		v.Changes = append(v.Changes, changeView(c))
		ids = append(ids, c.ChangedBy)
	}
	if _, err := s.shownNames(ctx, a, ids, v.Names); err != nil {
		return ReviewView{}, err
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return ReviewView{}, err
	}
	return v, nil
}

// loadDemoPayees registers the demo's payees as its economic-assistance
// officer, has its team lead review each, and makes the later account
// changes, which wait for review.
func (s *Service) loadDemoPayees(ctx context.Context, ds *demo.Dataset) error {
	if len(ds.Payees) == 0 {
		return nil
	}
	officer, err := s.ActorByUsername(ctx, ds.Tenant.ID, "ekonom")
	if err != nil {
		return fmt.Errorf("demo: payees: %w", err)
	}
	lead, err := s.ActorByUsername(ctx, ds.Tenant.ID, "arbetsledare")
	if err != nil {
		return fmt.Errorf("demo: payees: %w", err)
	}
	for i, p := range ds.Payees {
		y, err := s.RegisterPayee(ctx, officer, PayeeInput{Category: p.Category, PersonID: p.PersonID, Name: p.Name, OrgNumber: p.OrgNumber,
			AccountInput: AccountInput{Kind: p.Account.Kind, Clearing: p.Account.Clearing, Number: p.Account.Number}})
		if err != nil {
			return fmt.Errorf("demo: payee %d: %w", i, err)
		}
		changes, err := s.db.PayeeAccountChanges(ctx, ds.Tenant.ID, y.ID)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := s.ReviewPayeeAccountChange(ctx, lead, c.ID); err != nil {
				return fmt.Errorf("demo: payee %d: %w", i, err)
			}
		}
		if p.Change != nil {
			if _, err := s.ChangePayeeAccount(ctx, officer, y.ID, AccountInput{Kind: p.Change.Kind, Clearing: p.Change.Clearing, Number: p.Change.Number}); err != nil {
				return fmt.Errorf("demo: payee %d: %w", i, err)
			}
		}
	}
	return nil
}
