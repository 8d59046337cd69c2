package org

import (
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

// ParseOrgNumber checks a Swedish organisation number (organisationsnummer)
// and returns it as NNNNNN-NNNN: ten digits (an optional "16" century
// prefix and one hyphen allowed), a third digit of at least 2 (which tells
// it from a personal identity number) and a valid Luhn check digit. Sole
// traders use their personal identity number; that is personal data and is
// not accepted here.
func ParseOrgNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	digits := strings.Map(func(r rune) rune {
		if r == '-' {
			return -1
		}
		return r
	}, s)
	if strings.Count(s, "-") > 1 || strings.Trim(digits, "0123456789") != "" {
		return "", trygg.Errorf(trygg.EInvalid, "An organisation number is ten digits, NNNNNN-NNNN.")
	}
	if len(digits) == 12 && strings.HasPrefix(digits, "16") {
		digits = digits[2:]
	}
	if len(digits) != 10 {
		return "", trygg.Errorf(trygg.EInvalid, "An organisation number is ten digits, NNNNNN-NNNN.")
	}
	if digits[2] < '2' {
		return "", trygg.Errorf(trygg.EInvalid, "This is not an organisation number (the third digit is at least 2); a sole trader's personal identity number is not used here.")
	}
	if luhn(digits[:9]) != digits[9]-'0' {
		return "", trygg.Errorf(trygg.EInvalid, "The organisation number's check digit is wrong.")
	}
	return digits[:6] + "-" + digits[6:], nil
}

// luhn returns the Luhn check digit of the digits.
func luhn(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}
