// Package natsembed runs a NATS server with JetStream inside this process,
// listening on loopback only: for tests and for `trygg serve --demo`, so a
// NATS subscription has a broker to deliver to without installing one. A
// real installation runs its own NATS servers (docs/integrations.md).
//
// It is a package of its own so that only the binaries that start an
// embedded server link the NATS server.
package natsembed

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is a running embedded NATS server.
type Server struct {
	srv *server.Server
}

// Config says where an embedded server keeps its streams and which port it
// listens on.
type Config struct {
	// StoreDir is the folder JetStream keeps its streams in; created if
	// missing.
	StoreDir string
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// Token, when set, is required of every client.
	Token string
}

// Start starts a server with JetStream on 127.0.0.1 and waits until it
// accepts connections. It returns an error when the store folder cannot be
// made, the port is taken or the server does not get ready within ten
// seconds.
func Start(cfg Config) (*Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("natsembed: no store folder")
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	} else {
		// The server only logs a port it cannot listen on (and logs
		// nothing here): find out at once instead of waiting for it.
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("natsembed: %w", err)
		}
		ln.Close()
	}
	opts := &server.Options{
		ServerName:             "trygg-embedded",
		Host:                   "127.0.0.1",
		Port:                   port,
		JetStream:              true,
		StoreDir:               cfg.StoreDir,
		Authorization:          cfg.Token,
		NoSigs:                 true,
		NoLog:                  true,
		DisableJetStreamBanner: true,
		// No HTTP monitoring, no cluster, no leaf nodes: only clients on
		// loopback.
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("natsembed: server on 127.0.0.1:%d not ready within 10s", cfg.Port)
	}
	return &Server{srv: srv}, nil
}

// URL is the address clients connect to, nats://127.0.0.1:PORT.
func (s *Server) URL() string {
	addr, ok := s.srv.Addr().(*net.TCPAddr)
	if !ok {
		return s.srv.ClientURL()
	}
	return "nats://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(addr.Port))
}

// Close stops the server and waits until it has stopped; the streams stay
// in the store folder.
func (s *Server) Close() error {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	return nil
}
