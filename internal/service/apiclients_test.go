package service_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// providerWorld is a small demo municipality with an external and an
// internal provider.
type providerWorld struct {
	ctx           context.Context
	db            *store.DB
	svc           *service.Service
	clock         *storetest.Clock
	actor         func(string) trygg.Actor
	admin         trygg.Actor
	external, own store.Provider
}

func newProviderWorld(t *testing.T, engine string) *providerWorld {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, engine, clock)
	dw := newDemoWorld(t, db, 3, 3, clock.Now())
	w := &providerWorld{ctx: context.Background(), db: db, svc: dw.svc, clock: clock, actor: dw.actorFunc(t)}
	w.admin = w.actor("admin")
	var err error
	w.external, err = w.svc.CreateProvider(w.ctx, w.admin, service.ProviderInput{Name: "Omsorg i Norr AB", Kind: service.ProviderExternal,
		OrgNumber: "5560360793", Insatser: []string{"hemtjanst"}, Areas: []string{"norra-ao"}})
	if err != nil {
		t.Fatal(err)
	}
	w.own, err = w.svc.CreateProvider(w.ctx, w.admin, service.ProviderInput{Name: "Hemtjänsten Norra", Kind: service.ProviderInternal,
		UnitID: "norra-ao", Insatser: []string{"hemtjanst"}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// lastSeq returns the number of the demo tenant's newest event.
func lastSeq(t *testing.T, ctx context.Context, db *store.DB) int64 {
	t.Helper()
	var seq int64
	for {
		evs, err := db.Events(ctx, demo.TenantID, seq, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return seq
		}
		seq = evs[len(evs)-1].Seq
	}
}

func (w *providerWorld) lastSeq(t *testing.T) int64 { return lastSeq(t, w.ctx, w.db) }

// eventTypes returns the types of the events after seq.
func (w *providerWorld) eventTypes(t *testing.T, after int64) []string {
	t.Helper()
	evs, err := w.db.Events(w.ctx, demo.TenantID, after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestProviderStaffAccounts: a provider's staff get the provider role and
// their provider on the actor; every wrong combination is a field error
// and writes nothing.
func TestProviderStaffAccounts(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newProviderWorld(t, engine)
			provider := func(unit string) []trygg.Grant { return []trygg.Grant{{Role: trygg.RoleProvider, UnitID: unit}} }
			for _, tc := range []struct {
				name, providerID string
				grants           []trygg.Grant
			}{
				{"external provider's staff, root unit", w.external.ID, provider("soc")},
				{"internal provider's staff, its unit", w.own.ID, provider("norra-ao")},
				{"provider's staff without grants yet", w.external.ID, nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					username := strings.ReplaceAll(tc.name, " ", "-")
					u, err := w.svc.CreateUser(w.ctx, w.admin, service.UserInput{Username: username, DisplayName: "Utförare",
						Password: "correct horse battery", ProviderID: tc.providerID, Grants: tc.grants})
					if err != nil || u.ProviderID != tc.providerID {
						t.Fatalf("create: %+v, %v", u, err)
					}
					a := w.actor(username)
					if a.ProviderID != tc.providerID || len(a.Grants) != len(tc.grants) {
						t.Fatalf("actor: %+v, want provider %s and grants %v", a, tc.providerID, tc.grants)
					}
					sess, err := w.svc.SignIn(w.ctx, demo.TenantID, username, "correct horse battery")
					if err != nil || sess.Actor.ProviderID != tc.providerID {
						t.Fatalf("staff sign in: %+v, %v", sess.Actor, err)
					}
				})
			}
			for _, tc := range []struct {
				name      string
				actor     string
				in        service.UserInput
				code, bad string
			}{
				{"unknown provider", "admin", service.UserInput{ProviderID: "nowhere", Grants: provider("soc")}, trygg.EInvalid, "provider_id"},
				{"provider staff as officer", "admin", service.UserInput{ProviderID: w.external.ID,
					Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "norra-ao"}}}, trygg.EInvalid, "grants"},
				{"provider staff with a second role", "admin", service.UserInput{ProviderID: w.external.ID,
					Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "soc"}, {Role: trygg.RoleSysAdmin, UnitID: "soc"}}}, trygg.EInvalid, "grants"},
				{"provider role without provider", "admin", service.UserInput{Grants: provider("soc")}, trygg.EInvalid, "provider_id"},
				{"provider role in no unit", "admin", service.UserInput{ProviderID: w.external.ID, Grants: provider("nowhere")}, trygg.EInvalid, "grants"},
				{"not an administrator", "handlaggare", service.UserInput{ProviderID: w.external.ID, Grants: provider("soc")}, trygg.EForbidden, ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := w.lastSeq(t)
					tc.in.Username, tc.in.DisplayName = "bad-staff", "Fel"
					_, err := w.svc.CreateUser(w.ctx, w.actor(tc.actor), tc.in)
					var te *trygg.Error
					if trygg.ErrorCode(err) != tc.code || tc.bad != "" && (!errors.As(err, &te) || te.Fields[tc.bad] == "") {
						t.Fatalf("got %v, want %s naming %q", err, tc.code, tc.bad)
					}
					if _, err := w.db.UserByUsername(w.ctx, demo.TenantID, "bad-staff"); trygg.ErrorCode(err) != trygg.ENotFound {
						t.Fatalf("the user was written: %v", err)
					}
					if got := w.eventTypes(t, before); len(got) != 0 {
						t.Fatalf("events written: %v", got)
					}
				})
			}
		})
	}
}

