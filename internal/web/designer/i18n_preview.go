package designer

import "github.com/trygg/trygg/internal/web/server"

// Messages of a form's preview (preview.go).
var _ = server.Catalog(map[string]string{
	"preview.title":    "Förhandsgranska formulär",
	"preview.intro":    "Så här ser formuläret ut för en handläggare. Fyll i för att se villkor, beräkningar och kontroller arbeta. Inget sparas.",
	"preview.form":     "Formulär",
	"preview.casetype": "Ärendetyp",
	"preview.age":      "Personens ålder",
	"preview.sex":      "Kön",
	"preview.female":   "Kvinna",
	"preview.male":     "Man",
	"preview.show":     "Visa",
	"preview.version":  "Publicerad version",
	"preview.draft":    "Arbetsutkastet (eller den senaste versionen om utkastet är tomt)",
}, map[string]string{
	"preview.title":    "Preview a form",
	"preview.intro":    "This is how the form looks to a case officer. Fill it in to see its conditions, computations and checks at work. Nothing is saved.",
	"preview.form":     "Form",
	"preview.casetype": "Case type",
	"preview.age":      "The person's age",
	"preview.sex":      "Sex",
	"preview.female":   "Female",
	"preview.male":     "Male",
	"preview.show":     "Show",
	"preview.version":  "Published version",
	"preview.draft":    "The working draft (or the newest version if the draft is empty)",
})
