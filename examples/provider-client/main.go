// Command provider-client is an example of a provider's own system (a
// planning or reporting system) working with trygg's orders API, using only
// the standard library. Each run it:
//
//  1. gets an access token at /oauth/token (OAuth 2.0 client credentials);
//  2. reads the orders feed from the cursor kept in its state file, and
//     accepts each new order from the day it runs for;
//  3. reports that day's visits on the provider's accepted orders as one
//     batch, under a key derived from the visits themselves.
//
// Re-running it for the same day sends the same batch with the same key,
// which trygg answers from the first time ("replayed"): nothing is counted
// twice, even if the state file was lost. See README.md.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider-client:", err)
		os.Exit(1)
	}
}

// config is what a run needs, from flags or the environment.
type config struct {
	baseURL      string
	clientID     string
	clientSecret string
	statePath    string
	day          string
	visitStart   string
	visitEnd     string
}

var visitRe = regexp.MustCompile(`^(\d\d:\d\d)-(\d\d:\d\d)$`)

// parseConfig reads the flags, falling back on TRYGG_* variables. The
// secret may also come from a file (TRYGG_CLIENT_SECRET_FILE), so it need
// not be on the command line.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var c config
	var visit string
	fs := flag.NewFlagSet("provider-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.baseURL, "url", env("TRYGG_URL", "http://127.0.0.1:8080"), "trygg's base URL (TRYGG_URL)")
	fs.StringVar(&c.clientID, "client-id", getenv("TRYGG_CLIENT_ID"), "the API client's id (TRYGG_CLIENT_ID)")
	fs.StringVar(&c.clientSecret, "client-secret", getenv("TRYGG_CLIENT_SECRET"),
		"the API client's secret (TRYGG_CLIENT_SECRET, or a file named by TRYGG_CLIENT_SECRET_FILE)")
	fs.StringVar(&c.statePath, "state", env("TRYGG_STATE", "provider-client-state.json"),
		"the file keeping the feed's cursor and the batches sent (TRYGG_STATE)")
	fs.StringVar(&c.day, "day", time.Now().Format(time.DateOnly), "the day to accept new orders from and report visits for, YYYY-MM-DD")
	fs.StringVar(&visit, "visit", "08:00-08:45", "the visit made on each accepted order that day, HH:MM-HH:MM")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.clientSecret == "" {
		if f := getenv("TRYGG_CLIENT_SECRET_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return c, err
			}
			c.clientSecret = strings.TrimSpace(string(b))
		}
	}
	if c.clientID == "" || c.clientSecret == "" {
		return c, errors.New("give the API client's id and secret (-client-id, -client-secret or TRYGG_CLIENT_ID, TRYGG_CLIENT_SECRET)")
	}
	if _, err := time.Parse(time.DateOnly, c.day); err != nil {
		return c, fmt.Errorf("-day %q: want YYYY-MM-DD", c.day)
	}
	m := visitRe.FindStringSubmatch(visit)
	if m == nil || m[1] >= m[2] {
		return c, fmt.Errorf("-visit %q: want HH:MM-HH:MM, the end after the start", visit)
	}
	c.visitStart, c.visitEnd = m[1], m[2]
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	return c, nil
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	st, err := loadState(cfg.statePath)
	if err != nil {
		return err
	}
	c := &client{base: cfg.baseURL, http: &http.Client{Timeout: 30 * time.Second}}
	expires, err := c.signIn(ctx, cfg.clientID, cfg.clientSecret)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token: ok, valid for %d s\n", expires)
	if err := readFeed(ctx, c, cfg, st, stdout); err != nil {
		return err
	}
	return reportVisits(ctx, c, cfg, st, stdout)
}

// The API's shapes, as far as this client needs them (the whole of them
// is in trygg's /api/openapi.json).

type order struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	StartDate string `json:"start_date"`
	Content   struct {
		InsatsLabel string `json:"insats_label"`
		Needs       []struct {
			Code string `json:"code"`
		} `json:"needs"`
	} `json:"content"`
}

type feedPage struct {
	Items []struct {
		Cursor  int64  `json:"cursor"`
		Type    string `json:"type"`
		OrderID string `json:"order_id"`
		Order   order  `json:"order"`
	} `json:"items"`
	Next int64 `json:"next"`
}

