package server

import (
	"maps"
	"net/http"
)

// messages is the UI message catalog: Swedish by default, English too.
// Each surface adds its own keys with Catalog (in its i18n*.go files), and
// this package the keys more than one surface uses (i18n_shared.go); a
// test of internal/web checks that both languages have every key and that
// every key a template or handler uses exists.
var messages = map[string]map[string]string{
	"sv": {},
	"en": {},
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

// translator returns a lookup for lang that falls back to Swedish, then the key.
func translator(l string) func(string) string {
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
