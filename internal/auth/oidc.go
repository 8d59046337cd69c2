package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig configures staff sign-in through an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's /auth/oidc/callback
}

// OIDC signs staff in with the authorization code flow, PKCE and a nonce.
type OIDC struct {
	issuer   string
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	provider *oidc.Provider
	// authParams are added to every authorization request.
	authParams []oauth2.AuthCodeOption
}

// NewOIDC discovers the provider at cfg.Issuer. It returns an error if the
// provider cannot be reached or its discovery document is wrong.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	return &OIDC{
		issuer: cfg.Issuer,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		provider: provider,
	}, nil
}

// Issuer returns the provider's issuer URL, which users are linked by.
func (o *OIDC) Issuer() string { return o.issuer }

// Flow is the per-attempt secrets kept in a short-lived cookie between the
// redirect to the provider and the callback.
type Flow struct {
	State, Nonce, Verifier string
}

// Start returns a new flow and the provider URL to send the browser to.
func (o *OIDC) Start() (Flow, string) {
	f := Flow{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}, o.authParams...)
	url := o.oauth.AuthCodeURL(f.State, opts...)
	return f, url
}

// ErrOIDC is wrapped by every failed callback; its text is safe to log.
var ErrOIDC = errors.New("oidc: sign-in failed")

// Finish exchanges the code from the callback, verifies the ID token's
// signature, audience, expiry and nonce, and returns the subject.
func (o *OIDC) Finish(ctx context.Context, f Flow, state, code string) (subject string, err error) {
	_, idTok, err := o.finish(ctx, f, state, code)
	if err != nil {
		return "", err
	}
	return idTok.Subject, nil
}

// finish is Finish returning the token response and the verified ID token.
func (o *OIDC) finish(ctx context.Context, f Flow, state, code string) (*oauth2.Token, *oidc.IDToken, error) {
	if state == "" || state != f.State {
		return nil, nil, fmt.Errorf("%w: state mismatch", ErrOIDC)
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: code exchange: %v", ErrOIDC, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, nil, fmt.Errorf("%w: no id_token in the token response", ErrOIDC)
	}
	idTok, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	if idTok.Nonce != f.Nonce {
		return nil, nil, fmt.Errorf("%w: nonce mismatch", ErrOIDC)
	}
	return tok, idTok, nil
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
