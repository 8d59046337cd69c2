package auth_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/trygg"
)

// TestValidatePassword: the policy of NIST SP 800-63B, rule by rule, with
// the message a person sees; good passphrases pass.
func TestValidatePassword(t *testing.T) {
	const (
		short    = "At least 15 characters. A few words that do not belong together make a good password."
		long     = "At most 256 characters."
		demo     = "The password is the published demo password or close to it; choose another."
		product  = "The password contains the name of the system (trygg); choose another."
		context  = "The password contains the username or the user's name; choose another."
		common   = "The password is on a list of common or leaked passwords; choose another."
		pattern  = "The password is a repeated or sequential pattern (such as aaaa or 1234); choose another."
		variant  = "The password is a common or leaked password with small changes; choose another."
		username = "sigrid.berg"
		name     = "Sigrid Berg"
	)
	tests := []struct {
		name, password, want string
	}{
		// The two passwords of the security review.
		{"the published demo password", "demo-trygg-2026", demo},
		{"twelve a's", "aaaaaaaaaaaa", short},

		// Length, counted in characters after NFC, not bytes.
		{"empty", "", short},
		{"14 characters", "kaffe med mjöl", short},
		{"14 characters of 2 bytes each", strings.Repeat("ö", 7) + strings.Repeat("å", 7), short},
		{"decomposed letters count once", strings.Repeat("o\u0308", 14), short},
		{"257 characters", strings.Repeat("ek ", 85) + "ek", long},

		// Context-specific words.
		{"demo password in capitals", "DEMO-TRYGG-2026", demo},
		{"demo password, another year", "demo-trygg-2027", demo},
		{"demo password without separators", "DemoTrygg2026!!", demo},
		{"the product name", "mitt eget trygg-lösenord", product},
		{"the product name in capitals", "TRYGG TRYGG TRYGG", product},
		{"the username", "Sigrid.Berg is my name", context},
		{"the username, other case", "SIGRID.BERG-2026-01-01", context},
		{"the display name without its space", "hello sigridberg friends", context},
		{"part of the display name", "berg och dal och sjö", context},

		// The blocklist, in any case.
		{"on the list", "passwordpassword", common},
		{"on the list in capitals", "QWERTY123456789", common},
		{"on the list, keyboard walk", "1qaz2wsx3edc4rfv", common},

		// Repeats and sequences.
		{"fifteen a's", "aaaaaaaaaaaaaaa", pattern},
		{"digits in order", "123456789012345", pattern},
		{"digits backwards", "987654321098765", pattern},
		{"the alphabet", "abcdefghijklmnop", pattern},
		{"the alphabet backwards", "zyxwvutsrqponmlk", pattern},
		{"a keyboard row", "qwertyuiopasdfg", pattern},
		{"a shifted keyboard row", "!@#$%^&*()_+!@#$", pattern},
		{"blocks of one letter", "aaaaabbbbbccccc", pattern},
		{"a stretch repeated", "Xq7#vLp2Xq7#vLp2", pattern},
		{"few different characters", "abababababababab", pattern},
		{"four different characters", "1212343412123434", pattern},
		{"a sequence with spaces", "ab cd ef gh ij kl", pattern},

		// A common password with small changes.
		{"common and a sequence", "password1234567", variant},
		{"common with separators", "Sunshine-2345678!", variant},
		{"two common passwords", "iloveyou-football", variant},
		{"common with spaces between", "Password 1 2 3 4 5 6 7", variant},

		// Good passphrases and random passwords pass.
		{"four words", "correct horse battery staple", ""},
		{"a Swedish sentence", "Hösten kom tidigt till Lillby i år", ""},
		{"random", "tX9#kLm2@pQr7zW", ""},
		{"random symbols", "%)!(#&$@*^_+{]?", ""},
		{"three words and a year", "ekorre stol moln 1987", ""},
		{"exactly 15", "blå kanot i sjö", ""},
		{"64 characters", "Vi plockade blåbär i skogen bakom skolan, och sedan regnade det.", ""},
		{"256 characters", longText(256), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.ValidatePassword(tt.password, username, name)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidatePassword(%q) = %v, want it accepted", tt.password, err)
				}
				return
			}
			var got string
			if e, ok := err.(*trygg.Error); ok && e.Code == trygg.EInvalid {
				got = e.Fields["password"]
			}
			if got != tt.want {
				t.Fatalf("ValidatePassword(%q) = %v, field %q; want %q", tt.password, err, got, tt.want)
			}
			if p := auth.PasswordProblem(tt.password, username, name); p != tt.want {
				t.Errorf("PasswordProblem(%q) = %q, want %q", tt.password, p, tt.want)
			}
		})
	}
}

// TestValidatePasswordLengths: the limits are the constants, and the
// message of a short password names the same number.
func TestValidatePasswordLengths(t *testing.T) {
	long := longText(400)
	for _, tt := range []struct {
		n  int
		ok bool
	}{
		{auth.MinPasswordLength - 1, false},
		{auth.MinPasswordLength, true},
		{64, true},
		{auth.MaxPasswordLength, true},
		{auth.MaxPasswordLength + 1, false},
	} {
		p := string([]rune(long)[:tt.n])
		if err := auth.ValidatePassword(p); (err == nil) != tt.ok {
			t.Errorf("%d characters: %v, want accepted %v", tt.n, err, tt.ok)
		}
	}
	if !strings.Contains(auth.PasswordProblem("too short"), "15") || auth.MinPasswordLength != 15 {
		t.Error("the message of a short password does not name MinPasswordLength")
	}
	if !strings.Contains(auth.PasswordProblem(long), "256") || auth.MaxPasswordLength != 256 {
		t.Error("the message of a long password does not name MaxPasswordLength")
	}
}

// longText returns n characters of words that do not repeat as a whole,
// ending in a letter.
func longText(n int) string {
	words := strings.Fields("ekorre stol moln kanot björk tall lind alm rönn hassel vide gran ljung hallon")
	var b strings.Builder
	for i := 0; b.Len() < 4*n; i++ {
		b.WriteString(words[i%len(words)] + strconv.Itoa(i) + "x ")
	}
	return string([]rune(b.String())[:n-1]) + "y"
}

// TestCommonPasswordsList: the vendored blocklist is there and whole.
func TestCommonPasswordsList(t *testing.T) {
	for _, p := range []string{"123456123456123", "mailcreated5240", "123456789qwerty", "qwertyuiop12345"} {
		if auth.PasswordProblem(p) == "" {
			t.Errorf("%q is accepted", p)
		}
	}
}
