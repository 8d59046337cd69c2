package demo

import (
	"fmt"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/payments"
)

// Payee is a demo payee: a person's (PersonID) or an organisation's, with
// a valid account. LoadDemo registers it as the economic-assistance
// officer and has the team lead review it; Change, when set, is a later
// account change left waiting for review.
type Payee struct {
	Category, PersonID, Name, OrgNumber string
	Account                             Account
	Change                              *Account
}

// Account is an account as entered: kind, clearing number, number.
type Account struct {
	Kind, Clearing, Number string
}

// payees gives journey 3's mother and a few others with economic
// assistance in Norra a payee with a bank account, and adds a landlord
// and an energy company paid by Bankgiro; the landlord's account has been
// changed and waits for review.
// The persons are noted as their cases are settled (settle).
func (g *gen) payees() {
	for _, id := range g.payeePersons {
		g.ds.Payees = append(g.ds.Payees, Payee{Category: "person", PersonID: id, Account: g.bankAccount()})
	}
	changed := g.bankgiro()
	g.ds.Payees = append(g.ds.Payees,
		Payee{Category: "landlord", Name: "Norrbo Bostäder AB", OrgNumber: g.orgNumber(), Account: g.bankgiro(), Change: &changed},
		Payee{Category: "energy_company", Name: "Norra Energi AB", OrgNumber: g.orgNumber(), Account: g.bankgiro()})
}

// bankAccount returns a valid SEB account (clearing 5xxx, 7 digits).
func (g *gen) bankAccount() Account {
	for {
		a := Account{Kind: string(payments.KindBankAccount), Clearing: fmt.Sprintf("5%03d", g.rng.IntN(1000)),
			Number: fmt.Sprintf("%07d", 1000000+g.rng.IntN(9000000))}
		if _, err := payments.ParseAccount(payments.Kind(a.Kind), a.Clearing, a.Number); err == nil {
			return a
		}
	}
}

// bankgiro returns a valid 8-digit Bankgiro number.
func (g *gen) bankgiro() Account {
	for {
		n := fmt.Sprintf("%04d-%04d", 5000+g.rng.IntN(4000), g.rng.IntN(10000))
		if _, err := payments.ParseBankgiro(n); err == nil {
			return Account{Kind: string(payments.KindBankgiro), Number: n}
		}
	}
}

// orgNumber returns a valid limited company's organisation number.
func (g *gen) orgNumber() string {
	for {
		n := fmt.Sprintf("556%03d-%04d", g.rng.IntN(1000), g.rng.IntN(10000))
		if s, err := org.ParseOrgNumber(n); err == nil {
			return s
		}
	}
}
