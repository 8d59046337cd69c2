package payments

import (
	"errors"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// The examples Bankgirot's "Bankernas kontonummer" works through for each
// check-digit method (sections 1.1 and 1.2).
func TestCheckDigitMethodsOnBankgirotsExamples(t *testing.T) {
	if !mod10("3316812057492") {
		t.Error("mod10 refuses Bankgirot's 10-modul example 3316812057492")
	}
	if mod10("3316812057493") {
		t.Error("mod10 accepts 3316812057493")
	}
	if !mod11("1912763608957") {
		t.Error("mod11 refuses Bankgirot's 11-modul example 1912763608957")
	}
	if mod11("1912763608958") {
		t.Error("mod11 accepts 1912763608958")
	}
	if got := mod10Digit("8424"); got != '4' {
		t.Errorf("mod10Digit(8424) = %c, want 4 (Swedbank's 8424-4)", got)
	}
}

// TestBankRulesTable checks the table's shape: sorted, no overlaps, each
// row's digits as its type and comment say, and the lookup agreeing with
// a plain scan for every four-digit clearing number.
func TestBankRulesTable(t *testing.T) {
	for i, r := range bankRules {
		if r.From < 1000 || r.To > 9999 || r.From > r.To {
			t.Errorf("row %d (%s): bad range %d-%d", i, r.Bank, r.From, r.To)
		}
		if i > 0 && bankRules[i-1].To >= r.From {
			t.Errorf("row %d (%s %d-%d) overlaps or precedes the row before", i, r.Bank, r.From, r.To)
		}
		if r.Bank == "" {
			t.Errorf("row %d: no bank", i)
		}
		switch {
		case r.Type == 1 && (r.Comment == 1 || r.Comment == 2):
			if r.MinDigits != 7 || r.MaxDigits != 7 || r.ClearingCheck || r.PersonalNumber {
				t.Errorf("row %d (%s): type 1 has exactly 7 digits", i, r.Bank)
			}
		case r.Type == 2 && r.Comment == 1:
			if r.MaxDigits != 10 {
				t.Errorf("row %d (%s): type 2 comment 1 has 10 digits", i, r.Bank)
			}
		case r.Type == 2 && r.Comment == 2:
			if r.MaxDigits != 9 || r.Bank != "Handelsbanken" {
				t.Errorf("row %d (%s): type 2 comment 2 is Handelsbanken's 9 digits", i, r.Bank)
			}
		case r.Type == 2 && r.Comment == 3:
			if r.MaxDigits != 10 {
				t.Errorf("row %d (%s): type 2 comment 3 has up to 10 digits", i, r.Bank)
			}
		default:
			t.Errorf("row %d (%s): type %d comment %d is not in Bankgirot's table", i, r.Bank, r.Type, r.Comment)
		}
		if r.MinDigits < 2 || r.MinDigits > r.MaxDigits {
			t.Errorf("row %d (%s): digits %d-%d", i, r.Bank, r.MinDigits, r.MaxDigits)
		}
	}
	for cl := 1000; cl <= 9999; cl++ {
		var want BankRule
		found := false
		for _, r := range bankRules {
			if cl >= r.From && cl <= r.To {
				want, found = r, true
			}
		}
		got, ok := LookupClearing(cl)
		if ok != found || got != want {
			t.Fatalf("LookupClearing(%d) = %+v, %v; want %+v, %v", cl, got, ok, want, found)
		}
	}
}

// accountCase is a test number at one bank: valid, and the same number
// with its last digit changed, which no check accepts.
type accountCase struct {
	clearing, number, wrong, bank string
}

// oneNumberPerRow has a number for every row of the table. The check
// digits were computed outside this package, by a separate implementation
// of Bankgirot's methods; clearing numbers and digits are random within
// each range, and the personkonto numbers are shaped like identity
// numbers but belong to no one known.
var oneNumberPerRow = []accountCase{
	{"1146", "7746371", "7746372", "Nordea"},
	{"1201", "6433043", "6433044", "Danske Bank"},
	{"1709", "5294038", "5294039", "Nordea"},
	{"2377", "4029073", "4029074", "Ålandsbanken"},
	{"2458", "9434547", "9434548", "Danske Bank"},
	{"3215", "1576825", "1576826", "Nordea"},
	{"3300", "4905103240", "4905103241", "Nordea"},
	{"3359", "7071791", "7071792", "Nordea"},
	{"3401", "7023657", "7023658", "Länsförsäkringar Bank"},
	{"3426", "8069577", "8069578", "Nordea"},
	{"3782", "8001271165", "8001271166", "Nordea"},
	{"3971", "0624326", "0624327", "Nordea"},
	{"4596", "0383116", "0383117", "Nordea"},
	{"5656", "2466067", "2466068", "SEB"},
	{"6475", "774000368", "774000369", "Handelsbanken"},
	{"7683", "4861319", "4861310", "Swedbank"},
	{"84251", "1417626320", "1417626321", "Swedbank"},
	{"9022", "6683623", "6683624", "Länsförsäkringar Bank"},
	{"9045", "7263603", "7263604", "Citibank"},
	{"9067", "4941144", "4941145", "Länsförsäkringar Bank"},
	{"9077", "8278115", "8278116", "Multitude Bank"},
	{"9105", "0717084", "0717085", "Nordnet Bank"},
	{"9122", "8215642", "8215643", "SEB"},
	{"9142", "1337304", "1337305", "SEB"},
	{"9150", "3569936", "3569937", "Skandiabanken"},
	{"9170", "4060281", "4060282", "IKANO Bank"},
	{"9183", "3884809983", "3884809984", "Danske Bank"},
	{"9193", "7975276", "7975277", "DNB Bank"},
	{"9232", "1301546", "1301547", "Marginalen Bank"},
	{"9251", "2029131", "2029132", "SBAB"},
	{"9265", "3961212", "3961213", "DNB Bank"},
	{"9277", "1092220", "1092221", "ICA Banken"},
	{"9283", "6051663", "6051664", "Resurs Bank"},
	{"9316", "1969357563", "1969357564", "Swedbank"},
	{"9390", "5313660", "5313661", "Landshypotek"},
	{"9460", "9368501", "9368502", "Santander Consumer Bank"},
	{"9478", "6502636", "6502637", "BNP Paribas"},
	{"9520", "2606067029", "2606067020", "Nordea (Plusgirot)"},
	{"9550", "2394990", "2394991", "Avanza Bank"},
	{"9576", "0018802595", "0018802596", "Sparbanken Syd"},
	{"9589", "1984725", "1984726", "Aion Bank"},
	{"9599", "6499683", "6499684", "Erik Penser"},
	{"9631", "9701153", "9701154", "Lån & Spar Bank Sverige"},
	{"9646", "4743408", "4743409", "NOBA Bank Group"},
	{"9667", "0316293", "0316294", "Svea Bank"},
	{"9673", "5691409", "5691400", "JAK Medlemsbank"},
	{"9685", "2569454", "2569455", "BlueStep Finans"},
	{"9703", "2380818", "2380819", "Ekobanken"},
	{"9714", "0081435", "0081436", "Lunar Bank"},
	{"9751", "1775006", "1775007", "Northmill Bank"},
	{"9781", "4615692", "4615693", "Klarna Bank"},
	{"9887", "6393422", "6393423", "Riksgälden"},
	{"9893", "2265120325", "2265120326", "Riksgälden"},
	{"9966", "1446556357", "1446556358", "Nordea (Plusgirot)"},
}

func TestParseBankAccountEveryRow(t *testing.T) {
	covered := map[int]bool{}
	for _, c := range oneNumberPerRow {
		t.Run(c.bank+" "+c.clearing, func(t *testing.T) {
			a, err := ParseBankAccount(c.clearing, c.number)
			if err != nil {
				t.Fatalf("ParseBankAccount(%s, %s): %v", c.clearing, c.number, err)
			}
			want := Account{Kind: KindBankAccount, Clearing: c.clearing, Number: c.number, Bank: c.bank}
			if a != want {
				t.Fatalf("got %+v, want %+v", a, want)
			}
			_, err = ParseBankAccount(c.clearing, c.wrong)
			wantFieldError(t, err, FieldNumber, "The check digit does not match: check the number.", c.wrong)
		})
		var cl int
		for _, d := range c.clearing[:4] {
			cl = cl*10 + int(d-'0')
		}
		r, _ := LookupClearing(cl)
		covered[r.From] = true
	}
	for _, r := range bankRules {
		if !covered[r.From] {
			t.Errorf("no test number for %s %d-%d", r.Bank, r.From, r.To)
		}
	}
}

// Account numbers that others publish as valid or invalid, written as
// people write them, with the normal form trygg keeps.
func TestParseBankAccountPublishedExamples(t *testing.T) {
	valid := []struct {
		source, clearing, number string
		want                     Account
	}{
		// kontonummer (Svante Bengtson, MIT), test/index.test.ts.
		{"kontonummer", "9071", "417 23 83", Account{KindBankAccount, "9071", "4172383", "Multitude Bank"}},
		{"kontonummer", "6789", "123456789", Account{KindBankAccount, "6789", "123456789", "Handelsbanken"}},
		{"kontonummer", "8424-4", "983 189 224-6", Account{KindBankAccount, "84244", "9831892246", "Swedbank"}},
		{"kontonummer", "8351-9", "392 242 224-5", Account{KindBankAccount, "83519", "3922422245", "Swedbank"}},
		{"kontonummer", "8129-9", "043 386 711-6", Account{KindBankAccount, "81299", "0433867116", "Swedbank"}},
		{"kontonummer", "3300", "000620-5124", Account{KindBankAccount, "3300", "0006205124", "Nordea"}},
		{"kontonummer", "9789", "1111113", Account{KindBankAccount, "9789", "1111113", "Klarna Bank"}},
		// banktools-se (Barsoom, MIT), spec/account_spec.rb.
		{"banktools-se", "3300", "800928-6249", Account{KindBankAccount, "3300", "8009286249", "Nordea"}},
		{"banktools-se", "3782", "800928-6249", Account{KindBankAccount, "3782", "8009286249", "Nordea"}},
		// SwedishBankAccounts (Kajetan Kazimierczak, MIT), UnitTests.cs:
		// the same Swedbank account with the fifth digit and without it.
		{"SwedishBankAccounts", "82149", "9234726124", Account{KindBankAccount, "82149", "9234726124", "Swedbank"}},
		{"SwedishBankAccounts", "8214", "9234726124", Account{KindBankAccount, "82149", "9234726124", "Swedbank"}},
		{"SwedishBankAccounts", "3300", "121212-1212", Account{KindBankAccount, "3300", "1212121212", "Nordea"}},
		// The fifth digit written first in the account number field.
		{"split after four", "8424", "4 983 189 224-6", Account{KindBankAccount, "84244", "9831892246", "Swedbank"}},
		// Handelsbanken's older 8-digit numbers and Swedbank's shorter
		// 8xxx numbers are zero-filled.
		{"zero-filled", "6475", "39825973", Account{KindBankAccount, "6475", "039825973", "Handelsbanken"}},
		{"zero-filled", "8000-2", "80000003", Account{KindBankAccount, "80002", "0080000003", "Swedbank"}},
		// The type 1 form with Bankgirot's leading zeros, and separators of every kind.
		{"leading zeros", "5656", "00000 2466067", Account{KindBankAccount, "5656", "2466067", "SEB"}},
		{"separators", " 5656 ", "24\u00a066.06–7", Account{KindBankAccount, "5656", "2466067", "SEB"}},
	}
	for _, c := range valid {
		a, err := ParseBankAccount(c.clearing, c.number)
		if err != nil {
			t.Errorf("%s: ParseBankAccount(%q, %q): %v", c.source, c.clearing, c.number, err)
			continue
		}
		if a != c.want {
			t.Errorf("%s: ParseBankAccount(%q, %q) = %+v, want %+v", c.source, c.clearing, c.number, a, c.want)
		}
	}

	invalid := []struct {
		source, clearing, number, field, msg string
	}{
		{"kontonummer", "6789", "123456788", FieldNumber, "The check digit does not match: check the number."},
		{"kontonummer", "8424-1", "983 189 224-6", FieldClearing, "The clearing number's fifth digit does not match: check the clearing number."},
		{"SwedishBankAccounts", "82148", "9234726124", FieldClearing, "The clearing number's fifth digit does not match: check the clearing number."},
		{"SwedishBankAccounts", "82149", "9234726125", FieldNumber, "The check digit does not match: check the number."},
		// Passes 10-modul, but 32 December is no date.
		{"SwedishBankAccounts", "3300", "121232-1218", FieldNumber, "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN)."},
		{"SwedishBankAccounts", "3300", "12123212180", FieldNumber, "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN)."},
	}
	for _, c := range invalid {
		_, err := ParseBankAccount(c.clearing, c.number)
		t.Run(c.source+" "+c.clearing, func(t *testing.T) {
			wantFieldError(t, err, c.field, c.msg, c.number)
		})
	}
}

func TestParseBankAccountErrors(t *testing.T) {
	tests := []struct {
		name, clearing, number, field, msg string
	}{
		{"no clearing number", "", "1234567", FieldClearing, "Give the clearing number: the first four digits of the account number."},
		{"letters", "5O00", "2466067", FieldClearing, "Use only digits, with spaces or hyphens between them if you like."},
		{"letters in the number", "5656", "24660G7", FieldNumber, "Use only digits, with spaces or hyphens between them if you like."},
		{"three digits", "565", "2466067", FieldClearing, "A clearing number has four digits (five for Swedbank's starting with 8)."},
		{"six digits", "565656", "2466067", FieldClearing, "A clearing number has four digits (five for Swedbank's starting with 8)."},
		{"unknown bank", "1000", "2466067", FieldClearing, "No bank has clearing number 1000."},
		{"gone bank (Forex)", "9400", "2466067", FieldClearing, "No bank has clearing number 9400."},
		{"fifth digit outside Swedbank 8xxx", "56561", "2466067", FieldClearing, "A clearing number at SEB has four digits."},
		{"no account number", "5656", " ", FieldNumber, "Give the account number: the digits after the clearing number."},
		{"type 1 too short", "5656", "246606", FieldNumber, "An account number at SEB has 7 digits after the clearing number."},
		{"type 1 too long", "5656", "24660671", FieldNumber, "An account number at SEB has 7 digits after the clearing number."},
		{"Handelsbanken too long", "6475", "1774000368", FieldNumber, "An account number at Handelsbanken has at most 9 digits after the clearing number."},
		{"Handelsbanken too short", "6475", "4000368", FieldNumber, "An account number at Handelsbanken has at most 9 digits after the clearing number."},
		{"Swedbank 8xxx too long", "84251", "14176263201", FieldNumber, "An account number at Swedbank has at most 10 digits after the clearing number."},
		{"Danske 9180 short", "9183", "884809983", FieldNumber, "An account number at Danske Bank has 10 digits after the clearing number."},
		{"personkonto not a date", "3300", "4913103240", FieldNumber, "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN)."},
		{"personkonto with century", "3300", "194905103240", FieldNumber, "A Nordea personkonto number is the holder's personal identity number in 10 digits (YYMMDDNNNN)."},
		{"all zeros", "5656", "0000000", FieldNumber, "An account number is never all zeros: check the number."},
		{"too long", "5656", strings.Repeat("1 ", 40), FieldNumber, "The number is too long."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBankAccount(tt.clearing, tt.number)
			wantFieldError(t, err, tt.field, tt.msg, tt.number)
		})
	}
}

