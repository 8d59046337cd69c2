package payments

// The two check-digit methods of Swedish account numbers, as Bankgirot
// describes them in "Bankernas kontonummer" (sections 1.1 and 1.2). Both
// take a string of ASCII digits whose last digit is the check digit;
// callers have checked that it holds digits only.

// mod10 reports whether digits pass the 10-modul method (Luhn): from the
// right, the digits are weighted 1, 2, 1, 2, …, a two-digit product counts
// as the sum of its digits, and the total must be divisible by 10. Leading
// zeros do not change the result.
func mod10(digits string) bool {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// mod10Digit returns the check digit that makes body+digit pass mod10.
func mod10Digit(body string) byte {
	for d := byte('0'); d <= '9'; d++ {
		if mod10(body + string(d)) {
			return d
		}
	}
	return '0' // unreachable: one of ten digits always fits
}

// mod11 reports whether digits pass the 11-modul method: from the right,
// the digits are weighted 1, 2, 3, …, 10, then 1, 2, … again, and the
// total must be divisible by 11. Leading zeros do not change the result.
func mod11(digits string) bool {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		sum += d * (i%10 + 1)
	}
	return sum%11 == 0
}
