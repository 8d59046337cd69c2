package portal

import "github.com/trygg/trygg/internal/web/server"

// Messages of Mina sidor's home and the choice of whom the citizen acts
// for (portal.go).
var _ = server.Catalog(map[string]string{
	"portal.title":        "Mina sidor",
	"portal.actfor.title": "Vem agerar du för?",
	"portal.actfor.help":  "Du kan agera för dig själv, för barn som du är vårdnadshavare för och för personer som du är företrädare för. Handläggaren ser att det är du som gjort det.",
	"portal.cases":        "Ärenden",
	"portal.nocases":      "Det finns inga ärenden.",
	"portal.opened":       "inkom",
}, map[string]string{
	"portal.title":        "My pages",
	"portal.actfor.title": "Whom are you acting for?",
	"portal.actfor.help":  "You can act for yourself, for children in your custody and for persons you represent. The officer sees that it was you who did it.",
	"portal.cases":        "Cases",
	"portal.nocases":      "There are no cases.",
	"portal.opened":       "received",
})