func TestParseGiroAndIBAN(t *testing.T) {
	valid := []struct {
		kind    Kind
		in      string
		number  string
		display string
	}{
		// Bankgirot's own Bankgiro number, printed on its documents.
		{KindBankgiro, "160-9908", "1609908", "160-9908"},
		// banktools-se's examples.
		{KindBankgiro, " 5-4-0-2-9-6- 81-  ", "54029681", "5402-9681"},
		{KindBankgiro, "297-3675", "2973675", "297-3675"},
		{KindBankgiro, "640 5070", "6405070", "640-5070"},
		{KindPlusgiro, "28 65 43-4", "2865434", "28 65 43-4"},
		{KindPlusgiro, "410 54 68-5", "41054685", "410 54 68-5"},
		{KindPlusgiro, "4-2", "42", "4-2"},
		{KindPlusgiro, "90 20 03-3", "9020033", "90 20 03-3"},
		// SwedishBankAccounts' example.
		{KindPlusgiro, "116 04 99-8", "11604998", "116 04 99-8"},
		// The Swedish example of SWIFT's IBAN registry, in lower case.
		{KindIBAN, "se45 5000 0000 0583 9825 7466", "SE4550000000058398257466", "SE45 5000 0000 0583 9825 7466"},
	}
	for _, c := range valid {
		a, err := ParseAccount(c.kind, "", c.in)
		if err != nil {
			t.Errorf("ParseAccount(%s, %q): %v", c.kind, c.in, err)
			continue
		}
		if a != (Account{Kind: c.kind, Number: c.number}) {
			t.Errorf("ParseAccount(%s, %q) = %+v", c.kind, c.in, a)
		}
		if got := a.String(); got != c.display {
			t.Errorf("%s %q: String() = %q, want %q", c.kind, c.in, got, c.display)
		}
		if got := a.BBAN(); got != c.number {
			t.Errorf("%s %q: BBAN() = %q, want %q", c.kind, c.in, got, c.number)
		}
	}

	invalid := []struct {
		kind                Kind
		clearing, in, field string
		msg                 string
	}{
		{KindBankgiro, "", "5402-9682", FieldNumber, "The check digit does not match: check the number."},
		{KindBankgiro, "", "54-0296", FieldNumber, "A Bankgiro number has 7 or 8 digits."},
		{KindBankgiro, "", "5402-96810", FieldNumber, "A Bankgiro number has 7 or 8 digits."},
		{KindBankgiro, "", "5402-9681X", FieldNumber, "Use only digits, with spaces or hyphens between them if you like."},
		{KindBankgiro, "", "", FieldNumber, "Give the Bankgiro number."},
		{KindBankgiro, "", "000-0000", FieldNumber, "An account number is never all zeros: check the number."},
		{KindBankgiro, "5656", "5402-9681", FieldClearing, "Only a bank account has a clearing number: leave it empty."},
		{KindPlusgiro, "", "410 54 68-6", FieldNumber, "The check digit does not match: check the number."},
		{KindPlusgiro, "", "1", FieldNumber, "A Plusgiro number has 2 to 8 digits."},
		{KindPlusgiro, "", "410 54-51 21", FieldNumber, "A Plusgiro number has 2 to 8 digits."},
		{KindPlusgiro, "", "", FieldNumber, "Give the Plusgiro number."},
		{KindIBAN, "", "SE45 5000 0000 0583 9825 7467", FieldNumber, "The check digits do not match: check the IBAN."},
		{KindIBAN, "", "NO93 8601 1117 947", FieldNumber, "Only Swedish IBANs, starting with SE, can be paid."},
		{KindIBAN, "", "SE45 5000 0000 0583 9825 746", FieldNumber, "A Swedish IBAN has SE and 22 digits."},
		{KindIBAN, "", "SE45-5000/0000", FieldNumber, "An IBAN has only letters, digits and spaces."},
		{KindIBAN, "", "", FieldNumber, "Give the IBAN."},
		{"swish", "", "1234567", FieldKind, "Choose bank account, Bankgiro, Plusgiro or IBAN."},
	}
	for _, c := range invalid {
		t.Run(string(c.kind)+" "+c.in, func(t *testing.T) {
			_, err := ParseAccount(c.kind, c.clearing, c.in)
			wantFieldError(t, err, c.field, c.msg, c.in)
		})
	}
}

