package main

import (
	"flag"
	"strings"

	"github.com/trygg/trygg/internal/payments"
)

// payerFlags are the municipality's own account that payment runs pay
// from (the debtor of the bank file, docs/payments.md).
type payerFlags struct {
	name, kind, clearing, number, bic, orgNumber string
}

func (p *payerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.name, "payer-name", "", "the municipality's name as its bank knows it, in the payment files")
	fs.StringVar(&p.kind, "payer-account-kind", "bankgiro", "kind of the account payments are made from: bank_account, bankgiro or iban")
	fs.StringVar(&p.clearing, "payer-clearing", "", "clearing number of the account payments are made from (bank_account only)")
	fs.StringVar(&p.number, "payer-account", "", "the account payments are made from: account number, Bankgiro number or IBAN")
	fs.StringVar(&p.bic, "payer-bic", "", "BIC of the municipality's bank (8 or 11 characters)")
	fs.StringVar(&p.orgNumber, "payer-org-number", "", "the municipality's organisation number, sent as the files' sender id")
}

// demoPayer is the demo's made-up account: a Bankgiro number with a
// valid check digit at a made-up bank.
var demoPayer = payerFlags{name: "Demo kommun", kind: string(payments.KindBankgiro), number: "5402-9681", bic: "ESSESESS", orgNumber: "212000-0001"}

// debtor returns the payer the flags give; under --demo, with no account
// given, the demo's made-up one. No account (and no demo) gives the zero
// Debtor: payment runs are then refused. An account that is not valid is
// a usage error.
func (p payerFlags) debtor(demo bool) (payments.Debtor, error) {
	if strings.TrimSpace(p.number) == "" {
		if !demo {
			return payments.Debtor{}, nil
		}
		p = demoPayer
	}
	acc, err := payments.ParseAccount(payments.Kind(p.kind), p.clearing, p.number)
	if err != nil {
		return payments.Debtor{}, usageError{"--payer-account: the municipality's account is not valid: check --payer-account-kind, --payer-clearing and --payer-account"}
	}
	if strings.TrimSpace(p.name) == "" || strings.TrimSpace(p.bic) == "" {
		return payments.Debtor{}, usageError{"--payer-account needs --payer-name and --payer-bic"}
	}
	return payments.Debtor{Name: strings.TrimSpace(p.name), Account: acc, BIC: strings.ToUpper(strings.TrimSpace(p.bic)),
		InitiatingPartyID: strings.TrimSpace(p.orgNumber)}, nil
}
