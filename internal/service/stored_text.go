package service

import "github.com/trygg/trygg/internal/storedtext"

// oneLine puts in fields[name], unless a message for it is there already,
// the rule of stored text that v breaks as one line of text: a name, a
// title, a username holds no line break or tab (and, as all text, no
// control or text-direction character). The web edge has checked the
// rest of every text; which fields are one line is known here.
func oneLine(fields map[string]string, name, v string) {
	if err := storedtext.Check(v, storedtext.Line); err != nil && fields[name] == "" {
		fields[name] = err.Error()
	}
}