func TestAccountStringAndBBAN(t *testing.T) {
	tests := []struct {
		clearing, number, display, bban string
	}{
		{"5656", "2466067", "5656, 2466067", "56562466067"},
		{"8424-4", "983 189 224-6", "8424-4, 9831892246", "84249831892246"},
		{"6475", "39825973", "6475, 039825973", "6475039825973"},
	}
	for _, tt := range tests {
		a, err := ParseBankAccount(tt.clearing, tt.number)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.String(); got != tt.display {
			t.Errorf("String() = %q, want %q", got, tt.display)
		}
		if got := a.BBAN(); got != tt.bban {
			t.Errorf("BBAN() = %q, want %q", got, tt.bban)
		}
	}
}

// wantFieldError checks that err is an EInvalid *trygg.Error whose only
// field is field with the message msg, and that nothing in it repeats the
// number (seven or more of its digits in a row).
func wantFieldError(t *testing.T, err error, field, msg, number string) {
	t.Helper()
	var e *trygg.Error
	if !errors.As(err, &e) || e.Code != trygg.EInvalid {
		t.Fatalf("error %v is not an EInvalid *trygg.Error", err)
	}
	if len(e.Fields) != 1 || e.Fields[field] != msg {
		t.Fatalf("fields = %q, want {%s: %q}", e.Fields, field, msg)
	}
	assertNoNumber(t, e, number)
}

// assertNoNumber fails if the error's message or a field message contains
// seven or more consecutive digits of number.
func assertNoNumber(t *testing.T, e *trygg.Error, number string) {
	t.Helper()
	var digits strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	texts := []string{e.Message}
	for _, m := range e.Fields {
		texts = append(texts, m)
	}
	for i := 0; i+7 <= len(d); i++ {
		for _, s := range texts {
			if strings.Contains(s, d[i:i+7]) {
				t.Fatalf("error text %q repeats the number", s)
			}
		}
	}
}
