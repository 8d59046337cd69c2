package server

import (
	"maps"
	"net/http"
)

// messages is the UI message catalog: Swedish by default, English too.
// Each area of the UI adds its own keys with Catalog (in its own file);
// a test checks that both languages have every key and that every key a
// template uses exists.
var messages = map[string]map[string]string{
	"sv": {
		"app.tagline":                "Socialtjänstens ärenden, samlade och säkra",
		"login.title":                "Logga in",
		"login.username":             "Användarnamn",
		"login.password":             "Lösenord",
		"login.submit":               "Logga in",
		"login.oidc":                 "Logga in med organisationens inloggning",
		"login.failed":               "Inloggningen misslyckades",
		"login.demo":                 "Demoläge: detta är inte ett skarpt system. Demokonton finns i terminalen där servern startades.",
		"login.or":                   "eller",
		"home.signedin":              "Du är inloggad som",
		"home.roles":                 "Dina roller",
		"logout":                     "Logga ut",
		"lang.switch":                "In English",
		"lang.other":                 "en",
		"error.title":                "Något gick fel",
		"error.back":                 "Till inloggningen",
		"role.handlaggare":           "Handläggare",
		"role.arbetsledare":          "Arbetsledare",
		"role.utforare":              "Utförare",
		"role.invanare":              "Invånare",
		"role.verksamhetsutvecklare": "Verksamhetsutvecklare",
		"role.analytiker":            "Analytiker",
		"role.logggranskare":         "Logggranskare",
		"role.arkivarie":             "Arkivarie",
		"role.systemforvaltare":      "Systemförvaltare",
		"unit":                       "enhet",
		"nav.home":                   "Start",
		"reports.title":              "Rapporter",
		"reports.none":               "Det finns inga rapporter som din roll får ta fram.",
		"reports.period.month":       "Månad",
		"reports.period.quarter":     "Kvartal",
		"reports.period.year":        "År",
		"reports.hint.month":         "Till exempel 2026-07",
		"reports.hint.quarter":       "Till exempel 2026-Q3",
		"reports.hint.year":          "Till exempel 2026",
		"reports.badperiod.month":    "Ange månaden som år och månad, till exempel 2026-07, och en månad som har börjat.",
		"reports.badperiod.quarter":  "Ange kvartalet som år och kvartal, till exempel 2026-Q3, och ett kvartal som har börjat.",
		"reports.badperiod.year":     "Ange året med fyra siffror, till exempel 2026, och ett år som har börjat.",
		"reports.run":                "Visa",
		"reports.asof":               "Läget den",
		"reports.rows":               "rader",
		"reports.csv":                "Ladda ned som CSV",
		"reports.summary":            "Sammanställning",
	},
	"en": {
		"app.tagline":                "Social services cases, together and secure",
		"login.title":                "Sign in",
		"login.username":             "Username",
		"login.password":             "Password",
		"login.submit":               "Sign in",
		"login.oidc":                 "Sign in with your organisation's account",
		"login.failed":               "Sign-in failed",
		"login.demo":                 "Demo mode: this is not a live system. Demo accounts are listed in the terminal where the server started.",
		"login.or":                   "or",
		"home.signedin":              "You are signed in as",
		"home.roles":                 "Your roles",
		"logout":                     "Sign out",
		"lang.switch":                "På svenska",
		"lang.other":                 "sv",
		"error.title":                "Something went wrong",
		"error.back":                 "Back to sign-in",
		"role.handlaggare":           "Case officer",
		"role.arbetsledare":          "Team lead",
		"role.utforare":              "Provider staff",
		"role.invanare":              "Citizen",
		"role.verksamhetsutvecklare": "Process designer",
		"role.analytiker":            "Analyst",
		"role.logggranskare":         "Log reviewer",
		"role.arkivarie":             "Archivist",
		"role.systemforvaltare":      "System administrator",
		"unit":                       "unit",
		"nav.home":                   "Home",
		"reports.title":              "Reports",
		"reports.none":               "There are no reports your role may run.",
		"reports.period.month":       "Month",
		"reports.period.quarter":     "Quarter",
		"reports.period.year":        "Year",
		"reports.hint.month":         "For example 2026-07",
		"reports.hint.quarter":       "For example 2026-Q3",
		"reports.hint.year":          "For example 2026",
		"reports.badperiod.month":    "Give the month as year and month, for example 2026-07, and a month that has begun.",
		"reports.badperiod.quarter":  "Give the quarter as year and quarter, for example 2026-Q3, and a quarter that has begun.",
		"reports.badperiod.year":     "Give the year in four digits, for example 2026, and a year that has begun.",
		"reports.run":                "Show",
		"reports.asof":               "As of",
		"reports.rows":               "rows",
		"reports.csv":                "Download as CSV",
		"reports.summary":            "Summary",
	},
}

// lang returns the request's UI language: the ?lang= choice (remembered in
// a cookie), else the cookie, else Swedish.
func lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "sv" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "trygg_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie("trygg_lang"); err == nil && (c.Value == "sv" || c.Value == "en") {
		return c.Value
	}
	return "sv"
}

// Catalog adds an area's messages in Swedish and English to the catalog;
// a key defined twice is a programming error (it panics). Each surface
// adds its own, from a package-level variable, so every key is there
// before the first request.
func Catalog(sv, en map[string]string) bool {
	for l, m := range map[string]map[string]string{"sv": sv, "en": en} {
		for k, v := range m {
			if _, dup := messages[l][k]; dup {
				panic("web: message " + k + " is defined twice")
			}
			messages[l][k] = v
		}
	}
	return true
}

// Messages returns a copy of the catalog in lang (sv or en), for the
// tests that check it.
func Messages(lang string) map[string]string { return maps.Clone(messages[lang]) }

// Translator returns a lookup for lang that falls back to Swedish, then the key.
func Translator(l string) func(string) string {
	return func(key string) string {
		if v, ok := messages[l][key]; ok {
			return v
		}
		if v, ok := messages["sv"][key]; ok {
			return v
		}
		return key
	}
}