// TestAPIClients: an administrator creates, lists and revokes a
// provider's API clients; a client gets tokens only with its secret, acts
// as the provider, never signs in with a password, and its tokens end at
// revocation.
func TestAPIClients(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newProviderWorld(t, engine)
			officer := w.actor("handlaggare")
			// A staff member whose username looks like a client id.
			staffID := string(demo.TenantID) + ".kalle"
			if _, err := w.svc.CreateUser(w.ctx, w.admin, service.UserInput{Username: staffID, DisplayName: "Kalle",
				Password: "correct horse battery"}); err != nil {
				t.Fatal(err)
			}
			start := w.lastSeq(t)

			// Only an administrator, only for a provider, only with a name;
			// nothing is written otherwise.
			for _, tc := range []struct {
				name             string
				actor            trygg.Actor
				provider, client string
				code             string
			}{
				{"officer", officer, w.external.ID, "System", trygg.EForbidden},
				{"unknown provider", w.admin, "nowhere", "System", trygg.ENotFound},
				{"no name", w.admin, w.external.ID, "  ", trygg.EInvalid},
				{"long name", w.admin, w.external.ID, strings.Repeat("x", 201), trygg.EInvalid},
			} {
				if _, err := w.svc.CreateAPIClient(w.ctx, tc.actor, tc.provider, tc.client); trygg.ErrorCode(err) != tc.code {
					t.Fatalf("%s: got %v, want %s", tc.name, err, tc.code)
				}
			}
			if got := w.eventTypes(t, start); len(got) != 0 {
				t.Fatalf("refused clients wrote events: %v", got)
			}

			c, err := w.svc.CreateAPIClient(w.ctx, w.admin, w.external.ID, " Planeringssystemet ")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.ClientID, string(demo.TenantID)+".") || c.Name != "Planeringssystemet" || c.ProviderID != w.external.ID || c.Revoked {
				t.Fatalf("client: %+v", c.APIClient)
			}
			if raw, err := base64.RawURLEncoding.DecodeString(c.ClientSecret); err != nil || len(raw) < 32 {
				t.Fatalf("secret %q: want at least 256 random bits", c.ClientSecret)
			}
			stored, err := w.db.UserByUsername(w.ctx, demo.TenantID, c.ClientID)
			if err != nil || !stored.APIClient || stored.SecretHash != auth.TokenHash(c.ClientSecret) || stored.PasswordHash != "" {
				t.Fatalf("stored client: %+v, %v; want only the secret's hash", stored, err)
			}
			other, err := w.svc.CreateAPIClient(w.ctx, w.admin, w.own.ID, "Egen regi")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.APIClients(w.ctx, officer, w.external.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("officer lists clients: %v", err)
			}
			list, err := w.svc.APIClients(w.ctx, w.admin, w.external.ID)
			if err != nil || len(list) != 1 || list[0].ClientID != c.ClientID || list[0].Revoked {
				t.Fatalf("clients: %+v, %v", list, err)
			}

			// Tokens: only the right secret of an API client.
			for _, tc := range []struct{ name, id, secret string }{
				{"wrong secret", c.ClientID, c.ClientSecret + "x"},
				{"another client's secret", c.ClientID, other.ClientSecret},
				{"unknown client", string(demo.TenantID) + ".nobody", c.ClientSecret},
				{"no tenant", "nobody", c.ClientSecret},
				{"no secret", c.ClientID, ""},
				{"a staff member", staffID, "correct horse battery"},
			} {
				if _, err := w.svc.ClientToken(w.ctx, tc.id, tc.secret); trygg.ErrorMessage(err) != "Client authentication failed." {
					t.Fatalf("%s: got %v, want client authentication failed", tc.name, err)
				}
			}
			if _, err := w.svc.SignIn(w.ctx, demo.TenantID, c.ClientID, c.ClientSecret); trygg.ErrorMessage(err) != "Wrong username or password." {
				t.Fatalf("client signs in with a password: %v", err)
			}
			sess, err := w.svc.ClientToken(w.ctx, c.ClientID, c.ClientSecret)
			if err != nil || !sess.ExpiresAt.Equal(w.clock.Now().Add(time.Hour)) {
				t.Fatalf("token: %+v, %v; want one that lasts an hour", sess, err)
			}
			a, err := w.svc.Authenticate(w.ctx, sess.Token)
			if err != nil || a.ProviderID != w.external.ID || !a.HasRole(trygg.RoleProvider) || len(a.Grants) != 1 || a.Grants[0].UnitID != "soc" {
				t.Fatalf("client actor: %+v, %v", a, err)
			}
			if _, err := w.svc.CreateAPIClient(w.ctx, a, w.external.ID, "Mer"); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("a client creating clients: %v", err)
			}
			if a, err := w.svc.ActorByUsername(w.ctx, demo.TenantID, other.ClientID); err != nil || a.Grants[0].UnitID != "norra-ao" {
				t.Fatalf("an internal provider's client: %+v, %v; want the provider role in its unit", a, err)
			}

			// A token does not go idle, and outlives the session clean-up
			// of idle sessions, but ends after its hour.
			w.clock.Advance(45 * time.Minute)
			if _, err := w.db.DeleteExpiredSessions(w.ctx, demo.TenantID, w.clock.Now(), w.svc.SessionIdle); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Authenticate(w.ctx, sess.Token); err != nil {
				t.Fatalf("token after 45 idle minutes: %v", err)
			}
			w.clock.Advance(16 * time.Minute)
			if _, err := w.svc.Authenticate(w.ctx, sess.Token); trygg.ErrorCode(err) != trygg.EUnauthorized {
				t.Fatalf("token after 61 minutes: %v, want unauthorized", err)
			}

			// Revocation ends live tokens at once.
			sess, err = w.svc.ClientToken(w.ctx, c.ClientID, c.ClientSecret)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name             string
				actor            trygg.Actor
				provider, client string
				code             string
			}{
				{"officer", officer, w.external.ID, c.ClientID, trygg.EForbidden},
				{"another provider's client", w.admin, w.external.ID, other.ClientID, trygg.ENotFound},
				{"unknown client", w.admin, w.external.ID, string(demo.TenantID) + ".nobody", trygg.ENotFound},
				{"another tenant", w.admin, w.external.ID, "other." + strings.TrimPrefix(c.ClientID, string(demo.TenantID)+"."), trygg.ENotFound},
				{"a staff member", w.admin, w.external.ID, string(demo.TenantID) + "." + w.admin.UserID, trygg.ENotFound},
			} {
				if err := w.svc.RevokeAPIClient(w.ctx, tc.actor, tc.provider, tc.client); trygg.ErrorCode(err) != tc.code {
					t.Fatalf("revoke, %s: got %v, want %s", tc.name, err, tc.code)
				}
			}
			if _, err := w.svc.Authenticate(w.ctx, sess.Token); err != nil {
				t.Fatalf("refused revocations ended the token: %v", err)
			}
			before := w.lastSeq(t)
			if err := w.svc.RevokeAPIClient(w.ctx, w.admin, w.external.ID, c.ClientID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Authenticate(w.ctx, sess.Token); trygg.ErrorCode(err) != trygg.EUnauthorized {
				t.Fatalf("revoked client's token: %v, want unauthorized", err)
			}
			if _, err := w.svc.ClientToken(w.ctx, c.ClientID, c.ClientSecret); trygg.ErrorMessage(err) != "Client authentication failed." {
				t.Fatalf("revoked client gets a token: %v", err)
			}
			if err := w.svc.RevokeAPIClient(w.ctx, w.admin, w.external.ID, c.ClientID); err != nil {
				t.Fatalf("revoking again: %v", err)
			}
			if got := w.eventTypes(t, before); strings.Join(got, " ") != events.APIClientRevoked {
				t.Fatalf("events of revocation: %v, want one %s", got, events.APIClientRevoked)
			}
			if _, err := w.svc.Authenticate(w.ctx, sess.Token); err == nil {
				t.Fatal("the revoked token works")
			}
			if list, _ := w.svc.APIClients(w.ctx, w.admin, w.external.ID); len(list) != 1 || !list[0].Revoked {
				t.Fatalf("clients after revocation: %+v", list)
			}

			want := []string{events.APIClientCreated, events.RoleGranted, events.APIClientCreated, events.RoleGranted,
				events.UserSignedIn, events.UserSignedIn, events.APIClientRevoked}
			if got := w.eventTypes(t, start); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("events: %v, want %v", got, want)
			}
		})
	}
}
