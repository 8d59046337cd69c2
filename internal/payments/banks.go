package payments

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// BankRule is one row of Bankgirot's table of Swedish bank account numbers
// ("Bankernas kontonummer"): a range of clearing numbers, the bank that has
// it, the account type and Bankgirot's comment, which together say which
// digits the check digit covers, and how many digits the account number
// (räkningsnummer) has after the clearing number.
//
//   - Type 1, comment 1: 7 digits; 11-modul over the clearing number without
//     its first digit and the 7 digits.
//   - Type 1, comment 2: 7 digits; 11-modul over the whole clearing number
//     and the 7 digits.
//   - Type 2, comment 1: 10 digits; 10-modul over them.
//   - Type 2, comment 2 (Handelsbanken): 9 digits; 11-modul over them.
//   - Type 2, comment 3: up to 10 digits; 10-modul over them. Swedbank's
//     clearing numbers 8xxx are written with a fifth digit, a 10-modul
//     check digit over the four (8xxx-C).
//
// A type 2 number shorter than the bank's length is filled with leading
// zeros, which change neither check.
type BankRule struct {
	From, To  int    // the clearing numbers, inclusive
	Bank      string // the bank's name
	Type      int    // 1 or 2
	Comment   int    // 1, 2 or 3
	MinDigits int    // the fewest digits of the account number after the clearing number
	MaxDigits int    // the most; a shorter type 2 number is zero-filled to this
	// ClearingCheck: the clearing number is written with a fifth digit
	// that checks the four (Swedbank 8xxx-C).
	ClearingCheck bool
	// PersonalNumber: the account number is the holder's personal identity
	// number, YYMMDDNNNC (Nordea's personkonto).
	PersonalNumber bool
}

// bankRules is the table, sorted by clearing number, ranges never
// overlapping (TestBankRulesTable checks both). Its source is Bankgirot's
// "Bankernas kontonummer" of 2019-10-22 (the user manual
// bankernaskontonummeruppbyggnad_anvandarmanual_sv.pdf), with the changes
// of its later editions (2020-2024) marked "later edition": banks added,
// renamed or gone, as recorded by two maintained validators that follow
// each edition (kontonummer by Svante Bengtson, MIT, its commits "Updated
// based on Bankernas kontonummer 2022-06-20", "2023-02-21 of BGC spec"
// and "BGC 2024-02-22"; swedish-bank-account-validator by Joakim
// Engqvist). Gone since 2019: Forex Bank 9400-9449 (2022) and MedMera
// Bank 9650-9659 (2021). docs/payments.md says how to update the table.
//
//go:embed banks.tsv
var banksFile string

var bankRules = mustParseBankRules(banksFile)

// mustParseBankRules reads the table (banks.tsv: tab-separated from, to,
// type, comment, min digits, max digits, flags (clearing_check,
// personal_number or -), bank; # starts a comment). The file is part of
// the binary, so a malformed row is a programming error: it panics.
func mustParseBankRules(text string) []BankRule {
	var out []BankRule
	for i, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			panic(fmt.Sprintf("payments: banks.tsv line %d: %d columns, want 8", i+1, len(f)))
		}
		var n [6]int
		for j := range n {
			v, err := strconv.Atoi(f[j])
			if err != nil {
				panic(fmt.Sprintf("payments: banks.tsv line %d column %d: %v", i+1, j+1, err))
			}
			n[j] = v
		}
		r := BankRule{From: n[0], To: n[1], Type: n[2], Comment: n[3], MinDigits: n[4], MaxDigits: n[5], Bank: strings.TrimSpace(f[7])}
		for _, flag := range strings.Split(f[6], ",") {
			switch flag {
			case "clearing_check":
				r.ClearingCheck = true
			case "personal_number":
				r.PersonalNumber = true
			case "-":
			default:
				panic(fmt.Sprintf("payments: banks.tsv line %d: unknown flag %q", i+1, flag))
			}
		}
		out = append(out, r)
	}
	return out
}

// BankRules returns a copy of the table, sorted by clearing number.
func BankRules() []BankRule {
	return append([]BankRule(nil), bankRules...)
}

// LookupClearing returns the rule for a four-digit clearing number, and
// false if no bank has it.
func LookupClearing(clearing int) (BankRule, bool) {
	lo, hi := 0, len(bankRules)
	for lo < hi {
		mid := (lo + hi) / 2
		switch r := bankRules[mid]; {
		case clearing < r.From:
			hi = mid
		case clearing > r.To:
			lo = mid + 1
		default:
			return r, true
		}
	}
	return BankRule{}, false
}

// check reports whether the account number's check digit matches.
// clearing is the four-digit clearing number and number the account
// number zero-filled to the rule's MaxDigits.
func (r BankRule) check(clearing, number string) bool {
	switch {
	case r.Type == 1 && r.Comment == 1:
		return mod11(clearing[1:] + number)
	case r.Type == 1:
		return mod11(clearing + number)
	case r.Comment == 2:
		return mod11(number)
	default:
		return mod10(number)
	}
}
