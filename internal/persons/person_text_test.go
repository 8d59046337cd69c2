package persons

import (
	"errors"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// TestPersonTextIsOneLine: a person's names and address are one line of
// text each, without control or text-direction characters.
func TestPersonTextIsOneLine(t *testing.T) {
	tests := []struct {
		name, field, message string
		change               func(p *Person)
	}{
		{"line break in a given name", "given_name", "Must be one line, without line breaks or tabs.", func(p *Person) { p.GivenName = "Ingrid\nBerg" }},
		{"override in a family name", "family_name", "Contains a character that changes the text direction.", func(p *Person) { p.FamilyName = "Berg\u202e" }},
		{"NUL in a street", "address.street", "Contains a control character.", func(p *Person) { p.Address.Street = "Storgatan\x00 1" }},
		{"tab in a city", "address.city", "Must be one line, without line breaks or tabs.", func(p *Person) { p.Address.City = "Demo\tstad" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Person{GivenName: "Ingrid", FamilyName: "Berg", Address: Address{Street: "Storgatan 1", PostalCode: "123 45", City: "Demostad"}}
			if err := p.Validate(); err != nil {
				t.Fatalf("the valid person is refused: %v", err)
			}
			tt.change(&p)
			var e *trygg.Error
			err := p.Validate()
			if !errors.As(err, &e) || e.Fields[tt.field] != tt.message {
				t.Fatalf("Validate() = %v, want %s: %s", err, tt.field, tt.message)
			}
		})
	}
}
