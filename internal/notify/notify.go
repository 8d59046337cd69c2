// Package notify sends notices to citizens outside trygg: an e-mail or an
// SMS saying only that there is something new on Mina sidor. A notice
// never carries what is new — no message text, no names, no case or
// identity numbers — so it can go over channels that are not secure.
//
// The service decides what to send, from the event log, after the change
// has committed; a Notifier only delivers. File is the implementation of
// the demo and of development: it appends one JSON line per notice to a
// file, where a test or a developer can read what would have been sent.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The channels a notice can go by.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// The kinds of notice, each with its fixed text.
const (
	// KindMessage: an officer wrote in the case's conversation.
	KindMessage = "message"
	// KindCase: something else new in the case (a decision, say).
	KindCase = "case"
)

// Texts are the only words a notice carries, by kind: Swedish and English.
var Texts = map[string][2]string{
	KindMessage: {"Du har ett nytt meddelande i Mina sidor.", "You have a new message on Mina sidor."},
	KindCase:    {"Det finns något nytt i ditt ärende på Mina sidor.", "Something new in your case on Mina sidor."},
}

// Notice is one notice to one citizen account.
type Notice struct {
	// ID is the same for a notice sent again (the event and the
	// account), so a sender can drop a repeat.
	ID     string    `json:"id"`
	Tenant string    `json:"tenant"`
	At     time.Time `json:"at"`
	// UserID is the account notified (an opaque id); Channel and Address
	// where it wants notices.
	UserID  string `json:"user_id"`
	Channel string `json:"channel"`
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	TextEN  string `json:"text_en"`
}

// Notifier delivers notices. Notify returns an error when the notice was
// not delivered; the caller tries again later.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// File appends one JSON line per notice to a file. The file holds contact
// addresses, so it is created readable by its owner only.
type File struct {
	path string
	mu   sync.Mutex
}

// NewFile returns a File notifier writing to path, creating its folder.
// It returns an error if the file cannot be opened for appending.
func NewFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	return &File{path: path}, f.Close()
}

// Path is the file notices go to.
func (f *File) Path() string { return f.path }

// Notify appends n as one line and syncs the file, so a notice reported
// sent is on disk.
func (f *File) Notify(ctx context.Context, n Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out, err := os.OpenFile(f.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if _, err := out.Write(append(b, '\n')); err != nil {
		out.Close()
		return fmt.Errorf("notify: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("notify: %w", err)
	}
	return out.Close()
}
