package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultSubjectPrefix is the first token of every subject a NATS
// subscription publishes to when it names none.
const DefaultSubjectPrefix = "trygg"

// NATSDuplicateWindow is the duplicate window of a stream trygg creates:
// a message published again with the same id within it (after a crash
// between the broker's ack and the cursor's move) is dropped by the
// stream. Consumers should still drop repeated CloudEvent ids, since a
// retry after a longer outage may fall outside it.
const NATSDuplicateWindow = time.Hour

// natsTimeout bounds one publish when the caller's context has no
// deadline, and connecting.
const natsTimeout = 10 * time.Second

// NATSConfig says where and how a NATS subscription publishes.
type NATSConfig struct {
	// URL of the NATS server, nats://host:port or tls://host:port; several
	// servers of one cluster separated by commas.
	URL string
	// Stream is the JetStream stream that must take the messages; a
	// publish that lands in no stream, or in another, is an error.
	Stream string
	// SubjectPrefix is the subject's first tokens; "" means
	// DefaultSubjectPrefix. Subjects are PREFIX.TENANT.EVENT-TYPE, e.g.
	// trygg.malmo.case.opened.
	SubjectPrefix string
	// Token authenticates with a server token; CredsFile with a
	// credentials file (JWT and NKey seed). At most one of them.
	Token     string
	CredsFile string
	// CreateStream creates Stream over PREFIX.> when it does not exist
	// (file storage, NATSDuplicateWindow). An existing stream is left as
	// it is.
	CreateStream bool
}

// NATS publishes messages to a NATS JetStream stream. It implements Sender.
type NATS struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream string
	prefix string
}

var _ Sender = (*NATS)(nil)

// NewNATS connects to the NATS server of cfg and, when cfg.CreateStream
// is set, creates the stream if it is missing. It returns an error when
// cfg is invalid, the server cannot be reached or refuses the
// credentials, or the stream cannot be created; none of them wraps
// ErrGone, so the caller may try again later.
func NewNATS(ctx context.Context, cfg NATSConfig) (*NATS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	prefix := cfg.SubjectPrefix
	if prefix == "" {
		prefix = DefaultSubjectPrefix
	}
	opts := []nats.Option{
		nats.Name("trygg"),
		nats.Timeout(natsTimeout),
		// Keep reconnecting while trygg runs: a publish during an outage
		// fails (and is retried by the delivery loop) until the server is
		// back.
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("deliver: connect to NATS: %w", err)
	}
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(natsTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("deliver: NATS JetStream: %w", err)
	}
	n := &NATS{nc: nc, js: js, stream: cfg.Stream, prefix: prefix}
	if cfg.CreateStream {
		if err := n.ensureStream(ctx); err != nil {
			nc.Close()
			return nil, err
		}
	}
	return n, nil
}

// Validate checks cfg without connecting. It returns an error naming the
// first field that is wrong.
func (cfg NATSConfig) Validate() error {
	if strings.TrimSpace(cfg.URL) == "" {
		return errors.New("deliver: NATS: no server URL")
	}
	for _, s := range strings.Split(cfg.URL, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" || (u.Scheme != "nats" && u.Scheme != "tls") {
			return fmt.Errorf("deliver: NATS: server URL %q is not nats://host:port or tls://host:port", redactURL(s))
		}
		if u.User != nil {
			// The destination is shown on the subscription's page.
			return fmt.Errorf("deliver: NATS: server URL %q has a user name; give a token or a credentials file instead", redactURL(s))
		}
	}
	if cfg.Stream == "" {
		return errors.New("deliver: NATS: no stream")
	}
	if strings.ContainsAny(cfg.Stream, ".*> \t\r\n/\\") {
		return fmt.Errorf("deliver: NATS: stream name %q may not contain '.', '*', '>', '/', '\\' or spaces", cfg.Stream)
	}
	if cfg.SubjectPrefix != "" {
		for _, tok := range strings.Split(cfg.SubjectPrefix, ".") {
			if !validSubjectToken(tok) {
				return fmt.Errorf("deliver: NATS: subject prefix %q: each dot-separated part must be non-empty, without '*', '>' or spaces", cfg.SubjectPrefix)
			}
		}
	}
	if cfg.Token != "" && cfg.CredsFile != "" {
		return errors.New("deliver: NATS: both a token and a credentials file; give one")
	}
	return nil
}

// redactURL drops a password from a server URL before it is shown.
func redactURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

func validSubjectToken(tok string) bool {
	return tok != "" && !strings.ContainsAny(tok, "*> \t\r\n")
}

// Subject is the subject m is published to: PREFIX.TENANT.EVENT-TYPE,
// where a dot, '*', '>' or white space in the tenant's id (which NATS
// would take as a separator or wildcard) is an underscore; the body names
// the tenant as it is.
func (n *NATS) Subject(m Message) string {
	tenant := strings.Map(func(r rune) rune {
		if r == '.' || r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, m.Tenant)
	if tenant == "" {
		tenant = "_"
	}
	return n.prefix + "." + tenant + "." + m.Type
}

// ensureStream creates the stream over PREFIX.> unless it exists.
func (n *NATS) ensureStream(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, natsTimeout)
	defer cancel()
	_, err := n.js.Stream(ctx, n.stream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("deliver: NATS stream %s: %w", n.stream, err)
	}
	_, err = n.js.CreateStream(ctx, jetstream.StreamConfig{
		Name:        n.stream,
		Description: "trygg's events (CloudEvents 1.0)",
		Subjects:    []string{n.prefix + ".>"},
		Storage:     jetstream.FileStorage,
		Duplicates:  NATSDuplicateWindow,
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("deliver: create NATS stream %s: %w", n.stream, err)
	}
	return nil
}

// Send publishes m's body to its subject with the header Nats-Msg-Id set
// to m.ID and waits for the stream's ack. A repeat of an id the stream
// has seen within its duplicate window is acknowledged and dropped by
// the stream, and Send returns nil. It returns an error when m has no id
// or its type cannot be a subject, the server cannot be reached, no stream (or
// another than the configured one) takes the subject, or no ack comes
// before ctx ends; none of them wraps ErrGone.
func (n *NATS) Send(ctx context.Context, m Message) error {
	if m.ID == "" {
		return errors.New("deliver: NATS: message without an id")
	}
	for _, tok := range strings.Split(m.Type, ".") {
		if !validSubjectToken(tok) {
			return fmt.Errorf("deliver: NATS: event type %q cannot be a subject", m.Type)
		}
	}
	msg := nats.NewMsg(n.Subject(m))
	msg.Header.Set("Content-Type", "application/cloudevents+json")
	msg.Data = m.Body
	_, err := n.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(m.ID),
		jetstream.WithExpectStream(n.stream))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrNoStreamResponse):
		return fmt.Errorf("deliver: NATS publish %s to %s: no stream takes the subject (create stream %s over %s.>): %w",
			m.ID, msg.Subject, n.stream, n.prefix, err)
	default:
		return fmt.Errorf("deliver: NATS publish %s to %s: %w", m.ID, msg.Subject, err)
	}
}

// Close closes the connection. It returns nil.
func (n *NATS) Close() error {
	n.nc.Close()
	return nil
}
