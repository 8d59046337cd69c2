package mailbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// File is a digital post infrastructure read from a JSON file, for the
// demo and tests: who has a mailbox, as an array of
//
//	{"identity_number": "19880412-2384", "operator": "Kivra"}
//
// (a person not in the file has none; "refused_senders" lists senders the
// person has blocked), and the letters sent, each written to a folder as
// <id>.json (what was sent, when, its delivery id) beside its body. The
// files hold identity numbers and letters, so they are readable by their
// owner only. A letter sent again with the same id is not written again:
// Send answers with the first delivery's id.
type File struct {
	mu        sync.Mutex
	mailboxes map[string]fileMailbox
	dir       string
	// Now gives the time of a delivery; nil means the wall clock.
	Now func() time.Time
}

type fileMailbox struct {
	IdentityNumber string   `json:"identity_number"`
	Operator       string   `json:"operator"`
	RefusedSenders []string `json:"refused_senders,omitempty"`
}

// Sent is one letter File has delivered, as written to its folder.
type Sent struct {
	Letter
	DeliveryID string    `json:"delivery_id"`
	Operator   string    `json:"operator"`
	SentAt     time.Time `json:"sent_at"`
	// BodyFile is the body's file name in the folder.
	BodyFile string `json:"body_file"`
}

// LoadFile reads the mailbox file at path (a missing file: nobody has a
// mailbox) and returns a File writing the letters it sends to dir,
// creating it. A malformed file gives an error naming the file and the
// entry's position, never its contents.
func LoadFile(path, dir string) (*File, error) {
	f := &File{mailboxes: map[string]fileMailbox{}, dir: dir}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	if err == nil {
		var list []fileMailbox
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("mailbox: %s: not an array of mailboxes", path)
		}
		for i, m := range list {
			key := identityKey(m.IdentityNumber)
			if len(key) != 12 || strings.TrimSpace(m.Operator) == "" {
				return nil, fmt.Errorf("mailbox: %s: mailbox %d: needs a 12-digit identity_number and an operator", path, i+1)
			}
			f.mailboxes[key] = m
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	return f, nil
}

// Add gives the person with the identity number a mailbox at operator
// (the demo's people).
func (f *File) Add(identity, operator string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mailboxes[identityKey(identity)] = fileMailbox{IdentityNumber: identity, Operator: operator}
}

// Save writes who has a mailbox to path, readable by its owner only. It
// returns an error if the file cannot be written.
func (f *File) Save(path string) error {
	f.mu.Lock()
	list := make([]fileMailbox, 0, len(f.mailboxes))
	for _, m := range f.mailboxes {
		list = append(list, m)
	}
	f.mu.Unlock()
	slices.SortFunc(list, func(a, b fileMailbox) int { return strings.Compare(a.IdentityNumber, b.IdentityNumber) })
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	if err := writeFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	return nil
}

// Reachable says whether the person has a mailbox in the file that does
// not refuse sender.
func (f *File) Reachable(ctx context.Context, sender, identity string) (Reach, error) {
	if err := ctx.Err(); err != nil {
		return Reach{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reach(sender, identity), nil
}

func (f *File) reach(sender, identity string) Reach {
	m, ok := f.mailboxes[identityKey(identity)]
	if !ok || slices.Contains(m.RefusedSenders, sender) {
		return Reach{}
	}
	return Reach{Reachable: true, Operator: m.Operator}
}

// Send writes the letter to the folder and returns a new delivery id; a
// letter whose id was sent before is not written again and gets that
// delivery's id. It returns ErrNotReachable for a person without a
// mailbox for the sender.
func (f *File) Send(ctx context.Context, l Letter) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !validID(l.ID) {
		return "", errors.New("mailbox: a letter's id is 1–200 letters a–z, A–Z, digits, '.', '_' or '-'")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	meta := filepath.Join(f.dir, l.ID+".json")
	if b, err := os.ReadFile(meta); err == nil {
		var s Sent
		if err := json.Unmarshal(b, &s); err != nil || s.DeliveryID == "" {
			return "", fmt.Errorf("mailbox: letter %s: the record of its delivery is unreadable", l.ID)
		}
		return s.DeliveryID, nil
	} else if !os.IsNotExist(err) {
		return "", fmt.Errorf("mailbox: letter %s: %w", l.ID, err)
	}
	r := f.reach(l.Sender, l.Recipient)
	if !r.Reachable {
		return "", ErrNotReachable
	}
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	ext := ".html"
	if l.ContentType == ContentPDF {
		ext = ".pdf"
	}
	s := Sent{Letter: l, DeliveryID: hex.EncodeToString(rnd[:]), Operator: r.Operator, SentAt: now().UTC(), BodyFile: l.ID + ext}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", fmt.Errorf("mailbox: letter %s: %w", l.ID, err)
	}
	// The body first: a letter is delivered once its record is written.
	if err := writeFile(filepath.Join(f.dir, s.BodyFile), l.Body); err != nil {
		return "", fmt.Errorf("mailbox: letter %s: %w", l.ID, err)
	}
	if err := writeFile(meta, append(b, '\n')); err != nil {
		return "", fmt.Errorf("mailbox: letter %s: %w", l.ID, err)
	}
	return s.DeliveryID, nil
}

// Sent returns the letters delivered, oldest first. It returns an error
// if the folder cannot be read.
func (f *File) Sent() ([]Sent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	names, err := filepath.Glob(filepath.Join(f.dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	var out []Sent
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("mailbox: %w", err)
		}
		var s Sent
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("mailbox: %s: unreadable", filepath.Base(n))
		}
		if s.Body, err = os.ReadFile(filepath.Join(f.dir, s.BodyFile)); err != nil {
			return nil, fmt.Errorf("mailbox: %w", err)
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Sent) int { return a.SentAt.Compare(b.SentAt) })
	return out, nil
}

// identityKey is an identity number's digits.
func identityKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func validID(id string) bool {
	if id == "" || len(id) > 200 || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// writeFile writes b to path through a temporary file, synced and
// renamed, readable by its owner only.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
