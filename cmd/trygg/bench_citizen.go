package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/trygg"
)

// caseLink finds the portal's links to a person's case pages.
var caseLink = regexp.MustCompile(`href="(/portal/cases/[^"/?#]+)"`)

// citizen measures Mina sidor: each virtual user, signed in as one of the
// demo's citizens, opens the portal's start page (the cases of the person
// acted for) and then one of those cases (status, next step, decisions,
// plan), in turns. Every page reads personal data, so each is a durable
// access-log write as well.
func (b *bench) citizen(ctx context.Context) ([]benchRow, error) {
	var names []string
	for _, l := range b.ds.Logins {
		if l.Role == string(trygg.RoleCitizen) {
			names = append(names, l.Username)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the generated municipality has no citizen login")
	}
	b.progress("signing in %d virtual users as the demo's %d citizens", len(b.vus), len(names))
	tokens := make([]string, len(b.vus))
	cases := make([][]string, len(b.vus))
	for i := range b.vus {
		var sess struct{ Token string }
		if err := b.callJSON(ctx, b.logURL, "", "POST", "/api/v1/session",
			map[string]string{"tenant": string(demo.TenantID), "username": names[i%len(names)], "password": demo.Password}, http.StatusCreated, &sess); err != nil {
			return nil, fmt.Errorf("sign in citizen: %w", err)
		}
		tokens[i] = sess.Token
		page, err := b.call(ctx, b.logURL, sess.Token, "GET", "/portal", nil, http.StatusOK)
		if err != nil {
			return nil, err
		}
		for _, m := range caseLink.FindAllSubmatch(page, -1) {
			cases[i] = append(cases[i], string(m[1]))
		}
	}
	turn := make([]int, len(b.vus))
	return b.httpWorkload(ctx, "citizen: Mina sidor, start page and a case", "page", b.logURL, func(b *bench, ctx context.Context, base string, vu *benchVU) error {
		i := vu.index
		turn[i]++
		path := "/portal"
		if n := len(cases[i]); n > 0 && turn[i]%2 == 0 {
			path = cases[i][turn[i]/2%n]
		}
		_, err := b.call(ctx, base, tokens[i], "GET", path, nil, http.StatusOK)
		return err
	})
}
