package staff

import "github.com/trygg/trygg/internal/web/server"

// Messages of the staff pages' frame: navigation, profile, common words.
var _ = server.Catalog(map[string]string{
	"skip":          "Hoppa till innehållet",
	"nav.label":     "Huvudmeny",
	"nav.inbox":     "Inkorg",
	"nav.search":    "Sök person",
	"nav.reports":   "Rapporter",
	"nav.designer":  "Processer",
	"nav.accesslog": "Logggranskning",
	"demo.banner":   "Demoläge – bara påhittade uppgifter.",
	"me.title":      "Min profil",
	"me.username":   "Användarnamn",
	"me.protected":  "Behörighet till skyddade personuppgifter",
	"yes":           "Ja",
	"no":            "Nej",
	"save":          "Spara",
	"cancel":        "Avbryt",
	"none":          "Inga",
}, map[string]string{
	"skip":          "Skip to content",
	"nav.label":     "Main menu",
	"nav.inbox":     "Inbox",
	"nav.search":    "Find a person",
	"nav.reports":   "Reports",
	"nav.designer":  "Processes",
	"nav.accesslog": "Access log review",
	"demo.banner":   "Demo mode – made-up data only.",
	"me.title":      "My profile",
	"me.username":   "Username",
	"me.protected":  "May see protected personal data",
	"yes":           "Yes",
	"no":            "No",
	"save":          "Save",
	"cancel":        "Cancel",
	"none":          "None",
})
