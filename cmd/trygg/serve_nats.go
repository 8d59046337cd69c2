package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/natsembed"
)

// natsEmbeddedHelp is the help of serve's --nats-embedded.
const natsEmbeddedHelp = "run a NATS server with JetStream in this process on 127.0.0.1, for NATS subscriptions to deliver to: on, off, or the port (default: on with --demo, on the port it had before in this data folder)"

// startEmbeddedNATS starts serve's embedded NATS server when mode (the
// value of --nats-embedded) or demo says so, keeping its streams in
// DATA/nats. Without a port it takes the one kept in DATA/nats/port from
// the last start, if that is free, and else a free one, and keeps it
// there, so a subscription's URL stays right across restarts. It returns
// nil when the server is off, and an error when mode is not on, off or a
// port, or the server does not start.
func startEmbeddedNATS(dataDir, mode string, demo bool) (*natsembed.Server, error) {
	port := 0
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case "off", "false", "no":
		return nil, nil
	case "":
		if !demo {
			return nil, nil
		}
	case "on", "true", "yes":
	default:
		p, err := strconv.Atoi(mode)
		if err != nil || p < 1 || p > 65535 {
			return nil, usageError{fmt.Sprintf("--nats-embedded %q: want on, off or a port", mode)}
		}
		port = p
	}
	dir := filepath.Join(dataDir, "nats")
	portFile := filepath.Join(dir, "port")
	cfg := natsembed.Config{StoreDir: filepath.Join(dir, "jetstream"), Port: port}
	if port == 0 {
		if b, err := os.ReadFile(portFile); err == nil {
			if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && p > 0 && p <= 65535 {
				cfg.Port = p
				s, err := natsembed.Start(cfg)
				if err == nil {
					return s, nil
				}
				// Taken since: another free port below.
				cfg.Port = 0
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("embedded NATS: %w", err)
		}
	}
	s, err := natsembed.Start(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	if port == 0 {
		u, err := url.Parse(s.URL())
		if err == nil {
			err = os.WriteFile(portFile, []byte(u.Port()+"\n"), 0o600)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("embedded NATS: keep its port: %w", err)
		}
	}
	return s, nil
}
