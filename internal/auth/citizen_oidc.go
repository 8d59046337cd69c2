package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// DefaultIdentityClaim is the claim a citizen's identity number is read
// from unless configured otherwise. Brokers differ: Idura (Criipto) sends
// "ssn", Signicat "nin", the Swedish OpenID Connect profile
// "https://id.oidc.se/claim/personalIdentityNumber" (and
// ".../coordinationNumber" for a samordningsnummer).
const DefaultIdentityClaim = "personal_number"

// DefaultACR is the assurance level a citizen's e-identification must have
// unless configured otherwise: Sweden Connect's level of assurance 3 (the
// Swedish eID Framework's "loa3"), which BankID and Freja+ are approved for.
const DefaultACR = "http://id.elegnamnden.se/loa/1.0/loa3"

// CitizenOIDCConfig configures citizens' sign-in with e-identification
// through an OpenID Connect broker.
type CitizenOIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's /auth/eid/callback
	// IdentityClaims names the claims that may carry the identity number,
	// tried in order (default DefaultIdentityClaim).
	IdentityClaims []string
	// Scopes are requested besides openid (default profile).
	Scopes []string
	// ACR are the lowest assurance levels (acr values) accepted, any one
	// of them (default DefaultACR). A level of the Swedish eID Framework's
	// scale (loa1 to loa4) accepts the higher ones of that scale too.
	ACR []string
}

// CitizenOIDC signs citizens in with the authorization code flow, PKCE,
// state and a nonce, as OIDC does for staff, and reads the identity
// number from a claim of the ID token (or, when the broker puts it only
// there, of the UserInfo answer for the same subject).
type CitizenOIDC struct {
	OIDC
	claims []string
	acr    []string // the acr values accepted
}

// ErrNoIdentityClaim is returned by FinishIdentity when the broker
// vouched for the citizen but sent no identity number.
var ErrNoIdentityClaim = errors.New("oidc: the e-identification carried no identity number claim")

// ErrAssurance is wrapped by FinishIdentity's error when the ID token's
// acr is not an accepted assurance level, or is missing.
var ErrAssurance = errors.New("oidc: the e-identification is below the required level of assurance")

// swedishLoA is the Swedish eID Framework's scale of assurance levels,
// lowest first (Sweden Connect's "Registry for identifiers", 3.1.1).
var swedishLoA = []string{
	"http://id.elegnamnden.se/loa/1.0/loa1",
	"http://id.elegnamnden.se/loa/1.0/loa2",
	"http://id.elegnamnden.se/loa/1.0/loa3",
	"http://id.elegnamnden.se/loa/1.0/loa4",
}

// acceptedACR returns the acr values that meet one of the lowest levels
// given: the level itself and, on the Swedish scale, the higher ones.
// With none given it is DefaultACR's.
func acceptedACR(lowest []string) []string {
	var out []string
	add := func(v string) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, v := range lowest {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		add(v)
		if i := slices.Index(swedishLoA, v); i >= 0 {
			for _, higher := range swedishLoA[i+1:] {
				add(higher)
			}
		}
	}
	if len(out) == 0 {
		return acceptedACR([]string{DefaultACR})
	}
	return out
}

// NewCitizenOIDC discovers the broker at cfg.Issuer. It returns an error
// if the broker cannot be reached or its discovery document is wrong.
func NewCitizenOIDC(ctx context.Context, cfg CitizenOIDCConfig) (*CitizenOIDC, error) {
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover e-identification broker %s: %w", cfg.Issuer, err)
	}
	scopes := []string{oidc.ScopeOpenID}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile"}
	}
	for _, sc := range cfg.Scopes {
		if sc = strings.TrimSpace(sc); sc != "" && sc != oidc.ScopeOpenID {
			scopes = append(scopes, sc)
		}
	}
	var claims []string
	for _, c := range cfg.IdentityClaims {
		if c = strings.TrimSpace(c); c != "" {
			claims = append(claims, c)
		}
	}
	if len(claims) == 0 {
		claims = []string{DefaultIdentityClaim}
	}
	acr := acceptedACR(cfg.ACR)
	return &CitizenOIDC{
		OIDC: OIDC{
			issuer: cfg.Issuer,
			oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
				Endpoint: provider.Endpoint(), Scopes: scopes},
			verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
			provider: provider,
			// The levels accepted, in order of preference (OpenID Connect
			// Core 3.1.2.1); the broker may still answer with another, so
			// FinishIdentity checks the token's acr.
			authParams: []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("acr_values", strings.Join(acr, " "))},
		},
		claims: claims,
		acr:    acr,
	}, nil
}

// IdentityClaims returns the claim names the identity number is read from.
func (o *CitizenOIDC) IdentityClaims() []string { return o.claims }

// FinishIdentity completes the flow as Finish does (state, PKCE, the ID
// token's signature, issuer, audience, expiry and nonce) and returns the
// identity number as the broker sent it, unparsed. It returns an error
// wrapping ErrOIDC when the flow fails, one wrapping ErrAssurance when the
// ID token's acr is not an accepted level (or missing), and
// ErrNoIdentityClaim when no configured claim holds a value. No error's
// text holds the number.
func (o *CitizenOIDC) FinishIdentity(ctx context.Context, f Flow, state, code string) (string, error) {
	tok, idTok, err := o.finish(ctx, f, state, code)
	if err != nil {
		return "", err
	}
	var claims map[string]any
	if err := idTok.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: ID token claims: %v", ErrOIDC, err)
	}
	// The level is the ID token's: UserInfo does not speak for the
	// authentication.
	if acr, _ := claims["acr"].(string); !slices.Contains(o.acr, acr) {
		if len(acr) > 200 {
			acr = acr[:200]
		}
		return "", fmt.Errorf("%w: acr %q", ErrAssurance, acr)
	}
	if v, ok := o.pick(claims); ok {
		return v, nil
	}
	// Some brokers put the number only in UserInfo.
	if o.provider.UserInfoEndpoint() == "" {
		return "", ErrNoIdentityClaim
	}
	ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return "", fmt.Errorf("%w: userinfo: %v", ErrOIDC, err)
	}
	if ui.Subject != idTok.Subject {
		return "", fmt.Errorf("%w: userinfo is about another subject", ErrOIDC)
	}
	claims = nil
	if err := ui.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: userinfo claims: %v", ErrOIDC, err)
	}
	if v, ok := o.pick(claims); ok {
		return v, nil
	}
	return "", ErrNoIdentityClaim
}

// pick returns the first configured claim with a value: a string, or a
// whole number (some brokers send the digits as a JSON number).
func (o *CitizenOIDC) pick(claims map[string]any) (string, bool) {
	for _, name := range o.claims {
		switch v := claims[name].(type) {
		case string:
			if strings.TrimSpace(v) != "" {
				return v, true
			}
		case float64:
			if v > 0 && v == math.Trunc(v) && v < 1e15 {
				return strconv.FormatFloat(v, 'f', 0, 64), true
			}
		}
	}
	return "", false
}
