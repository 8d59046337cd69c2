package bench

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

var (
	// caseLink finds the portal's links to a person's case pages.
	caseLink = regexp.MustCompile(`href="(/portal/cases/[^"/?#]+)"`)
	// messageForm finds the message form on a case's conversation page;
	// a closed case's page has none.
	messageForm = regexp.MustCompile(`<form method="post" action="(/portal/cases/[^"/?#]+/messages)"`)
	// pageAlert finds the problem a page shows (the error page's, or a
	// form's refusal); problems hold no personal data.
	pageAlert = regexp.MustCompile(`role="alert">([^<]+)<`)
)

// benchSessionCookie is the name of the server's session cookie.
const benchSessionCookie = "trygg_session"

// benchMessage is the text every bench message sends.
const benchMessage = "Hej! Jag undrar hur det går med mitt ärende och när jag kan vänta mig besked. Jag kan nås på förmiddagarna. Vänliga hälsningar"

// citizen measures Mina sidor in two runs, a row each, so each figure is
// one thing: the pages (start page and a case, see citizenPages), then
// messages sent through the conversation's form (see citizenMessages).
func (b *bench) citizen(ctx context.Context) ([]benchRow, error) {
	pages, err := b.citizenPages(ctx)
	if err != nil {
		return nil, err
	}
	msgs, err := b.citizenMessages(ctx)
	return append(pages, msgs...), err
}

