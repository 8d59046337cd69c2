package payments

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

// Kind is what an account number is: a bank account (clearing number and
// account number), a Bankgiro number, a Plusgiro number or an IBAN.
type Kind string

// The kinds of account a payment can go to.
const (
	KindBankAccount Kind = "bank_account"
	KindBankgiro    Kind = "bankgiro"
	KindPlusgiro    Kind = "plusgiro"
	KindIBAN        Kind = "iban"
)

// The field names of account errors (trygg.Error.Fields): the form fields
// an account is entered in.
const (
	FieldKind     = "kind"
	FieldClearing = "clearing_number"
	FieldNumber   = "account_number"
)

// Account is a validated payee account in its normal form: only digits
// (an IBAN: capitals and digits), no separators, a type 2 bank account
// number zero-filled to its bank's length, Swedbank's 8xxx clearing number
// with its fifth digit. ParseAccount(a.Kind, a.Clearing, a.Number) returns
// a again.
//
// An account number is personal data (a Nordea personkonto number is its
// holder's identity number): it belongs in the payee's record and the bank
// file, never in logs, URLs or error messages.
type Account struct {
	Kind Kind
	// Clearing is a bank account's clearing number: four digits, or five
	// for Swedbank's 8xxx-C. Empty for the other kinds.
	Clearing string
	// Number is the bank account number after the clearing number, the
	// Bankgiro or Plusgiro number, or the IBAN.
	Number string
	// Bank is the bank's name from the clearing-number table; empty for
	// the other kinds.
	Bank string
}

// maxInput bounds what the parsers read; no account number written with
// any separators comes near it.
const maxInput = 64

// ParseAccount parses an account of the given kind. clearing is the
// clearing number of a bank account and must be empty for the other
// kinds; number is the account number, the Bankgiro or Plusgiro number or
// the IBAN. Spaces, hyphens, dots and commas between the digits are
// ignored. Errors are *trygg.Error with code EInvalid and the fields
// FieldKind, FieldClearing or FieldNumber; they never contain the number.
func ParseAccount(kind Kind, clearing, number string) (Account, error) {
	switch kind {
	case KindBankAccount:
		return ParseBankAccount(clearing, number)
	case KindBankgiro, KindPlusgiro, KindIBAN:
		if strings.TrimSpace(clearing) != "" {
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldClearing: "Only a bank account has a clearing number: leave it empty.",
			})
		}
		switch kind {
		case KindBankgiro:
			return ParseBankgiro(number)
		case KindPlusgiro:
			return ParsePlusgiro(number)
		default:
			return ParseIBAN(number)
		}
	default:
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldKind: "Choose bank account, Bankgiro, Plusgiro or IBAN.",
		})
	}
}