// entry is one report of work done, as a batch carries it.
type entry struct {
	OrderID    string   `json:"order_id"`
	On         string   `json:"on"`
	Start      string   `json:"start"`
	End        string   `json:"end"`
	Activities []string `json:"activities"`
}

type batch struct {
	Key     string  `json:"key"`
	Entries []entry `json:"entries"`
}

type batchResult struct {
	Key      string   `json:"key"`
	IDs      []string `json:"ids"`
	Replayed bool     `json:"replayed"`
}

// state is what the client keeps between runs: the feed's cursor, and the
// batches it has composed per day, so a re-run sends exactly the same ones.
type state struct {
	path    string
	Cursor  int64              `json:"cursor"`
	Batches map[string][]batch `json:"batches"`
}

func loadState(path string) (*state, error) {
	st := &state{path: path, Batches: map[string][]batch{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if st.Batches == nil {
		st.Batches = map[string][]batch{}
	}
	return st, nil
}

// save writes the state to a new file and renames it into place, so a
// crash leaves the old state or the new, never half of one.
func (st *state) save() error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(st.path), ".provider-client-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), st.path)
}

// readFeed reads the feed page by page from the stored cursor, accepts the
// orders that are new (sent) and stores the page's next cursor after each
// page. A crash before storing it means the page comes again; accepting an
// order twice is answered 409, which is harmless.
func readFeed(ctx context.Context, c *client, cfg config, st *state, stdout io.Writer) error {
	for {
		var page feedPage
		if _, err := c.do(ctx, "GET", fmt.Sprintf("/api/v1/orders/feed?after=%d&limit=100", st.Cursor), nil, &page); err != nil {
			return fmt.Errorf("reading the feed: %w", err)
		}
		if len(page.Items) == 0 {
			fmt.Fprintf(stdout, "feed: nothing new after cursor %d\n", st.Cursor)
			return nil
		}
		// The newest state of each order in the page decides.
		latest := map[string]order{}
		var ids []string
		for _, it := range page.Items {
			fmt.Fprintf(stdout, "feed: %s %s (%s)\n", it.Type, it.OrderID, it.Order.Content.InsatsLabel)
			if _, seen := latest[it.OrderID]; !seen {
				ids = append(ids, it.OrderID)
			}
			latest[it.OrderID] = it.Order
		}
		for _, id := range ids {
			if o := latest[id]; o.Status == "sent" {
				accept(ctx, c, cfg, o, stdout)
			}
		}
		st.Cursor = page.Next
		if err := st.save(); err != nil {
			return err
		}
	}
}

// accept accepts an order from the day the client runs for (or from the
// start of the decision's period, if that is later). A refusal is printed,
// not fatal: someone may have accepted the order on the phone page, or the
// officer changed it meanwhile.
func accept(ctx context.Context, c *client, cfg config, o order, stdout io.Writer) {
	start := cfg.day
	if o.ValidFrom > start {
		start = o.ValidFrom
	}
	var got order
	if _, err := c.do(ctx, "POST", "/api/v1/orders/"+o.ID+"/acceptance", map[string]string{"start_date": start}, &got); err != nil {
		fmt.Fprintf(stdout, "accept: %s (%s) not accepted: %v\n", o.ID, o.Content.InsatsLabel, err)
		return
	}
	fmt.Fprintf(stdout, "accept: %s (%s) accepted from %s\n", o.ID, o.Content.InsatsLabel, got.StartDate)
}

// reportVisits reports the day's visits on the accepted orders. The
// batches already composed for the day are sent again as they were (trygg
// answers "replayed" and counts nothing twice); orders accepted since get
// a new batch of their own.
func reportVisits(ctx context.Context, c *client, cfg config, st *state, stdout io.Writer) error {
	// The list comes a page at a time; next names the page after.
	var list struct {
		Orders []order `json:"orders"`
		Next   string  `json:"next"`
	}
	var accepted []order
	for cursor := ""; ; cursor = list.Next {
		list.Orders, list.Next = nil, ""
		if _, err := c.do(ctx, "GET", "/api/v1/orders?status=accepted&limit=500&cursor="+url.QueryEscape(cursor), nil, &list); err != nil {
			return fmt.Errorf("listing the accepted orders: %w", err)
		}
		accepted = append(accepted, list.Orders...)
		if list.Next == "" {
			break
		}
	}
	list.Orders = accepted
	covered := map[string]bool{}
	for _, b := range st.Batches[cfg.day] {
		for _, e := range b.Entries {
			covered[e.OrderID] = true
		}
	}
	var fresh []entry
	for _, o := range list.Orders {
		if covered[o.ID] || o.StartDate > cfg.day || (o.ValidTo != "" && o.ValidTo < cfg.day) {
			continue
		}
		var acts []string
		for _, n := range o.Content.Needs {
			if !slices.Contains(acts, n.Code) {
				acts = append(acts, n.Code)
			}
		}
		if len(acts) == 0 {
			fmt.Fprintf(stdout, "visits: %s (%s) skipped: the order names no needs to report activities for\n", o.ID, o.Content.InsatsLabel)
			continue
		}
		fresh = append(fresh, entry{OrderID: o.ID, On: cfg.day, Start: cfg.visitStart, End: cfg.visitEnd, Activities: acts})
	}
	if len(fresh) > 0 {
		// The same visits give the same key, so even a client that lost its
		// state sends a known batch again rather than a new one.
		slices.SortFunc(fresh, func(a, b entry) int { return strings.Compare(a.OrderID, b.OrderID) })
		body, _ := json.Marshal(fresh)
		sum := sha256.Sum256(body)
		b := batch{Key: "visits-" + cfg.day + "-" + hex.EncodeToString(sum[:8]), Entries: fresh}
		// Kept before it is sent: if the answer is lost, the next run
		// sends the same batch.
		st.Batches[cfg.day] = append(st.Batches[cfg.day], b)
		if err := st.save(); err != nil {
			return err
		}
	}
	if len(st.Batches[cfg.day]) == 0 {
		fmt.Fprintf(stdout, "visits: nothing to report on %s\n", cfg.day)
		return nil
	}
	for i := 0; i < len(st.Batches[cfg.day]); i++ {
		b := st.Batches[cfg.day][i]
		var res batchResult
		status, err := c.do(ctx, "POST", "/api/v1/performed-batches", b, &res)
		var pe *problemError
		if errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity {
			// Refused as a whole: nothing was saved, so it is dropped and
			// the orders are tried again next run.
			st.Batches[cfg.day] = slices.Delete(st.Batches[cfg.day], i, i+1)
			if serr := st.save(); serr != nil {
				return serr
			}
			return fmt.Errorf("batch %s refused, nothing saved: %w", b.Key, err)
		}
		if err != nil {
			return fmt.Errorf("batch %s: %w (it is kept and sent again next run)", b.Key, err)
		}
		if res.Replayed {
			fmt.Fprintf(stdout, "visits: batch %s already received (%d visits on %s): replayed, nothing counted twice\n", b.Key, len(res.IDs), cfg.day)
			continue
		}
		fmt.Fprintf(stdout, "visits: batch %s reported %d visits on %s (status %d)\n", b.Key, len(res.IDs), cfg.day, status)
	}
	return nil
}

// client calls trygg's API with an access token.
type client struct {
	base   string
	http   *http.Client
	access string // the access token
}

// signIn gets an access token with the client credentials grant (HTTP
// Basic, the id and secret form-encoded first as RFC 6749 §2.3.1 says) and
// returns its lifetime in seconds.
func (c *client) signIn(ctx context.Context, id, secret string) (int64, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return 0, fmt.Errorf("token: status %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("token: status %d: %s: %s", resp.StatusCode, tok.Error, tok.Description)
	}
	c.access = tok.AccessToken
	return tok.ExpiresIn, nil
}

// problemError is an RFC 9457 problem answer.
type problemError struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *problemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", p.Status, p.Detail)
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "; %s: %s", e.Field, e.Message)
	}
	return b.String()
}

// do sends a JSON request (body nil for none) and decodes a 2xx answer
// into out; any other answer is a *problemError. It returns the status.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.access)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		p := &problemError{Status: resp.StatusCode}
		if json.Unmarshal(b, p) != nil || p.Detail == "" {
			p.Detail = strings.TrimSpace(string(b))
		}
		return resp.StatusCode, p
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}
