package service_test

import (
	"os"
	"testing"

	"github.com/trygg/trygg/internal/pgtest"
)

// TestMain stops the private PostgreSQL test server, if one was started,
// when the package's tests and benchmarks end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