// ParseBankAccount parses a Swedish bank account given as its clearing
// number and its account number, by the rules of Bankgirot's "Bankernas
// kontonummer" (see BankRule): the clearing number must belong to a bank,
// the account number must have that bank's number of digits and its check
// digit must match. Swedbank's 8xxx clearing numbers may be given with
// their fifth digit or without it (it is then added); the fifth digit may
// also stand first in the account number. Errors are as for ParseAccount.
func ParseBankAccount(clearing, number string) (Account, error) {
	cl, err := digitsOf(clearing, FieldClearing)
	if err != nil {
		return Account{}, err
	}
	num, err := digitsOf(number, FieldNumber)
	if err != nil {
		return Account{}, err
	}
	if cl == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldClearing: "Give the clearing number: the first four digits of the account number.",
		})
	}
	if len(cl) != 4 && len(cl) != 5 {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldClearing: "A clearing number has four digits (five for Swedbank's starting with 8).",
		})
	}
	four, _ := strconv.Atoi(cl[:4])
	rule, ok := LookupClearing(four)
	if !ok {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldClearing: fmt.Sprintf("No bank has clearing number %s.", cl[:4]),
		})
	}
	if len(cl) == 5 {
		if !rule.ClearingCheck {
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldClearing: fmt.Sprintf("A clearing number at %s has four digits.", rule.Bank),
			})
		}
		if !mod10(cl) {
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldClearing: "The clearing number's fifth digit does not match: check the clearing number.",
			})
		}
	}
	if rule.ClearingCheck && len(cl) == 4 {
		cl += string(mod10Digit(cl))
		// "8424-4, 983 189 224-6" split after the four: the fifth digit
		// then stands first in the account number.
		if len(num) == rule.MaxDigits+1 && num[0] == cl[4] {
			num = num[1:]
		}
	}
	if num == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "Give the account number: the digits after the clearing number.",
		})
	}
	// Leading zeros beyond the bank's length are the zero-filled form
	// (Bankgirot's "00000xxxxxxC"), not digits of the number.
	for len(num) > rule.MaxDigits && num[0] == '0' {
		num = num[1:]
	}
	if len(num) < rule.MinDigits || len(num) > rule.MaxDigits {
		switch {
		case rule.PersonalNumber:
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldNumber: "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN).",
			})
		case rule.MinDigits == rule.MaxDigits:
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldNumber: fmt.Sprintf("An account number at %s has %d digits after the clearing number.", rule.Bank, rule.MaxDigits),
			})
		default:
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldNumber: fmt.Sprintf("An account number at %s has at most %d digits after the clearing number.", rule.Bank, rule.MaxDigits),
			})
		}
	}
	if rule.PersonalNumber && !birthDateShaped(num) {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN).",
		})
	}
	num = strings.Repeat("0", rule.MaxDigits-len(num)) + num
	if strings.Trim(num, "0") == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "An account number is never all zeros: check the number.",
		})
	}
	if !rule.check(cl[:4], num) {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "The check digit does not match: check the number.",
		})
	}
	return Account{Kind: KindBankAccount, Clearing: cl, Number: num, Bank: rule.Bank}, nil
}

// ParseBankgiro parses a Bankgiro number: 7 or 8 digits, the last a
// 10-modul check digit. Errors are as for ParseAccount.
func ParseBankgiro(s string) (Account, error) {
	num, err := digitsOf(s, FieldNumber)
	if err != nil {
		return Account{}, err
	}
	if num == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "Give the Bankgiro number.",
		})
	}
	if len(num) < 7 || len(num) > 8 {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "A Bankgiro number has 7 or 8 digits.",
		})
	}
	if strings.Trim(num, "0") == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "An account number is never all zeros: check the number.",
		})
	}
	if !mod10(num) {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "The check digit does not match: check the number.",
		})
	}
	return Account{Kind: KindBankgiro, Number: num}, nil
}

// ParsePlusgiro parses a Plusgiro number: 2 to 8 digits, the last a
// 10-modul check digit. Errors are as for ParseAccount.
func ParsePlusgiro(s string) (Account, error) {
	num, err := digitsOf(s, FieldNumber)
	if err != nil {
		return Account{}, err
	}
	if num == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "Give the Plusgiro number.",
		})
	}
	if len(num) < 2 || len(num) > 8 {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "A Plusgiro number has 2 to 8 digits.",
		})
	}
	if strings.Trim(num, "0") == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "An account number is never all zeros: check the number.",
		})
	}
	if !mod10(num) {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "The check digit does not match: check the number.",
		})
	}
	return Account{Kind: KindPlusgiro, Number: num}, nil
}

// ParseIBAN parses a Swedish IBAN: SE, two check digits and 20 digits
// (the bank's three-digit code and the 17-digit account number), spaces
// allowed, checked by ISO 13616's mod 97. Only Swedish IBANs are accepted:
// the payments are in kronor to accounts in Sweden. An IBAN is the way to
// pay the rare Swedbank account whose number has no valid check digit.
// Errors are as for ParseAccount.
func ParseIBAN(s string) (Account, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxInput {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "The number is too long.",
		})
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case isSeparator(r):
		default:
			return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
				FieldNumber: "An IBAN has only letters, digits and spaces.",
			})
		}
	}
	iban := b.String()
	if iban == "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "Give the IBAN.",
		})
	}
	if !strings.HasPrefix(iban, "SE") {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "Only Swedish IBANs, starting with SE, can be paid.",
		})
	}
	if len(iban) != 24 || strings.TrimLeft(iban[2:], "0123456789") != "" {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "A Swedish IBAN has SE and 22 digits.",
		})
	}
	if !ibanMod97(iban) {
		return Account{}, trygg.Invalid("The account number is not valid.", map[string]string{
			FieldNumber: "The check digits do not match: check the IBAN.",
		})
	}
	return Account{Kind: KindIBAN, Number: iban}, nil
}

