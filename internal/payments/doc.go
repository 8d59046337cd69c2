// Package payments holds the rules of paying money out: the payees'
// accounts, validated exactly, and the files exchanged with the bank. It
// is pure: no HTTP, no SQL, no clock; the payment service, the store and
// the pages build on it (docs/payments.md).
//
// # Accounts
//
// ParseAccount validates a payee's account of a Kind and returns it in its
// normal form:
//
//   - KindBankAccount: a clearing number and an account number, by the
//     rules of Bankgirot's "Bankernas kontonummer", the table the banks and
//     their systems follow (BankRule, BankRules, LookupClearing): each
//     clearing-number range, its bank, its account type (1 or 2) and
//     comment, which say how many digits the account number has and which
//     digits its 10-modul or 11-modul check digit covers; Swedbank's 8xxx
//     clearing numbers with their fifth, checking digit; Nordea's
//     personkonto (the holder's identity number, clearing 3300 and 3782).
//   - KindBankgiro: 7 or 8 digits, 10-modul.
//   - KindPlusgiro: 2 to 8 digits, 10-modul.
//   - KindIBAN: a Swedish IBAN, ISO 13616's mod 97.
//
// Separators people write (spaces, hyphens, dots, commas) are ignored. A
// refusal is a *trygg.Error with code EInvalid and a field (FieldKind,
// FieldClearing, FieldNumber) saying in plain English what is wrong; it
// never repeats the number. ParseAccount(a.Kind, a.Clearing, a.Number)
// returns a again.
//
// # The bank file: pain.001
//
// CreditTransfer writes a Run (the payer, the execution date, the payment
// lines with payee, account, amount in öre, end-to-end id and message) as
// an ISO 20022 customer credit transfer initiation, pain.001.001.10, for
// SEK payments to Swedish bank accounts, Bankgiro and Plusgiro numbers and
// IBANs, following the Swedish banks' common interpretation: a group
// header with the number of payments and their control sum, one
// payment-information block per execution date, service level NURG,
// amounts as kronor with two decimals, a bank account as its BBAN at its
// clearing number in the Swedish clearing (SESBA), a Bankgiro number with
// the scheme BGNR at Bankgirot (9900), a Plusgiro number at Plusgirot
// (9960). The Swedish interpretation is written for pain.001.001.09, whose
// official schema is not at hand; .10 is the official version that is, and
// the tests validate every file against its schema with xmllint. A run the
// bank would refuse is refused here first, every problem named in a field.
//
// # The bank's answer: pain.002
//
// ReadStatusReport reads the bank's payment status report (pain.002,
// versions 001.03 to 001.11): the file's status, each payment-information
// block's and each payment's by its end-to-end id, with the reason codes
// and the bank's explanations. StatusReport.Match pairs it with the run it
// answers and says for every payment whether it was accepted, rejected or
// is still pending (Outcome), taking a block's or the file's status for a
// payment the report does not name. ReasonText says what the common reason
// codes mean (AC01 wrong account, AC04 closed account, AM04 not enough
// money, …) in plain Swedish or English, from the table reasons.yaml.
package payments
