package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhooks are signed as the Standard Webhooks specification says
// (https://www.standardwebhooks.com): the headers webhook-id (the
// message's id, the receiver's key for dropping repeats),
// webhook-timestamp (Unix seconds) and webhook-signature, "v1," and the
// base64 of HMAC-SHA256 over id "." timestamp "." body with the secret's
// bytes. While a secret is being rotated both sign, and the header holds
// both signatures separated by a space.

const (
	// SecretPrefix begins every webhook secret; the base64 of the secret's
	// bytes follows.
	SecretPrefix = "whsec_"
	// secretBytes is how many random bytes a new secret has (the
	// specification asks for 24 to 64).
	secretBytes = 32

	dialTimeout = 5 * time.Second
	keepAlive   = 30 * time.Second
	// DefaultTimeout is how long a webhook's receiver has to answer.
	DefaultTimeout = 10 * time.Second
)

// NewSecret returns a new random webhook secret, "whsec_" and base64.
func NewSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// secretKey returns the bytes of a "whsec_" secret, or an error if it is
// not one.
func secretKey(secret string) ([]byte, error) {
	s, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("deliver: a webhook secret begins with " + SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, errors.New("deliver: a webhook secret is " + SecretPrefix + " and base64")
	}
	return key, nil
}

// ValidSecret reports whether secret is a "whsec_" secret of 24 to 64
// bytes.
func ValidSecret(secret string) bool {
	key, err := secretKey(secret)
	return err == nil && len(key) >= 24 && len(key) <= 64
}

// Sign returns the webhook-signature header of a message: one "v1,"
// signature per secret, separated by spaces, or an error if a secret is
// not a "whsec_" secret.
func Sign(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// WebhookConfig is a webhook destination.
type WebhookConfig struct {
	// URL is where messages are posted (http or https).
	URL string
	// Secrets sign each message; two while a secret is rotated.
	Secrets []string
	// Timeout is how long the receiver has to answer (DefaultTimeout if 0).
	Timeout time.Duration
	// Policy says which addresses may be reached.
	Policy Policy
	// Now is the clock of the webhook-timestamp (time.Now if nil).
	Now func() time.Time
}

// Webhook posts messages to one URL, signed. It never follows a
// redirect: an answer other than 2xx is a failure, 410 Gone wraps ErrGone.
type Webhook struct {
	cfg    WebhookConfig
	client *http.Client
}

// CheckURL returns an error if raw is not an http or https URL without
// user information, or the policy refuses its host.
func CheckURL(raw string, p Policy) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, errors.New("deliver: a webhook URL is http:// or https://, a host and a path, without a user name")
	}
	if err := p.CheckHost(u.Hostname()); err != nil {
		return nil, err
	}
	return u, nil
}

// NewWebhook returns a sender to cfg's URL, or an error if the URL is
// not a webhook URL the policy allows or a secret is not a "whsec_" one.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	u, err := CheckURL(cfg.URL, cfg.Policy)
	if err != nil {
		return nil, err
	}
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("deliver: a webhook needs a secret")
	}
	for _, s := range cfg.Secrets {
		if _, err := secretKey(s); err != nil {
			return nil, err
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tr := &http.Transport{
		// No proxy: a proxy would dial the destination, not this policy.
		Proxy:                 nil,
		DialContext:           cfg.Policy.dialer(u.Hostname()).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Webhook{cfg: cfg, client: &http.Client{Transport: tr, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Send posts m, signed, and returns nil when the receiver answers 2xx.
// 410 Gone returns an error wrapping ErrGone; another answer, a refused
// address (ErrRefused) or a timeout an error to retry later.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	ts := w.cfg.Now()
	sig, err := Sign(w.cfg.Secrets, m.ID, ts, m.Body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(m.Body))
	if err != nil {
		return fmt.Errorf("deliver: webhook: %w", err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("User-Agent", "trygg-webhooks/1")
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver: webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		return fmt.Errorf("%w: the receiver answered 410 Gone", ErrGone)
	default:
		return fmt.Errorf("deliver: webhook: the receiver answered %d", resp.StatusCode)
	}
}

// Close closes the sender's idle connections.
func (w *Webhook) Close() error {
	w.client.CloseIdleConnections()
	return nil
}