// birthDateShaped reports whether a ten-digit personal identity number
// YYMMDDNNNC starts with a date that can exist: month 01-12, a day of that
// month, or the day plus 60 of a coordination number (samordningsnummer).
// 29 February is allowed in years divisible by four, as the century is
// not written.
func birthDateShaped(num string) bool {
	yy := int(num[0]-'0')*10 + int(num[1]-'0')
	mm := int(num[2]-'0')*10 + int(num[3]-'0')
	dd := int(num[4]-'0')*10 + int(num[5]-'0')
	if dd > 60 {
		dd -= 60
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if mm < 1 || mm > 12 {
		return false
	}
	last := days[mm]
	if mm == 2 && yy%4 == 0 {
		last = 29
	}
	return dd >= 1 && dd <= last
}

// ibanMod97 reports whether an IBAN of capitals and digits passes ISO
// 13616's check: the first four characters moved to the end, each letter
// read as two digits (A = 10 … Z = 35), the number modulo 97 is 1.
func ibanMod97(iban string) bool {
	rem := 0
	for _, r := range iban[4:] + iban[:4] {
		if r >= 'A' && r <= 'Z' {
			rem = (rem*100 + int(r-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(r-'0')) % 97
		}
	}
	return rem == 1
}

// digitsOf returns the digits of s, ignoring the separators people write
// between them. Anything else is an EInvalid error for field.
func digitsOf(s, field string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxInput {
		return "", trygg.Invalid("The account number is not valid.", map[string]string{
			field: "The number is too long.",
		})
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case isSeparator(r):
		default:
			return "", trygg.Invalid("The account number is not valid.", map[string]string{
				field: "Use only digits, with spaces or hyphens between them if you like.",
			})
		}
	}
	return b.String(), nil
}

// isSeparator reports whether r is written between the digits of an
// account number: a space (also no-break and thin), a hyphen or dash, a
// dot or a comma.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '\u2009', '\u202f',
		'-', '\u2010', '\u2011', '\u2013', '\u2212',
		'.', ',':
		return true
	}
	return false
}

// String returns the account as people write it: "5000, 1234567" or
// "8424-4, 9831892246" for a bank account, "5402-9681" for Bankgiro,
// "410 54 68-5" for Plusgiro, "SE45 5000 …" for an IBAN. It is personal
// data like the account itself.
func (a Account) String() string {
	switch a.Kind {
	case KindBankAccount:
		cl := a.Clearing
		if len(cl) == 5 {
			cl = cl[:4] + "-" + cl[4:]
		}
		return cl + ", " + a.Number
	case KindBankgiro:
		if len(a.Number) < 5 {
			return a.Number
		}
		return a.Number[:len(a.Number)-4] + "-" + a.Number[len(a.Number)-4:]
	case KindPlusgiro:
		n := len(a.Number)
		if n < 2 {
			return a.Number
		}
		body, check := a.Number[:n-1], a.Number[n-1:]
		var groups []string
		for len(body) > 3 {
			groups = append([]string{body[len(body)-2:]}, groups...)
			body = body[:len(body)-2]
		}
		groups = append([]string{body}, groups...)
		return strings.Join(groups, " ") + "-" + check
	case KindIBAN:
		var groups []string
		for s := a.Number; s != ""; {
			n := min(4, len(s))
			groups = append(groups, s[:n])
			s = s[n:]
		}
		return strings.Join(groups, " ")
	}
	return ""
}

// BBAN returns a bank account as the banks' files write it: the four-digit
// clearing number (Swedbank's fifth digit left out, as Bankgirot says
// payments do) followed by the account number, digits only. For the other
// kinds it returns Number.
func (a Account) BBAN() string {
	if a.Kind == KindBankAccount && len(a.Clearing) >= 4 {
		return a.Clearing[:4] + a.Number
	}
	return a.Number
}
