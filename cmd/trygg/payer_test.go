package main

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/payments"
)

// The municipality's account comes from flags (or TRYGG_PAYER_*); the
// demo has a made-up one, a real start none until it is given.
func TestPayerFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		demo    bool
		account string // the account's number, "" for none
		err     string
	}{
		{"none given", nil, false, "", ""},
		{"the demo's", nil, true, "54029681", ""},
		{"a bank account", []string{"--payer-name", "Exempelstadens kommun", "--payer-account-kind", "bank_account", "--payer-clearing", "5656",
			"--payer-account", "246 60 67", "--payer-bic", "essesess", "--payer-org-number", "212000-0001"}, false, "2466067", ""},
		{"a wrong check digit", []string{"--payer-name", "K", "--payer-account", "5402-9682", "--payer-bic", "ESSESESS"}, false, "", "not valid"},
		{"no name", []string{"--payer-account", "5402-9681", "--payer-bic", "ESSESESS"}, true, "", "--payer-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			var p payerFlags
			p.register(fs)
			if err := parseFlags(fs, tt.args, func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
			d, err := p.debtor(tt.demo)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || d.Account.Number != tt.account {
				t.Fatalf("debtor = %+v, %v; want account %q", d, err, tt.account)
			}
			if tt.account != "" {
				if _, err := payments.CreditTransfer(payments.Run{MessageID: "T-1", CreatedAt: time.Now(), ExecutionDate: time.Now().AddDate(0, 0, 1), Debtor: d,
					Payments: []payments.Payment{{EndToEndID: "1", Creditor: "A", Account: d.Account, Amount: 100}}}); err != nil {
					t.Fatalf("the payer cannot pay: %v", err)
				}
			}
		})
	}
}
