package portal

import "github.com/trygg/trygg/internal/web/server"

var _ = server.Catalog(map[string]string{
	"nav.portal":                "Mina sidor",
	"portal.title":              "Mina sidor",
	"portal.actingfor":          "Du agerar för",
	"portal.switch":             "Byt person",
	"portal.rel.self":           "dig själv",
	"portal.rel.guardian":       "vårdnadshavare",
	"portal.rel.representative": "företrädare",
	"portal.actfor.title":       "Vem agerar du för?",
	"portal.actfor.help":        "Du kan agera för dig själv, för barn som du är vårdnadshavare för och för personer som du är företrädare för. Handläggaren ser att det är du som gjort det.",
	"portal.cases":              "Ärenden",
	"portal.nocases":            "Det finns inga ärenden.",
	"portal.opened":             "inkom",
}, map[string]string{
	"nav.portal":                "My pages",
	"portal.title":              "My pages",
	"portal.actingfor":          "You are acting for",
	"portal.switch":             "Change person",
	"portal.rel.self":           "yourself",
	"portal.rel.guardian":       "guardian",
	"portal.rel.representative": "representative",
	"portal.actfor.title":       "Whom are you acting for?",
	"portal.actfor.help":        "You can act for yourself, for children in your custody and for persons you represent. The officer sees that it was you who did it.",
	"portal.cases":              "Cases",
	"portal.nocases":            "There are no cases.",
	"portal.opened":             "received",
})