// citizenPages measures Mina sidor's pages: each virtual user, signed in
// as one of the demo's citizens, opens the portal's start page (the cases
// of the person acted for) and then one of those cases (status, next step,
// decisions, plan), in turns. Every page reads personal data, so each is a
// durable access-log write as well.
func (b *bench) citizenPages(ctx context.Context) ([]benchRow, error) {
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

// citizenMessages measures citizens sending a message in one of their
// cases through Mina sidor's form, as a browser posts it. Each virtual
// user is a citizen of their own (an adult with an open case, signed in
// with the demo's test e-identification before anything is timed), so no
// two write in one conversation at once. One op is one POST; the answer
// must be 303 back to the conversation, anything else is an error.
func (b *bench) citizenMessages(ctx context.Context) ([]benchRow, error) {
	site := b.citizenBrowser()
	writers, err := b.messageWriters(ctx, site, len(b.vus))
	if err != nil {
		return nil, err
	}
	b.progress("workload citizen, messages sent (%v, %d virtual users, one citizen each)", b.opt.Duration, len(writers))
	r := b.measured(ctx, "citizen: message sent on Mina sidor (the form)", "message (1 POST)", len(writers), b.opt.Duration,
		func(ctx context.Context, w int) error {
			return site.sendMessage(ctx, writers[w])
		})
	r.limit, r.limitBy = b.commitRate, "commits"
	perCitizen := float64(r.ops) / float64(len(writers))
	b.citizenNotes = append(b.citizenNotes,
		fmt.Sprintf("citizen messages: one op is one POST of Mina sidor's message form (/portal/cases/{id}/messages) as a browser sends it "+
			"(session cookie, Origin and Sec-Fetch-Site for the cross-origin protection), answered 303 back to the conversation (not followed); "+
			"any other answer is an error. The portal reads whom the citizen acts for (access-log entries, group-committed), then one transaction "+
			"writes the message, its event, the officer's inbox task when none is open and the access-log row. %d virtual users, each its own "+
			"citizen: adults with an open case of their own, signed in through the demo's test e-identification (which links a citizen account "+
			"on the first sign-in, as e-identification does) before anything is timed.", len(writers)),
		fmt.Sprintf("citizen messages and rate limits: the bench's servers run without rate limits, as for every row. serve's default "+
			"--limit-citizen-submit 30/1h would refuse each citizen's 31st message within the hour; here each citizen sent %s messages "+
			"(%s a second), so the row is the server's capacity for messages spread over many citizens, not what one citizen may send. "+
			"A 429 would count as an error.", num(perCitizen), num(perCitizen/r.elapsed.Seconds())))
	return []benchRow{r}, ctx.Err()
}

// messageWriter is a citizen who sends messages in the bench: their
// session and the message forms of the cases they may write in. Only one
// goroutine uses a messageWriter at a time.
type messageWriter struct {
	cookie string   // the session cookie's value
	forms  []string // the forms' actions, /portal/cases/{id}/messages
	next   int
}

// messageWriters signs in up to n citizens who may write a message: adults
// without protected identity or an account of their own in the demo, with
// a case outside the demo's journeys whose conversation page has the
// message form. It returns an error if none is found.
func (b *bench) messageWriters(ctx context.Context, site *citizenBrowser, n int) ([]*messageWriter, error) {
	byID := map[string]persons.Person{}
	for _, p := range b.ds.Persons {
		byID[p.ID] = p
	}
	hasAccount := map[string]bool{}
	for _, u := range b.ds.Users {
		if u.PersonID != "" {
			hasAccount[u.PersonID] = true
		}
	}
	today := b.db.Now()
	seen := map[string]bool{}
	var out []*messageWriter
	for _, c := range b.ds.Cases {
		if len(out) == n {
			break
		}
		p, ok := byID[c.PersonID]
		if !ok || c.Journey || seen[p.ID] || hasAccount[p.ID] || p.Protection != persons.ProtectionNone {
			continue
		}
		seen[p.ID] = true
		if t := p.Identity.Type; t != persons.IDPersonnummer && t != persons.IDSamordningsnummer {
			continue
		}
		if age, ok := p.Identity.Age(today); !ok || age < 18 {
			continue
		}
		w, err := site.signIn(ctx, p.Identity.String())
		if err != nil {
			return nil, fmt.Errorf("sign in a citizen with the test e-identification: %w", err)
		}
		if len(w.forms) > 0 {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the generated municipality has no adult with an open case of their own to send messages as")
	}
	return out, nil
}

// citizenBrowser sends requests to Mina sidor as a citizen's browser does:
// the session cookie and, with a form, the Origin and Sec-Fetch-Site the
// server's cross-origin protection checks. It follows no redirect, so a
// form's answer (303 and where to) is what it sees.
type citizenBrowser struct {
	client *http.Client
	base   string
}

// citizenBrowser returns a browser on the server with the durable access
// log, over the bench's connections.
func (b *bench) citizenBrowser() *citizenBrowser {
	return &citizenBrowser{base: b.logURL, client: &http.Client{Transport: b.client.Transport, Timeout: b.client.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request, with form (if not nil) as the body of a POST, and
// returns the answer's headers and body. Any status but want is an error
// naming the route, the status and the problem the page shows.
func (c *citizenBrowser) do(ctx context.Context, cookie, method, path string, form url.Values, want int) (http.Header, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: benchSessionCookie, Value: cookie})
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != want {
		var why string
		if m := pageAlert.FindSubmatch(data); m != nil {
			why = ": " + html.UnescapeString(strings.TrimSpace(string(m[1])))
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			why += " (rate-limited, Retry-After " + resp.Header.Get("Retry-After") + " s)"
		}
		return nil, nil, fmt.Errorf("%s %s: status %d%s", method, routeOf(path), resp.StatusCode, why)
	}
	return resp.Header, data, nil
}

// signIn signs the citizen with the identity number in through the demo's
// test e-identification form, then finds on Mina sidor the person's cases
// and, on each conversation page, the message form.
func (c *citizenBrowser) signIn(ctx context.Context, number string) (*messageWriter, error) {
	h, _, err := c.do(ctx, "", "POST", "/auth/test", url.Values{"identity_number": {number}}, http.StatusSeeOther)
	if err != nil {
		return nil, err
	}
	w := &messageWriter{}
	for _, line := range h.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(line); err == nil && ck.Name == benchSessionCookie {
			w.cookie = ck.Value
		}
	}
	if w.cookie == "" {
		return nil, fmt.Errorf("POST /auth/test: no session cookie")
	}
	_, page, err := c.do(ctx, w.cookie, "GET", "/portal", nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	for _, m := range caseLink.FindAllSubmatch(page, -1) {
		_, conv, err := c.do(ctx, w.cookie, "GET", string(m[1])+"/messages", nil, http.StatusOK)
		if err != nil {
			return nil, err
		}
		if f := messageForm.FindSubmatch(conv); f != nil {
			w.forms = append(w.forms, string(f[1]))
		}
	}
	return w, nil
}

// sendMessage posts the bench message in the writer's next case; the
// answer must send the browser back to that conversation, marked sent.
func (c *citizenBrowser) sendMessage(ctx context.Context, w *messageWriter) error {
	action := w.forms[w.next%len(w.forms)]
	w.next++
	h, _, err := c.do(ctx, w.cookie, "POST", action, url.Values{"body": {benchMessage}}, http.StatusSeeOther)
	if err != nil {
		return err
	}
	if loc := h.Get("Location"); !strings.HasPrefix(loc, action+"?sent=1") {
		return fmt.Errorf("POST %s: sent on to %s, not back to the conversation", routeOf(action), routeOf(loc))
	}
	return nil
}
