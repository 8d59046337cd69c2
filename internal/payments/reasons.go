package payments

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

// reasonsFile is the table of the common reason codes (reasons.yaml).
//
//go:embed reasons.yaml
var reasonsFile []byte

// reasonEntry is one code of the table.
type reasonEntry struct {
	Name string `yaml:"name"`
	SV   string `yaml:"sv"`
	EN   string `yaml:"en"`
}

// reasons maps a reason code to its entry. The file is part of the
// binary, so a broken one stops the program at start (and its test).
var reasons = func() map[string]reasonEntry {
	var m map[string]reasonEntry
	if err := yaml.Unmarshal(reasonsFile, &m); err != nil {
		panic(fmt.Sprintf("payments: reasons.yaml: %v", err))
	}
	return m
}()

// ReasonText returns what an ISO 20022 status reason code (AC01, AM04, …)
// means in plain words, in Swedish for lang "sv" and in English for "en"
// (Swedish for any other). ok is false for a code the table does not
// have; show the bank's own explanation then.
func ReasonText(code, lang string) (text string, ok bool) {
	e, ok := reasons[code]
	if !ok {
		return "", false
	}
	if lang == "en" {
		return e.EN, true
	}
	return e.SV, true
}

// ReasonName returns a reason code's name in ISO's code set
// (IncorrectAccountNumber for AC01), "" for a code the table does not have.
func ReasonName(code string) string {
	return reasons[code].Name
}
