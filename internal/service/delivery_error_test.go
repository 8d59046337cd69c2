package service

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestDeliveryErrorHidesQuery: what an administrator's page and the
// server's log say of a failed webhook never carries the token a URL's
// query may hold.
func TestDeliveryErrorHidesQuery(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("deliver: %w", &url.Error{Op: "Post", URL: "https://hooks.example.se/in?token=s3cret", Err: errors.New("connection refused")}),
			`Post "https://hooks.example.se/in?…": connection refused`},
		{&url.Error{Op: "Post", URL: "https://user:pw@hooks.example.se/in#x", Err: errors.New("timeout")},
			`Post "https://hooks.example.se/in?…": timeout`},
		{&url.Error{Op: "Post", URL: "https://hooks.example.se/in", Err: errors.New("timeout")},
			`Post "https://hooks.example.se/in": timeout`},
		{errors.New("deliver: the receiver answered 500"), "the receiver answered 500"},
	} {
		got := deliveryError(c.err)
		if got != c.want || strings.Contains(got, "s3cret") || strings.Contains(got, "pw@") {
			t.Errorf("deliveryError(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
